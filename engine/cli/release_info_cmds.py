"""``pyhelm list|history|status|get``: reading releases and their records."""
from __future__ import annotations

import click

from engine.cli.errors import CommandError
from engine.cli.release_cmds import action_config
from engine.cli.release_output import computed_values, print_document, print_release

OUTPUT = click.option("-o", "--output", type=click.Choice(["table", "json", "yaml"]), default="table",
                      help="prints the output in the specified format")
REVISION = click.option("--revision", default=0, type=int, help="get the named release with this revision")
STATE_FLAGS = ("deployed", "failed", "pending", "superseded", "uninstalled", "uninstalling")


def _state_options(command):
    for state in reversed(STATE_FLAGS):
        command = click.option(f"--{state}", f"state_{state}", is_flag=True, help=f"show {state} releases")(command)
    return command


def _updated(release, time_format: str) -> str:
    from engine.cli.tables import go_time_string
    from engine.gotemplate.gotime import format_time
    from engine.release.record import parse_time

    if not release.info.last_deployed:
        return "-"
    if time_format:
        moment = parse_time(release.info.last_deployed)
        return format_time(moment, time_format) if moment else "-"
    return go_time_string(release.info.last_deployed)


@click.command(name="list")
@click.option("-A", "--all-namespaces", is_flag=True, help="list releases across all namespaces")
@click.option("-a", "--all", "all_states", is_flag=True, help="show all releases without any filter applied")
@_state_options
@click.option("-f", "--filter", "name_filter", default="", help="a regular expression on release names")
@click.option("-l", "--selector", default="", help="label selector on release labels (e.g. -l key1=value1)")
@click.option("-d", "--date", "by_date", is_flag=True, help="sort by release date")
@click.option("-r", "--reverse", is_flag=True, help="reverse the sort order")
@click.option("-m", "--max", "limit", default=256, type=int, help="maximum number of releases to fetch")
@click.option("--offset", default=0, type=int, help="next release index in the list, used to offset from start")
@click.option("-q", "--short", is_flag=True, help="output short (quiet) listing format")
@click.option("--no-headers", is_flag=True, help="don't print headers when using the default output format")
@click.option("--time-format", default="", help='format time with a Go layout, e.g. "2006-01-02 15:04:05Z0700"')
@OUTPUT
@click.pass_obj
def list_releases(settings, all_namespaces, all_states, name_filter, selector, by_date, reverse, limit, offset,
                  short, no_headers, time_format, output, **states) -> None:
    """List releases (every state unless state flags narrow it)."""
    from engine.action.config import OPERATION_ERRORS
    from engine.action.listing import ListOptions, list_releases as run_list
    from engine.cli.tables import table

    wanted = set() if all_states else {name[len("state_"):] for name, on in states.items() if on}
    options = ListOptions(all_namespaces=all_namespaces, states=wanted, name_filter=name_filter, selector=selector,
                          by_date=by_date, reverse=reverse, limit=limit, offset=offset)
    try:
        releases = run_list(action_config(settings), options)
    except OPERATION_ERRORS as exc:
        raise CommandError(str(exc)) from None
    if short:
        if output == "table":
            click.echo("".join(f"{r.name}\n" for r in releases), nl=False)
        else:
            print_document([r.name for r in releases], output)
        return
    rows = [{"name": r.name, "namespace": r.namespace, "revision": str(r.version),
             "updated": _updated(r, time_format), "status": r.info.status,
             "chart": f"{r.chart_name}-{r.chart_version}", "app_version": r.app_version} for r in releases]
    if output != "table":
        print_document(rows, output)
        return
    header = [] if no_headers else [["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]]
    if header or rows:
        click.echo(table(header + [list(r.values()) for r in rows]), nl=False)


@click.command()
@click.argument("name")
@OUTPUT
@click.option("--max", "max_revisions", default=256, type=int, help="maximum number of revisions to include")
@click.pass_obj
def history(settings, name, output, max_revisions) -> None:
    """Fetch release history."""
    from engine.cli.tables import ansic, table

    config = action_config(settings)
    revisions = config.storage.history(config.namespace, name)[-max_revisions:]
    if not revisions:
        raise CommandError("release: not found")
    if output != "table":
        print_document([{"revision": r.version, "updated": r.info.last_deployed, "status": r.info.status,
                         "chart": f"{r.chart_name}-{r.chart_version}", "app_version": r.app_version,
                         "description": r.info.description} for r in revisions], output)
        return
    rows = [["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]] + [
        [str(r.version), ansic(r.info.last_deployed), r.info.status, f"{r.chart_name}-{r.chart_version}",
         r.app_version, r.info.description] for r in revisions]
    click.echo(table(rows), nl=False)


SHOW_SECRETS = click.option("--show-secrets", is_flag=True,
                            help="show the values a stack marked secret (masked by default)")


def pick(config, name: str, revision: int, show_secrets: bool = False):
    """The named revision of a release (the latest when ``revision`` is 0); unless ``show_secrets``, the
    secrets a stack put into it are masked in everything the command prints."""
    history = config.storage.history(config.namespace, name)
    match = next((r for r in history if r.version == revision), None) if revision else (history or [None])[-1]
    if match is None:
        raise CommandError("release: not found")
    if not show_secrets:
        from engine.stack.secrets import register_record_secrets

        register_record_secrets(match.config, match.labels)
    return match


@click.command()
@click.argument("name")
@REVISION
@OUTPUT
@SHOW_SECRETS
@click.pass_obj
def status(settings, name, revision, output, show_secrets) -> None:
    """Display the status of the named release, with its live resources."""
    from engine.cli.release_output import resources_section

    config = action_config(settings)
    release = pick(config, name, revision, show_secrets)
    resources = resources_section(config, release) if output == "table" else ""
    print_release(release, output, resources=resources)


@click.group()
def get() -> None:
    """Download extended information of a named release."""


@get.command(name="values")
@click.argument("name")
@REVISION
@click.option("-a", "--all", "all_values", is_flag=True, help="dump all (computed) values")
@OUTPUT
@SHOW_SECRETS
@click.pass_obj
def get_values(settings, name, revision, all_values, output, show_secrets) -> None:
    """Download the values file for a named release."""
    from engine.gotemplate.goyaml import to_yaml

    release = pick(action_config(settings), name, revision, show_secrets)
    values = computed_values(release) if all_values else release.config
    if output == "json":
        from engine.release.record import as_go_map

        print_document(as_go_map(values) or None, output)
    elif output == "yaml":
        click.echo(to_yaml(values or {}), nl=False)
    else:
        click.echo(("COMPUTED VALUES:" if all_values else "USER-SUPPLIED VALUES:") + "\n" +
                   (to_yaml(values) if values else "null\n"), nl=False)


@get.command(name="manifest")
@click.argument("name")
@REVISION
@SHOW_SECRETS
@click.pass_obj
def get_manifest(settings, name, revision, show_secrets) -> None:
    """Download the manifest for a named release."""
    click.echo(pick(action_config(settings), name, revision, show_secrets).manifest)


@get.command(name="notes")
@click.argument("name")
@REVISION
@SHOW_SECRETS
@click.pass_obj
def get_notes(settings, name, revision, show_secrets) -> None:
    """Download the notes for a named release."""
    notes = pick(action_config(settings), name, revision, show_secrets).info.notes
    if notes:
        click.echo(f"NOTES:\n{notes}")


@get.command(name="hooks")
@click.argument("name")
@REVISION
@click.pass_obj
def get_hooks(settings, name, revision) -> None:
    """Download all hooks for a named release."""
    for hook in pick(action_config(settings), name, revision).hooks:
        click.echo(f"---\n# Source: {hook.path}\n{hook.manifest}")


def _metadata(release) -> dict:
    from engine.release.record import parse_time

    metadata = release.chart.get("metadata") or {}
    deployed = parse_time(release.info.last_deployed)
    document = {"name": release.name, "chart": metadata.get("name", ""), "version": metadata.get("version", ""),
                "appVersion": metadata.get("appVersion", ""),
                "annotations": dict(sorted((metadata.get("annotations") or {}).items())),
                "labels": dict(sorted((release.record_labels or release.labels).items())),
                "dependencies": metadata.get("dependencies") or [], "namespace": release.namespace,
                "revision": release.version, "status": release.info.status,
                "deployedAt": deployed.strftime("%Y-%m-%dT%H:%M:%SZ") if deployed else "",
                "applyMethod": release.apply_method}
    return {k: v for k, v in document.items() if v or k not in ("annotations", "labels", "dependencies",
                                                                "applyMethod")}


APPLY_METHODS = {"ssa": "server-side apply", "csa": "client-side apply", "": "client-side apply"}


@get.command(name="metadata")
@click.argument("name")
@REVISION
@OUTPUT
@click.pass_obj
def get_metadata(settings, name, revision, output) -> None:
    """Fetch metadata for a given release."""
    document = _metadata(pick(action_config(settings), name, revision))
    if output != "table":
        print_document(document, output)
        return

    def pairs(mapping: dict) -> str:
        return ",".join(f"{k}={v}" for k, v in sorted(mapping.items()))

    method = document.get("applyMethod", "")
    click.echo("\n".join([
        f"NAME: {document['name']}", f"CHART: {document['chart']}", f"VERSION: {document['version']}",
        f"APP_VERSION: {document['appVersion']}", f"ANNOTATIONS: {pairs(document.get('annotations') or {})}",
        f"LABELS: {pairs(document.get('labels') or {})}",
        f"DEPENDENCIES: {','.join(sorted(d.get('name', '') for d in document.get('dependencies') or []))}",
        f"NAMESPACE: {document['namespace']}", f"REVISION: {document['revision']}",
        f"STATUS: {document['status']}", f"DEPLOYED_AT: {document['deployedAt']}",
        f"APPLY_METHOD: {APPLY_METHODS.get(method, f'unknown ({method!r})')}"]))


@get.command(name="all")
@click.argument("name")
@REVISION
@SHOW_SECRETS
@click.pass_obj
def get_all(settings, name, revision, show_secrets) -> None:
    """Download all information for a named release."""
    print_release(pick(action_config(settings), name, revision, show_secrets), show_metadata=True, debug=True)

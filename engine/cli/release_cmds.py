"""``pyhelm install|upgrade|uninstall|rollback|list|history|status|get``: releases on a cluster."""
from __future__ import annotations

import json

import click

from engine.cli.errors import CommandError
from engine.cli.options import user_values_from, values_options
from engine.cli.output import warn
from engine.cli.release_name import name_and_chart, validate_release_name


def _config(settings):
    from engine.action.config import ActionConfig

    return ActionConfig.create(settings.kubeconfig_flag or settings.kubeconfig, settings.kube_context,
                               settings.namespace)


def _duration(text: str) -> float:
    from engine.stack.model import parse_duration

    return parse_duration(text)


def _labels(items: tuple[str, ...]) -> dict[str, str]:
    labels = {}
    for item in items:
        for pair in item.split(","):
            key, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(f"invalid label {pair!r}: use key=value")
            labels[key.strip()] = value.strip()
    return labels


def print_release(release, show_notes: bool = True) -> None:
    from engine.cli.tables import ansic

    lines = [f"NAME: {release.name}", f"LAST DEPLOYED: {ansic(release.info.last_deployed)}",
             f"NAMESPACE: {release.namespace}", f"STATUS: {release.info.status}", f"REVISION: {release.version}",
             f"DESCRIPTION: {release.info.description}"]
    click.echo("\n".join(lines))
    if show_notes and release.info.notes:
        click.echo("NOTES:\n" + release.info.notes.rstrip("\n"))


def _install_options(settings, create_namespace, dry_run, description, labels, no_hooks, timeout, take_ownership,
                     skip_crds, values_given, **extra):
    from engine.action.install import ReleaseOptions

    return ReleaseOptions(namespace=settings.namespace or "default", create_namespace=create_namespace,
                          dry_run=dry_run, description=description, labels=_labels(labels), no_hooks=no_hooks,
                          timeout=_duration(timeout), take_ownership=take_ownership, skip_crds=skip_crds,
                          values_given=values_given, **extra)


def common_release_options(command):
    for option in reversed([
        click.option("--create-namespace", is_flag=True, help="create the release namespace if not present"),
        click.option("--dry-run", is_flag=True, help="simulate the operation"),
        click.option("--description", default="", help="add a custom description"),
        click.option("-l", "--labels", multiple=True, help="labels added to the release metadata"),
        click.option("--no-hooks", is_flag=True, help="prevent hooks from running"),
        click.option("--timeout", default="5m0s", help="time to wait for any individual Kubernetes operation"),
        click.option("--take-ownership", is_flag=True, help="ignore the check for helm annotations"),
        click.option("--skip-crds", is_flag=True, help="do not install CRDs"),
        click.option("--wait", is_flag=True, help="wait until all resources are ready (up to --timeout)"),
        click.option("--wait-for-jobs", is_flag=True, help="with --wait, also wait for Jobs to complete"),
    ]):
        command = option(command)
    return values_options(command)


def _values_given(flags: dict) -> bool:
    return any(flags.get(k) for k in ("values", "set_values", "set_string", "set_file", "set_json", "set_literal"))


@click.command()
@click.argument("args", nargs=-1, required=True)
@common_release_options
@click.option("-g", "--generate-name", is_flag=True, help="generate the name (and omit the NAME parameter)")
@click.pass_obj
def install(settings, args, create_namespace, dry_run, description, labels, no_hooks, timeout, take_ownership,
            skip_crds, wait, wait_for_jobs, generate_name, **values_flags) -> None:
    """Install a chart: [NAME] CHART."""
    from engine.action.config import ActionError
    from engine.action.install import install as run_install
    from engine.cli.chart_ref import load_installable_chart

    name, chart_ref = name_and_chart(args, generate=generate_name)
    given = _values_given(values_flags)
    values = user_values_from(values_flags)
    chart = load_installable_chart(chart_ref, warn)
    validate_release_name(name)
    options = _install_options(settings, create_namespace, dry_run, description, labels, no_hooks, timeout,
                               take_ownership, skip_crds, given, wait=wait, wait_for_jobs=wait_for_jobs)
    try:
        release = run_install(_config(settings), name, chart, values, options)
    except ActionError as exc:
        raise CommandError(f"INSTALLATION FAILED: {exc}") from None
    print_release(release)


@click.command()
@click.argument("name")
@click.argument("chart")
@common_release_options
@click.option("-i", "--install", "install_missing", is_flag=True, help="install the release if it does not exist")
@click.option("--reuse-values", is_flag=True, help="reuse the last release's values and merge in overrides")
@click.option("--reset-values", is_flag=True, help="reset the values to the ones built into the chart")
@click.option("--reset-then-reuse-values", is_flag=True, help="reset to chart values, then reuse the last release's")
@click.option("--history-max", default=10, type=int, help="limit the maximum number of revisions saved")
@click.option("--force", is_flag=True, help="force resource updates (server-side apply conflicts)")
@click.pass_obj
def upgrade(settings, name, chart, create_namespace, dry_run, description, labels, no_hooks, timeout,
            take_ownership, skip_crds, wait, wait_for_jobs, install_missing, reuse_values, reset_values,
            reset_then_reuse_values, history_max, force, **values_flags) -> None:
    """Upgrade a release to a new version of a chart."""
    from engine.action.config import ActionError
    from engine.action.install import install as run_install, upgrade as run_upgrade
    from engine.cli.chart_ref import load_installable_chart

    validate_release_name(name)
    given = _values_given(values_flags)
    values = user_values_from(values_flags)
    loaded = load_installable_chart(chart, warn)
    config = _config(settings)
    options = _install_options(settings, create_namespace, dry_run, description, labels, no_hooks, timeout,
                               take_ownership, skip_crds, given, wait=wait, wait_for_jobs=wait_for_jobs,
                               history_max=history_max, force=force,
                               reuse_values=reuse_values, reset_values=reset_values,
                               reset_then_reuse_values=reset_then_reuse_values)
    try:
        history = config.storage.history(options.namespace, name)
        if install_missing and (not history or history[-1].info.status == "uninstalled"):
            click.echo(f'Release "{name}" does not exist. Installing it now.')
            release = run_install(config, name, loaded, values, options)
        else:
            release = run_upgrade(config, name, loaded, values, options)
            click.echo(f'Release "{name}" has been upgraded. Happy Helming!')
    except ActionError as exc:
        raise CommandError(f"UPGRADE FAILED: {exc}") from None
    print_release(release)


@click.command(name="uninstall")
@click.argument("names", nargs=-1, required=True)
@click.option("--keep-history", is_flag=True, help="remove all resources but keep the release history")
@click.option("--no-hooks", is_flag=True, help="prevent hooks from running during uninstallation")
@click.option("--ignore-not-found", is_flag=True, help="treat \"release not found\" as a successful uninstall")
@click.option("--description", default="", help="add a custom description")
@click.option("--timeout", default="5m0s", help="time to wait for any individual Kubernetes operation")
@click.option("--wait", is_flag=True, help="accepted for compatibility")
@click.pass_obj
def uninstall(settings, names, keep_history, no_hooks, ignore_not_found, description, timeout, wait) -> None:
    """Uninstall releases."""
    from engine.action.config import ActionError
    from engine.action.uninstall import uninstall as run_uninstall

    config = _config(settings)
    for name in names:
        try:
            _release, kept = run_uninstall(config, config.namespace, name, keep_history, no_hooks,
                                           _duration(timeout), description)
        except ActionError as exc:
            if ignore_not_found and "not found" in str(exc):
                continue
            raise CommandError(str(exc)) from None
        if kept:
            click.echo("These resources were kept due to the resource policy:\n" + "\n".join(f"[{k}]" for k in kept))
        click.echo(f'release "{name}" uninstalled')


@click.command()
@click.argument("name")
@click.argument("revision", required=False, type=int, default=0)
@click.option("--history-max", default=10, type=int, help="limit the maximum number of revisions saved")
@click.pass_obj
def rollback(settings, name, revision, history_max) -> None:
    """Roll back a release to a previous revision."""
    from engine.action.config import ActionError
    from engine.action.uninstall import rollback as run_rollback

    config = _config(settings)
    try:
        run_rollback(config, config.namespace, name, revision, history_max)
    except ActionError as exc:
        raise CommandError(str(exc)) from None
    click.echo("Rollback was a success! Happy Helming!")


@click.command(name="list")
@click.option("-A", "--all-namespaces", is_flag=True, help="list releases across all namespaces")
@click.option("-o", "--output", type=click.Choice(["table", "json", "yaml"]), default="table")
@click.option("-q", "--short", is_flag=True, help="output short (quiet) listing format")
@click.option("-f", "--filter", "name_filter", default="", help="a regular expression on release names")
@click.pass_obj
def list_releases(settings, all_namespaces, output, short, name_filter) -> None:
    """List releases."""
    import re

    from engine.cli.tables import go_time_string, table

    config = _config(settings)
    releases = config.storage.list_latest(None if all_namespaces else config.namespace)
    if name_filter:
        releases = [r for r in releases if re.search(name_filter, r.name)]
    if short:
        click.echo("".join(f"{r.name}\n" for r in releases), nl=False)
        return
    rows = [{"name": r.name, "namespace": r.namespace, "revision": str(r.version),
             "updated": go_time_string(r.info.last_deployed), "status": r.info.status,
             "chart": f"{r.chart_name}-{r.chart_version}", "app_version": r.app_version} for r in releases]
    if output == "json":
        click.echo(json.dumps(rows, separators=(",", ":")))
    elif output == "yaml":
        import yaml

        click.echo(yaml.safe_dump(rows, sort_keys=True), nl=False)
    else:
        header = ["NAME", "NAMESPACE", "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"]
        click.echo(table([header] + [list(r.values()) for r in rows]), nl=False)


@click.command()
@click.argument("name")
@click.option("-o", "--output", type=click.Choice(["table", "json", "yaml"]), default="table")
@click.option("--max", "max_revisions", default=256, type=int, help="maximum number of revisions to include")
@click.pass_obj
def history(settings, name, output, max_revisions) -> None:
    """Fetch release history."""
    from engine.cli.tables import ansic, table

    config = _config(settings)
    revisions = config.storage.history(config.namespace, name)[-max_revisions:]
    if not revisions:
        raise CommandError("release: not found")
    if output in ("json", "yaml"):
        rows = [{"revision": r.version, "updated": r.info.last_deployed, "status": r.info.status,
                 "chart": f"{r.chart_name}-{r.chart_version}", "app_version": r.app_version,
                 "description": r.info.description} for r in revisions]
        if output == "json":
            click.echo(json.dumps(rows, separators=(",", ":")))
        else:
            import yaml

            click.echo(yaml.safe_dump(rows, sort_keys=True), nl=False)
        return
    rows = [["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]] + [
        [str(r.version), ansic(r.info.last_deployed), r.info.status, f"{r.chart_name}-{r.chart_version}",
         r.app_version, r.info.description] for r in revisions]
    click.echo(table(rows), nl=False)


@click.command()
@click.argument("name")
@click.option("--revision", default=0, type=int, help="show the status of this revision")
@click.pass_obj
def status(settings, name, revision) -> None:
    """Display the status of the named release."""
    release = _pick(_config(settings), name, revision)
    print_release(release)


def _pick(config, name: str, revision: int):
    history = config.storage.history(config.namespace, name)
    if not history:
        raise CommandError("release: not found")
    if revision:
        match = next((r for r in history if r.version == revision), None)
        if match is None:
            raise CommandError(f"release: not found")
        return match
    return history[-1]


@click.group()
def get() -> None:
    """Download extended information of a named release."""


@get.command(name="values")
@click.argument("name")
@click.option("--revision", default=0, type=int)
@click.option("-a", "--all", "all_values", is_flag=True, help="dump all (computed) values")
@click.option("-o", "--output", type=click.Choice(["table", "json", "yaml"]), default="table")
@click.pass_obj
def get_values(settings, name, revision, all_values, output) -> None:
    """Download the values file for a named release."""
    from engine.gotemplate.goyaml import to_yaml

    release = _pick(_config(settings), name, revision)
    values = release.config
    if all_values:
        from engine.values.coalesce import coalesce_tables
        import copy

        values = coalesce_tables(copy.deepcopy(values), copy.deepcopy(release.chart.get("values") or {})) or {}
    if output == "json":
        click.echo(json.dumps(values or None, separators=(",", ":"), sort_keys=True))
    elif output == "yaml":
        click.echo(to_yaml(values or {}), nl=False)
    else:
        click.echo(("COMPUTED VALUES:" if all_values else "USER-SUPPLIED VALUES:") + "\n" +
                   (to_yaml(values) if values else "null\n"), nl=False)


@get.command(name="manifest")
@click.argument("name")
@click.option("--revision", default=0, type=int)
@click.pass_obj
def get_manifest(settings, name, revision) -> None:
    """Download the manifest for a named release."""
    click.echo(_pick(_config(settings), name, revision).manifest, nl=False)


@get.command(name="notes")
@click.argument("name")
@click.option("--revision", default=0, type=int)
@click.pass_obj
def get_notes(settings, name, revision) -> None:
    """Download the notes for a named release."""
    click.echo("NOTES:\n" + _pick(_config(settings), name, revision).info.notes.rstrip("\n"))


@click.command(name="test")
@click.argument("name")
@click.option("--timeout", default="5m0s", help="time to wait for any individual Kubernetes operation")
@click.pass_obj
def test_release(settings, name, timeout) -> None:
    """Run the tests of a release (its test hooks)."""
    from engine.action.config import ActionError
    from engine.action.hooks import run_hooks
    from engine.cli.tables import ansic

    config = _config(settings)
    try:
        release = config.storage.deployed(config.namespace, name)
    except Exception as exc:
        raise CommandError(str(exc)) from None
    failure = None
    try:
        run_hooks(config, release, "test", _duration(timeout))
    except ActionError as exc:
        failure = exc
    config.storage.update(release)
    print_release(release, show_notes=False)
    for hook in (h for h in release.hooks if "test" in h.events):
        run = hook.last_run
        click.echo(f"TEST SUITE:     {hook.name}\nLast Started:   {ansic(run.get('started_at', ''))}\n"
                   f"Last Completed: {ansic(run.get('completed_at', ''))}\nPhase:          {run.get('phase', '')}")
    if failure is not None:
        raise CommandError(str(failure))

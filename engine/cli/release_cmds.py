"""``pyhelm install|upgrade|uninstall|rollback|test``: changing releases on a cluster."""
from __future__ import annotations

import functools

import click

from engine.cli.errors import CommandError
from engine.cli.options import user_values_from, values_options
from engine.cli.output import warn
from engine.cli.release_name import name_and_chart, validate_release_name
from engine.cli.release_output import print_release

WAIT_CHOICE = click.Choice(["watcher", "legacy", "hookOnly", "true", "false"])
WAITING = ("watcher", "legacy", "true")  # Helm 4's --wait strategies that wait for resources
DRY_RUN_MODES = ("none", "client", "server")
GO_BOOLEANS = {**dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
               **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False)}  # Go's strconv.ParseBool


def action_config(settings):
    from engine.action.config import ActionConfig

    return ActionConfig.create(settings.kubeconfig_flag or settings.kubeconfig, settings.kube_context,
                               settings.namespace)


def duration(text: str) -> float:
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


def _dry_run(value: str) -> str:
    """Helm's --dry-run strategy: bare (``unset``) and boolean values still work, with its deprecation warnings."""
    if value == "unset":
        warn("--dry-run is deprecated and should be replaced with '--dry-run=client'")
        return "client"
    if value in GO_BOOLEANS:
        mode = "client" if GO_BOOLEANS[value] else "none"
        warn(f"boolean '--dry-run={value}' flag is deprecated and must be replaced with '--dry-run={mode}'")
        return mode
    if value not in DRY_RUN_MODES:
        raise CommandError(f'invalid dry-run value ("{value}"). Must be "none", "server", or "client"')
    return value


RELEASE_FLAGS = [
    click.option("--create-namespace", is_flag=True, help="create the release namespace if not present"),
    click.option("--dry-run", default="none", metavar="[=client|server]",
                 help="simulate: client (no cluster contact) or server (read the cluster, write nothing)"),
    click.option("--description", default="", help="add a custom description"),
    click.option("-l", "--labels", multiple=True, help="labels added to the release metadata"),
    click.option("--no-hooks", is_flag=True, help="prevent hooks from running"),
    click.option("--timeout", default="5m0s", help="time to wait for any individual Kubernetes operation"),
    click.option("--take-ownership", is_flag=True, help="ignore the check for helm annotations"),
    click.option("--skip-crds", is_flag=True, help="do not install CRDs"),
    click.option("--skip-schema-validation", is_flag=True, help="disable JSON schema validation"),
    click.option("--wait", type=WAIT_CHOICE, default="hookOnly", callback=lambda _c, _p, v: v in WAITING,
                 help="watcher (bare --wait) or legacy: wait until all resources are ready (up to --timeout); "
                      "hookOnly: only hooks are waited for"),
    click.option("--wait-for-jobs", is_flag=True, help="with --wait, also wait for Jobs to complete"),
    click.option("--rollback-on-failure", "--atomic", "rollback_on_failure", is_flag=True,
                 help="on failure, uninstall (install) or roll back (upgrade) the release"),
    click.option("--force-replace", "--force", "force_replace", is_flag=True,
                 help="replace objects instead of patching them (client-side apply only)"),
    click.option("--force-conflicts", is_flag=True, help="server-side apply: take over fields other managers own"),
    click.option("--hide-notes", is_flag=True, help="do not show notes in the output"),
    click.option("-o", "--output", type=click.Choice(["table", "json", "yaml"]), default="table",
                 help="prints the output in the specified format"),
]


def release_flags(command):
    """Flags install and upgrade share (and the values and chart-locating flags)."""
    from engine.cli.chart_ref import chart_path_flags

    flagged = functools.reduce(lambda cmd, option: option(cmd), reversed(RELEASE_FLAGS), command)
    return chart_path_flags(values_options(flagged))


def _options(settings, flags: dict, **extra):
    from engine.action.install import ReleaseOptions

    return ReleaseOptions(
        namespace=settings.release_namespace, create_namespace=flags["create_namespace"],
        dry_run=_dry_run(flags["dry_run"]), description=flags["description"], labels=_labels(flags["labels"]),
        no_hooks=flags["no_hooks"], timeout=duration(flags["timeout"]), take_ownership=flags["take_ownership"],
        skip_crds=flags["skip_crds"], skip_schema_validation=flags["skip_schema_validation"], wait=flags["wait"],
        wait_for_jobs=flags["wait_for_jobs"], rollback_on_failure=flags["rollback_on_failure"],
        force_replace=flags["force_replace"], force_conflicts=flags["force_conflicts"], **extra)


def _failure(prefix: str, name: str, exc: Exception) -> CommandError:
    """The error of a failed operation; an interrupted one first says it was cancelled, as helm does."""
    if getattr(exc, "cancelled", False):
        click.echo(f"Release {name} has been cancelled.")
    return CommandError(f"{prefix}: {exc}")


@click.command()
@click.argument("args", nargs=-1, required=True)
@release_flags
@click.option("-g", "--generate-name", is_flag=True, help="generate the name (and omit the NAME parameter)")
@click.option("--replace", is_flag=True, help="re-use the name of an uninstalled or failed release")
@click.option("--server-side", type=click.Choice(["true", "false"]), default="true",
              help="apply objects with server-side apply (false: client-side, as Helm 3)")
@click.pass_obj
def install(settings, args, generate_name, replace, server_side, chart_path, **flags) -> None:
    """Install a chart: [NAME] CHART."""
    from engine.action.config import OPERATION_ERRORS, ActionConfig
    from engine.action.install import install as run_install
    from engine.cli.chart_ref import load_installable_chart

    name, chart_ref = name_and_chart(args, generate=generate_name)
    values = user_values_from(flags)
    chart = load_installable_chart(chart_ref, warn, chart_path)
    validate_release_name(name)
    options = _options(settings, flags, replace=replace, server_side=server_side)
    config = ActionConfig.offline(options.namespace) if options.dry_run == "client" else action_config(settings)
    try:
        release = run_install(config, name, chart, values, options)
    except OPERATION_ERRORS as exc:
        raise _failure("INSTALLATION FAILED", name, exc) from None
    print_release(release, flags["output"], hide_notes=flags["hide_notes"], debug=settings.debug)


@click.command()
@click.argument("name")
@click.argument("chart")
@release_flags
@click.option("-i", "--install", "install_missing", is_flag=True, help="install the release if it does not exist")
@click.option("--reuse-values", is_flag=True, help="reuse the last release's values and merge in overrides")
@click.option("--reset-values", is_flag=True, help="reset the values to the ones built into the chart")
@click.option("--reset-then-reuse-values", is_flag=True, help="reset to chart values, then reuse the last release's")
@click.option("--history-max", default=10, type=int, help="limit the maximum number of revisions saved")
@click.option("--cleanup-on-fail", is_flag=True, help="delete new objects created by a failed upgrade")
@click.option("--server-side", type=click.Choice(["auto", "true", "false"]), default="auto",
              help="server-side apply; auto: as the last revision was applied")
@click.pass_obj
def upgrade(settings, name, chart, install_missing, reuse_values, reset_values, reset_then_reuse_values,
            history_max, cleanup_on_fail, server_side, chart_path, **flags) -> None:
    """Upgrade a release to a new version of a chart."""
    from engine.action.config import OPERATION_ERRORS
    from engine.action.upgrade import upgrade as run_upgrade, upgrade_or_install
    from engine.cli.chart_ref import load_installable_chart

    validate_release_name(name)
    values = user_values_from(flags)
    loaded = load_installable_chart(chart, warn, chart_path)
    options = _options(settings, flags, history_max=history_max, reuse_values=reuse_values,
                       reset_values=reset_values, reset_then_reuse_values=reset_then_reuse_values,
                       cleanup_on_fail=cleanup_on_fail, server_side=server_side)
    config = action_config(settings)
    try:
        if install_missing:
            release, installed = upgrade_or_install(config, name, loaded, values, options)
        else:
            release, installed = run_upgrade(config, name, loaded, values, options), False
    except OPERATION_ERRORS as exc:
        raise _failure("UPGRADE FAILED", name, exc) from None
    if flags["output"] == "table":
        click.echo(f'Release "{name}" does not exist. Installing it now.' if installed
                   else f'Release "{name}" has been upgraded. Happy Helming!')
    print_release(release, flags["output"], hide_notes=flags["hide_notes"], debug=settings.debug)


@click.command(name="uninstall")
@click.argument("names", nargs=-1, required=True)
@click.option("--keep-history", is_flag=True, help="remove all resources but keep the release history")
@click.option("--no-hooks", is_flag=True, help="prevent hooks from running during uninstallation")
@click.option("--ignore-not-found", is_flag=True, help="treat \"release not found\" as a successful uninstall")
@click.option("--description", default="", help="add a custom description")
@click.option("--timeout", default="5m0s", help="time to wait for any individual Kubernetes operation")
@click.option("--cascade", type=click.Choice(["background", "orphan", "foreground"]), default="background",
              help="deletion cascading of dependents")
@click.option("--wait", type=WAIT_CHOICE, default="hookOnly", callback=lambda _c, _p, v: v in WAITING,
              help="watcher (bare --wait) or legacy: wait until every object is deleted (up to --timeout)")
@click.pass_obj
def uninstall(settings, names, keep_history, no_hooks, ignore_not_found, description, timeout, cascade,
              wait) -> None:
    """Uninstall releases."""
    from engine.action.config import OPERATION_ERRORS
    from engine.action.uninstall import uninstall as run_uninstall

    config = action_config(settings)
    for name in names:
        try:
            _release, kept = run_uninstall(config, config.namespace, name, keep_history, no_hooks,
                                           duration(timeout), description, cascade, wait)
        except OPERATION_ERRORS as exc:
            if ignore_not_found and "not found" in str(exc):
                continue
            raise CommandError(str(exc)) from None
        if kept:
            click.echo("These resources were kept due to the resource policy:\n" +
                       "".join(f"[{o['kind']}] {o['metadata'].get('name')}\n" for o in kept))
        click.echo(f'release "{name}" uninstalled')


@click.command()
@click.argument("name")
@click.argument("revision", required=False, type=int, default=0)
@click.option("--history-max", default=10, type=int, help="limit the maximum number of revisions saved")
@click.option("--wait", type=WAIT_CHOICE, default="hookOnly", callback=lambda _c, _p, v: v in WAITING,
              help="watcher (bare --wait) or legacy: wait until all resources are ready (up to --timeout)")
@click.option("--wait-for-jobs", is_flag=True, help="with --wait, also wait for Jobs to complete")
@click.option("--timeout", default="5m0s", help="time to wait for any individual Kubernetes operation")
@click.option("--no-hooks", is_flag=True, help="prevent hooks from running during rollback")
@click.option("--cleanup-on-fail", is_flag=True, help="delete new objects created by a failed rollback")
@click.option("--dry-run", default="none", metavar="", help="simulate a rollback")
@click.option("--server-side", type=click.Choice(["auto", "true", "false"]), default="auto")
@click.option("--force-replace", "--force", "force_replace", is_flag=True, help="replace objects (client-side)")
@click.option("--force-conflicts", is_flag=True, help="server-side apply: take over conflicting fields")
@click.pass_obj
def rollback(settings, name, revision, history_max, wait, wait_for_jobs, timeout, no_hooks, cleanup_on_fail,
             dry_run, server_side, force_replace, force_conflicts) -> None:
    """Roll back a release to a previous revision (default: the one before the last)."""
    from engine.action.config import OPERATION_ERRORS
    from engine.action.rollback import rollback as run_rollback

    config = action_config(settings)
    try:
        run_rollback(config, config.namespace, name, revision, history_max, wait=wait, wait_for_jobs=wait_for_jobs,
                     timeout=duration(timeout), no_hooks=no_hooks, cleanup_on_fail=cleanup_on_fail,
                     server_side=server_side, force_conflicts=force_conflicts, force_replace=force_replace,
                     dry_run=_dry_run(dry_run) != "none")
    except OPERATION_ERRORS as exc:
        raise CommandError(str(exc)) from None
    click.echo("Rollback was a success! Happy Helming!")


@click.command(name="test")
@click.argument("name")
@click.option("--timeout", default="5m0s", help="time to wait for any individual Kubernetes operation")
@click.option("--logs", is_flag=True, help="dump the logs from test pods (after the tests ran)")
@click.option("--filter", "filters", multiple=True, help="name=TEST runs only that test; !name=TEST skips it")
@click.pass_obj
def test_release(settings, name, timeout, logs, filters) -> None:
    """Run the tests of a release (its test hooks)."""
    from engine.action.config import OPERATION_ERRORS
    from engine.action.release_test import TestFilter, pod_logs, run_tests

    selection = TestFilter()
    for item in filters:
        negated = item.startswith("!")
        key, _sep, value = item.lstrip("!").strip().partition("=")
        if key == "name":
            (selection.exclude if negated else selection.include).append(value)
    config = action_config(settings)
    try:
        release, failure = run_tests(config, config.namespace, name, duration(timeout), selection)
    except OPERATION_ERRORS as exc:
        raise CommandError(str(exc)) from None
    print_release(release, hide_notes=True, debug=settings.debug)
    if logs:
        click.echo()
        try:
            for pod, text in pod_logs(config, release, selection):
                click.echo(f"POD LOGS: {pod}\n{text}")
        except OPERATION_ERRORS as exc:
            raise CommandError(str(exc)) from None
    if failure is not None:
        raise CommandError(str(failure))

"""``pyhelm plan|apply|destroy|graph``: the stack engine's commands."""
from __future__ import annotations

import contextlib
import functools
import json
import sys

import click

from engine.cli.env_override_flags import env_override_flags, env_overrides
from engine.cli.errors import CommandError
from engine.cli.lock_cmd import UPDATE_LOCK_FLAG, update_lock_if_asked
from engine.cli.stack_completion import complete_environments, complete_selectors

STACK_FLAGS = [
    click.option("-f", "--file", "stack_file", default="stack.yaml", help="the stack file (default ./stack.yaml)"),
    click.option("-e", "--environment", default=None, help="the environment of the stack file to use",
                 shell_complete=complete_environments),
    click.option("-l", "--selector", "selectors", multiple=True, shell_complete=complete_selectors,
                 help="only releases matching key=value (labels, name, namespace, chart); repeatable"),
    click.option("--skip-needs", is_flag=True, help="with -l, do not include the releases the selected ones need"),
]


NO_COLOR_FLAG = click.option("--no-color", is_flag=True,
                             help="plain text even on a terminal (also NO_COLOR or TERM=dumb)")
CONTEXT_FLAG = click.option("--context", "context_lines", default=3, type=click.IntRange(min=0), show_default=True,
                            help="lines of context around each change in diffs")
DETECT_DRIFT_FLAG = click.option("--detect-drift", is_flag=True,
                                 help="also compare the live objects with the stored releases (apply: and take "
                                      "back what changed outside)")


RUN_FLAGS = [
    click.option("--auto-approve", is_flag=True, help="go ahead without asking"),
    click.option("--concurrency", default=4, type=int, help="releases worked on at once"),
    click.option("--break-lock", is_flag=True, help="take the stack lock even if another run holds it"),
    click.option("--take-ownership", is_flag=True,
                 help="change releases whose records say another stack or environment owns them"),
]


def stack_flags(command):
    return functools.reduce(lambda cmd, option: option(cmd), reversed(STACK_FLAGS), env_override_flags(command))


def run_flags(command):
    """Flags of the commands that change the cluster (apply, destroy)."""
    return functools.reduce(lambda cmd, option: option(cmd), reversed(RUN_FLAGS), command)


def _load(stack_file: str, environment: str | None, overrides: dict | None = None, missing_secret: str | None = None):
    """The stack for ``environment``, with the command line's environment values (or ``overrides``, those a
    saved plan was made with); ``missing_secret`` stands in for secrets a command does not need."""
    from engine.stack.errors import StackError
    from engine.stack.loader import load_stack

    try:
        stack = load_stack(stack_file, environment, missing_secret,
                           env_overrides() if overrides is None else overrides)
    except StackError as exc:
        raise CommandError(str(exc)) from None
    update_lock_if_asked(stack)
    return stack


def _clusters(settings):
    from engine.stack.planner import Clusters

    return Clusters(settings.kubeconfig_flag or settings.kubeconfig, settings.kube_context)


def _plan(settings, stack, selectors, skip_needs, detect_drift=False, context_lines=3, run_in_progress=None,
          clusters=None):
    from engine.action.config import OPERATION_ERRORS
    from engine.stack.errors import StackError
    from engine.stack.planner import make_plan

    try:
        return make_plan(stack, clusters or _clusters(settings), tuple(selectors), not skip_needs, detect_drift,
                         lambda line: click.echo(line, err=True), context_lines, run_in_progress)[0]
    except (StackError, *OPERATION_ERRORS) as exc:
        raise CommandError(str(exc)) from None


def _lock_holder(settings, stack, clusters=None):
    """The other run holding the stack lock now, if any (said on stderr: its pending releases are its work)."""
    from engine.action.config import OPERATION_ERRORS
    from engine.stack.errors import StackError
    from engine.stack.lock import lock_holder

    try:
        holder = lock_holder(stack, clusters or _clusters(settings))
    except (StackError, *OPERATION_ERRORS) as exc:
        click.echo(f"warning: cannot read the stack lock: {exc}", err=True)
        return None
    if holder is not None:
        click.echo(f"stack {stack.name} ({stack.environment or 'default'}) is being applied by {holder.describe()}: "
                   "releases it is changing show as in-progress, and apply refuses this plan", err=True)
    return holder


@contextlib.contextmanager
def _stack_locks(settings, stack, break_lock: bool):
    """Hold the stack lock for the block (planning and applying inside it)."""
    from engine.action.config import OPERATION_ERRORS
    from engine.stack.errors import StackError
    from engine.stack.lock import hold_stack_locks

    try:
        with hold_stack_locks(stack, _clusters(settings), break_lock,
                              lambda line: click.echo(f"stack lock: {line}", err=True)) as locks:
            yield locks
    except (StackError, *OPERATION_ERRORS) as exc:
        raise CommandError(str(exc)) from None


def _indent(text: str, prefix: str = "      ") -> str:
    return "".join(prefix + line if line.strip() else line for line in text.splitlines(keepends=True))


def print_plan(plan, style, show_manifests: bool = False) -> None:
    """The plan as people read it: the clusters, one line per release (coloured by action when ``style``
    allows), diffs under changed ones (the objects an install creates as a list, or whole with
    ``show_manifests``), then the summary."""
    from engine.cli.terminal import ACTION_COLORS, colored_diff, styled
    from engine.stack.plan import SYMBOLS

    echo = functools.partial(click.echo, color=style.color)  # click would strip colour off a pipe
    echo(f"Stack {plan.stack}, environment {plan.environment or '(none)'} ({plan.path})")
    for cluster in plan.clusters:
        echo(f"Cluster: context {cluster['context']}, server {cluster['server']}")
    echo()
    width = max((len(r.id) for r in plan.releases), default=0)
    action_width = max([9, *(len(r.action) for r in plan.releases)])  # 9: "uninstall", "unchanged"
    for release in plan.releases:
        chart = f"chart {release.chart} {release.version_to}" if release.chart else ""
        detail = "; ".join(release.reasons) or chart
        if release.action == "install" and chart:
            detail += f" ({chart})"
        line = f"  {SYMBOLS[release.action]} {release.id.ljust(width)}  {release.action.ljust(action_width)}  {detail}"
        echo(styled(line, style, fg=ACTION_COLORS.get(release.action)))
        if release.conflict:
            consequence = "apply leaves it as it is" if release.action == "unchanged" else \
                "apply refuses to change it without --take-ownership"
            echo(styled(f"      conflict: {release.conflict}; {consequence}", style, fg="red"))
        for note in release.notes:
            echo(f"      note: {note}")
        if release.hooks and release.action != "unchanged":
            echo("      hooks: " + "; ".join(release.hooks))
        if release.values_diff:
            echo("      values:\n" + _indent(colored_diff(release.values_diff, style), "        "), nl=False)
        for change in release.changes:
            if release.action == "install" and not show_manifests:
                echo(f"      {change.action} {change.key}")
            else:
                echo(f"      {change.action} {change.key}:\n" + _indent(colored_diff(change.diff, style),
                                                                       "        "), nl=False)
    echo("\n" + styled(plan.summary(), style, bold=True))


@click.command()
@stack_flags
@NO_COLOR_FLAG
@CONTEXT_FLAG
@DETECT_DRIFT_FLAG
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text")
@click.option("--out", "out_file", default="", help="save the plan to this file, for `pyhelm apply FILE`")
@click.option("--detailed-exitcode", is_flag=True, help="exit 0 without changes, 2 with changes, 1 on error")
@click.option("--show-manifests", is_flag=True, help="show the whole manifest of each object an install creates")
@UPDATE_LOCK_FLAG
@click.pass_obj
def plan(settings, stack_file, environment, selectors, skip_needs, no_color, context_lines, detect_drift, output,
         out_file, detailed_exitcode, show_manifests) -> None:
    """Show what apply would change, release by release."""
    from engine.cli.terminal import detect_style

    stack = _load(stack_file, environment)
    clusters = _clusters(settings)  # one connection and discovery per cluster for the lock and the plan
    result = _plan(settings, stack, selectors, skip_needs, detect_drift, context_lines,
                   _lock_holder(settings, stack, clusters), clusters)
    result.env_overrides = env_overrides()  # a saved plan is applied with the same environment values
    if out_file:
        from engine.redaction import REDACTOR

        with open(out_file, "w", encoding="utf-8") as handle:
            handle.write(REDACTOR.redact(json.dumps(result.to_dict(), indent=1)))
    if output == "json":
        click.echo(json.dumps(result.to_dict(), indent=1))
    else:
        print_plan(result, detect_style(no_color), show_manifests)
        if out_file:
            click.echo(f"Saved the plan to {out_file}: `pyhelm apply {out_file}` applies exactly this plan.")
    if detailed_exitcode and result.has_changes:
        raise click.exceptions.Exit(2)


def _confirm(what: str, auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise CommandError(f"{what} needs confirmation: run it from a terminal or pass --auto-approve")
    if not click.confirm(f"Do you want to {what}?", default=False):
        raise CommandError(f"{what} cancelled")


def _run(settings, stack, plan_, concurrency, locks, reverse, verb, take_ownership, style) -> None:
    """Apply ``plan_`` under the stack ``locks`` held, showing progress, and print the final report; exit 1 if
    any release failed."""
    from engine.action.config import OPERATION_ERRORS
    from engine.cli.terminal import Progress, styled
    from engine.stack.errors import StackError
    from engine.stack.executor import apply_plan

    try:
        with Progress(style) as progress:
            outcomes = apply_plan(stack, plan_, _clusters(settings), progress.event, concurrency, reverse,
                                  take_ownership, locks)
    except (StackError, *OPERATION_ERRORS) as exc:
        raise CommandError(str(exc)) from None
    changed = [o for o in outcomes if o.status != "unchanged"]
    counts = {status: sum(1 for o in changed if o.status == status) for status in ("done", "failed", "skipped")}
    failed = counts["failed"] or counts["skipped"]
    final = (f"{verb} {'failed' if failed else 'complete'}: {counts['done']} done, {counts['failed']} failed, "
             f"{counts['skipped']} skipped, {len(outcomes) - len(changed)} unchanged.")
    click.echo("\n" + styled(final, style, fg="red" if failed else "green", bold=True), color=style.color)
    for outcome in changed:
        if outcome.status != "done":
            click.echo(f"  {outcome.id}: {outcome.status}: {outcome.message}")
    if failed:
        raise click.exceptions.Exit(1)


def _review_and_run(settings, stack, planned, words: tuple[str, str, str], auto_approve: bool, concurrency: int,
                    locks, reverse: bool, take_ownership: bool, style) -> None:
    """Show the plan, ask (unless approved), run it. ``words``: (nothing to do, question, verb)."""
    nothing, question, verb = words
    print_plan(planned, style)
    if not planned.has_changes:
        click.echo(nothing)
        return
    _confirm(question, auto_approve)
    _run(settings, stack, planned, concurrency, locks, reverse, verb, take_ownership, style)


@click.command()
@click.argument("plan_file", required=False)
@stack_flags
@NO_COLOR_FLAG
@CONTEXT_FLAG
@DETECT_DRIFT_FLAG
@run_flags
@UPDATE_LOCK_FLAG
@click.pass_obj
def apply(settings, plan_file, stack_file, environment, selectors, skip_needs, no_color, context_lines, detect_drift,
          auto_approve, concurrency, break_lock, take_ownership) -> None:
    """Apply the stack (or exactly a plan saved with `pyhelm plan --out FILE`)."""
    from engine.cli.terminal import detect_style

    style = detect_style(no_color)
    if plan_file:
        saved = _read_plan(plan_file)
        stack = _load(saved.path, saved.environment, saved.env_overrides)
        print_plan(saved, style)
        with _stack_locks(settings, stack, break_lock) as locks:  # the saved plan is verified under the lock
            _run(settings, stack, saved, concurrency, locks, False, "Apply", take_ownership, style)
        return
    stack = _load(stack_file, environment)
    with _stack_locks(settings, stack, break_lock) as locks:  # no other run can change what is planned here
        planned = _plan(settings, stack, selectors, skip_needs, detect_drift, context_lines)
        _review_and_run(settings, stack, planned, ("No changes.", "apply these changes", "Apply"), auto_approve,
                        concurrency, locks, False, take_ownership, style)


def _read_plan(plan_file: str):
    """The plan saved in ``plan_file``; a file that is not one, or is one from an older pyhelm, is refused."""
    from engine.stack.errors import StackError
    from engine.stack.plan import Plan

    try:
        with open(plan_file, encoding="utf-8") as handle:
            return Plan.from_dict(json.load(handle))
    except StackError as exc:
        raise CommandError(f"{plan_file}: {exc}") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CommandError(f"{plan_file}: not a saved pyhelm plan ({exc})") from None


@click.command()
@stack_flags
@NO_COLOR_FLAG
@run_flags
@click.pass_obj
def destroy(settings, stack_file, environment, selectors, skip_needs, no_color, auto_approve, concurrency, break_lock,
            take_ownership) -> None:
    """Uninstall the stack's releases (with -l, the selected ones and every release that needs them),
    dependents first; reads release records only, so it renders nothing and needs no secret."""
    from engine.action.config import OPERATION_ERRORS
    from engine.cli.terminal import detect_style
    from engine.stack.errors import StackError
    from engine.stack.planner import make_destroy_plan
    from engine.stack.validate import SECRET_PLACEHOLDER

    if skip_needs:
        raise CommandError("destroy never uninstalls what the selected releases need, only what needs them; "
                           "--skip-needs is for plan and apply")
    stack = _load(stack_file, environment, missing_secret=SECRET_PLACEHOLDER)
    with _stack_locks(settings, stack, break_lock) as locks:
        try:
            planned = make_destroy_plan(stack, _clusters(settings), tuple(selectors))
        except (StackError, *OPERATION_ERRORS) as exc:
            raise CommandError(str(exc)) from None
        _review_and_run(settings, stack, planned, ("Nothing to destroy.", "destroy these releases", "Destroy"),
                        auto_approve, concurrency, locks, True, take_ownership, detect_style(no_color))


@click.command()
@stack_flags
@click.option("-o", "--output", type=click.Choice(["text", "dot", "mermaid"]), default="text")
def graph(stack_file, environment, selectors, skip_needs, output) -> None:
    """Print the stack's release graph (text in apply order, Graphviz DOT or Mermaid)."""
    from engine.stack.errors import StackError
    from engine.stack.graph import build_graph, render_dot, render_mermaid, render_text, select

    stack = _load(stack_file, environment)
    try:
        chosen = select(build_graph(stack), selectors, not skip_needs)
    except StackError as exc:
        raise CommandError(str(exc)) from None
    text = {"text": render_text, "dot": lambda g: render_dot(g, stack.name), "mermaid": render_mermaid}[output](
        chosen)
    click.echo(text, nl=False)


@click.command()
@click.option("-f", "--file", "stack_file", default="stack.yaml", help="the stack file (default ./stack.yaml)")
@click.option("--from", "from_env", required=True, help="the environment whose choices are promoted")
@click.option("--to", "to_env", required=True, help="the environment that receives them")
@click.option("--to-file", default="", help="the stack file of the target environment (default: the same file)")
@click.option("--dry-run", default="none", metavar="", help="show what would change without writing")
@click.option("--from-cluster", is_flag=True,
              help="promote the chart versions deployed in the source environment (not the ones it declares)")
@click.pass_obj
def promote(settings, stack_file, from_env, to_env, to_file, dry_run, from_cluster) -> None:
    """Copy an environment's pinned chart versions and chosen values to another environment."""
    import difflib

    from engine.action.config import OPERATION_ERRORS
    from engine.stack.errors import StackError
    from engine.stack.promote import deployed_versions, promote as run_promote

    target_file = to_file or stack_file
    try:
        with open(stack_file, encoding="utf-8") as handle:
            source_text = handle.read()
        with open(target_file, encoding="utf-8") as handle:
            target_text = handle.read()
        deployed = deployed_versions(_load(stack_file, from_env), _clusters(settings)) if from_cluster else None
        new_text, changes, notes = run_promote(source_text, stack_file, from_env, target_text, target_file, to_env,
                                               deployed)
    except OSError as exc:
        raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from None
    except (StackError, *OPERATION_ERRORS) as exc:
        raise CommandError(str(exc)) from None
    for note in notes:
        click.echo(f"note: {note}")
    if not changes:
        click.echo(f"Nothing to promote: {to_env} already has {from_env}'s "
                   f"{'deployed versions' if from_cluster else 'versions and values'}.")
        return
    click.echo(f"Promoting {from_env} -> {to_env} ({target_file}):")
    for change in changes:
        click.echo(f"  {change}")
    click.echo("".join(difflib.unified_diff(target_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                            fromfile=f"{target_file} (now)", tofile=f"{target_file} (promoted)")),
               nl=False)
    if dry_run == "none":
        import os

        staged = f"{target_file}.pyhelm-promote"
        with open(staged, "w", encoding="utf-8") as handle:
            handle.write(new_text)
        try:
            _load(staged, to_env)  # the promoted file must still be a valid stack before it replaces the old one
        except CommandError:
            os.unlink(staged)
            raise
        os.replace(staged, target_file)
        click.echo(f"Wrote {target_file}.")

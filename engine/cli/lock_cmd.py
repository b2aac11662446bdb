"""``pyhelm lock``: record the chart each release resolves to in stack.lock (``--update-lock`` elsewhere)."""
from __future__ import annotations

import click

from engine.cli.errors import CommandError
from engine.cli.stack_completion import complete_environments, complete_selectors

_META_KEY = "pyhelm.update_lock"


def _remember(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx.meta[_META_KEY] = value


UPDATE_LOCK_FLAG = click.option("--update-lock", is_flag=True, expose_value=False, callback=_remember,
                                help="resolve every chart afresh and rewrite stack.lock first")


def update_lock_if_asked(stack) -> None:
    """Rewrite the lock file before the command goes on, when it was given ``--update-lock``."""
    if click.get_current_context().meta.get(_META_KEY):
        _write(stack, None)


def _write(stack, releases) -> None:
    from engine.stack.charts import lock_stack
    from engine.stack.errors import StackError

    try:
        path, locked = lock_stack(stack, releases)
    except StackError as exc:
        raise CommandError(str(exc)) from None
    for release_id, entry in sorted(locked.items()):
        click.echo(f"{release_id}: {entry.chart} {entry.version} {entry.digest}")
    click.echo(f"Wrote {path}: {len(locked)} chart(s) locked for environment {stack.environment or 'default'}.")


@click.command()
@click.option("-f", "--file", "stack_file", default="stack.yaml", help="the stack file (default ./stack.yaml)")
@click.option("-e", "--environment", default=None, help="the environment of the stack file to use",
              shell_complete=complete_environments)
@click.option("-l", "--selector", "selectors", multiple=True, shell_complete=complete_selectors,
              help="only releases matching key=value; repeatable")
def lock(stack_file, environment, selectors) -> None:
    """Resolve each release's chart and record its version and digest in stack.lock."""
    from engine.stack.errors import StackError
    from engine.stack.graph import build_graph, select
    from engine.stack.loader import load_stack

    try:
        stack = load_stack(stack_file, environment)
        chosen = select(build_graph(stack), tuple(selectors), False) if selectors else None
    except StackError as exc:
        raise CommandError(str(exc)) from None
    _write(stack, None if chosen is None else [chosen.nodes[n]["release"] for n in chosen.nodes])

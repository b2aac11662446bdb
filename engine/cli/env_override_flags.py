"""``--env-set`` and ``--env-values``: environment values from the command line, for every stack command.

The flags are not passed to the commands' functions; ``env_overrides()`` reads them from the click context,
so each stack command takes them by adding the flags alone."""
from __future__ import annotations

from typing import Any

import click

_META_KEY = "pyhelm.env_overrides"


def _remember(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> None:
    ctx.meta.setdefault(_META_KEY, {})[param.name] = value


ENV_OVERRIDE_FLAGS = [
    click.option("--env-set", "env_set", multiple=True, expose_value=False, callback=_remember,
                 help="set an environment value (helm's --set grammar: a.b=1,c[0]=x), over the stack's; "
                      "repeatable"),
    click.option("--env-values", "env_values_files", multiple=True, expose_value=False, callback=_remember,
                 help="a YAML file of environment values layered over the stack's; repeatable"),
]


def env_override_flags(command):
    for option in reversed(ENV_OVERRIDE_FLAGS):
        command = option(command)
    return command


def env_overrides() -> dict[str, Any]:
    """The environment values this command was given on its command line (files first, then --env-set)."""
    from engine.cli.errors import CommandError
    from engine.stack.errors import StackError
    from engine.stack.overrides import environment_overrides

    given = click.get_current_context().meta.get(_META_KEY, {})
    try:
        return environment_overrides(given.get("env_values_files") or (), given.get("env_set") or ())
    except StackError as exc:
        raise CommandError(str(exc)) from None

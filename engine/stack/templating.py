"""Jinja2 templating of stack and values files, in a sandbox: no file, process or attribute escape.

Templates see ``env`` (``env.name``, ``env.values``) and, in values files, ``release`` (``name``,
``namespace``, ``chart``, ``version``). Undefined names are errors, so a typo never renders as "".
"""
from __future__ import annotations

from functools import cache
from typing import Any

from engine.stack.errors import StackError


@cache
def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True,
                                        autoescape=False)
    env.filters["toyaml"] = _to_yaml
    return env


def _to_yaml(value: Any) -> str:
    import yaml

    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True).rstrip("\n")


def render(text: str, context: dict[str, Any], source: str) -> str:
    """Render ``text`` (from file ``source``) with ``context``; raises StackError naming file and line."""
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return text
    from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError

    try:
        return _environment().from_string(text).render(**context)
    except TemplateSyntaxError as exc:
        raise StackError(f"{source}:{exc.lineno}: template error: {exc.message}") from exc
    except UndefinedError as exc:
        raise StackError(f"{source}: template error: {exc.message} (defined names: "
                         f"{', '.join(sorted(context))})") from exc
    except TemplateError as exc:
        raise StackError(f"{source}: template error: {exc}") from exc

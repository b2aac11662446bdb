"""Environment values given on the command line (``--env-values FILE``, ``--env-set KEY=VALUE``), layered over
the environment's own values as helmfile's ``--state-values-file/--state-values-set`` are."""
from __future__ import annotations

from typing import Any

from engine.stack.errors import StackError


def environment_overrides(value_files: tuple[str, ...] = (), set_values: tuple[str, ...] = ()) -> dict[str, Any]:
    """The files in order, then each ``--env-set`` expression (helm's ``--set`` grammar)."""
    from engine.gotemplate.goyaml import YAMLError, load
    from engine.stack.values import deep_merge
    from engine.values.strvals import StrvalsError, parse_set

    merged: dict[str, Any] = {}
    for name in value_files:
        try:
            with open(name, encoding="utf-8") as handle:
                document = load(handle.read())
        except OSError as exc:
            raise StackError(f"--env-values {name}: cannot read it: {exc.strerror}") from None
        except (YAMLError, UnicodeDecodeError) as exc:
            raise StackError(f"--env-values {name}: not a YAML values file: {exc}") from None
        if document is not None and not isinstance(document, dict):
            raise StackError(f"--env-values {name}: must hold a mapping of values")
        deep_merge(merged, document or {})
    for expression in set_values:
        try:
            parse_set(expression, merged)
        except StrvalsError as exc:
            raise StackError(f"--env-set {expression}: {exc}") from None
    return merged

"""Label and field selectors as the API server parses and applies them."""
from __future__ import annotations

import re
from typing import Any, Callable

from engine.kube import labels
from engine.kube.labels import Predicate
from engine.sandbox.errors import bad_request


def parse_label_selector(selector: str | None) -> Predicate:
    """A predicate over labels; a malformed selector is a 400 error."""
    try:
        return labels.parse_label_selector(selector)
    except labels.SelectorError as exc:
        raise bad_request(str(exc)) from None


def _field(obj: dict[str, Any], path: str) -> str:
    current: Any = obj
    for part in path.split("."):
        current = current.get(part) if isinstance(current, dict) else None
    return "" if current is None else str(current)


def parse_field_selector(selector: str | None) -> Callable[[dict[str, Any]], bool]:
    """A predicate over objects for ``metadata.name=x``, ``metadata.namespace!=y`` and similar fields."""
    if not selector or not selector.strip():
        return lambda obj: True
    checks = []
    for term in selector.split(","):
        match = re.match(r"^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$", term)
        if not match:
            raise bad_request(f"invalid field selector: '{term}'")
        path, op, value = match.groups()
        if op == "!=":
            checks.append(lambda obj, p=path, v=value: _field(obj, p) != v)
        else:
            checks.append(lambda obj, p=path, v=value: _field(obj, p) == v)
    return lambda obj: all(check(obj) for check in checks)

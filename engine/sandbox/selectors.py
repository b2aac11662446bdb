"""Label and field selectors as the API server parses and applies them."""
from __future__ import annotations

import re
from typing import Any, Callable

from engine.sandbox.errors import bad_request

_SET_TERM = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(in|notin)\s*\(([^)]*)\))?\s*$")
_EQ_TERM = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s*(==|=|!=)\s*([A-Za-z0-9_.-]*)\s*$")


def _split_terms(selector: str) -> list[str]:
    terms, depth, current = [], 0, ""
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        terms.append(current)
    return terms


Predicate = Callable[[dict[str, str]], bool]


def parse_label_selector(selector: str | None) -> Predicate:
    """A predicate over labels; raises a 400 error for a malformed selector."""
    if not selector or not selector.strip():
        return lambda labels: True
    checks: list[Predicate] = []
    for term in _split_terms(selector):
        eq = _EQ_TERM.match(term)
        if eq:
            key, op, value = eq.groups()
            if op == "!=":
                checks.append(lambda labels, k=key, v=value: labels.get(k) != v)
            else:
                checks.append(lambda labels, k=key, v=value: labels.get(k) == v)
            continue
        match = _SET_TERM.match(term)
        if not match:
            raise bad_request(f'unable to parse requirement: found \'{term.strip()}\', expected: identifier')
        negate, key, op, values = match.groups()
        if op:
            options = {v.strip() for v in values.split(",") if v.strip()}
            if op == "in":
                checks.append(lambda labels, k=key, o=options: labels.get(k) in o)
            else:
                checks.append(lambda labels, k=key, o=options: labels.get(k) not in o)
        elif negate:
            checks.append(lambda labels, k=key: k not in labels)
        else:
            checks.append(lambda labels, k=key: k in labels)
    return lambda labels: all(check(labels) for check in checks)


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

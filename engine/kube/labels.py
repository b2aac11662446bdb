"""Kubernetes label selectors (``a=b,c!=d,e in (x,y),!f``) parsed into predicates over label maps."""
from __future__ import annotations

import re
from typing import Callable


class SelectorError(ValueError):
    """A malformed selector; the text is what kube-apiserver says about it."""


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
            raise SelectorError(f'unable to parse requirement: found \'{term.strip()}\', expected: identifier')
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

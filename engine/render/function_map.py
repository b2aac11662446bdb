"""The complete function map templates see: Go built-ins, Sprig (minus env/expandenv) and Helm's own."""
from __future__ import annotations

from functools import cache

from engine.gotemplate.funcs import FuncMap
from engine.render.helm_funcs import Lookup, helm_funcs


@cache
def _offline_map(lint_mode: bool, enable_dns: bool) -> FuncMap:
    return _build(lint_mode, None, enable_dns)


def _build(lint_mode: bool, lookup: Lookup | None, enable_dns: bool) -> FuncMap:
    from engine.gotemplate.sprig import SPRIG_FUNCS

    funcs = {name: f for name, f in SPRIG_FUNCS.items() if name not in ("env", "expandenv")}
    funcs.update(helm_funcs(lint_mode=lint_mode, lookup=lookup, enable_dns=enable_dns))
    return funcs


def function_map(lint_mode: bool = False, lookup: Lookup | None = None, enable_dns: bool = False) -> FuncMap:
    """The function map for a render; offline maps are built once and shared (so parsed templates are too)."""
    if lookup is None:
        return _offline_map(lint_mode, enable_dns)
    return _build(lint_mode, lookup, enable_dns)

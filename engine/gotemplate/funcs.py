"""The registry of template functions and the declaration every function carries.

A function is declared with its Go parameter types so the executor can check and convert arguments
exactly as text/template does (untyped constants convert to the parameter type; other values must be
assignable, otherwise ``wrong type for value; expected int; got float64``).

Parameter type names: ``string`` ``int`` ``int64`` ``uint32`` ``float64`` ``bool`` ``any`` (interface {})
``[]any`` ``[]string`` ``map`` (map[string]interface {}) ``[]byte``, or a struct's Go type name
(``time.Time``, ``sprig.certificate``: only a GoStruct of that ``go_type`` is accepted); the last parameter
may be variadic, written ``...any``, ``...string`` and so on.

Implementations take plain Python values (see gotypes) and raise :class:`FuncError` to fail.
A function declared with ``needs_state=True`` receives the executor's state as its first argument
(for include, tpl and others that render templates).
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple


class GoFunc(NamedTuple):
    """One template function: its name, implementation and Go signature (a NamedTuple: immutable, and
    far cheaper to define at import than a frozen dataclass)."""

    name: str
    impl: Callable[..., Any]
    params: tuple[str, ...]
    needs_state: bool = False

    @property
    def variadic(self) -> bool:
        return bool(self.params) and self.params[-1].startswith("...")


FuncMap = dict[str, GoFunc]


def gofunc(registry: FuncMap, name: str, *params: str, needs_state: bool = False
           ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: register ``fn`` in ``registry`` under ``name`` with Go parameter types ``params``."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        registry[name] = GoFunc(name, fn, tuple(params), needs_state)
        return fn

    return register

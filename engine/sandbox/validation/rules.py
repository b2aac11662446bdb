"""The shape of one kind's validation: its name rule, what it checks on every write, and what may not
change on update. Each API group's module holds a table of these by kind."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from engine.sandbox.validation import names
from engine.sandbox.validation.field import Errors

Check = Callable[[Errors, dict[str, Any], list[str]], None]  # (errors, object, warnings)
UpdateCheck = Callable[[Errors, dict[str, Any], dict[str, Any]], None]  # (errors, new, old)


@dataclass(frozen=True)
class Rules:
    name: Callable[[str], list[str]] | None = names.dns1123_subdomain
    check: Check | None = None
    update: UpdateCheck | None = None


def immutable(errors: Errors, path: str, new: Any, old: Any) -> None:
    """ValidateImmutableField: ``field is immutable``."""
    if new != old:
        errors.invalid(path, new, "field is immutable")


def at(obj: Any, *keys: str) -> Any:
    """The value under ``keys`` (None where a level is missing)."""
    for key in keys:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj

"""Validation errors as apimachinery's ``field.Error``: a path, a reason, the bad value and a detail, joined
into the ``422 Invalid`` Status with one ``details.causes`` entry per error."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from engine.sandbox.errors import APIError

OMIT = object()  # a value the message leaves out (field.Invalid with omitValue, CEL rule messages)

_TITLES = {"FieldValueInvalid": "Invalid value", "FieldValueRequired": "Required value",
           "FieldValueNotSupported": "Unsupported value", "FieldValueDuplicate": "Duplicate value",
           "FieldValueForbidden": "Forbidden", "FieldValueTooLong": "Too long", "FieldValueNotFound": "Not found",
           "FieldValueTypeInvalid": "Invalid value", "FieldValueTooMany": "Too many"}
_NO_VALUE = {"FieldValueRequired", "FieldValueForbidden", "FieldValueTooLong", "FieldValueTooMany"}


def go_value(value: Any) -> str:
    """How field.Error prints a value: strings quoted, numbers bare, structures as JSON."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class FieldError:
    reason: str
    field: str
    value: Any = OMIT
    detail: str = ""

    @property
    def message(self) -> str:
        """The cause message (``Invalid value: 0: must be between 1 and 65535, inclusive``)."""
        parts = [_TITLES[self.reason]]
        if self.reason not in _NO_VALUE and self.value is not OMIT:
            parts.append(go_value(self.value))
        if self.detail:
            parts.append(self.detail)
        return ": ".join(parts)


class Errors(list):
    """A field.ErrorList with its constructors (field.Invalid, field.Required, ...)."""

    def invalid(self, path: str, value: Any, detail: str) -> None:
        self.append(FieldError("FieldValueInvalid", path, value, detail))

    def required(self, path: str, detail: str = "") -> None:
        self.append(FieldError("FieldValueRequired", path, OMIT, detail))

    def not_supported(self, path: str, value: Any, supported: list[str]) -> None:
        self.append(FieldError("FieldValueNotSupported", path, value,
                               "supported values: " + ", ".join(json.dumps(s) for s in supported)))

    def duplicate(self, path: str, value: Any) -> None:
        self.append(FieldError("FieldValueDuplicate", path, value))

    def forbidden(self, path: str, detail: str) -> None:
        self.append(FieldError("FieldValueForbidden", path, OMIT, detail))

    def too_long(self, path: str, limit: int, unit: str = "bytes") -> None:
        self.append(FieldError("FieldValueTooLong", path, OMIT, f"may not be more than {limit} {unit}"))

    def not_found(self, path: str, value: Any) -> None:
        self.append(FieldError("FieldValueNotFound", path, value))

    def type_invalid(self, path: str, value: Any, detail: str) -> None:
        self.append(FieldError("FieldValueTypeInvalid", path, value, detail))

    def too_many(self, path: str, count: int, limit: int) -> None:
        self.append(FieldError("FieldValueTooMany", path, OMIT, f"must have at most {limit} items"))

    def range(self, path: str, value: Any, low: int, high: int) -> None:
        """validation.IsInRange / IsValidPortNum: ``must be between 1 and 65535, inclusive``."""
        if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            self.invalid(path, value, f"must be between {low} and {high}, inclusive")

    def non_negative(self, path: str, value: Any) -> None:
        """ValidateNonnegativeField."""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
            self.invalid(path, value, "must be greater than or equal to 0")

    def messages(self, path: str, value: Any, problems: list[str]) -> None:
        """One Invalid error per message of a name validator (IsDNS1123Label and friends)."""
        for problem in problems:
            self.invalid(path, value, problem)


def invalid_error(kind: str, group: str, name: str, errors: list[FieldError]) -> APIError:
    """apierrors.NewInvalid: ``Kind.group "name" is invalid: [field: message, ...]``."""
    qualified = f"{kind}.{group}" if group else kind
    joined = ", ".join(f"{e.field}: {e.message}" for e in errors)
    text = joined if len(errors) == 1 else f"[{joined}]"
    return APIError(422, "Invalid", f'{qualified} "{name}" is invalid: {text}',
                    {"name": name, "group": group, "kind": kind,
                     "causes": [{"reason": e.reason, "message": e.message, "field": e.field} for e in errors]})

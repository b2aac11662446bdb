"""Conversions as Sprig does them (spf13/cast): strval, toInt64, toFloat64, strslice and friends."""
from __future__ import annotations

import math
import re
from typing import Any

from engine.gotemplate.funcs import FuncMap, gofunc
from engine.gotemplate.gotypes import GoStruct, Int64, StrList

FUNCS: FuncMap = {}
_MIN_INT64, _MAX_INT64 = -(1 << 63), (1 << 63) - 1
_ZERO_DECIMAL = re.compile(r"^([+-]?[0-9]+)\.0*$")


def strval(value: Any) -> str:
    """Sprig's strval: strings as is, bytes decoded, Stringers via String, else fmt's %v."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, GoStruct) and "String" in value.go_methods:
        return value.String()
    from engine.gotemplate.gofmt import format_value

    return format_value(value)


def _wrap_int64(value: int) -> int:
    return ((value - _MIN_INT64) % (1 << 64)) + _MIN_INT64


def float_to_int64(value: float) -> int:
    """Go's int64(f): truncation; out-of-range and NaN give the minimum int64 (amd64 behaviour)."""
    if math.isnan(value) or value >= 2 ** 63 or value < -(2 ** 63):
        return _MIN_INT64
    return int(value)


def _parse_int(text: str) -> int | None:
    """strconv.ParseInt(s, 0, 0) after cast's trimZeroDecimal."""
    match = _ZERO_DECIMAL.match(text)
    if match:
        text = match.group(1)
    body = text.lstrip("+-")
    sign = -1 if text.startswith("-") else 1
    if not body or "__" in body or body.startswith("_") or body.endswith("_"):
        return None
    try:
        if body[:2].lower() in ("0x", "0o", "0b"):
            value = int(body, 0)
        elif len(body) > 1 and body[0] == "0":
            value = int(body.replace("_", ""), 8)
        else:
            if "_" in body:
                return None
            value = int(body, 10)
    except ValueError:
        return None
    value *= sign
    return value if _MIN_INT64 <= value <= _MAX_INT64 else None


def to_int64(value: Any) -> int:
    """cast.ToInt64 (errors give 0)."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int):
        return _wrap_int64(int(value))
    if isinstance(value, float):
        return float_to_int64(value)
    if isinstance(value, str):
        parsed = _parse_int(value)
        return parsed if parsed is not None else 0
    return 0


def to_float64(value: Any) -> float:
    """cast.ToFloat64 (errors give 0)."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value) if value.strip() == value and value.lower() not in ("inf", "nan", "infinity") else 0.0
        except ValueError:
            return 0.0
    return 0.0


def strslice(value: Any) -> StrList:
    """Sprig's strslice: lists become []string (nils dropped), anything else a one-element list."""
    if isinstance(value, StrList):
        return value
    if isinstance(value, (list, tuple)):
        return StrList(strval(v) for v in value if v is not None)
    if value is None:
        return StrList()
    return StrList([strval(value)])


@gofunc(FUNCS, "toString", "any")
def _to_string(value: Any) -> str:
    return strval(value)


@gofunc(FUNCS, "toStrings", "any")
def _to_strings(value: Any) -> StrList:
    return strslice(value)


@gofunc(FUNCS, "int", "any")
def _int(value: Any) -> int:
    return int(to_int64(value))


@gofunc(FUNCS, "int64", "any")
def _int64(value: Any) -> Int64:
    return Int64(to_int64(value))


@gofunc(FUNCS, "float64", "any")
def _float64(value: Any) -> float:
    return to_float64(value)


@gofunc(FUNCS, "atoi", "string")
def _atoi(text: str) -> int:
    try:
        return int(text, 10) if text.strip() == text else 0
    except ValueError:
        return 0


@gofunc(FUNCS, "toDecimal", "any")
def _to_decimal(value: Any) -> Int64:
    try:
        return Int64(int(strval(value), 8))
    except ValueError:
        return Int64(0)

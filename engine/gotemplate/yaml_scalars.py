"""YAML 1.1 plain scalars as go-yaml v2 resolves them, and the error Helm words YAML failures with.

Shared by reading (engine/gotemplate/goyaml_read.py) and writing (goyaml.py decides quoting by how a string
would read back); nothing here needs PyYAML, so a run whose YAML all comes from the cache never imports it.
"""
from __future__ import annotations

import math
import re
from typing import Any


class YAMLError(ValueError):
    """YAML that cannot be read; ``str()`` is worded as Helm reports it."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


_BOOL_TRUE = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}
_BOOL_FALSE = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}
NULL_TEXTS = frozenset({"", "~", "null", "Null", "NULL"})
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF_NAN = {".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf, "+.Inf": math.inf,
            "+.INF": math.inf, "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
            ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan}
INF_NAN_TEXTS = frozenset(_INF_NAN)


def resolve_plain(text: str) -> tuple[str, Any]:
    """go-yaml v2's resolve for a plain scalar: ("null"|"bool"|"int"|"float"|"str", value)."""
    if text in NULL_TEXTS:
        return "null", None
    if text in _BOOL_TRUE:
        return "bool", True
    if text in _BOOL_FALSE:
        return "bool", False
    if text in _INF_NAN:
        return "float", _INF_NAN[text]
    first = text[0]
    if first in "+-.0123456789":
        plain = text.replace("_", "")
        number = parse_go_int(plain)
        if number is not None:
            return "int", number
        if _FLOAT.match(plain):
            number = float(plain)
            if not math.isinf(number):  # strconv.ParseFloat's range error: go-yaml keeps the text
                return "float", number
    return "str", text


_TIMESTAMP = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?"
                        r"(?:Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.\d{1,9})?))?$")


def is_timestamp(text: str) -> bool:
    """Whether go-yaml v2 resolves a plain scalar as a timestamp (its encoder then quotes such strings):
    ``2006-1-2``, ``2006-1-2T15:4:5Z07:00`` (or ``t``), ``2006-1-2 15:4:5``, with valid fields."""
    import datetime as dt

    match = _TIMESTAMP.match(text)
    if match is None:
        return False
    year, month, day = (int(g) for g in match.groups()[:3])
    clock = [int(g) for g in match.groups()[3:] if g is not None]
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return not clock or (clock[0] < 24 and clock[1] < 60 and clock[2] < 60)


def parse_go_int(text: str) -> int | None:
    """strconv.ParseInt/ParseUint with base 0 (0x, 0o, 0b prefixes and leading-zero octal)."""
    sign = -1 if text.startswith("-") else 1
    body = text[1:] if text[:1] in "+-" else text
    if not body or len(body) > 66:  # no 64-bit integer needs more digits (0b + 64 bits)
        return None
    try:
        if body[:2] in ("0x", "0X"):
            value = int(body[2:], 16)
        elif body[:2] in ("0b", "0B"):
            value = int(body[2:], 2)
        elif body[:2] in ("0o", "0O"):
            value = int(body[2:], 8)
        elif len(body) > 1 and body[0] == "0":
            value = int(body, 8)
        else:
            if not body.isdigit():
                return None
            value = int(body, 10)
    except ValueError:
        return None
    value *= sign
    if value < -(1 << 63) or value >= (1 << 64):
        return None
    return value


def decode_utf8(data: bytes) -> str:
    """Bytes of a YAML file as text; invalid UTF-8 is refused with go-yaml's reader messages."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YAMLError(f"error converting YAML to JSON: yaml: {_utf8_problem(data, exc.start)}") from None


def _utf8_problem(data: bytes, at: int) -> str:
    """go-yaml's reader's complaint about the UTF-8 sequence starting at ``at``."""
    octet = data[at]
    width = 2 if octet & 0xE0 == 0xC0 else 3 if octet & 0xF0 == 0xE0 else 4 if octet & 0xF8 == 0xF0 else 0
    if width == 0:
        return "invalid leading UTF-8 octet"
    if at + width > len(data):
        return "incomplete UTF-8 octet sequence"
    value = octet & (0x1F, 0x0F, 0x07)[width - 2]
    for trailing in data[at + 1:at + width]:
        if trailing & 0xC0 != 0x80:
            return "invalid trailing UTF-8 octet"
        value = value << 6 | trailing & 0x3F
    if value < (0x80, 0x800, 0x10000)[width - 2]:
        return "invalid length of a UTF-8 sequence"
    return "invalid Unicode character"

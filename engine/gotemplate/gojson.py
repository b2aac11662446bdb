"""JSON as Go's encoding/json writes and reads it.

Writing is done here by hand; Python's json module, for reading, is imported when a template first reads JSON.
"""
from __future__ import annotations

import math
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from engine.gotemplate.gotypes import GoStruct

if TYPE_CHECKING:
    import json


def json_kind(value: Any) -> str:
    """The JSON type name Go's decoder reports for a value (``cannot unmarshal <kind> into …``)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def format_json_float(value: float) -> str:
    """encoding/json's float64 text: shortest digits, exponent form below 1e-6 or from 1e21."""
    from engine.gotemplate.gofmt import format_float

    if math.isinf(value) or math.isnan(value):
        raise ValueError(f"json: unsupported value: {format_float(value)}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = format_float(value, "e", -1)
        mantissa, _, exponent = text.partition("e")
        if exponent[0] == "-" and exponent[1] == "0" and len(exponent) == 3:
            exponent = "-" + exponent[2]
        return f"{mantissa}e{exponent}"
    return format_float(value, "f", -1)


_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _quote(text: str, escape_html: bool) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        elif char in _HTML_ESCAPES and (escape_html or code > 0x7F):
            out.append(_HTML_ESCAPES[char])
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _encode(value: Any, escape_html: bool, indent: str | None, level: int) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return format_json_float(value)
    if isinstance(value, str):
        return _quote(value, escape_html)
    if isinstance(value, bytes):
        import base64

        return '"' + base64.b64encode(value).decode() + '"'
    if isinstance(value, GoStruct) and not isinstance(value, (dict, list)):
        value = value.json_form()
        if not isinstance(value, dict):
            return _encode(value, escape_html, indent, level)
        items = list(value.items())
    elif isinstance(value, dict):
        items = sorted(((str(k), v) for k, v in value.items()), key=lambda kv: kv[0])
    elif isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        parts = [_encode(v, escape_html, indent, level + 1) for v in value]
        if indent is None:
            return "[" + ",".join(parts) + "]"
        inner, outer = "\n" + indent * (level + 1), "\n" + indent * level
        return "[" + inner + ("," + inner).join(parts) + outer + "]"
    else:
        raise ValueError(f"json: unsupported type: {type(value).__name__}")
    if not items:
        return "{}"
    parts = [_quote(k, escape_html) + (":" if indent is None else ": ") + _encode(v, escape_html, indent, level + 1)
             for k, v in items]
    if indent is None:
        return "{" + ",".join(parts) + "}"
    inner, outer = "\n" + indent * (level + 1), "\n" + indent * level
    return "{" + inner + ("," + inner).join(parts) + outer + "}"


def to_json(value: Any) -> str:
    """json.Marshal: sorted keys, no spaces, ``<``, ``>`` and ``&`` escaped."""
    return _encode(value, True, None, 0)


def to_pretty_json(value: Any) -> str:
    """json.MarshalIndent(v, "", "  ") (Sprig's toPrettyJson)."""
    return _encode(value, True, "  ", 0)


def to_raw_json(value: Any) -> str:
    """JSON without HTML escaping (Sprig's toRawJson)."""
    return _encode(value, False, None, 0)


MAX_DEPTH = 10000  # encoding/json's maxNestingDepth
_STRING_OR_BRACKET = r'"(?:[^"\\]|\\.)*"|[\[\]{}]'  # compiled for the rare text deep enough to need it


def _go_number(text: str) -> float:
    """A JSON number as Go decodes it into interface{}: float64, out-of-range numbers refused."""
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"json: cannot unmarshal number {text} into Go value of type float64")
    return number


def _reject_constant(name: str) -> Any:
    import json

    raise json.JSONDecodeError(f"invalid character '{name[0]}' looking for beginning of value", name, 0)


@cache
def _decoder() -> json.JSONDecoder:
    import json

    return json.JSONDecoder(parse_int=_go_number, parse_float=_go_number, parse_constant=_reject_constant)


def _too_deep(text: str) -> str | None:
    """The bracket that opens a container nested deeper than Go's decoder allows, if any."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in re.finditer(_STRING_OR_BRACKET, text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return token
        elif token in "]}":
            depth -= 1
    return None


def raw_decode(text: str) -> tuple[Any, int]:
    """One JSON value at the start of ``text`` and where it ends, decoded as Go's encoding/json decodes
    into interface{} (numbers float64; NaN, Infinity and out-of-range numbers refused; 10000 levels)."""
    bracket = _too_deep(text)
    if bracket is not None:
        raise ValueError(f"invalid character '{bracket}' exceeded max depth")
    return _decoder().raw_decode(text)


def load(text: str) -> Any:
    """json.Unmarshal into interface{}: numbers float64; raises ValueError with Go-like messages."""
    import json

    body = text.strip(" \t\n\r")
    try:
        value, end = raw_decode(body)
    except json.JSONDecodeError:
        raise ValueError(_syntax_error(text) or "unexpected end of JSON input") from None
    if end < len(body):
        raise ValueError(_syntax_error(text) or "invalid JSON")
    return value


def _syntax_error(text: str) -> str | None:
    """Go's message for invalid JSON (its scanner, replayed only once decoding has failed)."""
    from engine.gotemplate.json_syntax import syntax_error

    return syntax_error(text)

"""Go's fmt package on the Python value model of :mod:`engine.gotemplate.gotypes`.

``format_value`` is ``fmt.Sprint`` of one value; ``sprint``, ``sprintln`` and ``sprintf`` are their Go
namesakes, with Go's verbs, flags, widths, precisions and its ``%!verb(type=value)`` error forms.
"""
from __future__ import annotations

import math
from typing import Any

from engine.gotemplate.gotypes import GoStruct, go_type_name


def _shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of a positive finite float and the decimal point position."""
    text = repr(value)
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    if whole.strip("0") == "":  # 0.000123: the point sits before the fraction's leading zeros
        point = -(len(fraction) - len(fraction.lstrip("0"))) + int(exponent or 0)
    else:
        point = len(whole) + int(exponent or 0)
    digits = digits.rstrip("0") or "0"
    return digits, point


def _special(value: float) -> str | None:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return None


def _exponent_form(digits: str, point: int, upper: bool = False) -> str:
    exp = point - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    sign = "-" if exp < 0 else "+"
    return f"{mantissa}{'E' if upper else 'e'}{sign}{abs(exp):02d}"


def _fixed_form(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]


def format_float(value: float, fmt: str = "g", prec: int = -1) -> str:
    """Go's strconv.FormatFloat(value, fmt, prec, 64) for fmt in e, E, f, g, G."""
    special = _special(value)
    if special is not None:
        return special
    negative = value < 0 or (value == 0 and math.copysign(1.0, value) < 0)
    magnitude = abs(value)
    if prec < 0:
        digits, point = _shortest_digits(magnitude) if magnitude else ("0", 1)
        if fmt in "gG":
            exp = point - 1  # shortest 'g' switches to exponent form outside [1e-4, 1e6)
            use_exponent = magnitude != 0 and (exp < -4 or exp >= 6)
            text = _exponent_form(digits, point, fmt == "G") if use_exponent else _fixed_form(digits, point)
            if magnitude == 0:
                text = "0"
        elif fmt in "eE":
            text = _exponent_form(digits, point, fmt == "E")
        else:
            text = _fixed_form(digits, point) if magnitude else "0"
    elif fmt in "gG":
        text = _python_g(magnitude, prec, fmt)
    else:
        text = format(magnitude, f".{prec}{fmt}")  # Python, like Go, prints two exponent digits at least
    return ("-" if negative else "") + text


def _python_g(magnitude: float, prec: int, fmt: str) -> str:
    prec = prec or 1
    digits_text = format(magnitude, f".{prec - 1}e")
    mantissa, _, exponent = digits_text.partition("e")
    exp = int(exponent)
    digits = mantissa.replace(".", "").rstrip("0") or "0"
    if exp < -4 or exp >= prec:
        return _exponent_form(digits, exp + 1, fmt == "G")
    return _fixed_form(digits, exp + 1)


def format_value(value: Any) -> str:
    """``fmt.Sprint(value)``: Go's ``%v``."""
    if value is None:
        return "<nil>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return "[" + " ".join(str(b) for b in value) + "]"
    if isinstance(value, (list, tuple)):
        return "[" + " ".join(format_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{format_value(k)}:{format_value(value[k])}" for k in _sorted_keys(value)) + "]"
    if isinstance(value, GoStruct):
        body = "{" + " ".join(format_value(getattr(value, f, None)) for f in value.go_fields) + "}"
        return "&" + body if value.go_type.startswith("*") else body
    return str(value)


def _sorted_keys(mapping: dict) -> list:
    try:
        return sorted(mapping)
    except TypeError:
        return sorted(mapping, key=str)


def sprint(args: list[Any]) -> str:
    """``fmt.Sprint``: a space between two operands when neither is a string."""
    out = []
    for i, arg in enumerate(args):
        if i > 0 and not isinstance(arg, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(format_value(arg))
    return "".join(out)


def sprintln(args: list[Any]) -> str:
    """``fmt.Sprintln``: operands separated by spaces, then a newline."""
    return " ".join(format_value(a) for a in args) + "\n"


def go_quote(text: str, ascii_only: bool = False) -> str:
    """``strconv.Quote``: a double-quoted Go string literal."""
    out = ['"']
    for char in text:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif char in "\a\b\f\v":
            out.append({"\a": "\\a", "\b": "\\b", "\f": "\\f", "\v": "\\v"}[char])
        elif code == 0xFFFD:
            out.append("\ufffd" if not ascii_only else "\\ufffd")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif (ascii_only and code > 0x7E) or not char.isprintable():
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _quote_rune(code: int) -> str:
    char = chr(code) if 0 <= code <= 0x10FFFF else "\ufffd"
    if char == "'":
        return "'\\''"
    quoted = go_quote(char)[1:-1]
    return "'" + quoted.replace('\\"', '"') + "'"


def go_syntax(value: Any) -> str:
    """``%#v``: Go syntax for a value."""
    if value is None:
        return "<nil>"
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, (bool, int, float)):
        return format_value(value)
    if isinstance(value, bytes):
        return "[]byte{" + ", ".join(f"0x{b:x}" for b in value) + "}"
    if isinstance(value, (list, tuple)):
        return go_type_name(value) + "{" + ", ".join(go_syntax(v) for v in value) + "}"
    if isinstance(value, dict):
        items = ", ".join(f"{go_syntax(k)}:{go_syntax(value[k])}" for k in _sorted_keys(value))
        return go_type_name(value) + "{" + items + "}"
    return format_value(value)


class _Spec:
    """One parsed ``%`` directive."""

    __slots__ = ("minus", "plus", "plus_v", "sharp", "space", "zero", "width", "prec", "verb")

    def __init__(self) -> None:
        self.minus = self.plus = self.plus_v = self.sharp = self.space = self.zero = False
        self.width: int | None = None
        self.prec: int | None = None
        self.verb = ""


def _pad(text: str, spec: _Spec, numeric: bool = False) -> str:
    if spec.width is None or len(text) >= spec.width:
        return text
    fill = spec.width - len(text)
    if spec.minus:
        return text + " " * fill
    if spec.zero and numeric:
        sign = text[0] if text[:1] in "+- " else ""
        body = text[len(sign):]
        prefix = ""
        if body[:2].lower() in ("0x", "0b", "0o") and spec.sharp:
            prefix, body = body[:2], body[2:]
        return sign + prefix + "0" * fill + body
    return " " * fill + text


def _bad(verb: str, value: Any) -> str:
    if value is None:
        return f"%!{verb}(<nil>)"
    return f"%!{verb}({go_type_name(value)}={format_value(value)})"


def _sign(text: str, negative: bool, spec: _Spec) -> str:
    if negative:
        return "-" + text
    if spec.plus:
        return "+" + text
    if spec.space:
        return " " + text
    return text


def _format_int(value: int, spec: _Spec) -> str:
    verb = spec.verb
    negative, magnitude = value < 0, abs(value)
    if verb == "c":
        return _pad(chr(magnitude) if magnitude <= 0x10FFFF else "\ufffd", spec)
    if verb == "q":
        return _pad(_quote_rune(value), spec)
    if verb == "U":
        text = f"U+{magnitude:04X}"
        if spec.sharp and magnitude <= 0x10FFFF and chr(magnitude).isprintable():
            text += f" '{chr(magnitude)}'"
        return _pad(text, spec)
    base = {"d": 10, "v": 10, "x": 16, "X": 16, "o": 8, "O": 8, "b": 2}[verb]
    digits = {10: str(magnitude), 16: format(magnitude, "x"), 8: format(magnitude, "o"), 2: format(magnitude, "b")}[base]
    if verb == "X":
        digits = digits.upper()
    if spec.prec is not None:
        digits = "" if spec.prec == 0 and magnitude == 0 else digits.rjust(spec.prec, "0")
    prefix = ""
    if verb == "O":
        prefix = "0o"
    elif spec.sharp:
        prefix = {16: "0x" if verb == "x" else "0X", 8: "0" if not digits.startswith("0") else "", 2: "0b"}.get(base, "")
    text = _sign(prefix + digits, negative, spec)
    return _pad(text, spec, numeric=spec.prec is None)


def _format_float(value: float, spec: _Spec) -> str:
    verb = "g" if spec.verb == "v" else spec.verb
    special = _special(value)
    if special is not None:
        text = special if special[0] in "+-" and (spec.plus or special[0] == "-") else special.lstrip("+")
        if special == "NaN" and spec.plus:
            text = "+NaN"
        return _pad(text, spec)
    fmt = {"F": "f"}.get(verb, verb)
    if fmt in "xXb":
        return _bad(spec.verb, value)
    prec = spec.prec if spec.prec is not None else (6 if fmt in "eEf" else -1)
    text = format_float(abs(value), fmt, prec)
    if spec.sharp and "." not in text and fmt in "gGeEf":
        mantissa, e, exponent = text.partition("e" if "e" in text else "E")
        text = mantissa + "." + (e + exponent if e else "")
    negative = value < 0 or (value == 0 and math.copysign(1.0, value) < 0)
    return _pad(_sign(text, negative, spec), spec, numeric=True)


def _format_str(value: str | bytes, spec: _Spec) -> str:
    text = value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
    verb = spec.verb
    if verb in ("s", "v"):
        if spec.prec is not None:
            text = text[:spec.prec]
        return _pad(text, spec)
    if verb == "q":
        if spec.sharp and "`" not in text and all(c.isprintable() or c == "\t" for c in text):
            return _pad("`" + text + "`", spec)
        return _pad(go_quote(text, ascii_only=spec.plus), spec)
    if verb in ("x", "X"):
        raw = value if isinstance(value, bytes) else text.encode("utf-8")
        if spec.prec is not None:
            raw = raw[:spec.prec]
        parts = [format(b, "02x") for b in raw]
        joiner = " " if spec.space else ""
        if spec.sharp:
            parts = [("0x" + p) for p in parts] if spec.space else (["0x" + "".join(parts)] if parts else [])
        out = joiner.join(parts)
        return _pad(out.upper() if verb == "X" else out, spec)
    return _bad(verb, value)


def _format_one(value: Any, spec: _Spec) -> str:
    verb = spec.verb
    if verb == "T":
        return _pad(go_type_name(value), spec)
    if verb == "v" and spec.sharp:
        return _pad(go_syntax(value), spec)
    if value is None:
        return _pad("<nil>", spec) if verb == "v" else _bad(verb, None)
    if isinstance(value, bool):
        return _pad("true" if value else "false", spec) if verb in "tv" else _bad(verb, value)
    if isinstance(value, int):
        return _format_int(value, spec) if verb in "dvxXoObcqU" else _bad(verb, value)
    if isinstance(value, float):
        return _format_float(value, spec) if verb in "veEfFgGxXb" else _bad(verb, value)
    if isinstance(value, str):
        return _format_str(value, spec) if verb in "svqxX" else _bad(verb, value)
    if isinstance(value, bytes):
        if verb in "sqxX":
            return _format_str(value, spec)
        return _pad("[" + " ".join(_format_one(b, _copy(spec, pad=False)) for b in value) + "]", spec)
    if isinstance(value, (list, tuple)):
        inner = _copy(spec, pad=False)
        return _pad("[" + " ".join(_format_one(v, inner) for v in value) + "]", spec)
    if isinstance(value, dict):
        inner = _copy(spec, pad=False)
        items = " ".join(f"{_format_one(k, inner)}:{_format_one(value[k], inner)}" for k in _sorted_keys(value))
        return _pad("map[" + items + "]", spec)
    if isinstance(value, GoStruct):
        if verb in "vs" and "String" in value.go_methods:
            return _pad(value.String(), spec)
        inner = _copy(spec, pad=False)
        fields = value.go_fields
        if spec.plus_v:
            body = " ".join(f"{f}:{_format_one(getattr(value, f, None), inner)}" for f in fields)
        else:
            body = " ".join(_format_one(getattr(value, f, None), inner) for f in fields)
        return _pad(("&" if value.go_type.startswith("*") else "") + "{" + body + "}", spec)
    return _pad(str(value), spec) if verb in "vs" else _bad(verb, value)


def _copy(spec: _Spec, pad: bool) -> _Spec:
    clone = _Spec()
    for slot in _Spec.__slots__:
        setattr(clone, slot, getattr(spec, slot))
    if not pad:
        clone.width = None
    return clone


def sprintf(format_string: str, args: list[Any]) -> str:
    """``fmt.Sprintf``."""
    out: list[str] = []
    arg_index = 0
    reordered = False
    i, n = 0, len(format_string)
    while i < n:
        char = format_string[i]
        if char != "%":
            j = format_string.find("%", i)
            j = n if j == -1 else j
            out.append(format_string[i:j])
            i = j
            continue
        i += 1
        if i >= n:
            out.append("%!(NOVERB)")
            break
        spec = _Spec()
        while i < n and format_string[i] in "+-# 0":
            flag = format_string[i]
            if flag == "+":
                spec.plus = True
            elif flag == "-":
                spec.minus, spec.zero = True, False
            elif flag == "#":
                spec.sharp = True
            elif flag == " ":
                spec.space = True
            elif not spec.minus:
                spec.zero = True
            i += 1
        i, arg_index, reordered, explicit = _arg_index(format_string, i, arg_index, len(args), reordered)
        if i < n and format_string[i] == "*":
            i += 1
            if arg_index < len(args) and isinstance(args[arg_index], int) and not isinstance(args[arg_index], bool):
                spec.width = int(args[arg_index])
                if spec.width < 0:
                    spec.minus, spec.zero, spec.width = True, False, -spec.width
            else:
                out.append("%!(BADWIDTH)")
            arg_index += 1
        else:
            start = i
            while i < n and format_string[i].isdigit():
                i += 1
            if i > start:
                spec.width = int(format_string[start:i])
        if i < n and format_string[i] == ".":
            i += 1
            i, arg_index, reordered, _ = _arg_index(format_string, i, arg_index, len(args), reordered)
            if i < n and format_string[i] == "*":
                i += 1
                if arg_index < len(args) and isinstance(args[arg_index], int) and not isinstance(args[arg_index], bool):
                    spec.prec = int(args[arg_index])
                    if spec.prec < 0:
                        spec.prec = None
                else:
                    out.append("%!(BADPREC)")
                arg_index += 1
            else:
                start = i
                while i < n and format_string[i].isdigit():
                    i += 1
                spec.prec = int(format_string[start:i] or 0)
        i, arg_index, reordered, _ = _arg_index(format_string, i, arg_index, len(args), reordered)
        if i >= n:
            out.append("%!(NOVERB)")
            break
        verb = format_string[i]
        i += 1
        spec.verb = verb
        if verb == "v" and spec.plus:  # %+v adds struct field names, not signs
            spec.plus, spec.plus_v = False, True
        if verb == "%":
            out.append("%")
            continue
        if arg_index >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        value = args[arg_index]
        arg_index += 1
        out.append(_format_one(value, spec))
    if not reordered and arg_index < len(args):
        extra = ", ".join("<nil>" if a is None else f"{go_type_name(a)}={format_value(a)}" for a in args[arg_index:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _arg_index(text: str, i: int, arg_index: int, count: int, reordered: bool) -> tuple[int, int, bool, bool]:
    """Parse an explicit ``[n]`` argument index at ``text[i]``."""
    if i < len(text) and text[i] == "[":
        end = text.find("]", i)
        if end != -1 and text[i + 1:end].isdigit():
            return end + 1, int(text[i + 1:end]) - 1, True, True
    return i, arg_index, reordered, False

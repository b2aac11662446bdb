"""YAML as Helm reads and writes it (sigs.k8s.io/yaml over go-yaml v2).

Reading: YAML 1.1 scalars (yes/no/on/off are booleans, 0755 is octal), every number becomes a float64
(Python float) because sigs converts YAML to JSON first, map keys become strings, no timestamps.
Writing: ``to_yaml`` reproduces go-yaml v2's emitter for JSON-like data: sorted keys, unindented
sequences under keys, quoting of strings that would read as something else, literal blocks for
multi-line strings and line folding at 80 columns.
"""
from __future__ import annotations

import math
import re
from typing import Any, Callable

import yaml

from engine.gotemplate.gotypes import GoStruct
from engine.gotemplate.yaml_events import ReadOptions, YAMLReadError, read_documents


class YAMLError(ValueError):
    """YAML that cannot be read; ``str()`` is worded as Helm reports it."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


# -- reading ----------------------------------------------------------------------------------------
_BOOL_TRUE = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}
_BOOL_FALSE = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}
_NULL = {"", "~", "null", "Null", "NULL"}
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF_NAN = {".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf, "+.Inf": math.inf,
            "+.INF": math.inf, "-.inf": -math.inf, "-.Inf": -math.inf, "-.INF": -math.inf,
            ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan}
_INT = re.compile(r"^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)$")


def resolve_plain(text: str) -> tuple[str, Any]:
    """go-yaml v2's resolve for a plain scalar: ("null"|"bool"|"int"|"float"|"str", value)."""
    if text in _NULL:
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
        number = _parse_go_int(plain)
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


def _parse_go_int(text: str) -> int | None:
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


def _plain_value(text: str, typed: bool) -> Any:
    """A plain scalar: float64 for every number (sigs' JSON round trip), or int/float when ``typed``."""
    kind, value = resolve_plain(text)
    if kind == "int":
        return int(value) if typed else float(value)
    if kind == "float":
        return float(value)
    return value


def _tagged_int(text: str, typed: bool) -> Any:
    number = _parse_go_int(text.replace("_", "")) or 0
    return number if typed else float(number)


def _tagged_float(text: str) -> float:
    kind, value = resolve_plain(text)
    return float(value) if kind in ("int", "float") else 0.0


def _tagged_binary(text: str) -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except binascii.Error:
        raise YAMLError("error converting YAML to JSON: yaml: !!binary value contains invalid base64 data") from None


_TAGGED: dict[str, Callable[[str, bool], Any]] = {
    "!": lambda text, typed: text,
    "tag:yaml.org,2002:str": lambda text, typed: text,
    "tag:yaml.org,2002:int": _tagged_int,
    "tag:yaml.org,2002:float": lambda text, typed: _tagged_float(text),
    "tag:yaml.org,2002:bool": lambda text, typed: resolve_plain(text)[1] is True,
    "tag:yaml.org,2002:null": lambda text, typed: None,
    "tag:yaml.org,2002:binary": lambda text, typed: _tagged_binary(text),
}


_SHORT_TAGS = {"null": "!!null", "bool": "!!bool", "int": "!!int", "float": "!!float", "str": "!!str"}
_CHECKED_TAGS = {"tag:yaml.org,2002:" + name: short for name, short in
                 (("null", "!!null"), ("bool", "!!bool"), ("int", "!!int"), ("float", "!!float"),
                  ("timestamp", "!!timestamp"))}


def _scalar(event: yaml.ScalarEvent, typed: bool) -> Any:
    """go-yaml v2's decoding of one scalar; a tag it does not know leaves the text as it is."""
    tag = event.tag
    if tag is None:
        return _plain_value(event.value, typed) if event.implicit[0] else event.value
    wanted = _CHECKED_TAGS.get(tag)
    if wanted is not None:
        kind = resolve_plain(event.value)[0] if event.value else "null"
        if _SHORT_TAGS[kind] != wanted and not (wanted == "!!float" and kind == "int"):
            raise YAMLReadError(f"cannot decode {_SHORT_TAGS[kind]} `{event.value}` as a {wanted}", deferred=True)
    handler = _TAGGED.get(tag)
    return handler(event.value, typed) if handler else event.value


def _json_key(key: Any, event: yaml.Event | None) -> str:
    """A map key as sigs.k8s.io/yaml writes it into JSON."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        text = getattr(event, "value", None)
        if isinstance(event, yaml.ScalarEvent) and event.tag is None and resolve_plain(text)[0] == "int":
            return str(int(key))
        from engine.gotemplate.gofmt import format_float

        formatted = format_float(float(key), "g", -1)
        return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(formatted, formatted)
    if key is None:
        raise YAMLError("error converting YAML to JSON: unsupported map key of type: <nil>")
    raise YAMLError(f"error converting YAML to JSON: unsupported map key: {key!r}")


_VALUES = ReadOptions(scalar=lambda event: _scalar(event, False), key=_json_key, json_depth=True)
_MANIFESTS = ReadOptions(scalar=lambda event: _scalar(event, True), key=_json_key, json_depth=True)


_MESSAGES = [
    ("mapping values are not allowed here", "mapping values are not allowed in this context"),
    ("could not find expected ':'", "could not find expected ':'"),
    ("found character that cannot start any token", "found character that cannot start any token"),
    ("expected <block end>, but found", "did not find expected key"),
    ("expected the node content, but found", "did not find expected node content"),
    ("found undefined alias", "unknown anchor"),
    ("found unexpected end of stream", "found unexpected end of stream"),
    ("while scanning a quoted scalar", "found unexpected end of stream"),
    ("did not find expected '-' indicator", "did not find expected '-' indicator"),
    ("expected ',' or ']'", "did not find expected ',' or ']'"),
    ("expected ',' or '}'", "did not find expected ',' or '}'"),
    ("found a tab character that violate indentation", "found a tab character that violates indentation"),
]


def _error(exc: yaml.YAMLError) -> YAMLError:
    """go-yaml's wording: scanner errors count lines from 1, parser errors report the 0-based line."""
    problem = getattr(exc, "problem", None) or str(exc)
    message = problem
    for python_text, go_text in _MESSAGES:
        if python_text in problem:
            message = go_text
            break
    mark, context_mark = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    line = 0
    if mark is not None and mark.line != 0:
        line = mark.line + (1 if isinstance(exc, yaml.scanner.ScannerError) else 0)
    elif context_mark is not None and context_mark.line != 0:
        line = context_mark.line
    where = f"line {line}: " if line else ""
    return YAMLError(f"error converting YAML to JSON: yaml: {where}{message}", line)


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


def _read(text: str, options: ReadOptions, first_only: bool) -> list[Any]:
    try:
        return read_documents(text, options, first_only)
    except yaml.YAMLError as exc:
        raise _error(exc) from None
    except YAMLReadError as exc:
        if exc.json_stage:
            raise YAMLError(f"error unmarshaling JSON: while decoding JSON: {exc}") from None
        if exc.conversion:
            raise YAMLError(f"error converting YAML to JSON: {exc}") from None
        where = f"line {exc.line}: " if exc.line else ""
        raise YAMLError(f"error converting YAML to JSON: yaml: {where}{exc}", exc.line) from None


def load_manifests(text: str) -> list[Any]:
    """Every document of a rendered manifest, integers kept as integers (for sending to the API server)."""
    return _read(text, _MANIFESTS, first_only=False)


def load(text: str) -> Any:
    """Read the first YAML document as Helm does (numbers float64, YAML 1.1 scalars, string keys).

    Like go-yaml's Unmarshal, documents after the first are not read.
    """
    documents = _read(text, _VALUES, first_only=True)
    return documents[0] if documents else None


def load_all(text: str) -> list[Any]:
    """Read every document of a YAML stream."""
    return _read(text, _VALUES, first_only=False)


# -- writing ----------------------------------------------------------------------------------------
BEST_WIDTH = 80


def to_json_compatible(value: Any) -> Any:
    """The value as sigs.k8s.io/yaml sees it after its JSON round trip (numbers as JSON prints them)."""
    if isinstance(value, dict):
        return {str(k): to_json_compatible(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_compatible(v) for v in value]
    if isinstance(value, GoStruct):
        return to_json_compatible(value.json_form())
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode()
    return value


def _number_text(value: float | int) -> str:
    """A number as JSON prints it and go-yaml then re-reads and prints it."""
    if isinstance(value, int):
        return str(int(value))
    if math.isinf(value) or math.isnan(value):
        raise YAMLError(f"json: unsupported value: {value}")
    from engine.gotemplate.gojson import format_json_float

    text = format_json_float(value)
    kind, parsed = resolve_plain(text)
    if kind == "int":
        return str(parsed)
    from engine.gotemplate.gofmt import format_float

    return format_float(float(text), "g", -1)


def _is_printable(char: str) -> bool:
    code = ord(char)
    if char == "\n" or 0x20 <= code <= 0x7E:
        return True
    if 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD:
        return code != 0xFEFF
    return False


class _Analysis:
    __slots__ = ("multiline", "flow_plain", "block_plain", "single_quoted", "block")


# a word of letters, digits and ``_./-`` (no leading ``-``): no indicator, space, break or special character
_SIMPLE_WORD = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./-]*\Z")
_SIMPLE_ANALYSIS = _Analysis()
_SIMPLE_ANALYSIS.multiline = False
_SIMPLE_ANALYSIS.flow_plain = _SIMPLE_ANALYSIS.block_plain = _SIMPLE_ANALYSIS.single_quoted = True
_SIMPLE_ANALYSIS.block = True


_WHITESPACE = " \t\r\n\x85\u2028\u2029"
_BREAKS = "\r\n\x85\u2028\u2029"
_FIRST_INDICATORS = "#,[]{}&*!|>'\"%@`"


def _has_special(value: str) -> bool:
    """Whether ``value`` holds a character go-yaml cannot print as it is (tab, control, BOM, astral …)."""
    if value.isascii():  # printable ASCII is exactly str.isprintable's ASCII, plus the line feed go-yaml allows
        return not (value.isprintable() or value.replace("\n", "").isprintable())
    return not all(map(_is_printable, value))


def _analyze(value: str) -> _Analysis:
    """go-yaml's yaml_emitter_analyze_scalar: which styles can write ``value`` (the result is read-only).

    Its character-by-character scan, done as substring searches (each a single pass in C)."""
    if _SIMPLE_WORD.match(value) and not value.startswith("..."):
        return _SIMPLE_ANALYSIS
    result = _Analysis()
    if not value:
        result.multiline, result.flow_plain, result.block_plain = False, False, True
        result.single_quoted, result.block = True, False
        return result
    first, rest = value[0], value[1:]
    flow_indicators = block_indicators = value.startswith(("---", "..."))
    first_before_space = not rest or rest[0] in _WHITESPACE
    if first in _FIRST_INDICATORS or (first == "-" and first_before_space):
        flow_indicators = block_indicators = True
    elif first in "?:":
        flow_indicators = True
        block_indicators = block_indicators or first_before_space
    if any(char in rest for char in ",?[]{}"):
        flow_indicators = True
    if ":" in rest:
        flow_indicators = True
        if rest.endswith(":") or any(":" + space in rest for space in _WHITESPACE):
            block_indicators = True
    if "#" in rest and any(space + "#" in value for space in _WHITESPACE):
        flow_indicators = block_indicators = True
    special = _has_special(value)
    line_breaks = any(char in value for char in _BREAKS)
    leading_space, trailing_space = first == " ", value[-1] == " "
    leading_break, trailing_break = first in _BREAKS, value[-1] in _BREAKS
    break_space = line_breaks and any(char + " " in value for char in _BREAKS)
    space_break = line_breaks and any(" " + char in value for char in _BREAKS)
    result.multiline = line_breaks
    result.flow_plain = result.block_plain = result.single_quoted = result.block = True
    if leading_space or leading_break or trailing_space or trailing_break:
        result.flow_plain = result.block_plain = False
    if trailing_space:
        result.block = False
    if break_space:
        result.flow_plain = result.block_plain = result.single_quoted = False
    if space_break or special:
        result.flow_plain = result.block_plain = result.single_quoted = result.block = False
    if line_breaks:
        result.flow_plain = result.block_plain = False
    if flow_indicators:
        result.flow_plain = False
    if block_indicators:
        result.block_plain = False
    return result


_WORDS_AND_SPACES = re.compile(r" +|[^ ]+")
_BASE60_FLOAT = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_NUMERIC_START = frozenset("+-0123456789")
# printable ASCII but for ``"`` and ``\``: nothing in it needs an escape inside double quotes
_DOUBLE_QUOTE_SAFE = re.compile(r'[\x20\x21\x23-\x5b\x5d-\x7e]*\Z')


def _is_base60_float(text: str) -> bool:
    return _BASE60_FLOAT.match(text) is not None


class _Writer:
    """go-yaml v2's emitter for block-style output of JSON-like data."""

    def __init__(self, best_width: int = BEST_WIDTH, indent_sequences: bool = False):
        self.out: list[str] = []
        self.column = 0
        self.best_width = best_width
        self.indent_sequences = indent_sequences

    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def newline(self) -> None:
        self.out.append("\n")
        self.column = 0

    def indent_to(self, indent: int) -> None:
        if self.column > 0:
            self.newline()
        self.put(" " * indent)

    # scalars
    def scalar(self, value: Any, indent: int, simple_key: bool = False) -> None:
        if value is None:
            self.put("null")
        elif value is True:
            self.put("true")
        elif value is False:
            self.put("false")
        elif isinstance(value, (int, float)):
            self.put(_number_text(value))
        else:
            self.string(str(value), indent, simple_key)

    def string(self, text: str, indent: int, simple_key: bool) -> None:
        kind, _ = resolve_plain(text) if text else ("null", None)
        # base-60 floats and timestamps start with a digit or a sign: other strings skip both checks
        can_plain = kind == "str" and (text[0] not in _NUMERIC_START
                                       or not (_is_base60_float(text) or is_timestamp(text)))
        analysis = _analyze(text)
        if "\n" in text:
            style = "literal"
        elif can_plain:
            style = "plain"
        else:
            style = "double"
        if simple_key and analysis.multiline:
            style = "double"
        if style == "plain":
            if not analysis.block_plain or (not text and simple_key):
                style = "single"
        if style == "single" and not analysis.single_quoted:
            style = "double"
        if style == "literal" and (not analysis.block or simple_key):
            style = "double"
        getattr(self, "_" + style)(text, indent, not simple_key)

    def _plain(self, text: str, indent: int, allow_breaks: bool) -> None:
        if not allow_breaks or self.column + len(text) - 1 <= self.best_width or " " not in text:
            self.put(text)  # no space of it can come past the line width: written whole
            return
        for match in _WORDS_AND_SPACES.finditer(text):
            run = match.group()
            # a lone space past the line width becomes a line break (a run of spaces is kept)
            if run == " " and self.column > self.best_width:
                self.indent_to(indent)
            else:
                self.put(run)

    def _single(self, text: str, indent: int, allow_breaks: bool) -> None:
        if "\n" not in text:
            self._single_line(text, indent, allow_breaks)
            return
        self.put("'")
        spaces = breaks = False
        n = len(text)
        for i, char in enumerate(text):
            if char == " ":
                if (allow_breaks and not spaces and self.column > self.best_width and 0 < i < n - 1
                        and text[i + 1] != " "):
                    self.indent_to(indent)
                else:
                    self.put(char)
                spaces = True
            elif char == "\n":
                if not breaks:
                    self.newline()
                self.newline()
                breaks = True
            else:
                if breaks:
                    self.indent_to(indent)
                self.put("''" if char == "'" else char)
                spaces = breaks = False
        self.put("'")

    def _single_line(self, text: str, indent: int, allow_breaks: bool) -> None:
        """``_single`` for text without line breaks, a word or a run of spaces at a time."""
        quoted = text.replace("'", "''")
        if not allow_breaks or self.column + len(quoted) <= self.best_width or " " not in text:
            self.put("'" + quoted + "'")  # no line break can fall inside: written whole
            return
        self.put("'")
        last = len(text) - 1
        for match in _WORDS_AND_SPACES.finditer(text):
            run = match.group()
            if run == " " and 0 < match.start() < last and self.column > self.best_width:
                self.indent_to(indent)  # a lone inner space past the line width becomes a line break
            elif run[0] == " ":
                self.put(run)
            else:
                self.put(run.replace("'", "''"))
        self.put("'")

    _ESCAPES = {0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f", 0x0D: "r",
                0x1B: "e", 0x22: '"', 0x5C: "\\", 0x85: "N", 0xA0: "_", 0x2028: "L", 0x2029: "P"}

    def _double(self, text: str, indent: int, allow_breaks: bool) -> None:
        if _DOUBLE_QUOTE_SAFE.match(text) and (not allow_breaks or self.column + len(text) <= self.best_width
                                                or " " not in text):
            self.put('"' + text + '"')  # nothing to escape and no line break can fall inside
            return
        self.put('"')
        spaces = False
        n = len(text)
        for i, char in enumerate(text):
            code = ord(char)
            if (not _is_printable(char) or code == 0xFEFF or char in "\r\n\x85\u2028\u2029" or char in '"\\'):
                escape = self._ESCAPES.get(code)
                if escape is None:
                    escape = f"x{code:02X}" if code <= 0xFF else (f"u{code:04X}" if code <= 0xFFFF else f"U{code:08X}")
                self.put("\\" + escape)
                spaces = False
            elif char == " ":
                if allow_breaks and not spaces and self.column > self.best_width and 0 < i < n - 1:
                    self.indent_to(indent)
                    if text[i + 1] == " ":
                        self.put("\\")
                else:
                    self.put(char)
                spaces = True
            else:
                self.put(char)
                spaces = False
        self.put('"')

    def _literal(self, text: str, indent: int, allow_breaks: bool) -> None:
        self.put("|")
        if text[0] in " \n":
            self.put("2")
        if not text.endswith("\n"):
            self.put("-")
        elif len(text) == 1 or text[-2] == "\n":
            self.put("+")
        for line in text.split("\n"):  # each line on its own, indented unless empty
            self.newline()
            if line:
                self.put(" " * indent + line)

    # collections
    def mapping(self, value: dict, indent: int, first_inline: bool) -> None:
        for i, key in enumerate(sorted(value)):
            if not (i == 0 and first_inline):
                if self.column > 0:
                    self.newline()
                self.put(" " * indent)
            self.scalar(key, indent, simple_key=True)
            self.put(":")
            child = value[key]
            if isinstance(child, list) and child:
                self.newline()
                self.sequence(child, indent + 2 if self.indent_sequences else indent, first_inline=False)
            elif isinstance(child, dict) and child:
                self.newline()
                self.mapping(child, indent + 2, first_inline=False)
            else:
                self.put(" ")
                self.leaf(child, indent + 2)

    def sequence(self, value: list, indent: int, first_inline: bool) -> None:
        for i, item in enumerate(value):
            if not (i == 0 and first_inline):
                if self.column > 0:
                    self.newline()
                self.put(" " * indent)
            self.put("- ")
            if isinstance(item, dict) and item:
                self.mapping(item, indent + 2, first_inline=True)
            elif isinstance(item, list) and item:
                self.sequence(item, indent + 2, first_inline=True)
            else:
                self.leaf(item, indent + 2)

    def leaf(self, value: Any, indent: int) -> None:
        if isinstance(value, dict):
            self.put("{}")
        elif isinstance(value, list):
            self.put("[]")
        else:
            self.scalar(value, indent)


def _emit(value: Any, indent_sequences: bool, best_width: int) -> str:
    data = to_json_compatible(value)
    writer = _Writer(best_width, indent_sequences)
    if isinstance(data, dict) and data:
        writer.mapping(data, 0, first_inline=True)
    elif isinstance(data, list) and data:
        writer.sequence(data, 0, first_inline=True)
    else:
        writer.leaf(data, 2)  # a top-level scalar's continuation lines are indented by 2
    text = "".join(writer.out)
    return text if text.endswith("\n") else text + "\n"


def to_yaml(value: Any) -> str:
    """sigs.k8s.io/yaml Marshal output (Helm's toYaml before it trims the final newline)."""
    return _emit(value, indent_sequences=False, best_width=BEST_WIDTH)


def to_yaml_pretty(value: Any) -> str:
    """go-yaml v3 with a 2-space indent (Helm's toYamlPretty): sequences indented under their keys."""
    return _emit(value, indent_sequences=True, best_width=1 << 30)

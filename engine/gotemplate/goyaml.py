"""YAML as Helm reads and writes it (sigs.k8s.io/yaml over go-yaml v2).

Reading (engine/gotemplate/goyaml_read.py, answered from the parsed-YAML cache when it can): YAML 1.1
scalars (yes/no/on/off are booleans, 0755 is octal), every number becomes a float64 (Python float) because
sigs converts YAML to JSON first, map keys become strings, no timestamps.
Writing: ``to_yaml`` reproduces go-yaml v2's emitter for JSON-like data: sorted keys, unindented
sequences under keys, quoting of strings that would read as something else, literal blocks for
multi-line strings and line folding at 80 columns.
"""
from __future__ import annotations

import math
import re
from typing import Any

from engine.gotemplate.gotypes import GoStruct
from engine.gotemplate.yaml_cache import chart_file_documents
from engine.gotemplate.yaml_scalars import YAMLError, decode_utf8, is_timestamp, resolve_plain

__all__ = ["YAMLError", "decode_utf8", "load", "load_all", "load_manifest_head", "load_manifests", "to_yaml",
           "to_yaml_pretty"]


def load_manifests(text: str) -> list[Any]:
    """Every document of a rendered manifest, integers kept as integers (for sending to the API server)."""
    from engine.gotemplate.goyaml_read import read  # PyYAML: only when YAML is read

    return read(text, typed=True, first_only=False)


def load(text: str, chart_file: bool = False) -> Any:
    """Read the first YAML document as Helm does (numbers float64, YAML 1.1 scalars, string keys).

    Like go-yaml's Unmarshal, documents after the first are not read. Only a ``chart_file`` (a chart's own
    Chart.yaml or values.yaml, as published) is read through the parsed-YAML cache: anything else, values a
    user supplies or text rendered from them, may hold secrets, which never leave the process.
    """
    if chart_file:
        found = chart_file_documents(text)
    else:
        from engine.gotemplate.goyaml_read import read

        found = read(text, typed=False, first_only=True)
    return found[0] if found else None


def load_manifest_head(text: str) -> Any:
    """``load`` for a rendered manifest whose head alone is wanted (Helm's SimpleHead): the same value or
    error, but collections outside apiVersion, kind, metadata.name and metadata.annotations are left
    unread (their values are yaml_events.SKIPPED)."""
    from engine.gotemplate.goyaml_read import read_head

    return read_head(text)


def load_all(text: str) -> list[Any]:
    """Read every document of a YAML stream."""
    from engine.gotemplate.goyaml_read import read

    return read(text, typed=False, first_only=False)


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

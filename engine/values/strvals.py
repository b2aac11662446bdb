"""Helm's ``--set`` family grammar (pkg/strvals): keys with dots and [indexes], typed values, lists."""
from __future__ import annotations

import re
from typing import Any, Callable

from engine.gotemplate import gojson
from engine.gotemplate.gotypes import Int64, go_type_name

MAX_INDEX = 65536
_DECIMAL = re.compile(r"^[+-]?[0-9]+$")
MAX_NESTED_NAME_LEVEL = 30


class StrvalsError(Exception):
    pass


class _EOF(Exception):
    pass


class _NotList(Exception):
    pass


class _Scanner:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def read(self) -> str:
        if self.pos >= len(self.text):
            raise _EOF()
        char = self.text[self.pos]
        self.pos += 1
        return char

    def unread(self) -> None:
        self.pos -= 1

    def rest(self) -> str:
        return self.text[self.pos:]


def typed_value(text: str, as_string: bool) -> Any:
    """The type a ``--set`` value takes: bool, null, int64, else string."""
    if as_string:
        return text
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if lowered == "null":
        return None
    if lowered == "0":
        return Int64(0)
    if text and text[0] != "0" and len(text) <= 20 and _DECIMAL.match(text):  # longer: no int64, a string
        value = int(text, 10)
        if -(1 << 63) <= value < (1 << 63):
            return Int64(value)
    return text


def _runes_until(scanner: _Scanner, stop: str, literal: bool = False) -> tuple[str, str]:
    """Read until a stop rune; backslash escapes the next rune (not in literal mode). Raises _EOF with partial."""
    out = []
    while True:
        try:
            char = scanner.read()
        except _EOF:
            raise _PartialEOF("".join(out)) from None
        if char in stop:
            return "".join(out), char
        if char == "\\" and not literal:
            try:
                out.append(scanner.read())
            except _EOF:
                raise _PartialEOF("".join(out)) from None
            continue
        out.append(char)


class _PartialEOF(_EOF):
    def __init__(self, partial: str):
        super().__init__()
        self.partial = partial


def _type_assert(value: Any, want: type, want_name: str) -> Any:
    if not isinstance(value, want):
        got = "nil" if value is None else go_type_name(value)
        raise StrvalsError(f"unable to parse key: interface conversion: interface {{}} is {got}, not {want_name}")
    return value


class _Parser:
    def __init__(self, text: str, data: dict, reader: Callable[[str], Any] | None, json_values: bool = False,
                 literal: bool = False):
        self.scanner = _Scanner(text)
        self.data, self.reader, self.json_values, self.literal = data, reader, json_values, literal

    def parse(self) -> None:
        while True:
            try:
                self.key(self.data, 0)
            except _EOF:
                return

    def key(self, data: dict, level: int) -> None:
        stop = "=[." if self.literal else "=[,."
        try:
            key, last = _runes_until(self.scanner, stop, self.literal)
        except _PartialEOF as exc:
            if not exc.partial:
                raise
            raise StrvalsError(f'key "{exc.partial}" has no value') from None
        if last == "[":
            index = self.key_index()
            existing = data.get(key, [])
            items = list(_type_assert(existing, list, "[]interface {}")) if key in data else []
            try:
                items = self.list_item(items, index, level)
            finally:
                if key:
                    data[key] = items
            return
        if last == "=":
            self.assign(lambda value: data.__setitem__(key, value) if key else None)
            return
        if last == ",":
            if key:
                data[key] = ""
            raise StrvalsError(f'key "{key}" has no value (cannot end with ,)')
        level += 1
        if level > MAX_NESTED_NAME_LEVEL:
            raise StrvalsError(f"value name nested level is greater than maximum supported nested level of "
                               f"{MAX_NESTED_NAME_LEVEL}")
        inner = _type_assert(data[key], dict, "map[string]interface {}") if key in data else {}
        try:
            self.key(inner, level)
        except _EOF:
            if inner and key:
                data[key] = inner
            raise
        if not inner:
            raise StrvalsError(f'key map "{key}" has no value')
        if key:
            data[key] = inner

    def assign(self, setter: Callable[[Any], None]) -> None:
        """Read the value after ``=`` and store it; raises _EOF at the end of input."""
        if self.literal:
            setter(self.scanner.rest())
            self.scanner.pos = len(self.scanner.text)
            raise _EOF()
        if self.json_values:
            if self.empty_value():
                setter(None)
                return
            try:
                value, end = gojson.raw_decode(self.scanner.rest())
            except ValueError as exc:  # JSONDecodeError, NaN, Infinity, numbers out of float64's range
                raise StrvalsError(str(exc)) from None
            setter(value)
            self.scanner.pos += end
            self.empty_value()
            return
        try:
            items = self.value_list()
        except _NotList:
            setter(self.reader(self.value()))  # as Go, a value ending the input returns normally
            return
        except _EOF:
            setter("")
            raise
        setter(items)

    def empty_value(self) -> bool:
        while True:
            try:
                char = self.scanner.read()
            except _EOF:
                return True
            if char == ",":
                return True
            if not char.isspace():
                self.scanner.unread()
                return False

    def value(self) -> str:
        try:
            text, _ = _runes_until(self.scanner, ",")
        except _PartialEOF as exc:
            return exc.partial
        return text

    def value_list(self) -> list:
        char = self.scanner.read()
        if char != "{":
            self.scanner.unread()
            raise _NotList()
        items: list = []
        while True:
            try:
                text, last = _runes_until(self.scanner, ",}")
            except _PartialEOF:
                raise StrvalsError("list must terminate with '}'") from None
            items.append(self.reader(text))
            if last == "}":
                try:
                    if self.scanner.read() != ",":
                        self.scanner.unread()
                except _EOF:
                    pass
                return items

    def key_index(self) -> int:
        try:
            text, _ = _runes_until(self.scanner, "]", self.literal)
        except _PartialEOF:
            raise _EOF() from None
        try:
            return int(text, 10) if text.strip() == text and text.lstrip("+-").isdigit() else _bad_int(text)
        except StrvalsError as exc:
            raise StrvalsError(f"error parsing index: {exc}") from None

    def list_item(self, items: list, index: int, level: int) -> list:
        if index < 0:
            raise StrvalsError(f"negative {index} index not allowed")
        try:
            key, last = _runes_until(self.scanner, "[.=", self.literal)
        except _PartialEOF as exc:
            if exc.partial:
                raise StrvalsError(f'unexpected data at end of array index: "{exc.partial}"') from None
            raise
        if key:
            raise StrvalsError(f'unexpected data at end of array index: "{key}"')
        if last == "=":
            holder: list = []
            try:
                self.assign(holder.append)
            except _EOF:
                return _set_index(items, index, holder[0] if holder else "")
            return _set_index(items, index, holder[0])
        if last == "[":
            next_index = self.key_index()
            current = items[index] if len(items) > index and items[index] is not None else []
            nested = self.list_item(list(_type_assert(current, list, "[]interface {}")), next_index, level)
            return _set_index(items, index, nested)
        inner = items[index] if len(items) > index and isinstance(items[index], dict) else {}
        if len(items) > index and not isinstance(items[index], dict):
            items[index] = inner
        try:
            self.key(inner, level)
        except _EOF:
            _set_index(items, index, inner)
            raise
        return _set_index(items, index, inner)


def _bad_int(text: str) -> int:
    raise StrvalsError(f'strconv.Atoi: parsing "{text}": invalid syntax')


def _set_index(items: list, index: int, value: Any) -> list:
    if index < 0:
        raise StrvalsError(f"negative {index} index not allowed")
    if index > MAX_INDEX:
        raise StrvalsError(f"index of {index} is greater than maximum supported index of {MAX_INDEX}")
    while len(items) <= index:
        items.append(None)
    items[index] = value
    return items


def _run(parser: _Parser) -> None:
    try:
        parser.parse()
    except RecursionError:
        raise StrvalsError("value is nested too deeply") from None


def parse_set(expression: str, dest: dict) -> None:
    """``--set``: typed values."""
    _run(_Parser(expression, dest, lambda text: typed_value(text, False)))


def parse_set_string(expression: str, dest: dict) -> None:
    """``--set-string``: every value a string."""
    _run(_Parser(expression, dest, lambda text: typed_value(text, True)))


def parse_set_file(expression: str, dest: dict, read: Callable[[str], str]) -> None:
    """``--set-file``: values are file contents."""
    _run(_Parser(expression, dest, read))


def parse_set_json(expression: str, dest: dict) -> None:
    """``--set-json key=<json>``."""
    _run(_Parser(expression, dest, None, json_values=True))


def parse_set_literal(expression: str, dest: dict) -> None:
    """``--set-literal``: the value is the rest of the string, verbatim."""
    _run(_Parser(expression, dest, None, literal=True))

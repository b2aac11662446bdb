"""TOML for Helm's toToml/fromToml (BurntSushi/toml semantics: integers int64, floats float64)."""
from __future__ import annotations

import re
import tomllib
from typing import Any

from engine.gotemplate.gotypes import Int64


def _typed(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Int64(value)
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


_POSITION = re.compile(r"^(.*) \((?:at line (\d+), column \d+|at end of document)\)$", re.S)


def load(text: str) -> dict:
    """Parse TOML; raises ValueError ``toml: line N: what is wrong`` (the line as BurntSushi/toml counts it;
    the description is Python's tomllib's own)."""
    try:
        return _typed(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        found = _POSITION.match(str(exc))
        if found is None:
            raise ValueError(f"toml: {exc}") from None
        line = found.group(2) or text.count("\n") + 1
        raise ValueError(f"toml: line {line}: {found.group(1)}") from None


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
INDENT = "  "


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _quote(key)


def _quote(text: str) -> str:
    out = ['"']
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif char in "\b\t\n\f\r":
            out.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[char])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return "".join(out) + '"'


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) or (isinstance(value, list) and bool(value)
                                       and all(isinstance(v, dict) for v in value))


def _scalar(value: Any) -> str:
    from engine.gotemplate.gofmt import format_float

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        text = format_float(value, "f", -1)
        return text if "." in text else text + ".0"
    if isinstance(value, str):
        return _quote(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in sorted(value.items()) if v is not None) + "}"
    raise ValueError(f"toml: cannot encode a value of type {type(value).__name__}")


class _Writer:
    """BurntSushi/toml's encoder layout: direct keys first, then sub-tables, indented by depth."""

    def __init__(self) -> None:
        self.out: list[str] = []

    def newline(self) -> None:
        if self.out:
            self.out.append("\n")

    def table(self, path: list[str], mapping: dict) -> None:
        direct = sorted(k for k, v in mapping.items() if not _is_table(v))
        nested = sorted(k for k, v in mapping.items() if _is_table(v))
        for key in direct:
            if mapping[key] is not None:
                self.out.append(f"{INDENT * len(path)}{_key(key)} = {_scalar(mapping[key])}\n")
        for key in nested:
            value, child = mapping[key], [*path, key]
            header = ".".join(_key(p) for p in child)
            if isinstance(value, dict):
                if len(child) == 1:
                    self.newline()
                self.out.append(f"{INDENT * len(path)}[{header}]\n")
                self.table(child, value)
            else:
                for item in value:
                    if len(child) == 1:
                        self.newline()
                    self.out.append(f"{INDENT * len(path)}[[{header}]]\n")
                    self.table(child, item)


def to_toml(value: Any) -> str:
    """Encode a value as Helm's toToml (BurntSushi/toml) does: a map as a document, an array of maps
    refused, any other value written as it would be after ``key =``."""
    if isinstance(value, list) and _is_table(value):
        raise ValueError("toml: top-level values must be Go maps or structs")
    if not isinstance(value, dict):
        return _scalar(value)
    writer = _Writer()
    writer.table([], value)
    return "".join(writer.out)

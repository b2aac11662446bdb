"""Go values as Python values: the one mapping every part of the template engine shares.

| Go                         | Python                                  |
|----------------------------|-----------------------------------------|
| nil (untyped / interface)  | ``None``                                |
| bool                       | ``bool``                                |
| int (literals, len, ...)   | ``int``                                 |
| int64 (Sprig math, --set)  | :class:`Int64` (an ``int`` subclass)    |
| float64 (values files)     | ``float``                               |
| string                     | ``str``                                 |
| []byte                     | ``bytes``                               |
| []interface {}             | ``list``                                |
| []string                   | :class:`StrList` (a ``list`` subclass)  |
| map[string]interface {}    | ``dict``                                |
| structs (.Chart, .Files …) | subclasses of :class:`GoStruct`         |

Functions that Go types as returning ``int64`` must return :class:`Int64` so ``%T``, ``typeOf``
and argument type checks see what Go sees; plain ``int`` means Go's ``int``.
"""
from __future__ import annotations

from typing import Any, ClassVar


class Int64(int):
    """A Go int64 (Sprig arithmetic results, integers from --set)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Int64({int(self)})"

    __str__ = int.__repr__  # str() gives the digits, as for a plain int


class StrList(list):
    """A Go []string (results of split, keys, splitList …)."""

    __slots__ = ()


class GoStruct:
    """Base of Go structs exposed to templates.

    Exported fields are plain attributes named exactly as in Go (``Name``, ``Version``) and listed in
    ``go_fields`` in declaration order (``%v`` prints them as ``{a b}``). Methods callable from templates
    are Python methods whose names are listed in ``go_methods``, mapped to their Go parameter types.
    ``go_type`` is what ``%T`` prints (``*chart.Metadata``).
    """

    go_type: ClassVar[str] = "struct {}"
    go_fields: ClassVar[tuple[str, ...]] = ()
    go_methods: ClassVar[dict[str, tuple[str, ...]]] = {}

    def json_form(self) -> Any:
        """What encoding/json marshals: the exported fields, unless the type has a MarshalJSON of its own."""
        return {f: getattr(self, f, None) for f in self.go_fields if f[:1].isupper()}


def go_type_name(value: Any) -> str:
    """What Go's ``%T`` prints for ``value``."""
    if value is None:
        return "<nil>"
    if isinstance(value, GoStruct):
        return value.go_type
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "int64"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bytes):
        return "[]uint8"
    if isinstance(value, StrList):
        return "[]string"
    if isinstance(value, (list, tuple)):
        return "[]interface {}"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return type(value).__name__


def go_kind(value: Any) -> str:
    """Go's reflect.Kind name of ``value`` (what Sprig's ``kindOf`` returns)."""
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, Int64):
        return "int64"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (bytes, list, tuple)):
        return "slice"
    if isinstance(value, dict):
        return "map"
    if isinstance(value, GoStruct):
        return "ptr" if value.go_type.startswith("*") else "struct"
    return "invalid"


def truthy(value: Any) -> bool:
    """Go text/template truth: false, 0, "", nil and empty collections are false; structs are true."""
    if value is None:
        return False
    if isinstance(value, (bool, int, float, str, bytes, list, tuple, dict)):
        return bool(value)
    return True

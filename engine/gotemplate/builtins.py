"""Go text/template's built-in functions (and, or, not, len, index, slice, print*, html, js, urlquery, eq …)."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, gofunc
from engine.gotemplate.gotypes import GoStruct, Int64, go_type_name, truthy

BUILTINS: FuncMap = {}


@gofunc(BUILTINS, "and", "any", "...any")
def _and(*args: Any) -> Any:  # evaluated lazily by the compiler; kept for the parser's function check
    raise FuncError("and is evaluated by the executor")


@gofunc(BUILTINS, "or", "any", "...any")
def _or(*args: Any) -> Any:
    raise FuncError("or is evaluated by the executor")


@gofunc(BUILTINS, "not", "any")
def _not(value: Any) -> bool:
    return not truthy(value)


@gofunc(BUILTINS, "len", "any")
def _len(value: Any) -> int:
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, (bytes, list, tuple, dict)):
        return len(value)
    if value is None:
        raise FuncError("len of nil pointer")
    raise FuncError(f"len of type {go_type_name(value)}")


def _index_one(item: Any, index: Any) -> Any:
    if isinstance(item, dict):
        if index is None:
            raise FuncError("value is nil; should be of type string")
        if not isinstance(index, str):
            raise FuncError(f"value has type {go_type_name(index)}; should be string")
        return item.get(index)
    if isinstance(item, (list, tuple, str, bytes)):
        if index is None:
            raise FuncError("cannot index slice/array with nil")
        if isinstance(index, bool) or not isinstance(index, int):
            raise FuncError(f"cannot index slice/array with type {go_type_name(index)}")
        if index < 0 or index >= len(item):
            raise FuncError(f"index out of range: {index}")
        if isinstance(item, str):
            return item.encode("utf-8")[index]
        return item[index]
    if item is None:
        raise FuncError("index of untyped nil")
    raise FuncError(f"can't index item of type {go_type_name(item)}")


@gofunc(BUILTINS, "index", "any", "...any")
def _index(item: Any, *indexes: Any) -> Any:
    for position, index in enumerate(indexes):
        if item is None and position:  # a nil reached while indexing (Go: "untyped" only for the argument)
            raise FuncError("index of nil pointer")
        item = _index_one(item, index)
    return item


@gofunc(BUILTINS, "slice", "any", "...any")
def _slice(item: Any, *indexes: Any) -> Any:
    if item is None:
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if not isinstance(item, (str, list, tuple, bytes)):
        raise FuncError(f"can't slice item of type {go_type_name(item)}")
    if isinstance(item, str) and len(indexes) == 3:
        raise FuncError("cannot 3-index slice a string")
    bounds = []
    for index in indexes:
        if isinstance(index, bool) or not isinstance(index, int):
            raise FuncError(f"cannot index slice/array with type {go_type_name(index)}")
        bounds.append(index)
    length = len(item.encode("utf-8")) if isinstance(item, str) else len(item)
    start = bounds[0] if bounds else 0
    end = bounds[1] if len(bounds) > 1 else length
    if not 0 <= start <= end <= length:
        raise FuncError(f"index out of range: {end if end > length else start}")
    if isinstance(item, str):
        return item.encode("utf-8")[start:end].decode("utf-8", errors="replace")
    return item[start:end]


@gofunc(BUILTINS, "print", "...any")
def _print(*args: Any) -> str:
    from engine.gotemplate.gofmt import sprint

    return sprint(list(args))


@gofunc(BUILTINS, "printf", "string", "...any")
def _printf(fmt: str, *args: Any) -> str:
    from engine.gotemplate.gofmt import sprintf

    return sprintf(fmt, list(args))


@gofunc(BUILTINS, "println", "...any")
def _println(*args: Any) -> str:
    from engine.gotemplate.gofmt import sprintln

    return sprintln(list(args))


def _eval_args(args: tuple[Any, ...]) -> str:
    from engine.gotemplate.gofmt import sprint

    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(["<no value>" if arg is None else arg for arg in args])  # Go's printableValue


_HTML = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&#39;", '"': "&#34;", "\x00": "\ufffd"}


@gofunc(BUILTINS, "html", "...any")
def _html(*args: Any) -> str:
    return "".join(_HTML.get(c, c) for c in _eval_args(args))


@gofunc(BUILTINS, "js", "...any")
def _js(*args: Any) -> str:
    out = []
    for char in _eval_args(args):
        if char == "\\":
            out.append("\\\\")
        elif char == "'":
            out.append("\\'")
        elif char == '"':
            out.append('\\"')
        elif char in "<>&=":
            out.append(f"\\u{ord(char):04X}")
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return "".join(out)


@gofunc(BUILTINS, "urlquery", "...any")
def _urlquery(*args: Any) -> str:
    return quote_plus(_eval_args(args), safe="")


@gofunc(BUILTINS, "call", "any", "...any")
def _call(function: Any, *args: Any) -> Any:  # the executor calls call_named, which knows the callee's text
    return call_named("", function, *args)


def call_named(callee: str, function: Any, *args: Any) -> Any:
    """Go's ``call``: ``callee`` is the first argument as written (``.Values.f``), for its error message."""
    if function is None:
        raise FuncError("call of nil")
    if not callable(function):
        raise FuncError(f"non-function {callee} of type {go_type_name(function)}")
    return function(*args)


# -- comparison ------------------------------------------------------------------------------------
def _kind(value: Any) -> str:
    if value is None:
        return "invalid"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "other"


def _bad_types(a: Any, b: Any) -> FuncError:
    return FuncError(f"incompatible types for comparison: {go_type_name(a)} and {go_type_name(b)}")


@gofunc(BUILTINS, "eq", "any", "...any")
def _eq(first: Any, *others: Any) -> bool:
    if not others:
        raise FuncError("missing argument for comparison")
    k1 = _kind(first)
    for other in others:
        k2 = _kind(other)
        if k1 != k2:
            if first is not None and other is not None:
                raise _bad_types(first, other)
            continue
        if k1 == "other":
            if isinstance(first, (dict, list)) or isinstance(other, (dict, list)):
                from engine.gotemplate.gofmt import sprintf

                raise FuncError(f"non-comparable type {sprintf('%s', [first])}: {go_type_name(first)}")
            if first is other or first == other:
                return True
            continue
        if k1 == "invalid" or first == other:
            return True
    return False


@gofunc(BUILTINS, "ne", "any", "any")
def _ne(first: Any, second: Any) -> bool:
    return not _eq(first, second)


def _less(first: Any, second: Any) -> bool:
    k1, k2 = _kind(first), _kind(second)
    if k1 in ("invalid", "other") or k2 in ("invalid", "other"):
        raise FuncError("invalid type for comparison")
    if k1 != k2:
        raise _bad_types(first, second)
    if k1 == "bool":
        raise FuncError("invalid type for comparison")
    return first < second


@gofunc(BUILTINS, "lt", "any", "any")
def _lt(first: Any, second: Any) -> bool:
    return _less(first, second)


@gofunc(BUILTINS, "le", "any", "any")
def _le(first: Any, second: Any) -> bool:
    return _less(first, second) or _eq(first, second)


@gofunc(BUILTINS, "gt", "any", "any")
def _gt(first: Any, second: Any) -> bool:
    return not _less(first, second) and not _eq(first, second)


@gofunc(BUILTINS, "ge", "any", "any")
def _ge(first: Any, second: Any) -> bool:
    return not _less(first, second)


__all__ = ["BUILTINS", "GoStruct", "Int64"]

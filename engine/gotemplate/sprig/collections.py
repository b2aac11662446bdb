"""Sprig's list and dict functions, defaults, and type reflection."""
from __future__ import annotations

import copy
import math
from typing import Any

from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, GoFunc, gofunc
from engine.gotemplate.gotypes import Int64, StrList, go_kind, go_type_name, truthy
from engine.gotemplate.sprig.conversion import strval, to_int64

FUNCS: FuncMap = {}


def go_deep_equal(a: Any, b: Any) -> bool:
    """reflect.DeepEqual on the Python value model: types must match, not just values."""
    if go_type_name(a) != go_type_name(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(go_deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(go_deep_equal(x, y) for x, y in zip(a, b))
    return a == b


def is_empty(value: Any) -> bool:
    """Sprig's empty: zero values, empty collections and nil are empty."""
    return not truthy(value)


NIL_DEREFERENCE = "runtime error: invalid memory address or nil pointer dereference"


def _as_list(value: Any, refusal: str) -> list:
    """``value`` as a list, or Sprig's refusal (``refusal`` formatted with the Go kind); nil panics in Sprig's
    ``reflect.TypeOf(list).Kind()`` and the template reports the recovered panic."""
    if isinstance(value, (list, tuple)):
        return list(value)
    if value is None:
        raise FuncError(NIL_DEREFERENCE)
    raise FuncError(refusal.format(go_kind(value)))


def _register_list_func(name: str, refusal: str, params: tuple[str, ...], body) -> None:
    """Register ``name`` and ``mustName``: Sprig's plain variants panic with the error the must variants
    return, so the template reports the same message for both."""
    must = "must" + name[0].upper() + name[1:]

    def list_func(value: Any, *rest: Any) -> Any:
        return body(_as_list(value, refusal), *rest)

    FUNCS[name] = GoFunc(name, list_func, params)
    FUNCS[must] = GoFunc(must, list_func, params)


_register_list_func("first", "Cannot find first on type {}", ("any",), lambda l: l[0] if l else None)
_register_list_func("last", "Cannot find last on type {}", ("any",), lambda l: l[-1] if l else None)
_register_list_func("rest", "Cannot find rest on type {}", ("any",), lambda l: l[1:])
_register_list_func("initial", "Cannot find initial on type {}", ("any",), lambda l: l[:-1])
_register_list_func("reverse", "Cannot find reverse on type {}", ("any",), lambda l: l[::-1])
_register_list_func("compact", "Cannot compact on type {}", ("any",), lambda l: [v for v in l if not is_empty(v)])
_register_list_func("append", "Cannot push on type {}", ("any", "any"), lambda l, v: [*l, v])
_register_list_func("push", "Cannot push on type {}", ("any", "any"), lambda l, v: [*l, v])
_register_list_func("prepend", "Cannot prepend on type {}", ("any", "any"), lambda l, v: [v, *l])


def _uniq(items: list) -> list:
    out: list = []
    for item in items:
        if not any(go_deep_equal(item, seen) for seen in out):
            out.append(item)
    return out


_register_list_func("uniq", "Cannot find uniq on type {}", ("any",), _uniq)
_register_list_func("without", "Cannot find without on type {}", ("any", "...any"),
                    lambda l, *omit: [v for v in l if not any(go_deep_equal(v, o) for o in omit)])


def _has(items: list, needle: Any) -> bool:
    return any(go_deep_equal(needle, v) for v in items)


@gofunc(FUNCS, "has", "any", "any")
def _has_func(needle: Any, haystack: Any) -> bool:
    if haystack is None:
        return False
    return _has(_as_list(haystack, "Cannot find has on type {}"), needle)


FUNCS["mustHas"] = GoFunc("mustHas", _has_func, ("any", "any"))


@gofunc(FUNCS, "list", "...any")
def _list(*values: Any) -> list:
    return list(values)


FUNCS["tuple"] = GoFunc("tuple", _list, ("...any",))


@gofunc(FUNCS, "concat", "...any")
def _concat(*lists: Any) -> list:
    out: list = []
    for value in lists:
        out.extend(_as_list(value, "Cannot concat type {} as list"))
    return out


_SLICE_OUT_OF_BOUNDS = "reflect.Value.Slice: slice index out of bounds"


def _slice(value: Any, *indexes: Any) -> Any:
    """Sprig's slice (it replaces Go's built-in): an empty list gives nil, bounds outside the list panic."""
    items = _as_list(value, "list should be type of slice or array but {}")
    if not items:
        return None
    start = to_int64(indexes[0]) if indexes else 0
    end = to_int64(indexes[1]) if len(indexes) > 1 else len(items)
    if not 0 <= start <= end <= len(items):
        raise FuncError(_SLICE_OUT_OF_BOUNDS)
    return items[start:end]


FUNCS["slice"] = GoFunc("slice", _slice, ("any", "...any"))
FUNCS["mustSlice"] = GoFunc("mustSlice", _slice, ("any", "...any"))
_MAKESLICE = "runtime error: makeslice: len out of range"


@gofunc(FUNCS, "chunk", "int", "any")
def _chunk(size: int, value: Any) -> list:
    """Sprig's chunk; its float arithmetic makes a zero or negative size panic unless no chunk results."""
    items = _as_list(value, "Cannot chunk type {}")
    if size == 0:
        raise FuncError(_MAKESLICE)
    count = math.floor((len(items) - 1) / size) + 1
    if count < 0 or (size < 0 and count > 0):
        raise FuncError(_MAKESLICE)
    return [items[i:i + size] for i in range(0, len(items), size)] if size > 0 else []


FUNCS["mustChunk"] = GoFunc("mustChunk", _chunk, ("int", "any"))



# -- dicts ---------------------------------------------------------------------------------------------
@gofunc(FUNCS, "dict", "...any")
def _dict(*pairs: Any) -> dict:
    result = {}
    items = list(pairs)
    if len(items) % 2:
        items.append("")
    for i in range(0, len(items), 2):
        result[strval(items[i])] = items[i + 1]
    return result


@gofunc(FUNCS, "get", "map", "string")
def _get(mapping: dict, key: str) -> Any:
    if mapping is not None and key in mapping:
        return mapping[key]
    return ""


@gofunc(FUNCS, "set", "map", "string", "any")
def _set(mapping: dict, key: str, value: Any) -> dict:
    mapping[key] = value
    return mapping


@gofunc(FUNCS, "unset", "map", "string")
def _unset(mapping: dict, key: str) -> dict:
    mapping.pop(key, None)
    return mapping


@gofunc(FUNCS, "hasKey", "map", "string")
def _has_key(mapping: dict, key: str) -> bool:
    return mapping is not None and key in mapping


@gofunc(FUNCS, "pluck", "string", "...map")
def _pluck(key: str, *mappings: dict) -> list:
    return [m[key] for m in mappings if m is not None and key in m]


@gofunc(FUNCS, "keys", "...map")
def _keys(*mappings: dict) -> StrList:
    return StrList(k for m in mappings if m for k in m)


@gofunc(FUNCS, "values", "map")
def _values(mapping: dict) -> list:
    return list((mapping or {}).values())


@gofunc(FUNCS, "pick", "map", "...string")
def _pick(mapping: dict, *keys: str) -> dict:
    return {k: mapping[k] for k in keys if mapping and k in mapping}


@gofunc(FUNCS, "omit", "map", "...string")
def _omit(mapping: dict, *keys: str) -> dict:
    return {k: v for k, v in (mapping or {}).items() if k not in keys}


@gofunc(FUNCS, "dig", "...any")
def _dig(*args: Any) -> Any:
    if len(args) < 3:
        raise FuncError("dig needs at least three arguments")
    mapping, default, path = args[-1], args[-2], args[:-2]
    if go_type_name(mapping) != "map[string]interface {}":
        raise FuncError(f"interface conversion: interface {{}} is {go_type_name(mapping)}, not map[string]interface {{}}")
    current: Any = mapping
    for step in path:
        key = strval(step) if not isinstance(step, str) else step
        if isinstance(current, dict) and key in current:
            current = current[key]
        else:
            return default
    return current


def _mergo(dst: dict, src: dict, overwrite: bool) -> None:
    """mergo.Merge (WithOverride when ``overwrite``) for map[string]interface{} values."""
    for key, value in src.items():
        if key in dst and isinstance(dst[key], dict) and isinstance(value, dict):
            _mergo(dst[key], value, overwrite)
            continue
        if overwrite or key not in dst or is_empty(dst[key]):
            if not overwrite and value is None:
                continue
            dst[key] = value


def _merge_func(name: str, overwrite: bool) -> None:
    def merge(dst: dict, *sources: dict) -> dict:
        for source in sources:
            if source:
                _mergo(dst, source, overwrite)
        return dst
    FUNCS[name] = GoFunc(name, merge, ("map", "...map"))
    must = "must" + name[0].upper() + name[1:]
    FUNCS[must] = GoFunc(must, merge, ("map", "...map"))


_merge_func("merge", False)
_merge_func("mergeOverwrite", True)


@gofunc(FUNCS, "deepCopy", "any")
def _deep_copy(value: Any) -> Any:
    if value is None:  # copystructure reflects on the value before copying it
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    return copy.deepcopy(value)


FUNCS["mustDeepCopy"] = GoFunc("mustDeepCopy", _deep_copy, ("any",))


# -- defaults ------------------------------------------------------------------------------------------
@gofunc(FUNCS, "default", "any", "...any")
def _default(default: Any, *given: Any) -> Any:
    if not given or is_empty(given[0]):
        return default
    return given[0]


@gofunc(FUNCS, "empty", "any")
def _empty(value: Any) -> bool:
    return is_empty(value)


@gofunc(FUNCS, "coalesce", "...any")
def _coalesce(*values: Any) -> Any:
    return next((v for v in values if not is_empty(v)), None)


@gofunc(FUNCS, "all", "...any")
def _all(*values: Any) -> bool:
    return all(not is_empty(v) for v in values)


@gofunc(FUNCS, "any", "...any")
def _any(*values: Any) -> bool:
    return any(not is_empty(v) for v in values)


@gofunc(FUNCS, "ternary", "any", "any", "bool")
def _ternary(true_value: Any, false_value: Any, condition: bool) -> Any:
    return true_value if condition else false_value


# -- reflection -------------------------------------------------------------------------------------------
@gofunc(FUNCS, "typeOf", "any")
def _type_of(value: Any) -> str:
    return go_type_name(value)


@gofunc(FUNCS, "typeIs", "string", "any")
def _type_is(name: str, value: Any) -> bool:
    return go_type_name(value) == name


@gofunc(FUNCS, "typeIsLike", "string", "any")
def _type_is_like(name: str, value: Any) -> bool:
    type_name = go_type_name(value)
    return type_name == name or "*" + type_name == name


@gofunc(FUNCS, "kindOf", "any")
def _kind_of(value: Any) -> str:
    return go_kind(value)


@gofunc(FUNCS, "kindIs", "string", "any")
def _kind_is(name: str, value: Any) -> bool:
    return go_kind(value) == name


@gofunc(FUNCS, "deepEqual", "any", "any")
def _deep_equal(a: Any, b: Any) -> bool:
    return go_deep_equal(a, b)


__all__ = ["FUNCS", "Int64", "is_empty", "go_deep_equal"]


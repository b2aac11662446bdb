"""What generated template code calls at run time: the execution state and text/template's checks.

Generated modules (see codegen.py) do the straight-line work themselves; the rules that need a value's
run-time type live here: field chains, argument type checks, range over a value, method calls on
GoStruct. Every error is an :class:`ExecError` worded as Go's exec.go words it, at a location ``loc`` =
``(source name, line, byte column, node text)`` the generator computed once.
"""
from __future__ import annotations

import sys
from typing import Any, Callable, Iterable, NoReturn

from engine.gotemplate.builtins import call_named
from engine.gotemplate.errors import ExecError, TemplateError
from engine.gotemplate.gotypes import GoStruct, Int64, StrList, go_type_name, truthy

Loc = tuple[str, int, int, str]
MISSING = object()  # "no final value" in a pipeline


class _NilInterface:
    """A nil interface{} taken straight from a map (Go distinguishes it from an invalid value)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NIL_IFACE"


NIL_IFACE = _NilInterface()
GO_TYPE = {"string": "string", "int": "int", "int64": "int64", "uint32": "uint32", "float64": "float64",
           "bool": "bool", "any": "interface {}", "[]any": "[]interface {}", "map": "map[string]interface {}",
           "[]string": "[]string", "[]byte": "[]uint8", "reflect.Value": "reflect.Value"}
NILABLE = frozenset({"any", "[]any", "map", "[]string", "[]byte", "reflect.Value"})


class Break(Exception):
    """{{break}} inside a body the generator split into a function of its own."""


class Continue(Exception):
    """{{continue}} inside a body the generator split into a function of its own."""


class State:
    """Execution state of one top-level execute: current template, scratch space for functions."""

    __slots__ = ("template_set", "scratch", "template_name", "depth")

    def __init__(self, template_set: Any, scratch: dict | None = None):
        self.template_set = template_set
        self.scratch = scratch if scratch is not None else {}
        self.template_name = ""
        self.depth = 0

    def execute_template(self, name: str, data: Any) -> str:
        """Run template ``name`` with dot ``data`` (for include); errors propagate in Go's wording."""
        return self.template_set._run(name, plain(data), self)


def plain(value: Any) -> Any:
    return None if value is NIL_IFACE else value


def fail(state: State, loc: Loc, msg: str, cause: BaseException | None = None) -> NoReturn:
    error = ExecError(loc[0], loc[1], loc[2], loc[3], msg, state.template_name)
    if cause is not None:
        raise error from cause
    raise error


def call_failed(state: State, loc: Loc, name: str) -> NoReturn:
    """A function raised (the exception being handled): Go reports ``error calling NAME: MSG`` (a recovered
    panic reads the same). Generated code calls it in a bare ``except Exception:``, which Python compiles to
    far less code than ``except Exception as exc:`` (that adds a hidden try/finally to unbind the name)."""
    exc = sys.exc_info()[1]
    if isinstance(exc, (RecursionError, Break, Continue)):
        raise exc
    fail(state, loc, f"error calling {name}: {exc}", exc)


def call_failed_at(state: State, call_sites: dict[int, tuple[Loc, str]]) -> NoReturn:
    """The handler of a generated function: when the exception being handled came out of a call of a template
    function (``call_sites``: the module's lines that call one), that call failed (``call_failed``); any other
    propagates as it is. One handler per function rather than one per call keeps the generated code small."""
    exc = sys.exc_info()[1]
    site = call_sites.get(exc.__traceback__.tb_lineno)  # the handling function's line the exception left
    if site is None:
        raise  # noqa: PLE0704 (re-raises the exception being handled)
    call_failed(state, *site)


# -- arguments ---------------------------------------------------------------------------------------------
def validate(state: State, loc: Loc, value: Any, param: str) -> Any:
    """Go's validateType for a non-constant argument."""
    if value is None:
        if param in NILABLE:
            return None
        fail(state, loc, f"invalid value; expected {GO_TYPE.get(param, param)}")
    if value is NIL_IFACE:
        if param == "any":
            return None
    elif param == "any" or _assignable(value, param):
        return value
    got = "interface {}" if value is NIL_IFACE else go_type_name(value)
    fail(state, loc, f"wrong type for value; expected {GO_TYPE.get(param, param)}; got {got}")


# A constant argument as the generator records it: (kind, text, value, is_int, is_float, int_value,
# float_value); kind is "bool", "string", "number" or "nil"; value is what interface{} receives.
Constant = tuple[str, str, Any, bool, bool, int, float]


def convert_constant(constant: Constant, param: str) -> tuple[Any, str | None]:
    """Go's evalArg for a constant: untyped constants take the parameter's type.

    Returns (value, None) or (None, error message), so the generator can decide at generation time."""
    kind, text, value, is_int, is_float, int_value, float_value = constant
    if kind == "nil":
        if param in NILABLE:
            return None, None
        return None, f"cannot assign nil to {GO_TYPE.get(param, param)}"
    if param == "any":
        return value, None
    if param == "string":
        return (value, None) if kind == "string" else (None, f"expected string; found {text}")
    if param in ("int", "int64"):
        if kind == "number" and is_int:
            return (Int64(int_value) if param == "int64" else int_value), None
        return None, f"expected integer; found {text}"
    if param == "uint32":
        if kind == "number" and is_int and int_value >= 0:
            return int_value & 0xFFFFFFFF, None  # reflect's SetUint keeps the low bits
        return None, f"expected unsigned integer; found {text}"
    if param == "float64":
        return (float_value, None) if kind == "number" and is_float else (None, f"expected float; found {text}")
    if param == "bool":
        return (value, None) if kind == "bool" else (None, f"expected bool; found {text}")
    return None, f"can't handle {text} for arg of type {GO_TYPE.get(param, param)}"


def _assignable(value: Any, param: str) -> bool:
    if param == "string":
        return isinstance(value, str)
    if param == "int":
        return isinstance(value, int) and not isinstance(value, (bool, Int64))
    if param == "int64":
        return isinstance(value, Int64)
    if param == "uint32":
        return False  # no value of the engine is a uint32; only constants convert
    if param == "float64":
        return isinstance(value, float)
    if param == "bool":
        return isinstance(value, bool)
    if param == "[]any":
        return isinstance(value, (list, tuple)) and not isinstance(value, StrList)
    if param == "[]string":
        return isinstance(value, StrList)
    if param == "map":
        return isinstance(value, dict)
    if param == "[]byte":
        return isinstance(value, bytes)
    if param in GO_TYPE:
        return True
    return isinstance(value, GoStruct) and value.go_type == param  # a struct parameter: time.Time


# -- method calls ------------------------------------------------------------------------------------------
# A method argument: ("const", Constant, loc) or ("value", thunk returning the raw value, loc of the node
# Go's executor last stood at while evaluating it).
MethodArg = tuple[str, Any, Loc]


def call_method(state: State, loc: Loc, name: str, method: Callable[..., Any], params: tuple[str, ...],
                args: tuple[MethodArg, ...], final: Any) -> Any:
    """Go's evalCall for a method of a GoStruct, whose parameter types are known only at run time."""
    variadic = bool(params) and params[-1].startswith("...")
    count = len(args) + (0 if final is MISSING else 1)
    fixed = len(params) - 1 if variadic else len(params)
    if variadic:
        if count < fixed:
            fail(state, loc, f"wrong number of args for {name}: want at least {fixed} got {len(args)}")
    elif count != len(params):
        fail(state, loc, f"wrong number of args for {name}: want {len(params)} got {count}")
    argv = []
    for i, (kind, payload, arg_loc) in enumerate(args):
        param = params[i] if i < fixed else params[-1][3:]
        if kind == "const":
            value, error = convert_constant(payload, param)
            if error is not None:
                fail(state, arg_loc, error)
            argv.append(value)
        else:
            argv.append(validate(state, arg_loc, payload(), param))
    if final is not MISSING:
        index = len(args)
        param = params[index] if index < fixed else params[-1][3:]
        argv.append(validate(state, args[-1][2] if args else loc, final, param))
    try:
        return method(*argv)
    except Exception:
        call_failed(state, loc, name)


# -- fields ------------------------------------------------------------------------------------------------
def field_chain(state: State, loc: Loc, receiver: Any, names: tuple[str, ...], from_dot: bool,
                missing_error: bool, args: tuple[MethodArg, ...] = (), final: Any = MISSING) -> Any:
    """Go's evalFieldChain: map keys, struct fields and methods, one name after another."""
    static = None  # None: the receiver's own type; else the Go static type name
    last = len(names) - 1
    for i, name in enumerate(names):
        if receiver.__class__ is dict and not (i == last and (args or final is not MISSING)):
            receiver = receiver.get(name, MISSING)  # the common case: a map key
            if receiver is MISSING:
                if missing_error:
                    fail(state, loc, f'map has no entry for key "{name}"')
                receiver = None
            if receiver is None:
                receiver = NIL_IFACE
            static = "interface {}"
            continue
        if receiver is None:
            if i == 0 and not from_dot:
                if missing_error:
                    fail(state, loc, f'nil data; no entry for key "{name}"')
                return None
            if i == 0:
                return None
            fail(state, loc, f"nil pointer evaluating {static or 'interface {}'}.{name}")
        if receiver is NIL_IFACE:
            fail(state, loc, f"nil pointer evaluating interface {{}}.{name}")
        if isinstance(receiver, GoStruct) and name in receiver.go_methods:
            receiver = call_method(state, loc, name, getattr(receiver, name), receiver.go_methods[name],
                                   args if i == last else (), final if i == last else MISSING)
            static = None
            continue
        if isinstance(receiver, dict):
            if i == last and (args or final is not MISSING):
                fail(state, loc, f"{name} is not a method but has arguments")
            if name in receiver:
                receiver = receiver[name]
            elif missing_error:
                fail(state, loc, f'map has no entry for key "{name}"')
            else:
                receiver = None
            if receiver is None:
                receiver = NIL_IFACE
            static = "interface {}"
            continue
        if isinstance(receiver, GoStruct):
            if name in receiver.go_fields and not name[0].islower():
                if i == last and (args or final is not MISSING):
                    fail(state, loc, f"{name} has arguments but cannot be invoked as function")
                receiver = getattr(receiver, name)
                static = None
                continue
        fail(state, loc, f"can't evaluate field {name} in type {static or go_type_name(receiver)}")
    return receiver


def field_value(state: State, loc: Loc, receiver: Any, names: tuple[str, ...], from_dot: bool,
                missing_error: bool, args: tuple[MethodArg, ...] = (), final: Any = MISSING) -> Any:
    """A field chain as a pipeline's command: a nil interface is nil."""
    value = field_chain(state, loc, receiver, names, from_dot, missing_error, args, final)
    return None if value is NIL_IFACE else value


# -- control -----------------------------------------------------------------------------------------------
def range_items(state: State, pipe_loc: Loc, value_loc: Loc, value: Any, two_names: bool) -> Iterable[tuple]:
    """The (index or key, element) pairs Go's range visits: lists in order, maps by sorted key, ints 0..n-1."""
    value = plain(value)
    if isinstance(value, (list, tuple)):
        return enumerate(value)
    if isinstance(value, dict):
        return ((key, value[key]) for key in _sorted_keys(value))
    if isinstance(value, int) and not isinstance(value, bool):
        if two_names:
            fail(state, pipe_loc, f"can't use {value} to iterate over more than one variable")
        return ((i, i) for i in range(value))
    if value is not None:
        from engine.gotemplate.gofmt import format_value
        fail(state, value_loc, f"range can't iterate over {format_value(value)}")
    return ()


def _sorted_keys(mapping: dict) -> list:
    try:
        return sorted(mapping)
    except TypeError:
        return sorted(mapping, key=str)


def printed(value: Any) -> str:
    """What {{ value }} writes."""
    if value is None or value is NIL_IFACE:
        return "<no value>"
    if value.__class__ is str:
        return value
    if isinstance(value, GoStruct) and "String" in value.go_methods:
        return value.String()
    from engine.gotemplate.gofmt import format_value
    return format_value(value)


def run_template(state: State, loc: Loc, name: str, data: Any) -> str:
    """{{template "name" data}}: the named template of the set, or Go's "not defined" error."""
    if not state.template_set.has(name):
        template_not_defined(state, loc, name)
    return state.template_set._run(name, plain(data), state)


def template_not_defined(state: State, loc: Loc, name: str) -> NoReturn:
    from engine.gotemplate.gofmt import go_quote
    fail(state, loc, f"template {go_quote(name)} not defined")


def undefined_variable(name: str) -> NoReturn:
    """A variable the parser saw declared in a branch that did not run (Go finds it missing at run time)."""
    raise TemplateError(f"undefined variable: {name}")


def not_defined(state: State, loc: Loc, name: str) -> NoReturn:
    fail(state, loc, f'"{name}" is not a defined function')


# what generated modules find besides their own constants and functions
GENERATED_CODE_GLOBALS: dict[str, Any] = {
    "MISSING": MISSING, "NIL_IFACE": NIL_IFACE, "Break": Break, "Continue": Continue, "Int64": Int64,
    "truthy": truthy, "fail": fail, "call_failed_at": call_failed_at, "validate": validate, "field_chain": field_chain,
    "field_value": field_value, "range_items": range_items, "printed": printed, "run_template": run_template,
    "template_not_defined": template_not_defined, "undefined_variable": undefined_variable,
    "not_defined": not_defined, "call_named": call_named}

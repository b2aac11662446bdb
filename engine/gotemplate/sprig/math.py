"""Sprig's integer and float arithmetic (int64 results, decimal-exact float ops)."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, GoFunc, gofunc
from engine.gotemplate.gotypes import Int64
from engine.gotemplate.sprig.conversion import float_to_int64, to_float64, to_int64, _wrap_int64

if TYPE_CHECKING:
    from decimal import Decimal

FUNCS: FuncMap = {}


def _go_div(a: int, b: int) -> int:
    if b == 0:
        raise FuncError("runtime error: integer divide by zero")
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


def _go_mod(a: int, b: int) -> int:
    if b == 0:
        raise FuncError("runtime error: integer divide by zero")
    return a - _go_div(a, b) * b


@gofunc(FUNCS, "add1", "any")
def _add1(value: Any) -> Int64:
    return Int64(_wrap_int64(to_int64(value) + 1))


@gofunc(FUNCS, "add", "...any")
def _add(*values: Any) -> Int64:
    return Int64(_wrap_int64(sum(to_int64(v) for v in values)))


@gofunc(FUNCS, "sub", "any", "any")
def _sub(a: Any, b: Any) -> Int64:
    return Int64(_wrap_int64(to_int64(a) - to_int64(b)))


@gofunc(FUNCS, "div", "any", "any")
def _div(a: Any, b: Any) -> Int64:
    return Int64(_go_div(to_int64(a), to_int64(b)))


@gofunc(FUNCS, "mod", "any", "any")
def _mod(a: Any, b: Any) -> Int64:
    return Int64(_go_mod(to_int64(a), to_int64(b)))


@gofunc(FUNCS, "mul", "any", "...any")
def _mul(a: Any, *values: Any) -> Int64:
    result = to_int64(a)
    for value in values:
        result = _wrap_int64(result * to_int64(value))
    return Int64(result)


@gofunc(FUNCS, "max", "any", "...any")
def _max(a: Any, *values: Any) -> Int64:
    return Int64(max([to_int64(a), *(to_int64(v) for v in values)]))


FUNCS["biggest"] = GoFunc("biggest", _max, ("any", "...any"))


@gofunc(FUNCS, "min", "any", "...any")
def _min(a: Any, *values: Any) -> Int64:
    return Int64(min([to_int64(a), *(to_int64(v) for v in values)]))


@gofunc(FUNCS, "maxf", "any", "...any")
def _maxf(a: Any, *values: Any) -> float:
    return max([to_float64(a), *(to_float64(v) for v in values)])


@gofunc(FUNCS, "minf", "any", "...any")
def _minf(a: Any, *values: Any) -> float:
    return min([to_float64(a), *(to_float64(v) for v in values)])


@gofunc(FUNCS, "floor", "any")
def _floor(value: Any) -> float:
    return float(math.floor(to_float64(value)))


@gofunc(FUNCS, "ceil", "any")
def _ceil(value: Any) -> float:
    return float(math.ceil(to_float64(value)))


@gofunc(FUNCS, "round", "any", "int", "...float64")
def _round(value: Any, places: int, *round_on: float) -> float:
    threshold = round_on[0] if round_on else 0.5
    power = math.pow(10, places)
    digit = power * to_float64(value)
    fraction = math.modf(digit)[0]
    return (math.ceil(digit) if fraction >= threshold else math.floor(digit)) / power


def _decimal(value: Any) -> Decimal:
    from decimal import Decimal  # only the float functions need it

    return Decimal(repr(to_float64(value)))


def _decimal_op(first: Any, rest: tuple[Any, ...], op) -> float:
    result = _decimal(first)
    for value in rest:
        result = op(result, _decimal(value))
    return float(result)


@gofunc(FUNCS, "addf", "...any")
def _addf(*values: Any) -> float:
    return _decimal_op(0.0, values, lambda a, b: a + b)


@gofunc(FUNCS, "add1f", "any")
def _add1f(value: Any) -> float:
    return _decimal_op(value, (1.0,), lambda a, b: a + b)


@gofunc(FUNCS, "subf", "any", "...any")
def _subf(a: Any, *values: Any) -> float:
    return _decimal_op(a, values, lambda x, y: x - y)


@gofunc(FUNCS, "mulf", "any", "...any")
def _mulf(a: Any, *values: Any) -> float:
    return _decimal_op(a, values, lambda x, y: x * y)


@gofunc(FUNCS, "divf", "any", "...any")
def _divf(a: Any, *values: Any) -> float:
    result = to_float64(a)
    for value in values:
        divisor = to_float64(value)
        if divisor == 0:
            raise FuncError("decimal division by 0")
        result = float(_decimal(result) / _decimal(divisor))
    return result


@gofunc(FUNCS, "until", "int")
def _until(count: int) -> list:
    step = 1 if count >= 0 else -1
    return list(range(0, count, step))


@gofunc(FUNCS, "untilStep", "int", "int", "int")
def _until_step(start: int, stop: int, step: int) -> list:
    if step == 0 or (step > 0 and start >= stop) or (step < 0 and start <= stop):
        return []
    return list(range(start, stop, step))


@gofunc(FUNCS, "seq", "...int")
def _seq(*params: int) -> str:
    if len(params) == 0:
        return ""
    if len(params) == 1:
        start, step, end = 1, 1, params[0]
        if end < 1:
            step = -1
    elif len(params) == 2:
        start, end = params
        step = 1 if end >= start else -1
    elif len(params) == 3:
        start, step, end = params
        if (end > start and step <= 0) or (end < start and step >= 0) or step == 0:
            return ""
    else:
        return ""
    values = list(range(start, end + (1 if step > 0 else -1), step))
    return " ".join(str(v) for v in values)


__all__ = ["FUNCS", "float_to_int64"]

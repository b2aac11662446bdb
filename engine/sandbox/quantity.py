"""Resource quantities (``500m``, ``1Gi``) parsed and written in canonical form, as apimachinery's
``resource.ParseQuantity`` and ``Quantity.String`` (CanonicalizeBytes) do: the server stores ``cpu: 0.5`` as
``500m`` and ``memory: 1000000000`` as ``1G``."""
from __future__ import annotations

import math
import re
from fractions import Fraction

FORMAT_TEXT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_SHAPE = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}


class QuantityError(ValueError):
    """The text is no quantity; the message is apimachinery's."""


def parse(text: str) -> tuple[Fraction, str]:
    """The value and its format (``BinarySI``, ``DecimalSI`` or ``DecimalExponent``)."""
    match = _SHAPE.match(text.strip() if text else "")
    if not match or match.group(1).count(".") > 1 or match.group(1).strip("+-") in ("", "."):
        raise QuantityError(FORMAT_TEXT)
    number, suffix = match.groups()
    value = Fraction(number)
    if suffix in _BINARY:
        return value * 2 ** _BINARY[suffix], "BinarySI"
    if suffix in _DECIMAL:
        return value * Fraction(10) ** _DECIMAL[suffix], "DecimalSI"
    exponent = re.fullmatch(r"[eE]([-+]?[0-9]+)", suffix)
    if exponent:
        return value * Fraction(10) ** int(exponent.group(1)), "DecimalExponent"
    raise QuantityError("unable to parse quantity's suffix")


def canonical(text: str) -> str:
    """The text kube-apiserver stores for a quantity (values finer than 1n round up, as it rounds them)."""
    value, form = parse(text)
    nano = math.ceil(value * 10 ** 9)
    if nano == 0:
        return "0"
    sign, nano = ("-", -nano) if nano < 0 else ("", nano)
    if form == "BinarySI" and nano % 10 ** 9 == 0 and nano >= 1024 * 10 ** 9:
        whole = nano // 10 ** 9
        shift = 0
        while whole % 1024 == 0 and shift < 60:
            whole //= 1024
            shift += 10
        return f"{sign}{whole}{next((k for k, v in _BINARY.items() if v == shift), '')}"
    exponent = -9
    while nano % 1000 == 0 and exponent < 18:
        nano //= 1000
        exponent += 3
    if form == "DecimalExponent":
        return f"{sign}{nano}" + (f"e{exponent}" if exponent else "")
    return f"{sign}{nano}{_DECIMAL_SUFFIX[exponent]}"


def value(text: str) -> Fraction:
    return parse(str(text))[0]

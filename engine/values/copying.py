"""Deep copies of values trees, the copy Helm takes before coalescing mutates them (copystructure.Copy)."""
from __future__ import annotations

import copy
from typing import Any

_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def copy_values(value: Any) -> Any:
    """A deep copy of YAML/JSON data: maps and lists are copied, immutable scalars shared.

    Several times faster than ``copy.deepcopy`` on values trees because it keeps no memo: a map reached
    twice is copied twice, as copystructure copies it. Any other type is left to ``copy.deepcopy``."""
    cls = value.__class__
    if cls is dict:
        return {key: item if item.__class__ in _IMMUTABLE else copy_values(item) for key, item in value.items()}
    if cls is list:
        return [item if item.__class__ in _IMMUTABLE else copy_values(item) for item in value]
    if cls in _IMMUTABLE:
        return value
    return copy.deepcopy(value)

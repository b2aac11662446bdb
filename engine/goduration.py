"""Go's ``time.ParseDuration`` for the durations users write in flags and settings (``90s``, ``2m0s``)."""
from __future__ import annotations

import re

_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds in a Go duration; raises ValueError worded as Go's (``time: invalid duration "x"``)."""
    if text == "0":
        return 0.0
    parts = _PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f'time: invalid duration "{text}"')
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


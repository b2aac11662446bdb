"""Sprig's date functions with Sprig's Go signatures: a ``time.Time`` parameter refuses anything else, an
``interface {}`` one takes a time or Unix seconds and falls back to now (over gotime and gotime_parse)."""
from __future__ import annotations

from typing import Any

from engine.gotemplate import gotime, gotime_parse
from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, gofunc
from engine.gotemplate.gotime import GoTime
from engine.gotemplate.gotypes import Int64

FUNCS: FuncMap = {}
_HOUR = 3600 * gotime.SECOND


def _time_or_now(value: Any) -> GoTime:
    """Sprig's type switch: a time, Unix seconds as an int, anything else the current time."""
    if isinstance(value, GoTime):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return gotime.from_unix(int(value))
    return gotime.now()


@gofunc(FUNCS, "now")
def _now() -> GoTime:
    return gotime.now()


@gofunc(FUNCS, "dateInZone", "string", "any", "string")
def _date_in_zone(layout: str, value: Any, zone: str) -> str:
    try:
        location = gotime.load_location(zone)
    except ValueError:
        location = gotime.load_location("UTC")
    return gotime.format_time(_time_or_now(value).in_zone(location), layout)


@gofunc(FUNCS, "date", "string", "any")
def _date(layout: str, value: Any) -> str:
    return _date_in_zone(layout, value, "Local")


@gofunc(FUNCS, "htmlDate", "any")
def _html_date(value: Any) -> str:
    return _date_in_zone("2006-01-02", value, "Local")


@gofunc(FUNCS, "htmlDateInZone", "any", "string")
def _html_date_in_zone(value: Any, zone: str) -> str:
    return _date_in_zone("2006-01-02", value, zone)


@gofunc(FUNCS, "unixEpoch", "time.Time")
def _unix_epoch(value: GoTime) -> str:
    return str(value.Unix())


@gofunc(FUNCS, "dateModify", "string", "time.Time")
def _date_modify(delta: str, value: GoTime) -> GoTime:
    try:
        return value.add(gotime.parse_duration(delta))
    except ValueError:
        return value


@gofunc(FUNCS, "mustDateModify", "string", "time.Time")
def _must_date_modify(delta: str, value: GoTime) -> GoTime:
    try:
        return value.add(gotime.parse_duration(delta))
    except ValueError as exc:
        raise FuncError(str(exc)) from None


@gofunc(FUNCS, "toDate", "string", "string")
def _to_date(layout: str, text: str) -> GoTime:
    try:
        return gotime_parse.parse_time(layout, text)
    except gotime_parse.TimeParseError:
        return gotime.zero_time()


@gofunc(FUNCS, "mustToDate", "string", "string")
def _must_to_date(layout: str, text: str) -> GoTime:
    try:
        return gotime_parse.parse_time(layout, text)
    except gotime_parse.TimeParseError as exc:
        raise FuncError(str(exc)) from None


@gofunc(FUNCS, "ago", "any")
def _ago(value: Any) -> str:
    return gotime.format_duration(gotime.round_duration(gotime.since(_time_or_now(value)), gotime.SECOND))


@gofunc(FUNCS, "duration", "any")
def _duration(value: Any) -> str:
    """Seconds as a Duration: only an int64 or a decimal string count; anything else is 0."""
    seconds = 0
    if isinstance(value, Int64):
        seconds = int(value)
    elif isinstance(value, str):
        try:
            seconds = int(value, 10) if value.strip() == value and "_" not in value else 0
        except ValueError:
            seconds = 0
        if not -2**63 <= seconds < 2**63:
            seconds = 0
    return gotime.format_duration(_wrap_int64(seconds * gotime.SECOND))


def _wrap_int64(value: int) -> int:
    """Go's int64 multiplication wraps around."""
    return (value + 2**63) % 2**64 - 2**63


_ROUNDING = (("y", 24 * 365 * _HOUR), ("mo", 24 * 30 * _HOUR), ("d", 24 * _HOUR), ("h", _HOUR),
             ("m", 60 * gotime.SECOND), ("s", gotime.SECOND))


@gofunc(FUNCS, "durationRound", "any")
def _duration_round(value: Any) -> str:
    """A Duration (a Go duration string, int64 nanoseconds, or the time since a time) in its largest unit."""
    nanos = 0
    if isinstance(value, str):
        try:
            nanos = gotime.parse_duration(value)
        except ValueError:
            nanos = 0
    elif isinstance(value, Int64):
        nanos = int(value)
    elif isinstance(value, GoTime):
        nanos = gotime.since(value)
    magnitude = abs(nanos)
    for unit, size in _ROUNDING:
        if magnitude > size:
            return f"{magnitude // size}{unit}"
    return "0s"

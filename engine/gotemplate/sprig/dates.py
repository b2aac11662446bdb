"""Sprig's date functions with Go's reference-time layouts (2006-01-02 15:04:05)."""
from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, gofunc
from engine.gotemplate.gotypes import GoStruct, Int64
from engine.gotemplate.sprig.conversion import to_int64

FUNCS: FuncMap = {}


class GoTime(GoStruct):
    """A time.Time."""

    go_type = "time.Time"
    go_methods = {"Unix": (), "UTC": (), "Format": ("string",), "Year": (), "String": ()}

    def __init__(self, moment: dt.datetime):
        self.moment = moment

    def Unix(self) -> Int64:
        return Int64(int(self.moment.timestamp()))

    def UTC(self) -> "GoTime":
        return GoTime(self.moment.astimezone(dt.timezone.utc))

    def Year(self) -> int:
        return self.moment.year

    def Format(self, layout: str) -> str:
        return go_format(self.moment, layout)

    def String(self) -> str:
        return go_format(self.moment, "2006-01-02 15:04:05.999999999 -0700 MST")


_TOKENS = [("January", "%B"), ("Jan", "%b"), ("Monday", "%A"), ("Mon", "%a"), ("2006", "%Y"), ("06", "%y"),
           ("01", "%m"), ("1", "_M"), ("02", "%d"), ("_2", "_D"), ("2", "_d"), ("15", "%H"), ("03", "%I"),
           ("3", "_h"), ("04", "%M"), ("4", "_m"), ("05", "%S"), ("5", "_s"), ("PM", "%p"), ("pm", "_p"),
           ("MST", "_Z"), ("Z07:00", "_z:"), ("-07:00", "_o:"), ("-0700", "_o"), ("-07", "_oh"), ("Z0700", "_z")]
_TOKEN_RE = re.compile("|".join(re.escape(t) for t, _ in sorted(_TOKENS, key=lambda x: -len(x[0])))
                       + r"|\.0+|\.9+")


def go_format(moment: dt.datetime, layout: str) -> str:
    """time.Time.Format for the common layout elements."""
    def render(match: re.Match) -> str:
        token = match.group(0)
        if token.startswith(".0"):
            return "." + f"{moment.microsecond * 1000:09d}"[:len(token) - 1]
        if token.startswith(".9"):
            digits = f"{moment.microsecond * 1000:09d}"[:len(token) - 1].rstrip("0")
            return "." + digits if digits else ""
        code = dict(_TOKENS)[token]
        offset = moment.utcoffset() or dt.timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        sign = "-" if minutes < 0 else "+"
        hours, mins = divmod(abs(minutes), 60)
        simple = {
            "_M": str(moment.month), "_D": f"{moment.day:2d}", "_d": str(moment.day),
            "_h": str((moment.hour % 12) or 12), "_m": str(moment.minute), "_s": str(moment.second),
            "_p": moment.strftime("%p").lower(), "_Z": moment.tzname() or "UTC",
            "_o:": f"{sign}{hours:02d}:{mins:02d}", "_o": f"{sign}{hours:02d}{mins:02d}", "_oh": f"{sign}{hours:02d}",
            "_z:": "Z" if minutes == 0 else f"{sign}{hours:02d}:{mins:02d}",
            "_z": "Z" if minutes == 0 else f"{sign}{hours:02d}{mins:02d}",
        }
        return simple[code] if code in simple else moment.strftime(code)
    return _TOKEN_RE.sub(render, layout)


def _as_time(value: Any) -> dt.datetime:
    if isinstance(value, GoTime):
        return value.moment
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(int(value)).astimezone()
    return dt.datetime.now().astimezone()


@gofunc(FUNCS, "now")
def _now() -> GoTime:
    return GoTime(dt.datetime.now().astimezone())


@gofunc(FUNCS, "date", "string", "any")
def _date(layout: str, value: Any) -> str:
    return go_format(_as_time(value), layout)


@gofunc(FUNCS, "dateInZone", "string", "any", "string")
def _date_in_zone(layout: str, value: Any, zone: str) -> str:
    from zoneinfo import ZoneInfo

    try:
        tz = ZoneInfo(zone) if zone not in ("", "UTC") else dt.timezone.utc
    except Exception:
        tz = dt.timezone.utc
    return go_format(_as_time(value).astimezone(tz), layout)


@gofunc(FUNCS, "htmlDate", "any")
def _html_date(value: Any) -> str:
    return go_format(_as_time(value), "2006-01-02")


@gofunc(FUNCS, "unixEpoch", "any")
def _unix_epoch(value: Any) -> str:
    return str(int(_as_time(value).timestamp()))


_DURATION = re.compile(r"([0-9]*\.?[0-9]+)(ns|us|µs|ms|s|m|h)")


def parse_go_duration(text: str) -> float:
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    parts = _DURATION.findall(body)
    if not parts or "".join(n + u for n, u in parts) != body:
        raise FuncError(f'time: invalid duration "{text}"')
    scale = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
    return sign * sum(float(n) * scale[u] for n, u in parts)


@gofunc(FUNCS, "dateModify", "string", "any")
def _date_modify(delta: str, value: Any) -> GoTime:
    moment = _as_time(value)
    try:
        return GoTime(moment + dt.timedelta(seconds=parse_go_duration(delta)))
    except FuncError:
        return GoTime(moment)


def format_duration(seconds: float) -> str:
    """time.Duration.String."""
    if seconds == 0:
        return "0s"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 1:
        for unit, scale in (("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
            if seconds >= scale:
                return f"{sign}{seconds / scale:g}{unit}"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{secs:.9f}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{sign}{int(hours)}h{int(minutes)}m{text}"
    if minutes:
        return f"{sign}{int(minutes)}m{text}"
    return sign + text


@gofunc(FUNCS, "duration", "any")
def _duration(value: Any) -> str:
    """Sprig accepts only an int64 or a decimal string; anything else counts as 0."""
    if isinstance(value, Int64):
        return format_duration(int(value))
    if isinstance(value, str):
        try:
            return format_duration(int(value, 10))
        except ValueError:
            return "0s"
    return "0s"


@gofunc(FUNCS, "durationRound", "any")
def _duration_round(value: Any) -> str:
    if isinstance(value, str):
        try:
            seconds = abs(parse_go_duration(value))
        except FuncError:
            return ""
    elif isinstance(value, GoTime):
        seconds = abs(time.time() - value.moment.timestamp())
    else:
        seconds = abs(to_int64(value)) / 1e9
    for unit, size in (("y", 31536000), ("mo", 2592000), ("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "0s"


@gofunc(FUNCS, "ago", "any")
def _ago(value: Any) -> str:
    seconds = round(time.time() - _as_time(value).timestamp())
    return format_duration(seconds)


def _to_date(layout: str, text: str) -> GoTime:
    conversions = {"2006": "%Y", "01": "%m", "02": "%d", "15": "%H", "04": "%M", "05": "%S", "Jan": "%b"}
    fmt = layout
    for go_token, py_token in conversions.items():
        fmt = fmt.replace(go_token, py_token)
    try:
        return GoTime(dt.datetime.strptime(text, fmt).replace(tzinfo=dt.timezone.utc))
    except ValueError as exc:
        raise FuncError(f'parsing time "{text}" as "{layout}": cannot parse') from exc


@gofunc(FUNCS, "toDate", "string", "string")
def _to_date_func(layout: str, text: str) -> GoTime:
    try:
        return _to_date(layout, text)
    except FuncError:
        return GoTime(dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc))


@gofunc(FUNCS, "mustToDate", "string", "string")
def _must_to_date(layout: str, text: str) -> GoTime:
    return _to_date(layout, text)


@gofunc(FUNCS, "htmlDateInZone", "any", "string")
def _html_date_in_zone(value: Any, zone: str) -> str:
    return _date_in_zone("2006-01-02", value, zone)


@gofunc(FUNCS, "mustDateModify", "string", "any")
def _must_date_modify(delta: str, value: Any) -> GoTime:
    return GoTime(_as_time(value) + dt.timedelta(seconds=parse_go_duration(delta)))

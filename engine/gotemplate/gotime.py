"""Go's time package as templates see it: time.Time values, Format with reference-time layouts
(``2006-01-02 15:04:05``), Duration parsing and printing, and the messages of each error (parsing times
is in gotime_parse).

A layout is read chunk by chunk as Go's ``nextStdChunk`` reads it, so ``Jan`` before a lower-case letter is
literal text, ``_2006`` is ``_`` then the year, and ``.000``/``.999`` are fractional seconds only when no
digit follows. Times keep nanoseconds, the zone abbreviation Go would print (empty for a parsed numeric
offset, printed as ``+0200``) and, for ``now``, Go's monotonic clock reading (``m=+0.051``).
"""
from __future__ import annotations

import datetime as dt
import time

from engine.gotemplate.gotypes import GoStruct, Int64

_START_NS = time.monotonic_ns()  # Go's monotonic readings count from the start of the process
CYCLE_YEARS, _CYCLE_SECONDS = 400, 146097 * 86400  # the Gregorian calendar repeats every 400 years
SECOND = 10**9
_UTC = dt.timezone.utc

LONG_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                "October", "November", "December")
LONG_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


class GoTime(GoStruct):
    """A time.Time: ``moment`` holds the wall clock in its zone (microseconds), ``nanosecond`` the full
    fraction, ``zone`` the abbreviation Go prints, ``monotonic`` the clock reading of ``now`` (ns) if any,
    ``year_shift`` the 400-year cycles Python's calendar cannot hold (Go's year 0 is year 400 shifted)."""

    go_type = "time.Time"
    go_methods = {"Unix": (), "UTC": (), "Format": ("string",), "Year": (), "String": ()}

    def __init__(self, moment: dt.datetime, nanosecond: int | None = None, zone: str | None = None,
                 monotonic: int | None = None, year_shift: int = 0):
        self.moment = moment
        self.nanosecond = moment.microsecond * 1000 if nanosecond is None else nanosecond
        self.zone = moment.tzname() or "" if zone is None else zone
        self.monotonic = monotonic
        self.year_shift = year_shift

    @property
    def year(self) -> int:
        return self.moment.year + self.year_shift

    def unix_nanos(self) -> int:
        whole = int((self.moment.replace(microsecond=0) - dt.datetime(1970, 1, 1, tzinfo=_UTC)).total_seconds())
        return (whole + self.year_shift // CYCLE_YEARS * _CYCLE_SECONDS) * SECOND + self.nanosecond

    def Unix(self) -> Int64:
        return Int64(self.unix_nanos() // SECOND)

    def UTC(self) -> "GoTime":
        return self.in_zone(_UTC)

    def Year(self) -> int:
        return self.year

    def Format(self, layout: str) -> str:
        return format_time(self, layout)

    def String(self) -> str:
        text = format_time(self, "2006-01-02 15:04:05.999999999 -0700 MST")
        if self.monotonic is None:
            return text
        sign, reading = ("-", -self.monotonic) if self.monotonic < 0 else ("+", self.monotonic)
        return f"{text} m={sign}{reading // SECOND}.{reading % SECOND:09d}"

    def json_form(self) -> str:
        """time.Time.MarshalJSON: RFC 3339 with nanoseconds."""
        return format_time(self, "2006-01-02T15:04:05.999999999Z07:00")

    def in_zone(self, zone: dt.tzinfo | None) -> "GoTime":
        """t.In(zone) (the local zone for None); like Go it drops the monotonic reading."""
        moment = local_instant(self.moment) if zone is None else self.moment.astimezone(zone)
        return GoTime(moment, self.nanosecond, moment.tzname() or "", None, self.year_shift)

    def add(self, nanos: int) -> "GoTime":
        """t.Add(d): the monotonic reading moves with the time."""
        total = self.nanosecond + nanos
        moment = (self.moment.replace(microsecond=0) + dt.timedelta(seconds=total // SECOND)).astimezone(
            self.moment.tzinfo)
        nanosecond = total % SECOND
        mono = None if self.monotonic is None else self.monotonic + nanos
        return GoTime(moment.replace(microsecond=nanosecond // 1000), nanosecond, self.zone, mono, self.year_shift)


def now() -> GoTime:
    """time.Now() in the local zone, with a monotonic reading."""
    wall = time.time_ns()
    moment = dt.datetime.fromtimestamp(wall // SECOND, _UTC).astimezone()
    nanosecond = wall % SECOND
    return GoTime(moment.replace(microsecond=nanosecond // 1000), nanosecond, None,
                  time.monotonic_ns() - _START_NS)


def from_unix(seconds: int) -> GoTime:
    """time.Unix(seconds, 0) in the local zone."""
    return GoTime(dt.datetime.fromtimestamp(seconds, _UTC).astimezone())


def zero_time() -> GoTime:
    """time.Time{}: January 1, year 1, 00:00:00 UTC."""
    return GoTime(dt.datetime(1, 1, 1, tzinfo=_UTC))


# -- layouts ---------------------------------------------------------------------------------------------------

_ZONE_ELEMENTS = ("-070000", "-07:00:00", "-0700", "-07:00", "-07", "Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07")
_ZERO_X = {"1": "01", "2": "02", "3": "03", "4": "04", "5": "05", "6": "06"}


def chunk(layout: str) -> tuple[str, str, str]:
    """Go's nextStdChunk: (literal prefix, layout element or "", rest of the layout)."""
    for i, c in enumerate(layout):
        rest = layout[i:]
        if c == "J" and rest.startswith("Jan"):
            if rest.startswith("January"):
                return layout[:i], "January", layout[i + 7:]
            if not rest[3:4].islower() or not rest[3:4].isascii():
                return layout[:i], "Jan", layout[i + 3:]
        elif c == "M" and rest.startswith("Mon"):
            if rest.startswith("Monday"):
                return layout[:i], "Monday", layout[i + 6:]
            if not rest[3:4].islower() or not rest[3:4].isascii():
                return layout[:i], "Mon", layout[i + 3:]
        elif c == "M" and rest.startswith("MST"):
            return layout[:i], "MST", layout[i + 3:]
        elif c == "0":
            if rest[1:2] in _ZERO_X:
                return layout[:i], _ZERO_X[rest[1:2]], layout[i + 2:]
            if rest.startswith("002"):
                return layout[:i], "002", layout[i + 3:]
        elif c == "1":
            if rest.startswith("15"):
                return layout[:i], "15", layout[i + 2:]
            return layout[:i], "1", layout[i + 1:]
        elif c == "2":
            if rest.startswith("2006"):
                return layout[:i], "2006", layout[i + 4:]
            return layout[:i], "2", layout[i + 1:]
        elif c == "_":
            if rest.startswith("_2"):
                if rest.startswith("_2006"):
                    return layout[:i + 1], "2006", layout[i + 5:]
                return layout[:i], "_2", layout[i + 2:]
            if rest.startswith("__2"):
                return layout[:i], "__2", layout[i + 3:]
        elif c in "345":
            return layout[:i], c, layout[i + 1:]
        elif c in "Pp" and rest[:2] in ("PM", "pm"):
            return layout[:i], rest[:2], layout[i + 2:]
        elif c in "-Z":
            for token in _ZONE_ELEMENTS:
                if token[0] == c and rest.startswith(token):
                    return layout[:i], token, layout[i + len(token):]
        elif c in ".," and rest[1:2] in ("0", "9"):
            j = 1
            while rest[j:j + 1] == rest[1]:
                j += 1
            if not rest[j:j + 1].isdigit():
                return layout[:i], rest[:j], layout[i + j:]
    return layout, "", ""


def _offset_text(seconds: int, element: str) -> str:
    if seconds == 0 and element.startswith("Z"):
        return "Z"
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hours, minutes, secs = seconds // 3600, seconds // 60 % 60, seconds % 60
    colon = ":" if ":" in element else ""
    text = f"{sign}{hours:02d}"
    if element not in ("-07", "Z07"):
        text += f"{colon}{minutes:02d}"
    if element in ("-070000", "Z070000", "-07:00:00", "Z07:00:00"):
        text += f"{colon}{secs:02d}"
    return text


def _fraction(nanosecond: int, element: str) -> str:
    digits = f"{nanosecond:09d}"[:len(element) - 1]
    if element[1] == "9":
        digits = digits.rstrip("0")
        return element[0] + digits if digits else ""
    return element[0] + digits


def _element(t: GoTime, element: str) -> str:
    m = t.moment
    offset = int((m.utcoffset() or dt.timedelta(0)).total_seconds())
    hour12 = m.hour % 12 or 12
    if element in ("2006", "06"):
        year = t.year
        if element == "06":
            return f"{year % 100:02d}"
        return f"-{-year:04d}" if year < 0 else f"{year:04d}"
    simple = {"January": LONG_MONTHS[m.month - 1], "Jan": LONG_MONTHS[m.month - 1][:3], "1": str(m.month),
              "01": f"{m.month:02d}", "Monday": LONG_DAYS[m.isoweekday() % 7],
              "Mon": LONG_DAYS[m.isoweekday() % 7][:3], "2": str(m.day), "_2": f"{m.day:2d}", "02": f"{m.day:02d}",
              "__2": f"{m.timetuple().tm_yday:3d}", "002": f"{m.timetuple().tm_yday:03d}", "15": f"{m.hour:02d}",
              "3": str(hour12), "03": f"{hour12:02d}", "4": str(m.minute), "04": f"{m.minute:02d}",
              "5": str(m.second), "05": f"{m.second:02d}", "PM": "PM" if m.hour >= 12 else "AM",
              "pm": "pm" if m.hour >= 12 else "am"}
    if element in simple:
        return simple[element]
    if element == "MST":
        return t.zone or _offset_text(offset, "-0700")
    if element[0] in ".,":
        return _fraction(t.nanosecond, element)
    return _offset_text(offset, element)


def format_time(t: GoTime | dt.datetime, layout: str) -> str:
    """t.Format(layout)."""
    if isinstance(t, dt.datetime):
        t = GoTime(t)
    out = []
    while layout:
        prefix, element, layout = chunk(layout)
        out.append(prefix)
        if element:
            out.append(_element(t, element))
    return "".join(out)


def quote(text: str) -> str:
    """time's quote: non-ASCII and control bytes as \\x escapes."""
    out = ['"']
    for c in text:
        if c >= "\x80" or c < " ":
            out.extend(f"\\x{b:02x}" for b in c.encode())
        else:
            out.append("\\" + c if c in '"\\' else c)
    return "".join(out) + '"'


def local_instant(instant: dt.datetime) -> dt.datetime:
    try:
        return instant.astimezone()
    except (OverflowError, ValueError, OSError):
        return instant.astimezone(dt.datetime.now().astimezone().tzinfo)


# -- durations -------------------------------------------------------------------------------------------------

_UNITS = {"ns": 1, "us": 1000, "µs": 1000, "μs": 1000, "ms": 10**6, "s": SECOND, "m": 60 * SECOND,
          "h": 3600 * SECOND}
_MAX_DURATION = 2**63


def parse_duration(text: str) -> int:
    """time.ParseDuration, in nanoseconds; raises ValueError with Go's message."""
    invalid = ValueError(f"time: invalid duration {quote(text)}")
    rest, negative = text, False
    if rest[:1] in ("-", "+"):
        negative, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise invalid
    total = 0
    while rest:
        if not (rest[0] == "." or "0" <= rest[0] <= "9"):
            raise invalid
        digits = len(rest) - len(rest.lstrip("0123456789"))
        whole, rest = int(rest[:digits] or 0), rest[digits:]
        if whole >= _MAX_DURATION:
            raise invalid
        fraction, scale, has_fraction = 0, 1, False
        if rest[:1] == ".":
            rest = rest[1:]
            count = len(rest) - len(rest.lstrip("0123456789"))
            for d in rest[:count]:
                if fraction <= (_MAX_DURATION - 1) // 10:  # Go stops accumulating before it overflows
                    fraction, scale = fraction * 10 + int(d), scale * 10
            rest, has_fraction = rest[count:], count > 0
        if digits == 0 and not has_fraction:
            raise invalid
        unit_length = next((i for i, c in enumerate(rest) if c == "." or "0" <= c <= "9"), len(rest))
        if unit_length == 0:
            raise ValueError(f"time: missing unit in duration {quote(text)}")
        unit, rest = rest[:unit_length], rest[unit_length:]
        if unit not in _UNITS:
            raise ValueError(f"time: unknown unit {quote(unit)} in duration {quote(text)}")
        scale_ns = _UNITS[unit]
        if whole > _MAX_DURATION // scale_ns:
            raise invalid
        value = whole * scale_ns + (int(fraction * (scale_ns / scale)) if fraction else 0)
        total += value
        if value > _MAX_DURATION or total > _MAX_DURATION:
            raise invalid
    if not negative and total > _MAX_DURATION - 1:
        raise invalid
    return -total if negative else total


def _frac(value: int, precision: int) -> tuple[str, int]:
    """Go's fmtFrac: the fraction of ``value`` below 10**precision, trailing zeros and a bare '.' dropped."""
    digits = f"{value % 10**precision:0{precision}d}".rstrip("0") if precision else ""
    return ("." + digits if digits else ""), value // 10**precision


def format_duration(nanos: int) -> str:
    """time.Duration.String."""
    sign, u = ("-", -nanos) if nanos < 0 else ("", nanos)
    if u == 0:
        return "0s"
    if u < SECOND:
        unit, precision = ("ns", 0) if u < 1000 else ("µs", 3) if u < 10**6 else ("ms", 6)
        fraction, whole = _frac(u, precision)
        return f"{sign}{whole}{fraction}{unit}"
    fraction, seconds = _frac(u, 9)
    text = f"{seconds % 60}{fraction}s"
    minutes = seconds // 60
    if minutes:
        text = f"{minutes % 60}m{text}"
        if minutes // 60:
            text = f"{minutes // 60}h{text}"
    return sign + text


def round_duration(nanos: int, multiple: int) -> int:
    """Duration.Round: to the nearest multiple, halves away from zero."""
    remainder = abs(nanos) % multiple
    magnitude = abs(nanos) - remainder + (multiple if remainder * 2 >= multiple else 0)
    return -magnitude if nanos < 0 else magnitude


def since(t: GoTime) -> int:
    """time.Since(t) in nanoseconds (by the monotonic clock when both readings have one, as Go does)."""
    current = now()
    if t.monotonic is not None:
        return current.monotonic - t.monotonic
    return current.unix_nanos() - t.unix_nanos()


def load_location(name: str) -> dt.tzinfo | None:
    """time.LoadLocation: None for the local zone; ValueError for a zone the database lacks."""
    if name in ("", "UTC"):
        return _UTC
    if name == "Local":
        return None
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except Exception as exc:  # ZoneInfoNotFoundError, ValueError for malformed keys
        raise ValueError(f"unknown time zone {name}") from exc

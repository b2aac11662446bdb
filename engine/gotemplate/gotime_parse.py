"""Go's time.Parse: a value read against a reference-time layout element by element, with the checks and
the messages of Go (``parsing time "2024-13-01": month out of range``, ``cannot parse "x" as "MST"``).

Like ``time.ParseInLocation(layout, value, time.Local)`` a time without a zone is local; a numeric offset
that matches the local zone takes its name, any other becomes a zone without a name.
"""
from __future__ import annotations

import datetime as dt

from engine.gotemplate.gotime import CYCLE_YEARS, LONG_DAYS, LONG_MONTHS, GoTime, chunk, local_instant, quote

_UTC = dt.timezone.utc


class TimeParseError(ValueError):
    """time.ParseError, worded as Go words it."""

    def __init__(self, layout: str, value: str, layout_elem: str, value_elem: str, message: str = ""):
        if message:
            text = f"parsing time {quote(value)}{message}"
        else:
            text = (f"parsing time {quote(value)} as {quote(layout)}: cannot parse {quote(value_elem)} "
                    f"as {quote(layout_elem)}")
        super().__init__(text)


class _Bad(Exception):
    """Go's errBad: the value does not match the layout element."""


def _getnum(value: str, fixed: bool) -> tuple[int, str]:
    if not value[:1].isdigit() or not value[:1].isascii():
        raise _Bad
    if not value[1:2].isdigit() or not value[1:2].isascii():
        if fixed:
            raise _Bad
        return int(value[0]), value[1:]
    return int(value[:2]), value[2:]


def _getnum3(value: str, fixed: bool) -> tuple[int, str]:
    i = 0
    while i < 3 and value[i:i + 1].isascii() and value[i:i + 1].isdigit():
        i += 1
    if i == 0 or (fixed and i != 3):
        raise _Bad
    return int(value[:i]), value[i:]


def _lookup(names: tuple[str, ...], value: str) -> tuple[int, str]:
    for i, name in enumerate(names):
        if len(value) >= len(name) and value[:len(name)].lower() == name.lower():
            return i, value[len(name):]
    raise _Bad


def _skip(value: str, prefix: str) -> str:
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                raise _Bad
            prefix, value = prefix.lstrip(" "), value.lstrip(" ")
            continue
        if not value or value[0] != prefix[0]:
            raise _Bad
        prefix, value = prefix[1:], value[1:]
    return value


def _atoi(text: str) -> int:
    body = text[1:] if text[:1] in "+-" else text
    if not body or not body.isascii() or not body.isdigit():
        raise _Bad
    return -int(body) if text[:1] == "-" else int(body)


def _nanoseconds(value: str, nbytes: int) -> int:
    if value[:1] not in (".", ","):
        raise _Bad
    digits = value[1:min(nbytes, 10)]
    return _atoi(digits) * 10 ** (10 - min(nbytes, 10))


def _zone_length(value: str) -> int:
    """Go's parseTimeZone: how much of ``value`` is a zone abbreviation (0 when none)."""
    if len(value) < 3:
        return 0
    if value[:4] in ("ChST", "MeST"):
        return 4
    if value[:3] == "GMT":
        return 3 + _signed_offset_length(value[3:])
    if value[0] in "+-":
        return _signed_offset_length(value)
    upper = 0
    while upper < min(6, len(value)) and "A" <= value[upper] <= "Z":
        upper += 1
    if upper == 3:
        return 3
    if upper == 4 and (value[3] == "T" or value[:4] == "WITA"):
        return 4
    if upper == 5 and value[4] == "T":
        return 5
    return 0


def _signed_offset_length(value: str) -> int:
    if value[:1] not in ("+", "-"):
        return 0
    digits = len(value[1:]) - len(value[1:].lstrip("0123456789"))
    if digits == 0 or int(value[1:1 + digits]) > 23:
        return 0
    return 1 + digits


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


class _Fields:
    """What parsing has read so far (Go's parse locals)."""

    def __init__(self) -> None:
        self.year, self.month, self.day, self.yday = 0, -1, -1, -1
        self.hour = self.minute = self.second = self.nanosecond = 0
        self.pm: bool | None = None
        self.utc = False
        self.offset: int | None = None
        self.zone_name = ""


def _read(fields: _Fields, element: str, value: str, layout_rest: str) -> tuple[str, str]:
    """Consume one layout element from ``value``: (rest of value, range error name or "")."""
    if element == "06":
        if len(value) < 2:
            raise _Bad
        year = _atoi(value[:2])
        fields.year = year + (1900 if year >= 69 else 2000)
        return value[2:], ""
    if element == "2006":
        if len(value) < 4 or not value[:1].isdigit():
            raise _Bad
        fields.year = _atoi(value[:4])
        return value[4:], ""
    if element in ("Jan", "January"):
        index, value = _lookup(tuple(m[:3] for m in LONG_MONTHS) if element == "Jan" else LONG_MONTHS, value)
        fields.month = index + 1
        return value, ""
    if element in ("1", "01"):
        fields.month, value = _getnum(value, element == "01")
        return value, "month" if not 1 <= fields.month <= 12 else ""
    if element in ("Mon", "Monday"):
        return _lookup(tuple(d[:3] for d in LONG_DAYS) if element == "Mon" else LONG_DAYS, value)[1], ""
    if element in ("2", "_2", "02"):
        if element == "_2" and value[:1] == " ":
            value = value[1:]
        fields.day, value = _getnum(value, element == "02")
        return value, ""
    if element in ("__2", "002"):
        for _ in range(2):
            if element == "__2" and value[:1] == " ":
                value = value[1:]
        fields.yday, value = _getnum3(value, element == "002")
        return value, ""
    if element == "15":
        fields.hour, value = _getnum(value, False)
        return value, "hour" if fields.hour >= 24 else ""
    if element in ("3", "03"):
        fields.hour, value = _getnum(value, element == "03")
        return value, "hour" if fields.hour > 12 else ""
    if element in ("4", "04"):
        fields.minute, value = _getnum(value, element == "04")
        return value, "minute" if fields.minute >= 60 else ""
    if element in ("5", "05"):
        fields.second, value = _getnum(value, element == "05")
        if fields.second >= 60:
            return value, "second"
        if len(value) >= 2 and value[0] in ".," and value[1].isdigit() and value[1].isascii():
            following = chunk(layout_rest)[1]
            if not following or following[0] not in ".,":  # a fraction the layout does not mention
                n = 2
                while n < len(value) and value[n].isascii() and value[n].isdigit():
                    n += 1
                fields.nanosecond = _nanoseconds(value, n)
                value = value[n:]
        return value, ""
    if element in ("PM", "pm"):
        if value[:2] not in ((element, "AM") if element == "PM" else (element, "am")):
            raise _Bad
        fields.pm = value[:2] in ("PM", "pm")
        return value[2:], ""
    if element[0] in "Z-":
        return _read_offset(fields, element, value)
    if element == "MST":
        if value[:3] == "UTC":
            fields.utc = True
            return value[3:], ""
        n = _zone_length(value)
        if n == 0:
            raise _Bad
        fields.zone_name = value[:n]
        return value[n:], ""
    if element[1] == "0":  # .000: exactly that many digits
        if len(value) < len(element):
            raise _Bad
        fields.nanosecond = _nanoseconds(value, len(element))
        return value[len(element):], ""
    if len(value) < 2 or value[0] not in ".," or not ("0" <= value[1] <= "9"):  # .999: optional
        return value, ""
    i = 0
    while i + 1 < len(value) and "0" <= value[i + 1] <= "9":
        i += 1
    fields.nanosecond = _nanoseconds(value, 1 + i)
    return value[1 + i:], ""


def _read_offset(fields: _Fields, element: str, value: str) -> tuple[str, str]:
    if element[0] == "Z" and value[:1] == "Z":
        fields.utc = True
        return value[1:], ""
    shape = element.replace("Z", "-")
    if shape == "-07:00":
        if len(value) < 6 or value[3] != ":":
            raise _Bad
        parts, value = (value[0], value[1:3], value[4:6], "00"), value[6:]
    elif shape == "-07":
        if len(value) < 3:
            raise _Bad
        parts, value = (value[0], value[1:3], "00", "00"), value[3:]
    elif shape == "-07:00:00":
        if len(value) < 9 or value[3] != ":" or value[6] != ":":
            raise _Bad
        parts, value = (value[0], value[1:3], value[4:6], value[7:9]), value[9:]
    elif shape == "-070000":
        if len(value) < 7:
            raise _Bad
        parts, value = (value[0], value[1:3], value[3:5], value[5:7]), value[7:]
    else:
        if len(value) < 5:
            raise _Bad
        parts, value = (value[0], value[1:3], value[3:5], "00"), value[5:]
    sign, hours, minutes, seconds = parts[0], *(_getnum(p, True)[0] for p in parts[1:])
    problem = ("time zone offset second" if seconds > 60 else "time zone offset minute" if minutes > 60
               else "time zone offset hour" if hours > 24 else "")
    if sign not in "+-":
        raise _Bad
    total = (hours * 60 + minutes) * 60 + seconds
    fields.offset = -total if sign == "-" else total
    return value, problem


def _resolve_yday(fields: _Fields) -> str:
    """Turn a day of the year into month and day; the range error message, if any."""
    year, yday = fields.year, fields.yday
    month = day = 0
    leap = _days_in(2, year) == 29
    if leap:
        if yday == 31 + 29:
            month, day = 2, 29
        elif yday > 31 + 29:
            yday -= 1
    if yday < 1 or yday > 365:
        return ": day-of-year out of range"
    if month == 0:
        before = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]
        month = next(m for m in range(1, 13) if before[m] >= yday)
        day = yday - before[month - 1]
    if fields.month >= 0 and fields.month != month:
        return ": day-of-year does not match month"
    if fields.day >= 0 and fields.day != day:
        return ": day-of-year does not match day"
    fields.month, fields.day = month, day
    return ""


def parse_time(layout: str, value: str, local: bool = True) -> GoTime:
    """time.ParseInLocation(layout, value, time.Local) (``local``) or time.Parse (UTC); raises
    TimeParseError."""
    original_layout, original_value = layout, value
    fields = _Fields()
    while True:
        prefix, element, suffix = chunk(layout)
        try:
            value = _skip(value, prefix)
        except _Bad:
            raise TimeParseError(original_layout, original_value, prefix, value) from None
        if not element:
            if value:
                raise TimeParseError(original_layout, original_value, "", value, f": extra text: {quote(value)}")
            break
        layout, hold = suffix, value
        try:
            value, out_of_range = _read(fields, element, value, suffix)
        except _Bad:
            raise TimeParseError(original_layout, original_value, element, hold) from None
        if out_of_range:
            raise TimeParseError(original_layout, original_value, element, value, f": {out_of_range} out of range")
    if fields.pm is True and fields.hour < 12:
        fields.hour += 12
    elif fields.pm is False and fields.hour == 12:
        fields.hour = 0
    if fields.yday >= 0:
        problem = _resolve_yday(fields)
        if problem:
            raise TimeParseError(original_layout, original_value, "", value, problem)
    else:
        fields.month = 1 if fields.month < 0 else fields.month
        fields.day = 1 if fields.day < 0 else fields.day
    if fields.day < 1 or fields.day > _days_in(fields.month, fields.year):
        raise TimeParseError(original_layout, original_value, "", value, ": day out of range")
    return _build(fields, local)


def _build(fields: _Fields, local: bool) -> GoTime:
    shift = 0
    year = fields.year
    while year < 1:
        year, shift = year + CYCLE_YEARS, shift - CYCLE_YEARS
    wall = dt.datetime(year, fields.month, fields.day, fields.hour, fields.minute, fields.second,
                       fields.nanosecond // 1000)
    if fields.utc or (not local and fields.offset is None and not fields.zone_name):
        return GoTime(wall.replace(tzinfo=_UTC), fields.nanosecond, "UTC", None, shift)
    if fields.offset is not None:
        instant = wall.replace(tzinfo=dt.timezone(dt.timedelta(seconds=fields.offset)))
        in_local = local_instant(instant)
        if local and in_local.utcoffset() == instant.utcoffset() and fields.zone_name in ("", in_local.tzname()):
            return GoTime(in_local, fields.nanosecond, None, None, shift)
        return GoTime(instant, fields.nanosecond, fields.zone_name, None, shift)
    if fields.zone_name:
        as_local = _local(wall)
        if local and as_local.tzname() == fields.zone_name:
            return GoTime(as_local, fields.nanosecond, None, None, shift)
        offset = int(fields.zone_name[3:] or 0) * 3600 if fields.zone_name.startswith("GMT") else 0
        zone = dt.timezone(dt.timedelta(seconds=offset))  # Go reads the wall clock as UTC, then moves it
        return GoTime(wall.replace(tzinfo=_UTC).astimezone(zone), fields.nanosecond, fields.zone_name, None, shift)
    return GoTime(_local(wall), fields.nanosecond, None, None, shift)


def _local(wall: dt.datetime) -> dt.datetime:
    """The naive ``wall`` clock in the local zone (the zone of now where the platform cannot say)."""
    try:
        return wall.astimezone()
    except (OverflowError, ValueError, OSError):
        return wall.replace(tzinfo=dt.datetime.now().astimezone().tzinfo)

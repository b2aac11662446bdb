"""Helm's table output (uitable: each cell padded to its column's width, cells joined by tabs) and times."""
from __future__ import annotations

import datetime as dt


def table(rows: list[list[str]]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "".join("\t".join(str(cell).ljust(widths[i]) for i, cell in enumerate(row)) + "\n" for row in rows)


def go_time_string(stamp: str) -> str:
    """Go's time.Time.String(): ``2026-11-24 15:19:54.63376149 +0000 UTC``."""
    from engine.release.record import parse_time

    moment = parse_time(stamp)
    if moment is None:
        return ""
    digits = stamp.split(".", 1)[1].rstrip("Z").split("+")[0].split("-")[0] if "." in stamp else ""
    fraction = f".{digits.rstrip('0')}" if digits.rstrip("0") else ""
    return moment.strftime("%Y-%m-%d %H:%M:%S") + fraction + " +0000 UTC"


def ansic(stamp: str) -> str:
    """Go's time.ANSIC layout: ``Tue Nov 24 15:19:54 2026``."""
    from engine.release.record import parse_time

    moment = parse_time(stamp) or dt.datetime.fromtimestamp(0, dt.timezone.utc)
    return f"{moment.strftime('%a %b')} {moment.day:2d} {moment.strftime('%H:%M:%S %Y')}"

"""Warnings worded as Helm's slog text handler writes them: ``msg="…" key=value …`` (after ``level=WARN``)."""
from __future__ import annotations


def _quoted(value: str) -> str:
    """The value as slog writes it: bare, or quoted when it is empty or has spaces, ``=``, quotes or controls."""
    if value and not any(c in ' ="' or ord(c) < 0x20 or c.isspace() or not c.isprintable() for c in value):
        return value
    import json  # only for a value that needs quoting: most warnings are printed without loading it

    return json.dumps(value, ensure_ascii=False)


def log_fields(message: str, **attributes: object) -> str:
    """``msg="message" key=value …`` for a warning callback to print after ``level=WARN``."""
    parts = [f"msg={_quoted(message)}"] + [f"{key}={_quoted(str(value))}" for key, value in attributes.items()]
    return " ".join(parts)

"""Structured logs: one JSON object a line on stderr (time, level, message, and fields such as the stack),
written through the process's redacted stderr like all of pyhelm's output."""
from __future__ import annotations

import datetime as dt
import json
import sys
import threading
from typing import Any

_write_lock = threading.Lock()


def log(message: str, level: str = "info", **fields: Any) -> None:
    record = {"ts": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "level": level,
              "msg": message, **{k: v for k, v in fields.items() if v is not None}}
    line = json.dumps(record, default=str, ensure_ascii=False)
    with _write_lock:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

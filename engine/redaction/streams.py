"""The process's output streams, redacted: everything written to stdout and stderr while a command runs
passes through the redactor, a line at a time so a value is never split between two writes."""
from __future__ import annotations

import contextlib
import io
import sys
from typing import Iterator, TextIO

from engine.redaction.redactor import REDACTOR, Redactor


class RedactingStream(io.TextIOBase):
    """A text stream that holds back an unfinished line and writes each finished one redacted.

    It has no ``buffer``: nothing (click included) can reach the bytes underneath and bypass it."""

    def __init__(self, target: TextIO, redactor: Redactor = REDACTOR) -> None:
        super().__init__()
        self._target, self._redactor, self._pending = target, redactor, ""

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return getattr(self._target, "errors", None) or "strict"

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        complete, newline, rest = (self._pending + text).rpartition("\n")
        if newline:
            self._target.write(self._redactor.redact(complete + newline))
        self._pending = rest
        return len(text)

    def flush(self) -> None:
        if self._pending:
            self._target.write(self._redactor.redact(self._pending))
            self._pending = ""
        self._target.flush()


@contextlib.contextmanager
def redacted_output() -> Iterator[None]:
    """Route sys.stdout and sys.stderr through the redactor while the block runs."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(saved[0]), RedactingStream(saved[1])
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        sys.stdout, sys.stderr = saved

"""Go's regexp (RE2): linear-time matching for every pattern a chart or schema supplies, Go's error text.

google-re2 implements the same syntax and guarantees as Go's regexp package (both are RE2), so a pattern
such as ``^(a+)+$`` cannot backtrack. Its C++ error strings are translated to Go's, and its error
logging is turned off so nothing but pyhelm's own ``Error:`` line reaches stderr.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import re2

# RE2's C++ error text → Go's regexp/syntax ErrorCode text
_GO_ERRORS = {
    "invalid escape sequence": "invalid escape sequence",
    "invalid character class": "invalid character class",
    "invalid character class range": "invalid character class range",
    "missing ]": "missing closing ]",
    "missing )": "missing closing )",
    "unexpected )": "unexpected )",
    "trailing \\": "trailing backslash at end of expression",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid UTF-8": "invalid UTF-8",
    "invalid named capture group": "invalid named capture",
    "pattern too large - compile failed": "expression too large",
}


class GoRegexpError(ValueError):
    """A pattern Go's regexp.Compile refuses; ``str()`` is Go's ``error parsing regexp: …`` text."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False
    return options


_OPTIONS = _options()


@lru_cache(maxsize=1024)
def compile_go(pattern: str) -> Any:
    """``regexp.Compile(pattern)``; raises GoRegexpError worded as Go."""
    try:
        return re2.compile(pattern, options=_OPTIONS)
    except re2.error as exc:
        raise GoRegexpError(_go_message(pattern, exc)) from None


def _go_message(pattern: str, exc: Exception) -> str:
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    code, _, argument = str(text).partition(": ")
    start = pattern.find("(?<")
    if code == "invalid perl operator" and start >= 0 and argument.startswith("(?<"):
        return f"error parsing regexp: invalid named capture: `{pattern[start:]}`"  # Go parses (?<name>
    if code == "trailing \\":
        argument = ""  # Go names no text for a trailing backslash
    return f"error parsing regexp: {_GO_ERRORS.get(code, code)}: `{argument}`"


class RE2Module:
    """The part of Python's ``re`` that jsonschema's keywords call, answered by RE2 (Go's semantics)."""

    error = GoRegexpError

    @staticmethod
    def search(pattern: str, string: str) -> Any:
        return compile_go(pattern).search(string)

    @staticmethod
    def compile(pattern: str, flags: int = 0) -> Any:
        return compile_go(pattern)

"""The spellings a secret value can take in output: quoted and escaped by YAML, JSON and Python, split into
lines, base64- and URL-encoded. A chart that transforms a secret in other ways (hashing, substrings) produces
text that cannot be recognised; README's secrets section names that limit."""
from __future__ import annotations

import base64
import json
import urllib.parse
from typing import Callable, Iterable

MIN_LINE = 6  # lines of a multi-line secret shorter than this are too common to mask on their own
MIN_BASE64_CORE = 8  # the shortest base64 run, from an unaligned embedding, still worth masking


def _yaml_single(text: str) -> str:
    return text.replace("'", "''")


def _json(text: str) -> str:
    return json.dumps(text)[1:-1]


def _json_unicode(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _yaml_double(text: str) -> str:
    """Inside YAML double quotes (go-yaml and PyYAML escape the same characters JSON does, plus ``\\x``)."""
    escaped = _json_unicode(text)
    return "".join(ch if ch.isprintable() or ch in "\\" else f"\\x{ord(ch):02X}" for ch in escaped)


def _python(text: str) -> str:
    """As Python's repr quotes it (exception messages that show a value)."""
    quoted = repr(text)
    return quoted[1:-1]


ESCAPES: tuple[Callable[[str], str], ...] = (_yaml_single, _json, _json_unicode, _yaml_double, _python)


def _base64_forms(data: bytes) -> Iterable[str]:
    """Base64 of the whole value (standard and URL-safe, padded or not), and the run of characters that
    appears whatever the value's alignment when it is embedded in a longer encoded text."""
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(data).decode()
        yield whole
        yield whole.rstrip("=")
        for offset in (1, 2):
            shifted = encode(b"\0" * offset + data).decode().rstrip("=")
            first = (offset * 8 + 5) // 6  # characters that mix the prefix's bits with the value's
            last = ((offset + len(data)) * 8) // 6  # characters made only of bits of the value
            core = shifted[first:last]
            if len(core) >= MIN_BASE64_CORE:
                yield core


def forms_of(value: str) -> set[str]:
    """Every form of ``value`` the redactor looks for (each at least as long as the value's shortest line)."""
    lines = [line.rstrip("\r") for line in value.split("\n")]
    plain = {value, *(line for line in lines if len(line) >= MIN_LINE)} if len(lines) > 1 else {value}
    escaped = set(plain)
    for _depth in range(2):  # quoted once, or quoted inside a quoted document (YAML in YAML, YAML in JSON)
        escaped |= {escape(text) for text in escaped for escape in ESCAPES}
    encoded = set(_base64_forms(value.encode()))
    encoded |= {urllib.parse.quote(value, safe=""), urllib.parse.quote_plus(value)}
    return {form for form in escaped | encoded if form}

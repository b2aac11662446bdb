"""Go's ``filepath.Match`` glob semantics: ``*`` and ``?`` never cross ``/``; ``[...]`` classes; ``\\`` escapes."""
from __future__ import annotations

import re
from functools import cache
from typing import Callable

_SPECIAL = frozenset("*?[\\")


@cache
def _matcher(pattern: str) -> Callable[[str], bool]:
    """A test for ``pattern``: most .helmignore lines are a plain name, ``*suffix`` or ``prefix*``, tested with
    string operations (compiling a regular expression costs more than a chart's whole walk); others compile."""
    star = pattern.find("*")
    rest = pattern[star + 1:] if star != -1 else ""
    if not _SPECIAL.intersection(pattern):
        return pattern.__eq__
    if star == 0 and not _SPECIAL.intersection(rest):
        return lambda name: name.endswith(rest) and "/" not in name[:len(name) - len(rest)]
    if star == len(pattern) - 1 and not _SPECIAL.intersection(pattern[:star]):
        head = pattern[:star]
        return lambda name: name.startswith(head) and "/" not in name[len(head):]
    return _compile(pattern).fullmatch  # type: ignore[return-value]


def _compile(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        elif char == "[":
            end = pattern.find("]", i + 2)
            if end == -1:
                return re.compile(r"(?!)")  # Go reports ErrBadPattern: nothing matches
            body = pattern[i + 1:end]
            negate = body.startswith("^")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out), re.S)


def go_path_match(pattern: str, name: str) -> bool:
    """True when ``name`` matches ``pattern`` as Go's filepath.Match decides."""
    return bool(_matcher(pattern)(name))

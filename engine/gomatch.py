"""Go's ``filepath.Match`` glob semantics: ``*`` and ``?`` never cross ``/``; ``[...]`` classes; ``\\`` escapes."""
from __future__ import annotations

import re
from functools import cache


@cache
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
    return _compile(pattern).fullmatch(name) is not None

"""``.Files`` in templates: a chart's non-template files with Helm's Get, Glob, Lines, AsConfig, AsSecrets."""
from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from engine.chart.model import ChartFile
from engine.gotemplate.gotypes import GoStruct, StrList


@lru_cache(maxsize=256)
def _compile_glob(pattern: str) -> re.Pattern[str]:
    """gobwas/glob with ``/`` as separator: ``*``, ``**``, ``?``, ``[...]``, ``{a,b}``."""
    out, i, depth = [], 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "*":
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
                continue
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                raise ValueError("unexpected end of input")
            body = pattern[i + 1:end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end
        elif char == "{":
            depth += 1
            out.append("(?:")
        elif char == "}" and depth:
            depth -= 1
            out.append(")")
        elif char == "," and depth:
            out.append("|")
        elif char == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(char))
        i += 1
    if depth:
        raise ValueError("unexpected end of input")
    return re.compile("".join(out), re.S)


class Files(dict, GoStruct):
    """Helm's engine.files: a map of path → bytes with helper methods."""

    go_type = "engine.files"
    go_methods = {"Get": ("string",), "GetBytes": ("string",), "Glob": ("string",), "Lines": ("string",),
                  "AsConfig": (), "AsSecrets": ()}

    def __init__(self, files: list[ChartFile] | dict[str, bytes] = ()):
        if isinstance(files, dict):
            super().__init__(files)
        else:
            super().__init__((f.name, f.data) for f in files)

    def GetBytes(self, name: str) -> bytes:
        return self.get(name, b"")

    def Get(self, name: str) -> str:
        return self.GetBytes(name).decode("utf-8", errors="replace")

    def Glob(self, pattern: str) -> "Files":
        try:
            regex = _compile_glob(pattern)
        except ValueError:
            regex = _compile_glob("**")
        return Files({name: data for name, data in self.items() if regex.fullmatch(name)})

    def Lines(self, name: str) -> StrList:
        data = self.get(name)
        if not data:
            return StrList()
        text = data.decode("utf-8", errors="replace")
        return StrList(text[:-1].split("\n") if text.endswith("\n") else text.split("\n"))

    def AsConfig(self) -> str:
        from engine.gotemplate.goyaml import to_yaml

        mapping = {posixpath.basename(k): v.decode("utf-8", errors="replace") for k, v in sorted(self.items())}
        return to_yaml(mapping).removesuffix("\n") if mapping else "{}"

    def AsSecrets(self) -> str:
        import base64

        from engine.gotemplate.goyaml import to_yaml

        mapping = {posixpath.basename(k): base64.b64encode(v).decode() for k, v in sorted(self.items())}
        return to_yaml(mapping).removesuffix("\n") if mapping else "{}"

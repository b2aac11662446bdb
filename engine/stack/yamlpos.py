"""YAML parsing that remembers where each value came from, for errors that name file and line."""
from __future__ import annotations

from typing import Any

import yaml

Path = tuple[Any, ...]


class PositionedYAML:
    """A parsed YAML document plus the line of every value, addressed by its path of keys/indexes."""

    def __init__(self, text: str, source: str):
        from engine.stack.errors import StackError

        self.source = source
        self.lines: dict[Path, int] = {}
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            self.data = yaml.safe_load(text) if node is not None else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{source}:{mark.line + 1}" if mark else source
            raise StackError(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from exc
        if node is not None:
            self._index(node, ())

    def _index(self, node: yaml.Node, path: Path) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self._index(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._index(item, (*path, index))

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that exists."""
        path = tuple(path)
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path: Path) -> str:
        """``file:line`` for ``path``."""
        return f"{self.source}:{self.line_of(path)}"

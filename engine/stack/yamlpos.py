"""YAML parsing that remembers where each value came from, for errors that name file and line.

One pass over libyaml's events (the C parser) builds the data and the line of every value, with
go-yaml's limits on nesting and aliases and with PyYAML's YAML 1.1 typing of scalars. A key defined
twice in one mapping is an error naming both lines: silently keeping the second ``releases:`` block
would drop the first and plan to uninstall it.
"""
from __future__ import annotations

from typing import Any

import yaml

from engine.gotemplate.yaml_events import ReadOptions, YAMLReadError, read_documents

Path = tuple[Any, ...]
INT_DIGITS = "an integer of more than 4300 digits cannot be read; quote it to make it a string"
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar(event: yaml.ScalarEvent) -> Any:
    """A scalar typed as PyYAML's safe loader types it (YAML 1.1: ints, floats, booleans, dates)."""
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:  # quoted: a string
            return event.value
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _STR:
            return event.value
    if tag == _MERGE:  # ``<<`` anywhere but as a key is just text
        return event.value
    construct = yaml.constructor.SafeConstructor.yaml_constructors.get(tag)
    line = event.start_mark.line + 1
    if construct is None:
        raise YAMLReadError(f"unknown tag {tag} (use plain YAML values)", line)
    try:
        return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark,
                                                       event.style))
    except ValueError as exc:
        text = event.value if len(event.value) <= 40 else event.value[:40] + "…"
        reason = INT_DIGITS if "integer string conversion" in str(exc) else str(exc)
        raise YAMLReadError(f"cannot read {text!r}: {reason}", line) from None


def _key(key: Any, event: yaml.Event | None) -> Any:
    if isinstance(key, (dict, list)):
        raise YAMLReadError("a mapping key must be a plain value, not a mapping or a list",
                            event.start_mark.line + 1 if event is not None else 0)
    return key


def _duplicate(key: Any, first_line: int, line: int) -> None:
    raise YAMLReadError(f"key {key!r} is defined twice in one mapping (first at line {first_line}); remove or "
                        "merge one of them", line)


_EXPLAINED = (
    (("did not find expected key", "expected <block end>", "did not find expected '-' indicator"),
     "the indentation of this line does not fit the lines above it: a key must line up with the other keys "
     "of its mapping, a list item ('- ') with the other items"),
    (("mapping values are not allowed",),
     "a ': ' starts a key here; quote the value if the colon belongs to it"),
    (("found character that cannot start any token",),
     "this character cannot start a value here (a tab used to indent, or a stray @ or `): indent with spaces "
     "and quote such values"),
    (("could not find expected ':'",), "a key without its ':' here, or a quote or bracket left open above"),
    (("found unexpected end of stream", "found unexpected end of the stream"),
     "the file ends inside a quoted value or a [ ] / { } collection: close it"),
)


def explain(problem: str) -> str:
    """A YAML parser's complaint in words a stack author can act on (the parser's own words kept after it)."""
    for starts, words in _EXPLAINED:
        if problem.startswith(starts):
            return f"{words} (YAML: {problem})"
    return problem


class PositionedYAML:
    """A parsed YAML document plus the line of every value, addressed by its path of keys/indexes."""

    def __init__(self, text: str, source: str):
        from engine.stack.errors import StackError

        self.source = source
        self.lines: dict[Path, int] = {}
        options = ReadOptions(scalar=_scalar, key=_key, duplicate_key=_duplicate, positions=self.lines)
        try:
            documents = read_documents(text, options)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{source}:{mark.line + 1}" if mark else source
            raise StackError(f"{where}: invalid YAML: {explain(str(getattr(exc, 'problem', None) or exc))}") \
                from exc
        except YAMLReadError as exc:
            where = f"{source}:{exc.line}" if exc.line else source
            raise StackError(f"{where}: invalid YAML: {exc}") from None
        if len(documents) > 1:
            raise StackError(f"{source}: holds {len(documents)} YAML documents; a stack file is one document")
        self.data = documents[0] if documents else None

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that exists."""
        path = tuple(path)
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path: Path) -> str:
        """``file:line`` for ``path``."""
        return f"{self.source}:{self.line_of(path)}"

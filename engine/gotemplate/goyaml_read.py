"""Reading YAML as Helm does (sigs.k8s.io/yaml over go-yaml v2), from libyaml's events.

YAML 1.1 scalars (yes/no/on/off are booleans, 0755 is octal), every number a float64 (Python float) because
sigs converts YAML to JSON first, map keys strings, no timestamps; libyaml's errors worded as go-yaml's.
Callers go through goyaml.load and friends, which answer from the parsed-YAML cache when they can.
"""
from __future__ import annotations

from typing import Any, Callable

import yaml

from engine.gotemplate.yaml_events import ReadOptions, YAMLReadError, read_documents
from engine.gotemplate.yaml_skip import NeedWholeRead
from engine.gotemplate.yaml_scalars import YAMLError, parse_go_int, resolve_plain


def _plain_value(text: str, typed: bool) -> Any:
    """A plain scalar: float64 for every number (sigs' JSON round trip), or int/float when ``typed``."""
    kind, value = resolve_plain(text)
    if kind == "int":
        return int(value) if typed else float(value)
    if kind == "float":
        return float(value)
    return value


def _tagged_int(text: str, typed: bool) -> Any:
    number = parse_go_int(text.replace("_", "")) or 0
    return number if typed else float(number)


def _tagged_float(text: str) -> float:
    kind, value = resolve_plain(text)
    return float(value) if kind in ("int", "float") else 0.0


def _tagged_binary(text: str) -> bytes:
    import base64
    import binascii

    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except binascii.Error:
        raise YAMLError("error converting YAML to JSON: yaml: !!binary value contains invalid base64 data") from None


_TAGGED: dict[str, Callable[[str, bool], Any]] = {
    "!": lambda text, typed: text,
    "tag:yaml.org,2002:str": lambda text, typed: text,
    "tag:yaml.org,2002:int": _tagged_int,
    "tag:yaml.org,2002:float": lambda text, typed: _tagged_float(text),
    "tag:yaml.org,2002:bool": lambda text, typed: resolve_plain(text)[1] is True,
    "tag:yaml.org,2002:null": lambda text, typed: None,
    "tag:yaml.org,2002:binary": lambda text, typed: _tagged_binary(text),
}


_SHORT_TAGS = {"null": "!!null", "bool": "!!bool", "int": "!!int", "float": "!!float", "str": "!!str"}
_CHECKED_TAGS = {"tag:yaml.org,2002:" + name: short for name, short in
                 (("null", "!!null"), ("bool", "!!bool"), ("int", "!!int"), ("float", "!!float"),
                  ("timestamp", "!!timestamp"))}


def _scalar(event: yaml.ScalarEvent, typed: bool) -> Any:
    """go-yaml v2's decoding of one scalar; a tag it does not know leaves the text as it is."""
    tag = event.tag
    if tag is None:
        return _plain_value(event.value, typed) if event.implicit[0] else event.value
    wanted = _CHECKED_TAGS.get(tag)
    if wanted is not None:
        kind = resolve_plain(event.value)[0] if event.value else "null"
        if _SHORT_TAGS[kind] != wanted and not (wanted == "!!float" and kind == "int"):
            raise YAMLReadError(f"cannot decode {_SHORT_TAGS[kind]} `{event.value}` as a {wanted}", deferred=True)
    handler = _TAGGED.get(tag)
    return handler(event.value, typed) if handler else event.value


def _json_key(key: Any, event: yaml.Event | None) -> str:
    """A map key as sigs.k8s.io/yaml writes it into JSON."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        text = getattr(event, "value", None)
        if isinstance(event, yaml.ScalarEvent) and event.tag is None and resolve_plain(text)[0] == "int":
            return str(int(key))
        from engine.gotemplate.gofmt import format_float

        formatted = format_float(float(key), "g", -1)
        return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(formatted, formatted)
    if key is None:
        raise YAMLError("error converting YAML to JSON: unsupported map key of type: <nil>")
    raise YAMLError(f"error converting YAML to JSON: unsupported map key: {key!r}")


_HEAD_KEYS = frozenset({"apiVersion", "kind", "metadata"})
_HEAD_METADATA_KEYS = frozenset({"name", "annotations"})


def _outside_head(stack: list) -> bool:
    """Whether the collection opening inside ``stack`` is a value no manifest head reads: any top-level value
    but apiVersion's, kind's and metadata's, and any in metadata but name's and annotations'."""
    parent = stack[-1] if stack else None
    if parent is None or not parent.is_map or not parent.has_key:
        return False
    if len(stack) == 1:
        return parent.key not in _HEAD_KEYS
    return len(stack) == 2 and stack[0].key == "metadata" and parent.key not in _HEAD_METADATA_KEYS


_VALUES = ReadOptions(scalar=lambda event: _scalar(event, False), key=_json_key, json_depth=True)
_MANIFESTS = ReadOptions(scalar=lambda event: _scalar(event, True), key=_json_key, json_depth=True)
_HEADS = ReadOptions(scalar=lambda event: _scalar(event, False), key=_json_key, json_depth=True,
                     skipped=_outside_head)


_MESSAGES = [
    ("mapping values are not allowed here", "mapping values are not allowed in this context"),
    ("could not find expected ':'", "could not find expected ':'"),
    ("found character that cannot start any token", "found character that cannot start any token"),
    ("expected <block end>, but found", "did not find expected key"),
    ("expected the node content, but found", "did not find expected node content"),
    ("found undefined alias", "unknown anchor"),
    ("found unexpected end of stream", "found unexpected end of stream"),
    ("while scanning a quoted scalar", "found unexpected end of stream"),
    ("did not find expected '-' indicator", "did not find expected '-' indicator"),
    ("expected ',' or ']'", "did not find expected ',' or ']'"),
    ("expected ',' or '}'", "did not find expected ',' or '}'"),
    ("found a tab character that violate indentation", "found a tab character that violates indentation"),
]


def _error(exc: yaml.YAMLError) -> YAMLError:
    """go-yaml's wording: scanner errors count lines from 1, parser errors report the 0-based line."""
    problem = getattr(exc, "problem", None) or str(exc)
    message = problem
    for python_text, go_text in _MESSAGES:
        if python_text in problem:
            message = go_text
            break
    mark, context_mark = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    line = 0
    if mark is not None and mark.line != 0:
        line = mark.line + (1 if isinstance(exc, yaml.scanner.ScannerError) else 0)
    elif context_mark is not None and context_mark.line != 0:
        line = context_mark.line
    where = f"line {line}: " if line else ""
    return YAMLError(f"error converting YAML to JSON: yaml: {where}{message}", line)


def read(text: str, typed: bool, first_only: bool) -> list[Any]:
    """The documents of ``text`` (only the first with ``first_only``); numbers stay integers when ``typed``
    (rendered manifests), else every number is a float64 (values, as sigs.k8s.io/yaml reads them)."""
    return _read(text, _MANIFESTS if typed else _VALUES, first_only)


def read_head(text: str) -> Any:
    """The first document of ``text`` as ``read`` gives it untyped, or fails as that does, with only what a
    manifest's head holds read: other collections under the top level and metadata are SKIPPED. A document
    whose skipped parts could change the outcome is read whole (yaml_skip.py)."""
    try:
        found = _read(text, _HEADS, first_only=True)
    except NeedWholeRead:
        found = _read(text, _VALUES, first_only=True)
    return found[0] if found else None


def _read(text: str, options: ReadOptions, first_only: bool) -> list[Any]:
    try:
        return read_documents(text, options, first_only)
    except yaml.YAMLError as exc:
        raise _error(exc) from None
    except YAMLReadError as exc:
        if exc.json_stage:
            raise YAMLError(f"error unmarshaling JSON: while decoding JSON: {exc}") from None
        if exc.conversion:
            raise YAMLError(f"error converting YAML to JSON: {exc}") from None
        where = f"line {exc.line}: " if exc.line else ""
        raise YAMLError(f"error converting YAML to JSON: yaml: {where}{exc}", exc.line) from None

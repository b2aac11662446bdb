"""Skipping a collection of a YAML document without building its value, for readers that need only part of
a document (Helm reads a rendered manifest for its head: apiVersion, kind, metadata's name and annotations).

The skipped events still pass through libyaml, so a syntax error anywhere is reported as a whole read reports
it. Whatever could make go-yaml or the JSON round trip refuse a document that parses, or make the parts that
are read depend on the skipped ones, raises NeedWholeRead, and the caller reads the whole document instead:
an alias, a tag, a merge key, a null or collection as a map key, a plain .inf or .nan (JSON holds no such
float), and nesting deep enough to approach go-yaml's limits.
"""
from __future__ import annotations

from typing import Iterator

import yaml

from engine.gotemplate.yaml_scalars import INF_NAN_TEXTS, NULL_TEXTS

_SKIP_DEPTH = 1000  # far below go-yaml's 10000: a skipped part nested this deep is read whole
_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_REFUSED_KEYS = NULL_TEXTS | {"<<"}


class NeedWholeRead(Exception):
    """The skipped part holds something only a whole read decides."""


def skip_collection(start: yaml.CollectionStartEvent, events: Iterator[yaml.Event]) -> None:
    """Consume the events of the collection ``start`` opened, up to and including its end."""
    if start.tag is not None:
        raise NeedWholeRead
    # per open collection: None for a sequence, else whether the map's next node is a key
    expecting_key: list[bool | None] = [True if start.__class__ is yaml.MappingStartEvent else None]
    for event in events:
        kind = event.__class__
        if kind is _SCALAR:
            if event.tag is not None:
                raise NeedWholeRead
            if event.implicit[0] and (event.value in INF_NAN_TEXTS or (expecting_key[-1] and
                                                                        event.value in _REFUSED_KEYS)):
                raise NeedWholeRead
            if expecting_key[-1] is not None:
                expecting_key[-1] = not expecting_key[-1]
        elif kind in _STARTS:
            if event.tag is not None or expecting_key[-1] or len(expecting_key) >= _SKIP_DEPTH:
                raise NeedWholeRead  # a collection as a key: the JSON round trip refuses it
            if expecting_key[-1] is not None:
                expecting_key[-1] = True
            expecting_key.append(True if kind is yaml.MappingStartEvent else None)
        elif kind in _ENDS:
            expecting_key.pop()
            if not expecting_key:
                return
        elif kind is _ALIAS:
            raise NeedWholeRead  # go-yaml counts what aliases decode against the whole document

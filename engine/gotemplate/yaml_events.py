"""YAML documents built from libyaml's event stream in one iterative pass, with go-yaml's guards.

PyYAML's composer and constructor recurse (a deeply nested document overflows the stack, or crashes the
C composer) and keep aliases shared (an alias bomb loads cheaply and explodes later, in ``toYaml``).
go-yaml refuses both, so everything that reads YAML the way Helm does goes through here:

* nesting: more than 10000 flow levels or block indentation levels is a scanner error
  (``exceeded max depth of 10000``); sigs.k8s.io/yaml's JSON round trip also refuses containers nested
  more than 10000 deep (encoding/json's limit), reported after the document decoded;
* aliases: go-yaml counts every node it decodes, an alias re-decoding its whole anchored value, and
  fails with ``document contains excessive aliasing`` once the share decoded through aliases exceeds its
  allowed ratio; an alias to an anchor still being read is ``anchor '…' value contains itself``;
* merge keys (``<<``) apply in document order, as go-yaml v2 decodes them.

Aliases are expanded into copies (as Go decodes them); the guards bound what that can cost.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Hashable

import yaml

from engine.gotemplate.yaml_skip import NeedWholeRead, skip_collection

MAX_DEPTH = 10000  # go-yaml's max_flow_level and max_indents; encoding/json's maxNestingDepth
ALIAS_RATIO_LOW, ALIAS_RATIO_HIGH = 400_000, 4_000_000
POSITION_DEPTH = 64  # lines are recorded this deep; deeper values report their nearest recorded ancestor
_MERGE_TAG = "tag:yaml.org,2002:merge"
BOM = "\ufeff"
SKIPPED = object()  # the value of a collection a reader skipped
_BOM_STAND_IN = "\ufdd0"  # a noncharacter libyaml reads as ordinary text
_EVENT_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser when PyYAML has it
_SCALAR, _ALIAS, _DOCUMENT_START, _DOCUMENT_END = (yaml.ScalarEvent, yaml.AliasEvent, yaml.DocumentStartEvent,
                                                   yaml.DocumentEndEvent)
_MAPPING_START, _MAPPING_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE_START, _SEQUENCE_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent


class YAMLReadError(ValueError):
    """A document go-yaml would refuse; ``line`` is 1-based (0 when go-yaml names no line)."""

    def __init__(self, message: str, line: int = 0, json_stage: bool = False, deferred: bool = False,
                 conversion: bool = False):
        super().__init__(message)
        self.line = line
        self.json_stage = json_stage  # raised decoding the JSON of the round trip
        self.conversion = conversion  # raised writing YAML as JSON (after go-yaml decoded it)
        self.deferred = deferred  # go-yaml decodes after parsing: a later syntax error is reported first


def allowed_alias_ratio(decode_count: int) -> float:
    """go-yaml's share of decodes that may come from alias expansion, falling from 99% to 10%."""
    if decode_count <= ALIAS_RATIO_LOW:
        return 0.99
    if decode_count >= ALIAS_RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decode_count - ALIAS_RATIO_LOW) / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW)


def _same_key(key: Any, event: yaml.Event) -> Hashable:
    return key


class ReadOptions:
    """How one kind of file turns YAML into data.

    (Plain classes with slots here, not dataclasses: this module is imported by every command that reads
    YAML, and each dataclass costs start-up time to build.)"""

    __slots__ = ("scalar", "key", "json_depth", "max_depth", "duplicate_key", "positions", "skipped")

    def __init__(self, scalar: Callable[[yaml.ScalarEvent], Any],
                 key: Callable[[Any, yaml.Event], Hashable] = _same_key, json_depth: bool = False,
                 max_depth: int | None = None, duplicate_key: Callable[[Any, int, int], None] | None = None,
                 positions: dict[tuple, int] | None = None,
                 skipped: Callable[[list[_Frame]], bool] | None = None) -> None:
        self.scalar, self.key = scalar, key
        self.json_depth = json_depth  # apply encoding/json's nesting limit (sigs.k8s.io/yaml's round trip)
        self.max_depth = max_depth  # a nesting limit of our own, reported with its line
        self.duplicate_key = duplicate_key  # (key, first line, second line)
        self.positions = positions  # filled with path → 1-based line of every value
        # given the open collections, whether the collection starting in the innermost is left unread: its
        # value is SKIPPED, and whatever a whole read would decide differently raises NeedWholeRead
        self.skipped = skipped


class _Anchor:
    __slots__ = ("value", "size", "depth", "done")

    def __init__(self, value: Any = None, size: int = 0, depth: int = 0, done: bool = False) -> None:
        self.value = value
        self.size = size  # decodes go-yaml spends on one expansion
        self.depth = depth  # nesting of the anchored value (1 for a collection holding scalars)
        self.done = done


class _Frame:
    """One open collection: its container, where it started, and the key waiting for its value."""

    __slots__ = ("container", "is_map", "anchor", "start_count", "path", "line", "pushed_indent", "flow", "key",
                 "key_line", "has_key", "merging", "seen", "child_depth")

    def __init__(self, is_map: bool, anchor: _Anchor | None, start_count: int, path: tuple, line: int,
                 pushed_indent: bool, flow: bool) -> None:
        self.container: Any = {} if is_map else []
        self.is_map, self.anchor, self.start_count, self.path, self.line = is_map, anchor, start_count, path, line
        self.pushed_indent, self.flow = pushed_indent, flow
        self.key: Any = None
        self.key_line = 0
        self.has_key = self.merging = False
        self.seen: dict | None = {} if is_map else None
        self.child_depth = 0


class _Counts:
    """go-yaml's decode counters and the aliasing failure they lead to."""

    __slots__ = ("decodes", "aliased", "failure")

    def __init__(self) -> None:
        self.decodes = 0
        self.aliased = 0
        self.failure: YAMLReadError | None = None

    def add(self, decodes: int, aliased: int) -> None:
        self.decodes += decodes
        self.aliased += aliased
        if self.aliased > 100:  # go-yaml checks at every decode; below 100 aliased decodes it cannot fail
            self.check()

    def check(self) -> None:
        if (self.failure is None and self.aliased > 100 and self.decodes > 1000
                and self.aliased / self.decodes > allowed_alias_ratio(self.decodes)):
            self.failure = YAMLReadError("document contains excessive aliasing")


def read_documents(text: str, options: ReadOptions, first_only: bool = False) -> list[Any]:
    """Every document of ``text`` (only the first with ``first_only``); libyaml's syntax errors
    propagate as ``yaml.YAMLError``, go-yaml's refusals as YAMLReadError."""
    swapped = BOM in text[1:] and _BOM_STAND_IN not in text
    if swapped:  # libyaml skips a BOM anywhere; go-yaml only at the start, elsewhere it is text
        text = text[0] + text[1:].replace(BOM, _BOM_STAND_IN)
    parser = _EVENT_LOADER(text)
    events = iter(parser.get_event, None)  # what yaml.parse yields, without a generator around each event
    documents: list[Any] = []
    try:
        for event in events:
            if event.__class__ is _DOCUMENT_START:
                documents.append(_Document(options, swapped).read(events))
                if first_only:
                    break
    finally:
        parser.dispose()
    return documents


class _Document:
    """The state of reading one document: the open collections, anchors, go-yaml's counters."""

    def __init__(self, options: ReadOptions, bom_swapped: bool = False):
        self.options = options
        self.positions = options.positions
        self.bom_swapped = bom_swapped
        self.anchors: dict[str, _Anchor] = {}
        self.counts = _Counts()
        self.stack: list[_Frame] = []
        self.indents: list[int] = [-1]
        self.flow_level = 0
        self.json_too_deep: str | None = None
        self.unsupported: str | None = None  # a float JSON cannot hold (NaN, ±Inf)
        self.result: Any = None

    def read(self, events) -> Any:
        self.counts.add(1, 0)  # the document node
        scalar, open_collection, close, alias = self.scalar, self.open, self.close, self.alias
        skipped = self.options.skipped
        for event in events:
            kind = event.__class__
            if kind is _SCALAR:
                scalar(event)
            elif skipped is not None and (kind is _MAPPING_START or kind is _SEQUENCE_START) and skipped(self.stack):
                skip_collection(event, events)
                self.store(SKIPPED, None, 0)
            elif kind is _MAPPING_START:
                open_collection(event, True)
            elif kind is _SEQUENCE_START:
                open_collection(event, False)
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                close()
            elif kind is _ALIAS:
                alias(event)
            elif kind is _DOCUMENT_END:
                break
        if self.counts.failure is not None:
            raise self.counts.failure
        if self.unsupported is not None:
            raise YAMLReadError(f"json: unsupported value: {self.unsupported}", conversion=True)
        if self.json_too_deep is not None:
            raise YAMLReadError(f"invalid character '{self.json_too_deep}' exceeded max depth", json_stage=True)
        return self.result

    # -- nodes --------------------------------------------------------------------------------------
    def scalar(self, event: yaml.ScalarEvent) -> None:
        if self.bom_swapped:
            event.value = event.value.replace(_BOM_STAND_IN, BOM)
        stack = self.stack
        parent = stack[-1] if stack else None
        if (parent is not None and parent.is_map and not parent.has_key and event.value == "<<"
                and _is_merge_key(event)):
            parent.merging, parent.has_key = True, True  # go-yaml decodes the merged value, not this key
            return
        counts = self.counts
        counts.decodes += 1  # counts.add(1, 0), inlined: this runs for every scalar
        if counts.aliased > 100:
            counts.check()
        if counts.failure is not None:
            return
        try:
            value = self.options.scalar(event)
        except YAMLReadError as exc:
            if not exc.deferred:
                raise
            self.counts.failure = exc
            return
        if (self.options.json_depth and value.__class__ is float and self.unsupported is None
                and not math.isfinite(value)):
            self.unsupported = "NaN" if value != value else ("+Inf" if value > 0 else "-Inf")
        if event.anchor is not None:
            self.anchors[event.anchor] = _Anchor(value, 1, 0, True)
        self.store(value, event, 0)

    def open(self, event: yaml.CollectionStartEvent, is_map: bool) -> None:
        self.counts.add(1, 0)
        line = event.start_mark.line + 1
        pushed = False
        if event.flow_style:
            self.flow_level += 1
            if self.flow_level > MAX_DEPTH:
                raise YAMLReadError(f"exceeded max depth of {MAX_DEPTH}")
        elif not self.flow_level and event.start_mark.column > self.indents[-1]:
            self.indents.append(event.start_mark.column)
            pushed = True
            if len(self.indents) - 1 > MAX_DEPTH:
                raise YAMLReadError(f"exceeded max depth of {MAX_DEPTH}", line)
        depth = len(self.stack) + 1
        if self.options.max_depth is not None and depth > self.options.max_depth:
            raise YAMLReadError(f"nested more than {self.options.max_depth} levels deep", line)
        if self.options.json_depth and depth > MAX_DEPTH and self.json_too_deep is None:
            self.json_too_deep = "{" if is_map else "["
        anchor = None
        if event.anchor is not None:
            anchor = self.anchors[event.anchor] = _Anchor()
        path = ()
        if self.recording():  # paths cost O(depth) each: built only when asked for, and not too deep
            path = self.child_path(self.stack[-1] if self.stack else None)
            self.positions[path] = line
        self.stack.append(_Frame(is_map, anchor, self.counts.decodes, path, line, pushed, bool(event.flow_style)))

    def close(self) -> None:
        frame = self.stack.pop()
        if frame.pushed_indent:
            self.indents.pop()
        if frame.flow:
            self.flow_level -= 1
        if frame.anchor is not None:
            frame.anchor.value, frame.anchor.done = frame.container, True
            frame.anchor.size = self.counts.decodes - frame.start_count + 1
            frame.anchor.depth = frame.child_depth + 1
        self.store(frame.container, None, frame.child_depth + 1)

    def alias(self, event: yaml.AliasEvent) -> None:
        if self.options.skipped is not None:
            raise NeedWholeRead  # go-yaml's alias counts include the skipped parts
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            raise YAMLReadError(f"unknown anchor '{event.anchor}' referenced")
        self.counts.add(1, 0)
        if self.counts.failure is not None:
            return
        if not anchor.done:
            self.counts.failure = YAMLReadError(f"anchor '{event.anchor}' value contains itself")
            return
        self.counts.add(anchor.size, anchor.size)
        if self.counts.failure is not None:
            return
        if (self.options.json_depth and anchor.depth and len(self.stack) + anchor.depth > MAX_DEPTH
                and self.json_too_deep is None):
            self.json_too_deep = "{" if isinstance(anchor.value, dict) else "["
        self.store(_copy(anchor.value), event, anchor.depth)

    def recording(self) -> bool:
        return self.positions is not None and len(self.stack) <= POSITION_DEPTH

    # -- placing values -----------------------------------------------------------------------------
    def child_path(self, parent: _Frame | None) -> tuple:
        if parent is None:
            return ()
        if parent.is_map:
            return (*parent.path, parent.key) if parent.has_key else parent.path
        return (*parent.path, len(parent.container))

    def store(self, value: Any, event: yaml.Event | None, depth: int) -> None:
        """Put a finished value into the open collection (as key, value, merge or item)."""
        stack = self.stack
        if not stack:
            self.result = value
            return
        parent = stack[-1]
        if depth > parent.child_depth:
            parent.child_depth = depth
        if self.counts.failure is not None:
            return
        positions = self.positions
        if not parent.is_map:
            if event is not None and positions is not None and len(stack) <= POSITION_DEPTH:
                positions[(*parent.path, len(parent.container))] = event.start_mark.line + 1
            parent.container.append(value)
            return
        if not parent.has_key:
            line = event.start_mark.line + 1 if event is not None else 0
            parent.key, parent.key_line, parent.has_key = self.options.key(value, event), line, True
            return
        parent.has_key = False
        if parent.merging:
            parent.merging = False
            _merge(parent.container, value)
            return
        key = parent.key
        if parent.seen is not None:
            first = parent.seen.get(key)
            if first is not None and self.options.duplicate_key is not None:
                self.options.duplicate_key(key, first, parent.key_line)
            parent.seen[key] = parent.key_line
        if event is not None and positions is not None and len(stack) <= POSITION_DEPTH:
            positions[(*parent.path, key)] = event.start_mark.line + 1
        parent.container[key] = value


def _is_merge_key(event: yaml.ScalarEvent) -> bool:
    return event.value == "<<" and (event.tag == _MERGE_TAG or (event.tag is None and event.implicit[0]))


def _merge(target: dict, value: Any) -> None:
    """go-yaml v2's merge: a map, or a list of maps of which earlier ones win, set keys in place."""
    if isinstance(value, dict):
        target.update(value)
        return
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        for item in reversed(value):
            target.update(item)
        return
    raise YAMLReadError("map merge requires map or sequence of maps as the value")


def _copy(value: Any) -> Any:
    """A deep copy of plain YAML data without recursion (an alias decodes into a value of its own)."""
    if not isinstance(value, (dict, list)):
        return value
    root = {} if isinstance(value, dict) else []
    pending = [(value, root)]
    while pending:
        source, target = pending.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            if isinstance(item, (dict, list)):
                copied = {} if isinstance(item, dict) else []
                pending.append((item, copied))
                item = copied
            if isinstance(target, dict):
                target[key] = item
            else:
                target.append(item)
    return root

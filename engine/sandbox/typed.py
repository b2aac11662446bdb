"""Typed values as structured-merge-diff (sigs.k8s.io/structured-merge-diff/v6, ``typed/``) handles them for
server-side apply and field ownership: the field set of a value, the comparison of two values, the merge of
an apply configuration into a live object and the removal of fields, all walked over a kind's schema.

Paths are tuples of FieldsV1 path elements (``f:name``, ``k:{"name":"app"}``, ``v:"x"``); a field set is a
Python set of paths. A list's kind comes from the schema as kube-openapi's schemaconv derives it:
``x-kubernetes-list-type``, else a patch merge key (associative) or merge strategy (set), else atomic; maps and
structs are granular unless ``x-kubernetes-map-type: atomic``; values without a schema are deduced (maps
granular, lists atomic)."""
from __future__ import annotations

import copy
import json
from typing import Any

from engine.sandbox.schema import Node

Path = tuple[str, ...]
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()  # no value at all (not even null)

# Defaults of list-map key fields, which structured-merge-diff puts into an element's key when the element
# leaves them out (the OpenAPI document's `default`, which kubernetes-validate's schemas do not carry).
KEY_DEFAULTS = {"protocol": "TCP"}
_DEDUCED = Node.of({})


def _shape(node: Node, value: Any) -> str:
    """map, list or scalar: the schema's word, or the value's where the schema has none (deduced)."""
    kind = node.type
    if kind in ("struct", "map"):
        return "map"
    if kind == "list":
        return "list"
    if kind == "any":
        if isinstance(value, dict):
            return "map"
        if isinstance(value, list):
            return "list"
    return "scalar"


def list_relationship(node: Node) -> str:
    """atomic, associative (list-map keys) or set."""
    if node.type != "list":
        return "atomic"  # a deduced list
    declared = node.raw.get("x-kubernetes-list-type")
    if declared == "map":
        return "associative"
    if declared in ("set", "atomic"):
        return declared
    if node.raw.get("x-kubernetes-patch-merge-key"):
        return "associative"
    if "merge" in (node.raw.get("x-kubernetes-patch-strategy") or ""):
        return "set"
    return "atomic"


def child(node: Node, key: str) -> Node:
    """The node of one key of a map or struct (deduced where the schema says nothing)."""
    declared = node.field(key)
    if declared is not None:
        return declared
    if node.type == "map":
        return node.values
    return _DEDUCED


def declares(node: Node, key: str) -> bool:
    return node.type == "struct" and node.field(key) is not None


def element(node: Node) -> Node:
    return node.items if node.type == "list" else _DEDUCED


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def element_key(node: Node, item: Any) -> str | None:
    """The path element of a list item (``k:{...}`` by its sorted key fields, ``v:`` + value for sets)."""
    if list_relationship(node) == "set":
        return None if isinstance(item, (dict, list)) or item is None else "v:" + _json(item)
    if not isinstance(item, dict):
        return None
    key = {}
    for name in node.map_keys:
        if name in item:
            key[name] = item[name]
        elif name in KEY_DEFAULTS:
            key[name] = KEY_DEFAULTS[name]
    return "k:" + _json(key) if key else None


def describe(path: Path) -> str:
    """A path as structured-merge-diff prints it: ``.spec.containers[name="app"].image``."""
    out = []
    for pe in path:
        kind, text = pe[0], pe[2:]
        if kind == "f":
            out.append("." + text)
        elif kind == "k":
            out.append("[" + ",".join(f"{k}={json.dumps(v)}" for k, v in json.loads(text).items()) + "]")
        elif kind == "v":
            out.append(f"[={text}]")
        else:
            out.append(f"[{text}]")
    return "".join(out)


# Validation of an apply configuration (typed/validate.go) ---------------------------------------------------
def duplicate_keys(node: Node, value: Any, path: Path = ()) -> list[str]:
    """``<path>: duplicate entries for key [...]`` for each associative list holding one key twice."""
    problems: list[str] = []
    shape = _shape(node, value)
    if shape == "list" and isinstance(value, list) and list_relationship(node) != "atomic":
        seen: set[str] = set()
        for item in value:
            key = element_key(node, item)
            if key is None:
                continue
            if key in seen:
                problems.append(f"{describe(path)}: duplicate entries for key {describe((key,))}")
            seen.add(key)
            problems += duplicate_keys(element(node), item, (*path, key))
    elif shape == "map" and isinstance(value, dict) and not node.atomic:
        for key, val in value.items():
            problems += duplicate_keys(child(node, key), val, (*path, "f:" + key))
    return problems


# ToFieldSet (typed/tofieldset.go) ----------------------------------------------------------------------------
def field_set(node: Node, value: Any) -> set[Path]:
    """Every path a value sets: leaves, list items, empty or null maps, and the keys of maps."""
    out: set[Path] = set()
    _field_set(node, value, (), out)
    return out


def _field_set(node: Node, value: Any, path: Path, out: set[Path]) -> None:
    shape = _shape(node, value)
    if shape == "scalar":
        out.add(path)
    elif shape == "list":
        if list_relationship(node) == "atomic":
            out.add(path)
            return
        items = value if isinstance(value, list) else []
        keys = [element_key(node, item) for item in items]
        seen: set[str] = set()
        duplicates: set[str] = set()
        for key in keys:
            if key in seen and key not in duplicates:
                out.add((*path, key))
                duplicates.add(key)
            seen.add(key)
        for item, key in zip(items, keys):
            if key is None or key in duplicates:
                continue
            _field_set(element(node), item, (*path, key), out)
            out.add((*path, key))
    else:
        if node.atomic:
            out.add(path)
            return
        for key, val in (value if isinstance(value, dict) else {}).items():
            sub = (*path, "f:" + key)
            _field_set(child(node, key), val, sub, out)
            if val is None or val == {} or not declares(node, key):
                out.add(sub)


# Compare (typed/compare.go) ----------------------------------------------------------------------------------
class Comparison:
    def __init__(self) -> None:
        self.added: set[Path] = set()
        self.modified: set[Path] = set()
        self.removed: set[Path] = set()


def compare(node: Node, lhs: Any, rhs: Any) -> Comparison:
    """What changed from ``lhs`` to ``rhs`` (ABSENT for a value that does not exist)."""
    result = Comparison()
    _compare(node, lhs, rhs, (), result)
    return result


def _same(a: Any, b: Any) -> bool:
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def _leaf(lhs: Any, rhs: Any, path: Path, result: Comparison) -> None:
    if lhs is ABSENT:
        result.added.add(path)
    elif rhs is ABSENT:
        result.removed.add(path)
    elif not _same(lhs, rhs):
        result.modified.add(path)


def _compare(node: Node, lhs: Any, rhs: Any, path: Path, result: Comparison) -> None:
    shape = _shape(node, rhs if rhs is not ABSENT else lhs)
    leaf = False
    if shape == "scalar":
        _leaf(lhs, rhs, path, result)
        return
    if shape == "list":
        left = lhs if isinstance(lhs, list) else []
        right = rhs if isinstance(rhs, list) else []
        if list_relationship(node) == "atomic" or (not left and not right):
            _leaf(lhs, rhs, path, result)
            leaf = True
        else:
            _compare_items(node, left, right, path, result)
    else:
        left = lhs if isinstance(lhs, dict) else {}
        right = rhs if isinstance(rhs, dict) else {}
        if node.atomic or (not left and not right):
            _leaf(lhs, rhs, path, result)
            leaf = True
        else:
            for key in [*left, *(k for k in right if k not in left)]:
                _compare(child(node, key), left.get(key, ABSENT), right.get(key, ABSENT), (*path, "f:" + key), result)
    if not leaf and path:
        if lhs is ABSENT:
            result.added.add(path)
        elif rhs is ABSENT:
            result.removed.add(path)


def _group(node: Node, items: list[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = {}
    for item in items:
        key = element_key(node, item)
        if key is not None:
            groups.setdefault(key, []).append(item)
    return groups


def _compare_items(node: Node, left: list[Any], right: list[Any], path: Path, result: Comparison) -> None:
    lhs, rhs = _group(node, left), _group(node, right)
    for key in [*lhs, *(k for k in rhs if k not in lhs)]:
        old, new = lhs.get(key, []), rhs.get(key, [])
        sub = (*path, key)
        if len(old) <= 1 and len(new) <= 1:
            _compare(element(node), old[0] if old else ABSENT, new[0] if new else ABSENT, sub, result)
        elif len(old) >= 2 and len(new) >= 2:
            if old != new:
                result.modified.add(sub)
        elif len(old) >= 2:
            if new:
                _compare(element(node), ABSENT, new[0], sub, result)
            result.removed.add(sub)
        else:
            if old:
                _compare(element(node), old[0], ABSENT, sub, result)
            result.added.add(sub)


# Merge (typed/merge.go, the apply rule: the configuration's leaves win) ------------------------------------
def merge(node: Node, lhs: Any, rhs: Any) -> Any:
    """``rhs`` (an apply configuration) merged into ``lhs`` (the live object); ABSENT when neither has a value."""
    if rhs is ABSENT:
        return copy.deepcopy(lhs)
    shape = _shape(node, rhs if rhs is not ABSENT else lhs)
    if shape == "scalar":
        return copy.deepcopy(rhs)
    if shape == "list":
        left = lhs if isinstance(lhs, list) else []
        right = rhs if isinstance(rhs, list) else []
        if list_relationship(node) == "atomic" or (not left and not right):
            return copy.deepcopy(rhs)
        merged = _merge_items(node, left, right)
        return merged if merged else ABSENT
    left = lhs if isinstance(lhs, dict) else {}
    right = rhs if isinstance(rhs, dict) else {}
    if node.atomic or (not left and not right):
        return copy.deepcopy(rhs)
    out = {}
    for key in [*left, *(k for k in right if k not in left)]:
        value = merge(child(node, key), left.get(key, ABSENT), right.get(key, ABSENT))
        if value is not ABSENT:
            out[key] = value
    return out if out else ABSENT


def _merge_items(node: Node, left: list[Any], right: list[Any]) -> list[Any]:
    """mergingWalker.visitListItems: shared items in the configuration's order, live-only items kept where
    they stood, new items after the shared item they follow."""
    item_node = element(node)
    lkeys = [element_key(node, item) for item in left]
    rkeys = [element_key(node, item) for item in right]
    observed_left: dict[str, Any] = {}
    for key, item in zip(lkeys, left):
        observed_left[key] = ABSENT if key in observed_left else item  # duplicated live items do not merge
    observed_right = dict(zip(rkeys, right))
    shared = [key for key in rkeys if key in observed_left]
    next_shared = shared.pop(0) if shared else None
    merged_right: set[str] = set()
    out: list[Any] = []

    def add(value: Any) -> None:
        if value is not ABSENT:
            out.append(value)

    li = ri = 0
    while li < len(lkeys) or ri < len(rkeys):
        if li < len(lkeys) and ri < len(rkeys):
            key = lkeys[li]
            if key == rkeys[ri]:
                merged_right.add(key)
                add(merge(item_node, observed_left.get(key, ABSENT), observed_right[key]))
                li, ri = li + 1, ri + 1
                next_shared = shared.pop(0) if shared else None
                continue
            if key in observed_right and next_shared is not None and next_shared != key:
                li += 1
                continue
        if li < len(lkeys):
            key = lkeys[li]
            if key not in observed_right:
                add(copy.deepcopy(left[li]))
                li += 1
                continue
            if key in merged_right:
                li += 1
        if ri < len(rkeys):
            key = rkeys[ri]
            merged_right.add(key)
            add(merge(item_node, observed_left.get(key, ABSENT), observed_right[key]))
            ri += 1
            if next_shared is not None and next_shared == key:
                next_shared = shared.pop(0) if shared else None
    return out


# RemoveItems (typed/remove.go) -------------------------------------------------------------------------------
def trie(paths: set[Path]) -> dict[str, Any]:
    """A set as nested path elements, each member marked with a ``.`` key."""
    root: dict[str, Any] = {}
    for path in paths:
        node = root
        for pe in path:
            node = node.setdefault(pe, {})
        node["."] = {}
    return root


def remove(node: Node, value: Any, paths: set[Path]) -> Any:
    """``value`` without the given paths (each with everything below it); emptied maps and lists vanish."""
    return _remove(node, value, trie(paths))


def _remove(node: Node, value: Any, trie: dict[str, Any]) -> Any:
    shape = _shape(node, value)
    if shape == "list":
        if not value or list_relationship(node) == "atomic":
            return value
        kept = []
        for item in value:
            key = element_key(node, item)
            below = trie.get(key) if key is not None else None
            if below is not None and "." in below:
                continue
            kept.append(_remove(element(node), item, below) if below else item)
        return kept or None
    if shape == "map" and isinstance(value, dict) and value and not node.atomic:
        kept = {}
        for key, val in value.items():
            below = trie.get("f:" + key)
            if below is not None and "." in below:
                continue
            kept[key] = _remove(child(node, key), val, below) if below else val
        return kept or None
    return value


def named_fields(node: Node, paths: set[Path]) -> set[Path]:
    """EnsureNamedFieldsAreMembers: the set with every struct field that holds a member (not map keys)."""
    out = set(paths)
    for path in paths:
        current = node
        for depth, pe in enumerate(path[:-1]):
            if pe.startswith("f:"):
                if declares(current, pe[2:]):
                    out.add(path[:depth + 1])
                current = child(current, pe[2:])
            else:
                current = element(current)
    return out


# The zero object (what a Go zero value of the kind serializes to) -------------------------------------------
# Struct fields Go holds by value although they are optional (`json:",omitempty"` does not omit structs), by
# the Go type that holds them; besides these, every kind's metadata, spec and status, and every required field.
VALUE_FIELDS = {
    "PodTemplateSpec": ("metadata", "spec"), "JobTemplateSpec": ("metadata", "spec"),
    "DeploymentSpec": ("template", "strategy"), "StatefulSetSpec": ("template", "updateStrategy"),
    "DaemonSetSpec": ("template", "updateStrategy"), "ReplicaSetSpec": ("template",), "JobSpec": ("template",),
    "CronJobSpec": ("jobTemplate",), "PersistentVolumeClaimSpec": ("resources",), "Container": ("resources",),
    "ServiceStatus": ("loadBalancer",), "IngressStatus": ("loadBalancer",), "NetworkPolicySpec": ("podSelector",),
    "CustomResourceDefinitionSpec": ("names",), "CustomResourceDefinitionStatus": ("acceptedNames",),
}
_TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.Time"


def zero_object(node: Node, top: bool = True) -> Any:
    """The object a create is compared with: the Go zero value of the kind as the API server converts it."""
    if node.type != "struct":
        return {}
    out: dict[str, Any] = {}
    required = set(node.raw.get("required") or ())
    by_value = set(VALUE_FIELDS.get(node.go_name, ())) | ({"metadata", "spec", "status"} if top else set())
    for name, sub in node.fields().items():
        if name in by_value and sub.type == "struct":
            out[name] = zero_object(sub, top=False)
        elif name in required:
            out[name] = _zero_value(sub)
    return out


def _zero_value(node: Node) -> Any:
    if node.ref == _TIME:
        return None
    kind = node.type
    if kind == "struct":
        return zero_object(node, top=False)
    return {"string": "", "integer": 0, "number": 0, "boolean": False, "int-or-string": 0, "quantity": "0"}.get(kind)

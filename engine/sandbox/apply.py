"""Server-side apply and field ownership: ``metadata.managedFields`` in Kubernetes' FieldsV1 format."""
from __future__ import annotations

import copy
import json
from typing import Any

from engine.sandbox.errors import APIError
from engine.kube.merge_keys import merge_keys

Segment = tuple[str, str]  # ("f", field name) or ("k", canonical JSON of the list-map key)
Path = tuple[Segment, ...]
_SKIPPED_TOP = {"apiVersion", "kind", "status"}
_SKIPPED_METADATA = {"name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
                     "managedFields", "selfLink", "deletionTimestamp", "generateName"}
MAP_FIELDS = {"labels", "annotations", "data", "stringData", "binaryData", "matchLabels", "nodeSelector"}


def _list_key(item: Any, keys: tuple[str, ...]) -> str | None:
    if not isinstance(item, dict) or keys[0] not in item:
        return None
    key = {k: item.get(k, "TCP" if k == "protocol" else None) for k in keys if k in item or k == "protocol"}
    return json.dumps(key, separators=(",", ":"), sort_keys=True)


def field_paths(obj: dict[str, Any], applied: bool = False) -> set[Path]:
    """Every field path an object sets (leaves, list-map elements and, for updates, map markers: an apply
    configuration owns a map's keys, not the map, as structured-merge-diff records it)."""
    out: set[Path] = set()

    def walk(value: Any, path: Path, names: tuple[str, ...]) -> None:
        if isinstance(value, dict):
            if names and names[-1] in MAP_FIELDS and not applied:
                out.add((*path, (".", "")))
            for key, child in value.items():
                if not path and key in _SKIPPED_TOP:
                    continue
                if names == ("metadata",) and key in _SKIPPED_METADATA:
                    continue
                walk(child, (*path, ("f", key)), (*names, key))
            if not value and path:
                out.add(path)
            return
        if isinstance(value, list) and names and merge_keys(names[-1], names[:-1]):
            keys = merge_keys(names[-1], names[:-1])
            for item in value:
                key = _list_key(item, keys)
                if key is None:
                    out.add(path)
                    continue
                element = (*path, ("k", key))
                out.add((*element, (".", "")))
                walk_item(item, element, names)
            return
        out.add(path)

    def walk_item(item: dict, path: Path, names: tuple[str, ...]) -> None:
        for key, child in item.items():
            walk(child, (*path, ("f", key)), (*names, key))

    walk(obj, (), ())
    return {p for p in out if p}


def encode_fields(paths: set[Path]) -> dict[str, Any]:
    """FieldsV1 trie: ``f:name``, ``k:{...}`` and ``.`` entries."""
    root: dict[str, Any] = {}
    for path in sorted(paths):
        node = root
        for kind, name in path:
            label = "." if kind == "." else f"{kind}:{name}"
            node = node.setdefault(label, {})
    return root


def decode_fields(trie: dict[str, Any], prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for label, child in (trie or {}).items():
        if label == ".":
            out.add((*prefix, (".", "")))
            continue
        kind, _, name = label.partition(":")
        path = (*prefix, (kind, name))
        if child:
            out |= decode_fields(child, path)
        else:
            out.add(path)
    return out


def _value_at(obj: Any, path: Path) -> Any:
    current = obj
    for kind, name in path:
        if kind == ".":
            return current
        if kind == "f":
            if not isinstance(current, dict) or name not in current:
                return _ABSENT
            current = current[name]
        else:
            key = json.loads(name)
            if not isinstance(current, list):
                return _ABSENT
            current = next((i for i in current if isinstance(i, dict) and all(
                i.get(k, "TCP" if k == "protocol" else None) == v for k, v in key.items())), _ABSENT)
            if current is _ABSENT:
                return _ABSENT
    return current


_ABSENT = object()


def _remove_path(obj: Any, path: Path) -> None:
    if not path or path[-1][0] == ".":
        return
    parent = _value_at(obj, path[:-1])
    kind, name = path[-1]
    if kind == "f" and isinstance(parent, dict):
        parent.pop(name, None)
    elif kind == "k" and isinstance(parent, list):
        key = json.loads(name)
        parent[:] = [i for i in parent if not (isinstance(i, dict) and all(
            i.get(k, "TCP" if k == "protocol" else None) == v for k, v in key.items()))]


def _merge(live: Any, applied: Any, names: tuple[str, ...]) -> Any:
    if isinstance(applied, dict):
        result = dict(live) if isinstance(live, dict) else {}
        for key, value in applied.items():
            result[key] = _merge(result.get(key), value, (*names, key))
        return result
    if isinstance(applied, list) and names and merge_keys(names[-1], names[:-1]) and isinstance(live, list):
        keys = merge_keys(names[-1], names[:-1])
        result = [copy.deepcopy(i) for i in live]
        for item in applied:
            key = _list_key(item, keys)
            index = next((n for n, existing in enumerate(result) if key is not None and
                          _list_key(existing, keys) == key), None)
            if index is None:
                result.append(copy.deepcopy(item))
            else:
                result[index] = _merge(result[index], item, names)
        return result
    return copy.deepcopy(applied)


def _prune_empty(obj: Any, path: Path) -> None:
    """After removing a field, drop maps it leaves empty (as the real server does for owned parents)."""
    for depth in range(len(path) - 1, 0, -1):
        parent = _value_at(obj, path[:depth])
        if isinstance(parent, dict) and not parent:
            _remove_path(obj, path[:depth])
        else:
            break


def _render_path(path: Path) -> str:
    parts = []
    for kind, name in path:
        if kind == "f":
            parts.append(f".{name}")
        elif kind == "k":
            parts.append(f"[{','.join(f'{k}={v}' for k, v in json.loads(name).items())}]")
    return "".join(parts)


def managed_entry(manager: str, operation: str, api_version: str, paths: set[Path], now: str) -> dict[str, Any]:
    return {"manager": manager, "operation": operation, "apiVersion": api_version, "time": now,
            "fieldsType": "FieldsV1", "fieldsV1": encode_fields(paths)}


def server_side_apply(live: dict[str, Any] | None, applied: dict[str, Any], manager: str, force: bool,
                      now: str) -> dict[str, Any]:
    """The object after ``manager`` applies ``applied`` to ``live`` (None when creating)."""
    current = copy.deepcopy(live) if live else {}
    entries = list((current.get("metadata") or {}).get("managedFields") or [])
    owned = {(e.get("manager"), e.get("operation")): decode_fields(e.get("fieldsV1") or {}) for e in entries}
    new_paths = field_paths(applied, applied=True)
    conflicts = []
    for (other, operation), paths in owned.items():
        if other == manager and operation == "Apply":
            continue
        for path in paths & new_paths:
            if path[-1][0] == ".":
                continue
            if _value_at(current, path) != _value_at(applied, path):
                conflicts.append((other, path))
    if conflicts and not force:
        lines = "\n".join(f'- conflict with "{m}": {_render_path(p)}' for m, p in sorted(conflicts))
        many = "1 conflict" if len(conflicts) == 1 else f"{len(conflicts)} conflicts"
        raise APIError(409, "Conflict", f"Apply failed with {many}: {lines.lstrip('- ')}" if len(conflicts) == 1
                       else f"Apply failed with {many}:\n{lines}",
                       {"causes": [{"reason": "FieldManagerConflict", "message": f'conflict with "{m}"',
                                    "field": _render_path(p)} for m, p in conflicts]})
    if force:
        for key in owned:
            if key != (manager, "Apply"):
                owned[key] = owned[key] - new_paths
    previous = owned.get((manager, "Apply"), set())
    others = set().union(*(p for k, p in owned.items() if k != (manager, "Apply"))) if owned else set()
    removed = previous - new_paths - others
    # a list element no manager applies any more goes as a whole, before its fields (removing a key field
    # first would leave an element that no key finds)
    elements = {p[:-1] for p in removed if p[-1][0] == "." and len(p) > 1 and p[-2][0] == "k"}
    for path in sorted(elements, key=len, reverse=True) + sorted(removed, key=len, reverse=True):
        if path not in elements and any(path[:len(e)] == e for e in elements):
            continue
        _remove_path(current, path)
        _prune_empty(current, path)
    result = _merge(current, applied, ())
    owned[(manager, "Apply")] = new_paths
    api_version = applied.get("apiVersion", "v1")
    metadata = result.setdefault("metadata", {})
    metadata["managedFields"] = [
        managed_entry(m, op, api_version if (m, op) == (manager, "Apply") else _entry_version(entries, m, op),
                      paths, now if (m, op) == (manager, "Apply") else _entry_time(entries, m, op, now))
        for (m, op), paths in owned.items() if paths]
    return result


def _entry_version(entries: list, manager: str, operation: str) -> str:
    return next((e.get("apiVersion", "v1") for e in entries
                 if e.get("manager") == manager and e.get("operation") == operation), "v1")


def _entry_time(entries: list, manager: str, operation: str, default: str) -> str:
    return next((e.get("time", default) for e in entries
                 if e.get("manager") == manager and e.get("operation") == operation), default)


def record_update(before: dict[str, Any] | None, after: dict[str, Any], manager: str, now: str) -> None:
    """Give ``manager`` (an Update operation) the fields it changed, taking them from other managers.
    Ownership starts from the managedFields the request sent, when it sent any (so clients can rewrite them,
    as Helm does when it moves a release from client-side to server-side apply), else from the live object."""
    entries = list((after.get("metadata") or {}).get("managedFields")
                   or (before or {}).get("metadata", {}).get("managedFields") or [])
    owned = {(e.get("manager"), e.get("operation")): decode_fields(e.get("fieldsV1") or {}) for e in entries}
    after_paths = field_paths(after)
    changed = {p for p in after_paths if before is None or _value_at(before, p) != _value_at(after, p)}
    for key in owned:
        owned[key] = {p for p in owned[key] if p in after_paths} - changed
    mine = owned.get((manager, "Update"), set()) | changed
    owned[(manager, "Update")] = {p for p in mine if p in after_paths}
    api_version = after.get("apiVersion", "v1")
    after.setdefault("metadata", {})["managedFields"] = [
        managed_entry(m, op, api_version if (m, op) == (manager, "Update") else _entry_version(entries, m, op),
                      paths, now if (m, op) == (manager, "Update") else _entry_time(entries, m, op, now))
        for (m, op), paths in owned.items() if paths]

"""Merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch with Kubernetes' merge keys."""
from __future__ import annotations

import copy
from typing import Any

from engine.kube.merge_keys import merge_keys
from engine.sandbox.errors import APIError


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: maps merge, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise APIError(422, "Invalid", f"invalid JSON pointer: {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _walk(doc: Any, parts: list[str]) -> Any:
    for part in parts:
        if isinstance(doc, list):
            doc = doc[int(part)]
        elif isinstance(doc, dict):
            doc = doc[part]
        else:
            raise KeyError(part)
    return doc


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902 operations add, remove, replace, move, copy, test."""
    if not isinstance(operations, list):
        raise APIError(400, "BadRequest", "json patch must be a list of operations")
    doc = copy.deepcopy(target)
    for operation in operations:
        try:
            op, parts = operation["op"], _pointer(operation["path"])
            if op == "test":
                if _walk(doc, parts) != operation.get("value"):
                    raise APIError(422, "Invalid", f"testing value {operation['path']} failed")
                continue
            if op in ("move", "copy"):
                value = copy.deepcopy(_walk(doc, _pointer(operation["from"])))
                if op == "move":
                    doc = _remove(doc, _pointer(operation["from"]))
                doc = _add(doc, parts, value)
            elif op == "add":
                doc = _add(doc, parts, copy.deepcopy(operation.get("value")))
            elif op == "remove":
                doc = _remove(doc, parts)
            elif op == "replace":
                _walk(doc, parts)  # must exist
                doc = _remove(doc, parts)
                doc = _add(doc, parts, copy.deepcopy(operation.get("value")))
            else:
                raise APIError(422, "Invalid", f"unknown json patch operation {op!r}")
        except (KeyError, IndexError, ValueError, TypeError):
            raise APIError(422, "Invalid", f"the server rejected our request due to an error in our request: "
                                           f"jsonpatch {operation.get('op')} operation does not apply: doc is "
                                           f"missing path: \"{operation.get('path')}\"") from None
    return doc


def _add(doc: Any, parts: list[str], value: Any) -> Any:
    if not parts:
        return value
    parent = _walk(doc, parts[:-1])
    key = parts[-1]
    if isinstance(parent, list):
        parent.insert(len(parent) if key == "-" else int(key), value)
    else:
        parent[key] = value
    return doc


def _remove(doc: Any, parts: list[str]) -> Any:
    parent = _walk(doc, parts[:-1])
    key = parts[-1]
    if isinstance(parent, list):
        parent.pop(int(key))
    else:
        del parent[key]
    return doc


def _key_of(item: Any, keys: tuple[str, ...]) -> tuple | None:
    if not isinstance(item, dict) or keys[0] not in item:
        return None
    return tuple(item.get(k, "TCP" if k == "protocol" else None) for k in keys)


def strategic_merge(target: Any, patch: Any, path: tuple[str, ...] = ()) -> Any:
    """Strategic merge patch for built-in types: list-maps merge by key; $patch, $retainKeys,
    $deleteFromPrimitiveList and $setElementOrder directives."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    result = dict(target) if isinstance(target, dict) else {}
    retain = patch.get("$retainKeys")
    for key, value in patch.items():
        if key.startswith("$setElementOrder/") or key in ("$retainKeys", "$patch"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [v for v in result.get(field) or [] if v not in value]
            continue
        if value is None:
            result.pop(key, None)
            continue
        current = result.get(key)
        keys = merge_keys(key, path)
        if isinstance(value, list) and keys and isinstance(current, list):
            result[key] = _merge_list(current, value, keys, (*path, key))
        elif isinstance(value, dict):
            merged = strategic_merge(current, value, (*path, key))
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = copy.deepcopy(value)
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _merge_list(current: list, patch: list, keys: tuple[str, ...], path: tuple[str, ...]) -> list:
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [copy.deepcopy({k: v for k, v in i.items() if k != "$patch"}) for i in patch
                if not (isinstance(i, dict) and i.get("$patch") == "replace" and len(i) == 1)]
    merged = [copy.deepcopy(item) for item in current]
    for item in patch:
        key = _key_of(item, keys)
        index = next((i for i, existing in enumerate(merged) if key is not None and _key_of(existing, keys) == key),
                     None)
        if isinstance(item, dict) and item.get("$patch") == "delete":
            if index is not None:
                merged.pop(index)
            continue
        if index is None:
            merged.append({k: copy.deepcopy(v) for k, v in item.items() if k != "$patch"}
                          if isinstance(item, dict) else copy.deepcopy(item))
        else:
            merged[index] = strategic_merge(merged[index], item, path)
    return merged

"""Client-side apply patches, as Helm 3 (and Helm 4 with ``--server-side=false``) computes them.

Built-in kinds get a three-way strategic merge patch: what changed between the live object and the new
manifest, plus deletions of what the old manifest had and the new one dropped. Custom resources get a
two-way JSON merge patch between the old and the new manifest.
"""
from __future__ import annotations

from typing import Any

from engine.kube.merge_keys import merge_keys

# API groups whose kinds client-go knows as typed objects (strategic merge patch applies to them)
BUILT_IN_GROUPS = frozenset({
    "", "apps", "batch", "autoscaling", "policy", "networking.k8s.io", "rbac.authorization.k8s.io",
    "storage.k8s.io", "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "node.k8s.io",
    "admissionregistration.k8s.io", "certificates.k8s.io", "events.k8s.io", "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io", "storagemigration.k8s.io", "internal.apiserver.k8s.io", "authentication.k8s.io",
    "authorization.k8s.io",
})


def is_strategic(api_version: str, kind: str) -> bool:
    """Whether a kind takes strategic merge patches (typed built-ins, not CRDs or custom resources)."""
    group = api_version.rpartition("/")[0] if "/" in api_version else ""
    return group in BUILT_IN_GROUPS and kind != "CustomResourceDefinition"


def merge_patch_two_way(original: Any, modified: Any) -> dict[str, Any]:
    """RFC 7386 patch turning ``original`` into ``modified`` (lists replaced whole)."""
    patch: dict[str, Any] = {}
    original = original if isinstance(original, dict) else {}
    for key, value in modified.items():
        before = original.get(key)
        if isinstance(value, dict) and isinstance(before, dict):
            inner = merge_patch_two_way(before, value)
            if inner:
                patch[key] = inner
        elif key not in original or before != value:
            patch[key] = value
    for key in original:
        if key not in modified:
            patch[key] = None
    return patch


def _item_key(item: Any, key: str) -> Any:
    return item.get(key) if isinstance(item, dict) else None


def _list_patch(original: list, modified: list, current: list, key: str, path: tuple[str, ...]) -> list | None:
    """The patch of a merge-keyed list: changed or new items (with their key) and ``$patch: delete`` items."""
    current_by_key = {_item_key(i, key): i for i in current if _item_key(i, key) is not None}
    modified_keys = {_item_key(i, key) for i in modified}
    items: list[Any] = []
    for item in modified:
        if not isinstance(item, dict) or _item_key(item, key) is None:
            return None
        live = current_by_key.get(item[key])
        before = next((o for o in original if _item_key(o, key) == item[key]), {})
        inner = strategic_patch(before, item, live if isinstance(live, dict) else {}, path)
        if live is None or inner:
            items.append({**inner, key: item[key]})
    for item in original:
        value = _item_key(item, key)
        if value is not None and value not in modified_keys and value in current_by_key:
            items.append({key: value, "$patch": "delete"})
    return items


def strategic_patch(original: Any, modified: Any, current: Any, path: tuple[str, ...] = ()) -> dict[str, Any]:
    """Three-way strategic merge patch (changes from ``current``, deletions from ``original``)."""
    original = original if isinstance(original, dict) else {}
    current = current if isinstance(current, dict) else {}
    patch: dict[str, Any] = {}
    for key, value in modified.items():
        live = current.get(key)
        before = original.get(key)
        keys = merge_keys(key, path)
        if isinstance(value, dict) and isinstance(live, dict):
            inner = strategic_patch(before, value, live, (*path, key))
            if inner:
                patch[key] = inner
        elif isinstance(value, list) and keys and isinstance(live, list):
            items = _list_patch(before if isinstance(before, list) else [], value, live, keys[0], (*path, key))
            if items is None:
                if value != live:
                    patch[key] = value
            elif items:
                patch[key] = items
                patch[f"$setElementOrder/{key}"] = [{keys[0]: item[keys[0]]} for item in value]
        elif key not in current or live != value:
            patch[key] = value
    for key in original:
        if key not in modified and key in current:
            patch[key] = None
    return patch


def client_side_patch(original: dict[str, Any], modified: dict[str, Any], current: dict[str, Any]
                      ) -> tuple[dict[str, Any], str]:
    """The patch body and its content type for updating ``current`` to ``modified``."""
    if is_strategic(modified.get("apiVersion", ""), modified.get("kind", "")):
        return strategic_patch(original, modified, current), "application/strategic-merge-patch+json"
    return merge_patch_two_way(original, modified), "application/merge-patch+json"

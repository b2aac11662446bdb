"""Per-object differences between two release manifests, with Secret data masked.

Objects are matched by ``apiVersion group, kind, namespace, name``; deepdiff decides whether an object
changed (ignoring key order), and a unified diff of its YAML shows how.
"""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.redaction import CHANGED_MASK, MASK


@dataclass(frozen=True)
class ObjectKey:
    """Identity of a Kubernetes object in a manifest."""

    group: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        group = f".{self.group}" if self.group else ""
        return f"{self.kind}{group} {where}{self.name}"


@dataclass
class ObjectChange:
    """One object added, removed or changed between two manifests."""

    key: ObjectKey
    action: str  # "add", "remove" or "change"
    diff: str = ""
    paths: list[str] = field(default_factory=list)


def _group(api_version: str) -> str:
    return api_version.split("/", 1)[0] if "/" in api_version else ""


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML has it: many times faster


def parse_objects(manifest: str, default_namespace: str = "") -> dict[ObjectKey, dict[str, Any]]:
    """The objects of a manifest (documents separated by ``---``) by identity; comment-only documents dropped."""
    objects: dict[ObjectKey, dict[str, Any]] = {}
    for document in yaml.load_all(manifest or "", Loader=_LOADER):
        if not isinstance(document, dict):
            continue
        metadata = document.get("metadata") or {}
        key = ObjectKey(_group(str(document.get("apiVersion", ""))), str(document.get("kind", "")),
                        str(metadata.get("namespace") or default_namespace), str(metadata.get("name", "")))
        objects[key] = document
    return objects


def mask_secrets(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` whose Secret ``data``/``stringData`` values are replaced by a mask.

    Two different values get different masks (``(sensitive value, changed)``) only through ``mask_pair``.
    """
    if obj.get("kind") != "Secret":
        return obj
    masked = dict(obj)
    for section in ("data", "stringData"):
        if isinstance(obj.get(section), dict):
            masked[section] = {k: MASK for k in obj[section]}
    return masked


def mask_pair(old: dict[str, Any] | None, new: dict[str, Any] | None
               ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Mask Secret values on both sides, marking keys whose value changed without revealing either value."""
    if not ((old or {}).get("kind") == "Secret" or (new or {}).get("kind") == "Secret"):
        return old, new
    masked_old, masked_new = (mask_secrets(old) if old else None), (mask_secrets(new) if new else None)
    if old and new:
        for section in ("data", "stringData"):
            before, after = old.get(section) or {}, new.get(section) or {}
            for key in set(before) & set(after):
                if before[key] != after[key]:
                    masked_new[section][key] = CHANGED_MASK
    return masked_old, masked_new


def yaml_lines(obj: dict[str, Any] | None) -> list[str]:
    if obj is None:
        return []
    return yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, width=1000).splitlines(keepends=True)


def _same(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether two objects hold the same values of the same types (1, 1.0 and true differ; key order does not)."""
    def canonical(obj: dict[str, Any]) -> str:
        return json.dumps(obj, sort_keys=True, default=repr)

    return old == new and canonical(old) == canonical(new)


def _changed_paths(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    from deepdiff import DeepDiff

    if _same(old, new):  # deepdiff takes long to find nothing
        return []
    delta = DeepDiff(old, new, ignore_order=False, view="tree")
    return sorted({item.path() for items in delta.values() for item in items})


def diff_manifests(old_manifest: str, new_manifest: str, namespace: str = "", context: int = 3
                   ) -> list[ObjectChange]:
    """Objects added, removed or changed from ``old_manifest`` to ``new_manifest``, Secrets masked."""
    if old_manifest == new_manifest:  # the same text holds the same objects: nothing to parse
        return []
    old, new = parse_objects(old_manifest, namespace), parse_objects(new_manifest, namespace)
    changes = []
    for key in sorted(set(old) | set(new), key=str):
        before, after = old.get(key), new.get(key)
        if before is not None and after is not None:
            paths = _changed_paths(before, after)
            if not paths:
                continue
            action = "change"
        else:
            paths, action = [], ("add" if before is None else "remove")
        shown_before, shown_after = mask_pair(before, after)
        text = "".join(difflib.unified_diff(yaml_lines(shown_before), yaml_lines(shown_after),
                                            fromfile=f"a/{key}", tofile=f"b/{key}", n=context))
        if before is not None and after is not None and (before.get("kind") == "Secret"):
            paths = [p for p in paths if not p.startswith(("root['data']", "root['stringData']"))] or \
                ["(secret data)"]
        changes.append(ObjectChange(key, action, text, paths))
    return changes

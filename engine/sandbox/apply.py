"""Field ownership (``metadata.managedFields``) and server-side apply, as kube-apiserver's field manager runs
structured-merge-diff: ``merge.Updater.Apply`` and ``Updater.Update`` (sigs.k8s.io/structured-merge-diff
``merge/update.go``) behind the managed-fields updater and the meta stripper of k8s.io/apiserver
``pkg/endpoints/handlers/fieldmanager``.

An Update operation owns what it changed compared with the live object (on create, with the Go zero value of
the kind, so defaulted fields are owned too); an Apply owns exactly the fields of its configuration, takes them
from other managers when forced (409 otherwise) and removes what it applied before, applies no more and no
other manager owns."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from engine.sandbox import typed
from engine.sandbox.errors import APIError
from engine.sandbox.schema import Node
from engine.sandbox.typed import ABSENT, Path

# stripMetaManager: never owned by anyone
_STRIPPED = {("f:apiVersion",), ("f:kind",), ("f:metadata",), *(("f:metadata", f"f:{name}") for name in (
    "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation", "managedFields",
    "resourceVersion"))}


@dataclass
class Manager:
    """One managedFields entry."""

    manager: str
    operation: str
    api_version: str
    time: str
    fields: set[Path] = field(default_factory=set)
    subresource: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.manager, self.operation, self.subresource

    def entry(self) -> dict[str, Any]:
        out = {"manager": self.manager, "operation": self.operation, "apiVersion": self.api_version,
               "time": self.time, "fieldsType": "FieldsV1", "fieldsV1": encode_fields(self.fields)}
        if self.subresource:
            out["subresource"] = self.subresource
        return out


def encode_fields(paths: set[Path]) -> dict[str, Any]:
    """FieldsV1: a trie of path elements, ``.`` marking a member that also has members below it."""
    def tidy(node: dict[str, Any]) -> dict[str, Any]:
        if set(node) == {"."}:
            return {}
        return {label: tidy(child) if label != "." else {} for label, child in sorted(node.items())}
    return tidy(typed.trie(paths))


def decode_fields(trie: Any, prefix: Path = ()) -> set[Path]:
    out: set[Path] = set()
    for label, child in (trie or {}).items() if isinstance(trie, dict) else ():
        if label == ".":
            out.add(prefix)
            continue
        path = (*prefix, label)
        if child:
            out |= decode_fields(child, path)
        else:
            out.add(path)
    return out


def decode_managers(entries: Any) -> list[Manager]:
    managers = []
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict) and entry.get("manager") is not None:
            managers.append(Manager(entry.get("manager", ""), entry.get("operation", ""),
                                    entry.get("apiVersion", ""), entry.get("time", ""),
                                    decode_fields(entry.get("fieldsV1")), entry.get("subresource", "")))
    return managers


def is_reset(entries: Any) -> bool:
    """An empty list, or one empty entry, asks for the ownership records to be wiped (isResetManagedFields)."""
    return isinstance(entries, list) and (not entries or entries == [{}])


def encode_managers(managers: list[Manager]) -> list[dict[str, Any]]:
    """Entries in the order kube-apiserver writes them: by operation, then time, then manager."""
    kept = [m for m in managers if m.fields]
    return [m.entry() for m in sorted(kept, key=lambda m: (m.operation, m.time, m.manager, m.api_version))]


class Ownership:
    """The field sets of one kind of object: what a manager may own there."""

    def __init__(self, node: Node, reset_status: bool, unstructured: bool = False):
        self.node = node
        self.reset_status = reset_status  # the status subresource's fields are not the main resource's
        self.unstructured = unstructured  # a custom object has no Go zero value: a create starts from nothing

    def owned(self, paths: set[Path]) -> set[Path]:
        paths = paths - _STRIPPED
        if self.reset_status:
            paths = {p for p in paths if p[:1] != ("f:status",)}
        return paths

    def compare(self, live: dict[str, Any] | None, new: dict[str, Any]) -> typed.Comparison:
        before = _content(live) if live is not None else {} if self.unstructured else typed.zero_object(self.node)
        result = typed.compare(self.node, before, _content(new))
        result.added, result.modified = self.owned(result.added), self.owned(result.modified)
        result.removed = self.owned(result.removed)
        return result

    def update(self, live: dict[str, Any] | None, new: dict[str, Any], managers: list[Manager], manager: str,
               api_version: str, now: str, subresource: str = "") -> list[Manager]:
        """Updater.Update through the managed-fields updater: the writer owns what it changed, and no one
        keeps what it changed or removed. A write through a subresource is its own manager entry."""
        change = self.compare(live, new)
        taken = change.added | change.modified
        for other in managers:
            other.fields -= taken | change.removed
        managers = [m for m in managers if m.fields]
        if taken:
            mine = next((m for m in managers if m.key == (manager, "Update", subresource)), None)
            if mine is None:
                managers.append(Manager(manager, "Update", api_version, now, set(taken), subresource))
            else:
                mine.fields |= taken
                mine.time, mine.api_version = now, api_version
        return managers

    def apply(self, live: dict[str, Any] | None, config: dict[str, Any], managers: list[Manager], manager: str,
              force: bool, api_version: str, now: str) -> tuple[dict[str, Any], list[Manager]]:
        """Updater.Apply: the merged object and the managers after ``manager`` applied ``config``."""
        current = _content(live) if live is not None else {}
        merged = typed.merge(self.node, current, _content(config))
        merged = {} if merged is ABSENT else merged
        mine = next((m for m in managers if m.key == (manager, "Apply", "")), None)
        last = set(mine.fields) if mine is not None else set()
        applied = self.owned(typed.field_set(self.node, _content(config)))
        if mine is None:
            mine = Manager(manager, "Apply", api_version, now)
            managers = [*managers, mine]
        mine.fields, mine.time, mine.api_version = applied, now, api_version
        if last:
            merged = self._prune(merged, managers, last)
        change = self.compare(live, merged)
        taken = change.added | change.modified
        conflicts = [(other, path) for other in managers if other is not mine
                     for path in sorted(other.fields & taken)]
        if conflicts and not force:
            raise conflict_error(conflicts)
        for other in managers:
            if other is not mine:
                other.fields -= taken | change.removed
        return merged, [m for m in managers if m.fields]

    def _prune(self, merged: dict[str, Any], managers: list[Manager], last: set[Path]) -> dict[str, Any]:
        """Updater.prune: remove what the applier owned last time, applies no more and no manager owns."""
        named = lambda paths: typed.named_fields(self.node, paths)  # noqa: E731
        owned = named(set().union(*(m.fields for m in managers)))
        last_named = named(last)
        merged_set = named(typed.field_set(self.node, merged))
        first = typed.remove(self.node, merged, last_named) or {}
        kept = typed.remove(self.node, merged, merged_set - (named(typed.field_set(self.node, first)) | owned)) or {}
        dangling = (merged_set - named(typed.field_set(self.node, kept))) & last_named
        return typed.remove(self.node, merged, dangling) or {}


def _content(obj: Any) -> Any:
    """An object as the field manager sees it: without its ownership records."""
    if not isinstance(obj, dict):
        return obj
    metadata = obj.get("metadata")
    if isinstance(metadata, dict) and "managedFields" in metadata:
        obj = {**obj, "metadata": {k: v for k, v in metadata.items() if k != "managedFields"}}
    return obj


def _who(manager: Manager) -> str:
    """printManager: the manager, and for an Update the API version it used."""
    text = json.dumps(manager.manager)
    if manager.subresource:
        text += f" with subresource {json.dumps(manager.subresource)}"
    return f"{text} using {manager.api_version}" if manager.operation == "Update" else text


def conflict_error(conflicts: list[tuple[Manager, Path]]) -> APIError:
    """NewConflictError: 409 with one FieldManagerConflict cause per field."""
    if len(conflicts) == 1:
        other, path = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {_who(other)}: {typed.describe(path)}"
    else:
        lines = []
        for who in sorted({_who(m) for m, _ in conflicts}):
            lines.append(f"conflicts with {who}:")
            lines += [f"- {typed.describe(p)}" for m, p in conflicts if _who(m) == who]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return APIError(409, "Conflict", message, {"causes": [
        {"reason": "FieldManagerConflict", "message": f"conflict with {_who(m)}", "field": typed.describe(p)}
        for m, p in conflicts]})

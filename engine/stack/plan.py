"""Plans: what ``pyhelm apply`` would do to each release of a stack, and why."""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from engine.stack.diff import ObjectChange, ObjectKey
from engine.stack.errors import StackError

ACTIONS = ("install", "upgrade", "recover", "in-progress", "uninstall", "unchanged")
SYMBOLS = {"install": "+", "upgrade": "~", "recover": "!", "in-progress": "?", "uninstall": "-", "unchanged": " "}
IN_PROGRESS = "in-progress"  # a release another live run is changing: nothing to do until that run ends
STACK_LABEL = "pyhelm.dev/stack"
ENVIRONMENT_LABEL = "pyhelm.dev/environment"
CONTRACT_FIELDS = ("inputs", "clusters")  # what a saved plan must hold for apply to verify it
RELEASE_CONTRACT_FIELDS = ("status", "record_digest", "conflict")


def manifest_digest(manifest: str) -> str:
    return hashlib.sha256(manifest.encode()).hexdigest()


def record_digest(record: Any) -> str:
    """sha256 of a stored release record as read (its release JSON and every label of the stored object):
    a record rewritten at the same revision gets another digest."""
    from engine.release.record import to_json_ordered

    labels = json.dumps(sorted((record.record_labels or record.labels).items()))
    return hashlib.sha256((to_json_ordered(record.to_dict()) + "\0" + labels).encode()).hexdigest()


@dataclass
class ReleasePlan:
    """The planned change of one release."""

    id: str
    name: str
    namespace: str
    action: str
    needs: list[str] = field(default_factory=list)
    chart: str = ""
    version_from: str = ""
    version_to: str = ""
    revision: int = 0  # latest stored revision when planned (0: none); apply refuses if it moved
    status: str = ""  # that revision's status when planned
    record_digest: str = ""  # sha256 of that revision's stored record: a rewrite at the same revision shows
    conflict: str = ""  # why the release is not this stack's and environment's to change ('' when it is)
    reasons: list[str] = field(default_factory=list)
    values_diff: str = ""
    changes: list[ObjectChange] = field(default_factory=list)
    manifest_digest: str = ""  # sha256 of the planned manifest, rendered again and compared before apply
    kube_context: str | None = None
    notes: list[str] = field(default_factory=list)  # things a reviewer should know that change nothing
    hooks: list[str] = field(default_factory=list)  # the stack hooks that run around this release's apply
    correct_drift: bool = False  # apply takes back the fields changed outside the release (forced conflicts)
    repair_only: bool = False  # recover: repairing the history is all apply does (nothing else changes)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["changes"] = [{"object": str(c.key), "action": c.action, "paths": c.paths, "diff": c.diff}
                           for c in self.changes]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ReleasePlan":
        fields = {k: v for k, v in data.items() if k != "changes"}
        changes = [ObjectChange(ObjectKey("", "", "", c["object"]), c["action"], c.get("diff", ""),
                                list(c.get("paths") or [])) for c in data.get("changes") or []]
        return cls(**fields, changes=changes)


@dataclass
class Plan:
    """A stack's plan for one environment."""

    stack: str
    environment: str | None
    path: str
    releases: list[ReleasePlan]
    env_overrides: dict[str, Any] = field(default_factory=dict)  # --env-set/--env-values it was made with
    inputs: list[dict[str, str]] = field(default_factory=list)  # {kind, path, sha256} of every file it read
    clusters: list[dict[str, str]] = field(default_factory=list)  # {context, server} of every cluster used
    locked_by: dict[str, str] | None = None  # the run that held the stack lock when this was planned

    def count(self, action: str) -> int:
        return sum(1 for r in self.releases if r.action == action)

    @property
    def has_changes(self) -> bool:
        return any(r.action != "unchanged" for r in self.releases)

    def summary(self) -> str:
        """Terraform-like: ``Plan: 2 to install, 1 to upgrade, 1 to uninstall, 9 unchanged.``"""
        parts = [f"{self.count('install')} to install", f"{self.count('upgrade')} to upgrade"]
        if self.count("recover"):
            parts.append(f"{self.count('recover')} to recover")
        if self.count(IN_PROGRESS):
            parts.append(f"{self.count(IN_PROGRESS)} in progress")
        parts += [f"{self.count('uninstall')} to uninstall", f"{self.count('unchanged')} unchanged"]
        conflicts = sum(1 for r in self.releases if r.conflict and r.action != "unchanged")
        ownership = f" {conflicts} of the changes owned elsewhere (apply needs --take-ownership)." if conflicts else ""
        return "Plan: " + ", ".join(parts) + "." + ownership

    def to_dict(self) -> dict[str, Any]:
        return {"apiVersion": "pyhelm/v1", "kind": "Plan", "stack": self.stack, "environment": self.environment,
                "path": self.path, "envOverrides": self.env_overrides, "lockedBy": self.locked_by,
                "clusters": self.clusters, "inputs": self.inputs, "summary": {a: self.count(a) for a in ACTIONS},
                "releases": [r.to_dict() for r in self.releases]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Plan":
        """The plan a file holds; one saved before plans recorded what apply checks is refused."""
        if data.get("apiVersion") != "pyhelm/v1" or data.get("kind") != "Plan":
            raise StackError("not a saved pyhelm plan (apiVersion pyhelm/v1, kind Plan)")
        missing = [key for key in CONTRACT_FIELDS if key not in data]
        missing += sorted({key for r in data.get("releases") or [] for key in RELEASE_CONTRACT_FIELDS if key not in r})
        if missing:
            raise StackError(f"this plan was saved by an older pyhelm: it lacks {', '.join(missing)}, which apply "
                             "checks the cluster and the files against; plan again with `pyhelm plan --out`")
        return cls(data["stack"], data.get("environment"), data["path"],
                   [ReleasePlan.from_dict(r) for r in data.get("releases") or []], data.get("envOverrides") or {},
                   list(data["inputs"]), list(data["clusters"]), data.get("lockedBy"))

"""Plans: what ``pyhelm apply`` would do to each release of a stack, and why."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from engine.stack.diff import ObjectChange, ObjectKey

ACTIONS = ("install", "upgrade", "recover", "uninstall", "unchanged")
SYMBOLS = {"install": "+", "upgrade": "~", "recover": "!", "uninstall": "-", "unchanged": " "}
STACK_LABEL = "pyhelm.dev/stack"
ENVIRONMENT_LABEL = "pyhelm.dev/environment"


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
    reasons: list[str] = field(default_factory=list)
    values_diff: str = ""
    changes: list[ObjectChange] = field(default_factory=list)
    manifest_digest: str = ""  # sha256 of the planned manifest, checked again when a saved plan is applied
    kube_context: str | None = None
    notes: list[str] = field(default_factory=list)  # things a reviewer should know that change nothing
    hooks: list[str] = field(default_factory=list)  # the stack hooks that run around this release's apply
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
        parts += [f"{self.count('uninstall')} to uninstall", f"{self.count('unchanged')} unchanged"]
        return "Plan: " + ", ".join(parts) + "."

    def to_dict(self) -> dict[str, Any]:
        return {"apiVersion": "pyhelm/v1", "kind": "Plan", "stack": self.stack, "environment": self.environment,
                "path": self.path, "envOverrides": self.env_overrides,
                "summary": {a: self.count(a) for a in ACTIONS},
                "releases": [r.to_dict() for r in self.releases]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Plan":
        return cls(data["stack"], data.get("environment"), data["path"],
                   [ReleasePlan.from_dict(r) for r in data.get("releases") or []], data.get("envOverrides") or {})

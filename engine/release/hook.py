"""A release's hook as Helm records it (pkg/release/v1 Hook): made by rendering, run by install and upgrade.

Its own module, so rendering (which makes hooks but stores no release) need not import the record codecs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Hook:
    """A document annotated with ``helm.sh/hook`` (Helm's release.Hook): rendering makes it (last_run empty),
    running it records its phase in ``last_run``."""

    name: str
    kind: str
    path: str
    manifest: str
    events: list[str]
    weight: int = 0
    delete_policies: list[str] = field(default_factory=list)
    output_log_policies: list[str] = field(default_factory=list)
    last_run: dict[str, Any] = field(default_factory=lambda: {"phase": ""})

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "path": self.path, "manifest": self.manifest}
        if self.events:
            out["events"] = self.events
        out["last_run"] = self.last_run
        if self.weight:
            out["weight"] = self.weight
        if self.delete_policies:
            out["delete_policies"] = self.delete_policies
        if self.output_log_policies:
            out["output_log_policies"] = self.output_log_policies
        return {k: v for k, v in out.items() if v != "" or k == "last_run"}

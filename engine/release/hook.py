"""A release's hook as Helm records it (pkg/release/v1 Hook): made by rendering, run by install and upgrade.

Its own module, so rendering (which makes hooks but stores no release) need not import the record codecs;
a plain class rather than a dataclass, whose generated methods every render would pay for at start-up.
"""
from __future__ import annotations

from typing import Any


class Hook:
    """A document annotated with ``helm.sh/hook`` (Helm's release.Hook): rendering makes it (last_run empty),
    running it records its phase in ``last_run``. Equal to another hook with the same fields."""

    __slots__ = ("name", "kind", "path", "manifest", "events", "weight", "delete_policies", "output_log_policies",
                 "last_run")

    def __init__(self, name: str, kind: str, path: str, manifest: str, events: list[str], weight: int = 0,
                 delete_policies: list[str] | None = None, output_log_policies: list[str] | None = None,
                 last_run: dict[str, Any] | None = None):
        self.name, self.kind, self.path, self.manifest, self.events = name, kind, path, manifest, events
        self.weight = weight
        self.delete_policies: list[str] = [] if delete_policies is None else delete_policies
        self.output_log_policies: list[str] = [] if output_log_policies is None else output_log_policies
        self.last_run: dict[str, Any] = {"phase": ""} if last_run is None else last_run

    def _fields(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._fields() == other._fields()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]  # mutable, so unhashable (as the dataclass it was)

    def __repr__(self) -> str:
        return f"Hook({', '.join(f'{name}={getattr(self, name)!r}' for name in self.__slots__)})"

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

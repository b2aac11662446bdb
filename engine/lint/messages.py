"""Lint messages and the collector rules report into (Helm's lint/support)."""
from __future__ import annotations

from dataclasses import dataclass, field

INFO, WARNING, ERROR = 1, 2, 3
SEVERITY_NAMES = {INFO: "INFO", WARNING: "WARNING", ERROR: "ERROR"}


@dataclass(frozen=True)
class Message:
    severity: int
    path: str
    text: str

    def __str__(self) -> str:
        return f"[{SEVERITY_NAMES[self.severity]}] {self.path}: {self.text}"


@dataclass
class Linter:
    """Collects the messages of one chart's lint run."""

    chart_dir: str
    messages: list[Message] = field(default_factory=list)

    def rule(self, severity: int, path: str, problem: str | None) -> bool:
        """Record ``problem`` (None means the rule passed); returns True when it passed."""
        if problem is None:
            return True
        self.messages.append(Message(severity, path, problem))
        return False

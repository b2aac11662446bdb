"""The controller's Prometheus metrics (prometheus_client, imported only by the controller)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Metrics:
    registry: Any
    reconcile_seconds: Any
    reconciles: Any
    releases: Any
    drift: Any
    leader: Any

    @classmethod
    def create(cls) -> "Metrics":
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        registry = CollectorRegistry()
        return cls(
            registry,
            Histogram("pyhelm_controller_reconcile_duration_seconds", "How long one reconciliation of a Stack took",
                      ["outcome"], registry=registry,
                      buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)),
            Counter("pyhelm_controller_reconcile", "Reconciliations of Stacks, by outcome "
                    "(applied, unchanged, failed, stalled, suspended, invalid)", ["stack", "outcome"],
                    registry=registry),
            Gauge("pyhelm_controller_releases", "Releases of each Stack by the state of their latest record",
                  ["stack", "state"], registry=registry),
            Counter("pyhelm_controller_drift_found", "Objects found changed outside their release",
                    ["stack"], registry=registry),
            Gauge("pyhelm_controller_leader", "1 while this replica is the leader of its shard", ["shard"],
                  registry=registry))

    def observe(self, stack: str, outcome: str, seconds: float, releases: list[dict[str, Any]],
                drift: int) -> None:
        self.reconciles.labels(stack, outcome).inc()
        self.reconcile_seconds.labels(outcome).observe(seconds)
        if drift:
            self.drift.labels(stack).inc(drift)
        if releases:
            counts: dict[str, int] = {}
            for release in releases:
                counts[release["state"]] = counts.get(release["state"], 0) + 1
            for state in ("deployed", "failed", "pending-install", "pending-upgrade", "pending-rollback",
                          "uninstalled", "superseded", "not-installed", *counts):
                self.releases.labels(stack, state).set(counts.get(state, 0))

    def exposition(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST

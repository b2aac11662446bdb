"""``--wait``: poll a release's objects until each is ready as Helm 4's status watcher judges it (or the run is
cancelled: see engine.action.cancel)."""
from __future__ import annotations

import time
from typing import Any, Callable

from engine.action.cancel import pause
from engine.action.config import ActionConfig, ActionError


def _conditions(status: dict[str, Any]) -> dict[str, str]:
    return {c.get("type", ""): c.get("status", "") for c in status.get("conditions") or []}


def not_ready_reason(kind: str, obj: dict[str, Any], wait_for_jobs: bool = False) -> str | None:
    """Why ``obj`` is not ready yet, or None when it is."""
    status = obj.get("status") or {}
    spec = obj.get("spec") or {}
    generation = (obj.get("metadata") or {}).get("generation", 0)
    if kind in ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet"):
        if status.get("observedGeneration", 0) < generation:
            return "observed generation is behind"
        if kind == "DaemonSet":
            desired = status.get("desiredNumberScheduled", 0)
            return None if status.get("numberReady", 0) >= desired and status.get(
                "updatedNumberScheduled", 0) >= desired else "pods are not ready"
        replicas = spec.get("replicas", 1)
        if status.get("readyReplicas", 0) < replicas or status.get("updatedReplicas", replicas) < replicas:
            return f"{status.get('readyReplicas', 0)}/{replicas} replicas ready"
        if kind == "Deployment":  # kstatus: every replica available, no old pods left, Available not false
            if status.get("availableReplicas", 0) < replicas:
                return f"{status.get('availableReplicas', 0)}/{replicas} replicas available"
            if status.get("replicas", replicas) > status.get("updatedReplicas", replicas):
                return "old replicas are pending termination"
            if _conditions(status).get("Available") == "False":
                return "not available"
        return None
    if kind == "Pod":
        phase = status.get("phase")
        if phase == "Succeeded" or (phase == "Running" and _conditions(status).get("Ready") == "True"):
            return None
        return f"pod is {phase or 'Pending'}"
    if kind == "Job" and wait_for_jobs:
        conditions = _conditions(status)
        if conditions.get("Failed") == "True":
            return "job failed"
        return None if conditions.get("Complete") == "True" else "job is not complete"
    if kind == "PersistentVolumeClaim":
        return None if status.get("phase") == "Bound" else "claim is not bound"
    if kind == "Service" and spec.get("type") == "LoadBalancer":
        return None if (status.get("loadBalancer") or {}).get("ingress") else "load balancer has no ingress"
    return None


def wait_ready(config: ActionConfig, objects: list[dict[str, Any]], timeout: float,
               wait_for_jobs: bool = False, progress: Callable[[str], None] | None = None) -> None:
    """Return when every object is ready; raise ActionError naming one that is not when time runs out, and
    OperationCancelled as soon as the run is cancelled. ``progress`` hears after each poll how many objects
    are ready and what the first one still waited for is waiting on."""
    deadline = time.monotonic() + timeout
    pending = list(objects)
    while pending:
        still = []
        for obj in pending:
            ref = config.kube.ref(obj)
            live = config.kube.get(ref)
            reason = "not found" if live is None else not_ready_reason(ref.kind, live, wait_for_jobs)
            if reason is not None:
                still.append((obj, ref, reason))
        if not still:
            return
        if progress is not None:
            _obj, ref, reason = still[0]
            progress(f"waiting: {len(objects) - len(still)}/{len(objects)} ready; {ref.kind} {ref.name}: {reason}")
        if time.monotonic() > deadline:
            _obj, ref, reason = still[0]
            raise ActionError(f"resource not ready, name: {ref.name}, kind: {ref.kind}, status: InProgress "
                              f"({reason}): context deadline exceeded")
        pending = [obj for obj, _ref, _reason in still]
        pause(0.5)

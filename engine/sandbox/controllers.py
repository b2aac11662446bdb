"""Stand-in controllers (``--ready``): mark workloads ready and Jobs and test Pods complete, so ``--wait``
and ``helm test`` can be exercised. They write status only, the way real controllers do."""
from __future__ import annotations

from typing import Any

from engine.sandbox.registry import Resource


def _condition(kind: str, reason: str, stamp: str, message: str = "") -> dict[str, Any]:
    return {"type": kind, "status": "True", "reason": reason, "message": message,
            "lastTransitionTime": stamp, "lastUpdateTime": stamp}


def ready_status(kind: str, obj: dict[str, Any], stamp: str) -> dict[str, Any] | None:
    """The status a healthy controller would write for ``obj``, or None for kinds left alone."""
    spec = obj.get("spec") or {}
    generation = (obj.get("metadata") or {}).get("generation", 1)
    replicas = spec.get("replicas", 1)
    if kind in ("Deployment", "ReplicaSet"):
        status = {"observedGeneration": generation, "replicas": replicas, "readyReplicas": replicas,
                  "availableReplicas": replicas, "updatedReplicas": replicas}
        if kind == "Deployment":
            status["conditions"] = [
                _condition("Available", "MinimumReplicasAvailable", stamp, "Deployment has minimum availability."),
                _condition("Progressing", "NewReplicaSetAvailable", stamp, "ReplicaSet has successfully progressed.")]
        else:
            status["fullyLabeledReplicas"] = replicas
        return status
    if kind == "StatefulSet":
        return {"observedGeneration": generation, "replicas": replicas, "readyReplicas": replicas,
                "currentReplicas": replicas, "updatedReplicas": replicas, "availableReplicas": replicas,
                "currentRevision": "sandbox", "updateRevision": "sandbox"}
    if kind == "DaemonSet":
        return {"observedGeneration": generation, "desiredNumberScheduled": 1, "currentNumberScheduled": 1,
                "numberReady": 1, "updatedNumberScheduled": 1, "numberAvailable": 1, "numberMisscheduled": 0}
    if kind == "Job":
        completions = spec.get("completions", 1)
        return {"succeeded": completions, "active": 0, "startTime": stamp, "completionTime": stamp,
                "conditions": [_condition("SuccessCriteriaMet", "CompletionsReached", stamp),
                               _condition("Complete", "CompletionsReached", stamp)]}
    if kind == "Pod":
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        restart = spec.get("restartPolicy", "Always")
        if "test" in annotations.get("helm.sh/hook", "") or restart == "Never":
            return {"phase": "Succeeded", "startTime": stamp,
                    "conditions": [_condition("Initialized", "PodCompleted", stamp)]}
        return {"phase": "Running", "startTime": stamp,
                "conditions": [_condition("Ready", "", stamp), _condition("ContainersReady", "", stamp)]}
    if kind == "PersistentVolumeClaim":
        return {"phase": "Bound", "accessModes": spec.get("accessModes", ["ReadWriteOnce"]),
                "capacity": ((spec.get("resources") or {}).get("requests") or {})}
    return None


def make_ready(api: Any, resource: Resource, obj: dict[str, Any]) -> None:
    """Write the ready status of ``obj`` (a status-only update with its own resourceVersion)."""
    from engine.sandbox.api import now

    status = ready_status(resource.kind, obj, now())
    if status is None or obj.get("status") == {**(obj.get("status") or {}), **status}:
        return
    metadata = obj["metadata"]
    namespace = metadata.get("namespace", "") if resource.namespaced else ""
    with api.store.lock:
        current = api.store.get(api.bucket(resource), namespace, metadata["name"])
        if current is None:
            return
        current["status"] = {**(current.get("status") or {}), **status}
        current["metadata"]["resourceVersion"] = str(api.store.next_rv())
        api.store.put(api.bucket(resource), namespace, metadata["name"], current, "MODIFIED")

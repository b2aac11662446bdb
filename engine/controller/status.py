"""What a reconciliation leaves on the Stack: its ``status`` (conditions Ready/Reconciling/Stalled with
reasons, observedGeneration, source digests, per-release state, the last plan's summary) and Kubernetes
Events for what people should notice (changes applied, failures, drift, a stalled Stack). Messages pass
through the redactor: a secret in an error never reaches the cluster's status or events."""
from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from engine.controller.reconciler import Result
from engine.controller.resource import API_VERSION, GROUP, KIND, PLURAL, VERSION, StackResource
from engine.redaction import REDACTOR

COMPONENT = "pyhelm-controller"
MAX_MESSAGE = 1024  # a condition message stays readable in `kubectl get`


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(message: str) -> str:
    text = REDACTOR.redact(message)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."


def _condition(kind: str, status: bool, reason: str, message: str, generation: int,
               previous: list[dict[str, Any]]) -> dict[str, Any]:
    """A condition; its lastTransitionTime moves only when its status does."""
    text = "True" if status else "False"
    before = next((c for c in previous if c.get("type") == kind), None)
    moved = before is None or before.get("status") != text
    return {"type": kind, "status": text, "reason": reason, "message": _clean(message),
            "observedGeneration": generation,
            "lastTransitionTime": now() if moved else before.get("lastTransitionTime") or now()}


def conditions_for(result: Result, generation: int, previous: list[dict[str, Any]]) -> list[dict[str, Any]]:
    stalled = result.outcome == "stalled"
    return [_condition("Ready", result.succeeded, result.reason, result.message, generation, previous),
            _condition("Reconciling", not result.succeeded and not stalled,
                       "ProgressingWithRetry" if not result.succeeded and not stalled else "Succeeded",
                       "retrying with back-off" if not result.succeeded and not stalled else "reconciled",
                       generation, previous),
            _condition("Stalled", stalled, result.reason if stalled else "Succeeded",
                       result.message if stalled else "not stalled", generation, previous)]


def status_after(result: Result, stack: StackResource, previous: dict[str, Any], failures: int) -> dict[str, Any]:
    """The Stack's new status after ``result``."""
    status = {"observedGeneration": stack.generation, "lastHandledTime": now(), "failures": failures,
              "lastAttemptedDigest": result.digest,
              "conditions": conditions_for(result, stack.generation, previous.get("conditions") or [])}
    status["lastAppliedDigest"] = result.digest if result.succeeded else previous.get("lastAppliedDigest", "")
    if result.plan_summary:
        status["lastPlan"] = {"summary": result.plan_summary, "time": now()}
    elif previous.get("lastPlan"):
        status["lastPlan"] = previous["lastPlan"]
    status["releases"] = result.releases or previous.get("releases") or []
    status["drift"] = [_clean(line) for line in result.drift]
    return status


def suspended_status(stack: StackResource, previous: dict[str, Any]) -> dict[str, Any]:
    """Suspended: the conditions say so, everything else stays as the last reconciliation left it."""
    conditions = [c for c in previous.get("conditions") or [] if c.get("type") != "Reconciling"]
    conditions.append(_condition("Reconciling", False, "Suspended", "spec.suspend is true: not reconciling",
                                 stack.generation, previous.get("conditions") or []))
    return {**previous, "observedGeneration": stack.generation, "lastHandledTime": now(), "conditions": conditions}


def invalid_spec_status(message: str, generation: int, previous: dict[str, Any]) -> dict[str, Any]:
    result = Result("stalled", "InvalidSpec", message)
    return {**previous, "observedGeneration": generation, "lastHandledTime": now(),
            "conditions": conditions_for(result, generation, previous.get("conditions") or [])}


def stack_path(namespace: str, name: str, subresource: str = "") -> str:
    path = f"/apis/{GROUP}/{VERSION}/namespaces/{namespace}/{PLURAL}/{name}"
    return f"{path}/{subresource}" if subresource else path


def write_status(kube: Any, namespace: str, name: str, status: dict[str, Any]) -> None:
    """Replace the Stack's status (a merge patch of the status subresource: the spec is never touched)."""
    kube.request("PATCH", stack_path(namespace, name, "status"), {"status": status},
                 content_type="application/merge-patch+json")


def record_event(kube: Any, obj: dict[str, Any], kind: str, reason: str, message: str) -> None:
    """A core/v1 Event about the Stack (``kind``: Normal or Warning)."""
    metadata = obj.get("metadata") or {}
    namespace, name = metadata.get("namespace") or "default", metadata.get("name") or ""
    stamp = now()
    event = {"apiVersion": "v1", "kind": "Event",
             "metadata": {"name": f"{name}.{secrets.token_hex(8)}", "namespace": namespace},
             "involvedObject": {"apiVersion": API_VERSION, "kind": KIND, "namespace": namespace, "name": name,
                                "uid": metadata.get("uid", ""),
                                "resourceVersion": metadata.get("resourceVersion", "")},
             "reason": reason, "message": _clean(message), "type": kind, "count": 1,
             "firstTimestamp": stamp, "lastTimestamp": stamp, "source": {"component": COMPONENT},
             "reportingComponent": COMPONENT}
    kube.request("POST", f"/api/v1/namespaces/{namespace}/events", event)


def events_for(result: Result) -> list[tuple[str, str, str]]:
    """(type, reason, message) of the Events a result is worth: nothing for a pass that changed nothing."""
    events = []
    if result.drift:
        events.append(("Warning", "DriftDetected", "; ".join(result.drift)))
    if result.outcome == "applied":
        events.append(("Normal", result.reason, result.message))
    elif result.outcome in ("failed", "stalled"):
        events.append(("Warning", result.reason, result.message))
    return events

"""Running a release's hooks for one event: weight order, delete policies, waiting for Jobs and Pods."""
from __future__ import annotations

import time
from typing import Any

from engine.action.config import ActionConfig, ActionError
from engine.gotemplate.goyaml import load_manifests
from engine.release.record import Release, now_rfc3339


def _finished(kind: str, obj: dict[str, Any]) -> tuple[bool, bool]:
    """(finished, succeeded) for a hook object."""
    status = obj.get("status") or {}
    if kind == "Job":
        conditions = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        if conditions.get("Complete") == "True":
            return True, True
        if conditions.get("Failed") == "True":
            return True, False
        return False, False
    if kind == "Pod":
        phase = status.get("phase")
        return phase in ("Succeeded", "Failed"), phase == "Succeeded"
    return True, True


def run_hooks(config: ActionConfig, release: Release, event: str, timeout: float) -> None:
    """Run the hooks of ``event``; raises ActionError when one fails (its last_run records it)."""
    hooks = sorted((h for h in release.hooks if event in h.events), key=lambda h: (h.weight, h.name))
    for hook in hooks:
        obj = next(iter(load_manifests(hook.manifest)), None)
        if not isinstance(obj, dict):
            continue
        ref = config.kube.ref(obj)
        policies = hook.delete_policies or ["before-hook-creation"]
        if "before-hook-creation" in policies:
            config.kube.delete(ref)
        hook.last_run = {"started_at": now_rfc3339(), "phase": "Running"}
        config.kube.apply(obj, field_manager="helm", force=True)
        deadline = time.monotonic() + timeout
        succeeded = True
        while True:
            current = config.kube.get(ref) or {}
            finished, succeeded = _finished(ref.kind, current)
            if finished:
                break
            if time.monotonic() > deadline:
                succeeded = False
                break
            time.sleep(0.2)
        hook.last_run = {"started_at": hook.last_run["started_at"], "completed_at": now_rfc3339(),
                         "phase": "Succeeded" if succeeded else "Failed"}
        if succeeded and "hook-succeeded" in policies or not succeeded and "hook-failed" in policies:
            config.kube.delete(ref)
        if not succeeded:
            raise ActionError(f"{event} hooks failed: resource {ref.kind} {ref.name} did not complete "
                              "successfully (timed out or failed)")

"""Running a release's hooks for one event: weight order, delete policies, waiting for Jobs and Pods."""
from __future__ import annotations

import time
from typing import Any

from engine.action.cancel import OperationCancelled, pause
from engine.action.config import ActionConfig, ActionError
from engine.gotemplate.goyaml import load_manifests
from engine.release.record import Hook, Release, now_rfc3339


def _finished(kind: str, obj: dict[str, Any]) -> tuple[bool, str]:
    """(finished, failure reason) for a hook object; the reason is empty on success."""
    status = obj.get("status") or {}
    if kind == "Job":
        for condition in status.get("conditions") or []:
            if condition.get("status") != "True":
                continue
            if condition.get("type") == "Complete":
                return True, ""
            if condition.get("type") == "Failed":
                return True, f"job {obj['metadata']['name']} failed: {condition.get('reason', '')}"
        return False, ""
    if kind == "Pod":
        phase = status.get("phase")
        if phase == "Failed":
            return True, f"pod {obj['metadata']['name']} failed"
        return phase == "Succeeded", ""
    return True, ""


def _hook_object(hook: Hook) -> dict[str, Any] | None:
    obj = next(iter(load_manifests(hook.manifest)), None)
    return obj if isinstance(obj, dict) else None


def _delete_by_policy(config: ActionConfig, hook: Hook, policy: str) -> None:
    """Delete a hook's object when its policies (default before-hook-creation) include ``policy``;
    CRDs are never deleted."""
    policies = hook.delete_policies or ["before-hook-creation"]
    obj = _hook_object(hook)
    if obj is None or hook.kind == "CustomResourceDefinition" or policy not in policies:
        return
    config.kube.delete(config.kube.ref(obj))


def _run_one(config: ActionConfig, hook: Hook, timeout: float) -> str:
    """Create a hook's object and wait for it; the failure reason, empty on success. A cancelled run stops
    the wait (OperationCancelled) with the hook recorded as failed."""
    obj = _hook_object(hook)
    if obj is None:
        return ""
    ref = config.kube.ref(obj)
    _delete_by_policy(config, hook, "before-hook-creation")
    hook.last_run = {"started_at": now_rfc3339(), "phase": "Running"}
    config.kube.apply(obj, field_manager="helm", force=True)
    deadline = time.monotonic() + timeout
    try:
        while True:
            finished, reason = _finished(ref.kind, config.kube.get(ref) or {})
            if finished:
                break
            if time.monotonic() > deadline:
                reason = f"timed out waiting for {ref.kind} {ref.name} to complete"
                break
            pause(0.2)
    except OperationCancelled:
        _record_end(hook, failed=True)
        raise
    _record_end(hook, failed=bool(reason))
    return reason


def _record_end(hook: Hook, failed: bool) -> None:
    """Complete the hook's ``last_run`` (stored with the release record)."""
    hook.last_run = {"started_at": hook.last_run["started_at"], "completed_at": now_rfc3339(),
                     "phase": "Failed" if failed else "Succeeded"}


def run_hooks(config: ActionConfig, release: Release, event: str, timeout: float,
              failure_prefix: str = "") -> None:
    """Run the hooks of ``event`` in weight order. On success, delete those with hook-succeeded; when one
    fails, delete it if it has hook-failed (and the earlier ones with hook-succeeded) and raise ActionError
    (its ``last_run`` records the failure)."""
    hooks = sorted((h for h in release.hooks if event in h.events), key=lambda h: (h.weight, h.name))
    for index, hook in enumerate(hooks):
        reason = _run_one(config, hook, timeout)
        if reason:
            _delete_by_policy(config, hook, "hook-failed")
            for earlier in hooks[:index]:
                _delete_by_policy(config, earlier, "hook-succeeded")
            message = f"warning: Hook {event} {hook.path} failed: {reason}"
            raise ActionError(f"{failure_prefix}: {message}" if failure_prefix else message)
    for hook in reversed(hooks):
        _delete_by_policy(config, hook, "hook-succeeded")

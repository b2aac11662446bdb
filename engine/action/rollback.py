"""Rollback: a new revision that re-applies an earlier one (Helm v4's algorithm)."""
from __future__ import annotations

from engine import cancellation
from engine.action.apply import ApplyMethod, manifest_objects, update_objects
from engine.action.cancel import CANCELLED_MESSAGE, OperationCancelled, interruptible
from engine.action.config import ActionConfig, ActionError
from engine.action.hooks import run_hooks
from engine.action.wait import wait_ready
from engine.release.record import Info, Release, now_rfc3339


def rollback(config: ActionConfig, namespace: str, name: str, revision: int = 0, history_max: int = 10,
             wait: bool = False, wait_for_jobs: bool = False, timeout: float = 300.0, no_hooks: bool = False,
             cleanup_on_fail: bool = False, server_side: str = "auto", force_conflicts: bool = False,
             force_replace: bool = False, dry_run: bool = False) -> Release:
    """Make revision last+1 a copy of ``revision`` (default: the one before the last) and apply it; a
    signal meanwhile stops it at its next wait with the new revision marked failed."""
    history = config.storage.history(namespace, name)
    if not history:
        raise ActionError("release: not found")
    last = history[-1]
    target_version = revision or (last.version - 1)
    target = next((r for r in history if r.version == target_version), None)
    if target is None:
        raise ActionError(f"release has no {target_version} version")
    if server_side not in ("auto", "true", "false"):
        raise ActionError(f"invalid/unknown release server-side apply method: {server_side}")
    ssa = target.apply_method == "ssa" if server_side == "auto" else server_side == "true"
    method = ApplyMethod(server_side=ssa, force_conflicts=force_conflicts, force_replace=force_replace,
                         upgrade_client_side_fields=ssa and last.apply_method in ("", "csa"))
    release = Release(name=name, namespace=namespace, version=last.version + 1,
                      info=Info(first_deployed=last.info.first_deployed, last_deployed=now_rfc3339(),
                                description=f"Rollback to {target_version}", status="pending-rollback",
                                notes=target.info.notes),
                      chart=target.chart, config=target.config, manifest=target.manifest, hooks=target.hooks,
                      apply_method=method.record_name, labels=target.labels)
    if dry_run:
        return release
    config.storage.create(release, history_max=history_max)

    def work() -> None:
        if not no_hooks:
            run_hooks(config, release, "pre-rollback", timeout)
        targets = manifest_objects(release.manifest)
        try:
            update_objects(config, manifest_objects(last.manifest), targets, name, namespace, method)
        except ActionError as exc:
            last.info.status = "superseded"
            config.storage.update(last)
            release.info.status, release.info.description = "failed", f'Rollback "{name}" failed: {exc}'
            config.storage.update(release)
            if cleanup_on_fail:
                from engine.action.apply import delete_objects

                delete_objects(config, getattr(exc, "created", []))
            raise
        if wait:
            try:
                wait_ready(config, targets, timeout, wait_for_jobs)
            except OperationCancelled:
                raise
            except ActionError as exc:
                release.info.status, release.info.description = "failed", f'Release "{name}" failed: {exc}'
                config.storage.update(release)
                raise ActionError(f"release {name} failed: {exc}") from None
        if not no_hooks:
            run_hooks(config, release, "post-rollback", timeout)
        config.storage.supersede_others(release)
        release.info.status = "deployed"
        config.storage.update(release)

    try:
        with interruptible():
            work()
    except (KeyboardInterrupt, OperationCancelled):  # a signal: recorded as helm records a cancelled context
        release.info.status, release.info.description = "failed", f'Release "{name}" failed: {CANCELLED_MESSAGE}'
        config.storage.update(release)
        cancellation.note_marked_failed(f"{namespace}/{name}")
        raise OperationCancelled() from None
    return release

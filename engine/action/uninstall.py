"""Uninstall (Helm v4's algorithm: uninstalling status, hooks, deletion in reverse kind order, purge)."""
from __future__ import annotations

from engine import cancellation
from engine.action.apply import delete_objects, manifest_objects, wait_deleted
from engine.action.cancel import OperationCancelled, interruptible
from engine.action.config import ActionConfig, ActionError
from engine.action.hooks import run_hooks
from engine.release.record import Release, now_rfc3339

CASCADE = {"background": "Background", "orphan": "Orphan", "foreground": "Foreground"}


def uninstall(config: ActionConfig, namespace: str, name: str, keep_history: bool = False, no_hooks: bool = False,
              timeout: float = 300.0, description: str = "", cascade: str = "background", wait: bool = False
              ) -> tuple[Release, list[dict]]:
    """Delete a release's objects and its records (kept, as uninstalled, with ``keep_history``).
    Returns the release and the objects kept by ``helm.sh/resource-policy: keep``."""
    if cascade not in CASCADE:
        raise ActionError(f'invalid cascade value ({cascade}). Must be "background", "foreground", or "orphan"')
    history = config.storage.history(namespace, name)
    if not history:
        raise ActionError(f"uninstall: Release not loaded: {name}: release: not found")
    release = history[-1]
    if release.info.status == "uninstalled":
        if keep_history:
            raise ActionError(f'the release named "{name}" is already deleted')
        for record in history:
            config.storage.delete(record)
        return release, []
    release.info.status, release.info.deleted = "uninstalling", now_rfc3339()
    release.info.description = "Deletion in progress (or silently failed)"
    if not no_hooks:
        run_hooks(config, release, "pre-delete", timeout)
    config.storage.update(release)
    objects = manifest_objects(release.manifest)
    try:
        kept = delete_objects(config, objects, CASCADE[cascade])
    except Exception as exc:
        raise ActionError(f"failed to delete release: {name} ({exc})") from None
    if wait:
        try:
            with interruptible():
                wait_deleted(config, [o for o in objects if o not in kept], timeout)
        except OperationCancelled as cancelled:
            release.info.status, release.info.description = "failed", f'Uninstall "{name}" failed: {cancelled}'
            config.storage.update(release)
            cancellation.note_marked_failed(f"{namespace}/{name}")
            raise
    if not no_hooks:
        run_hooks(config, release, "post-delete", timeout)
    release.info.status = "uninstalled"
    release.info.description = description or "Uninstallation complete"
    if not keep_history:
        for record in history:
            config.storage.delete(record)
        return release, kept
    config.storage.update(release)
    config.storage.supersede_others(release)
    return release, kept

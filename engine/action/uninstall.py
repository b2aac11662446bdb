"""Uninstall and rollback."""
from __future__ import annotations

from engine.action.apply import apply_objects, delete_objects, manifest_objects
from engine.action.config import ActionConfig, ActionError
from engine.action.hooks import run_hooks
from engine.release.record import Info, Release, now_rfc3339


def uninstall(config: ActionConfig, namespace: str, name: str, keep_history: bool = False, no_hooks: bool = False,
              timeout: float = 300.0, description: str = "") -> tuple[Release, list[str]]:
    """Delete a release's objects and its records (kept, as uninstalled, with ``keep_history``)."""
    history = config.storage.history(namespace, name)
    if not history:
        raise ActionError(f"uninstall: Release not loaded: {name}: release: not found")
    release = history[-1]
    if release.info.status == "uninstalled" and keep_history:
        raise ActionError(f"release: {name} is already uninstalled")
    release.info.status, release.info.deleted = "uninstalling", now_rfc3339()
    release.info.description = "Deletion in progress (or silently failed)"
    config.storage.update(release)
    if not no_hooks:
        run_hooks(config, release, "pre-delete", timeout)
    kept = delete_objects(config, manifest_objects(release.manifest))
    if not no_hooks:
        run_hooks(config, release, "post-delete", timeout)
    release.info.status = "uninstalled"
    release.info.description = description or "Uninstallation complete"
    if keep_history:
        config.storage.update(release)
        for other in history[:-1]:
            if other.info.status == "deployed":
                other.info.status = "superseded"
                config.storage.update(other)
    else:
        for record in history:
            config.storage.delete(record)
    return release, kept


def rollback(config: ActionConfig, namespace: str, name: str, revision: int = 0, history_max: int = 10
             ) -> Release:
    """Make a new revision that is a copy of ``revision`` (default: the one before the last)."""
    history = config.storage.history(namespace, name)
    if not history:
        raise ActionError(f"release: not found")
    last = history[-1]
    target_version = revision or (last.version - 1)
    target = next((r for r in history if r.version == target_version), None)
    if target is None:
        raise ActionError(f"release has no {target_version} version")
    stamp = now_rfc3339()
    release = Release(name=name, namespace=namespace, version=last.version + 1,
                      info=Info(first_deployed=last.info.first_deployed, last_deployed=stamp,
                                description=f"Rollback to {target_version}", status="pending-rollback",
                                notes=target.info.notes),
                      chart=target.chart, config=target.config, manifest=target.manifest, hooks=target.hooks,
                      apply_method="ssa", labels=target.labels)
    config.storage.create(release, history_max=history_max)
    try:
        objects = manifest_objects(release.manifest)
        apply_objects(config, objects, name, namespace)
        kept = {(o.get("kind"), (o.get("metadata") or {}).get("name")) for o in objects}
        delete_objects(config, [o for o in manifest_objects(last.manifest)
                                if (o.get("kind"), (o.get("metadata") or {}).get("name")) not in kept])
    except Exception as exc:
        release.info.status = "failed"
        release.info.description = f'Rollback "{name}" failed: {exc}'
        config.storage.update(release)
        raise ActionError(str(exc)) from exc
    release.info.status = "deployed"
    config.storage.update(release)
    for other in config.storage.history(namespace, name):
        if other.version != release.version and other.info.status == "deployed":
            other.info.status = "superseded"
            config.storage.update(other)
    return release

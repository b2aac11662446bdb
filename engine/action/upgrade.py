"""Upgrade and ``upgrade --install`` (Helm v4's algorithm, rollback-on-failure and cleanup-on-fail included)."""
from __future__ import annotations

import copy
import dataclasses
from typing import Any

from engine.action.apply import ApplyMethod, check_ownership, manifest_objects, object_key, update_objects
from engine.action.config import ActionConfig, ActionError
from engine.action.hooks import run_hooks
from engine.action.install import ReleaseOptions, check_labels, install, new_record, render, run_to_completion
from engine.action.wait import wait_ready
from engine.chart.model import Chart
from engine.release.record import PENDING, Release

PENDING_MESSAGE = "another operation (install/upgrade/rollback) is in progress"


def pending_refusal(name: str, last: Release) -> ActionError:
    """Helm's refusal of a release left pending, with how to recover when no operation is running."""
    recovery = (f'"pyhelm uninstall {name}"' if last.info.status == "pending-install"
                else f'"pyhelm rollback {name}" (back to the last deployed revision)')
    return ActionError(f"{PENDING_MESSAGE}; revision {last.version} is {last.info.status}. If no other operation "
                       f"is running (an earlier one was interrupted), recover with {recovery}")


def _chosen_values(chart: Chart, current: Release, values: dict[str, Any], options: ReleaseOptions
                   ) -> tuple[Chart, dict[str, Any]]:
    """Helm's choice of chart defaults and user values on upgrade (reset, reuse, reset-then-reuse)."""
    from engine.values.coalesce import coalesce_tables

    if options.reset_values:
        return chart, values
    if options.reuse_values:
        old_values = coalesce_tables(copy.deepcopy(current.config),
                                     copy.deepcopy(current.chart.get("values") or {})) or {}
        merged = coalesce_tables(copy.deepcopy(values), copy.deepcopy(current.config)) or {}
        return dataclasses.replace(chart, values=old_values), merged
    if options.reset_then_reuse_values:
        return chart, coalesce_tables(copy.deepcopy(values), copy.deepcopy(current.config)) or {}
    if not values and current.config:
        return chart, copy.deepcopy(current.config)
    return chart, values


def _current(config: ActionConfig, namespace: str, name: str) -> tuple[Release, Release]:
    """(last revision, the revision the upgrade starts from) — refusing a pending release."""
    history = config.storage.history(namespace, name)
    if not history:
        raise ActionError(f'"{name}" has no deployed releases')
    last = history[-1]
    if last.info.status in PENDING:
        raise pending_refusal(name, last)
    if last.info.status == "deployed":
        return last, last
    deployed = [r for r in history if r.info.status == "deployed"]
    if deployed:
        return last, deployed[-1]
    if last.info.status in ("failed", "superseded"):
        return last, last
    raise ActionError(f'"{name}" has no deployed releases')


def _apply_method(options: ReleaseOptions, last: Release) -> ApplyMethod:
    if options.server_side not in ("auto", "true", "false"):
        raise ActionError(f"invalid/unknown release server-side apply method: {options.server_side}")
    server_side = last.apply_method == "ssa" if options.server_side == "auto" else options.server_side == "true"
    return ApplyMethod(server_side=server_side, force_conflicts=options.force_conflicts,
                       force_replace=options.force_replace,
                       upgrade_client_side_fields=server_side and last.apply_method in ("", "csa"))


def upgrade(config: ActionConfig, name: str, chart: Chart, values: dict[str, Any], options: ReleaseOptions
            ) -> Release:
    """Upgrade release ``name`` to ``chart`` with ``values``."""
    check_labels(options.labels)
    last, current = _current(config, options.namespace, name)
    chart, values = _chosen_values(chart, current, values, options)
    rendered = render(config, chart, values, name, options, last.version + 1, upgrade=True)
    method = _apply_method(options, last)
    release = new_record(name, options, rendered, values, last.version + 1, "pending-upgrade", "Preparing upgrade",
                         current.info.first_deployed, method.record_name)
    release.labels = {k: v for k, v in {**last.labels, **options.labels}.items() if v != "null"}
    originals = manifest_objects(current.manifest)
    targets = manifest_objects(release.manifest)
    known = {object_key(config, o) for o in originals}
    if options.dry_run != "client":
        originals += [t for t in targets if object_key(config, t) not in known and check_ownership(
            config, t, name, options.namespace, options.take_ownership, operation="update")]
    if options.is_dry_run:
        release.info.description = options.description or "Dry run complete"
        return release
    config.storage.create(release, history_max=options.history_max)
    created: list[dict[str, Any]] = []

    def work() -> None:
        if not options.no_hooks:
            run_hooks(config, release, "pre-upgrade", options.timeout, failure_prefix="pre-upgrade hooks failed")
        try:
            created.extend(update_objects(config, originals, targets, name, options.namespace, method)[0])
        except ActionError as exc:
            created.extend(getattr(exc, "created", []))
            raise
        if options.wait or options.rollback_on_failure:
            wait_ready(config, targets, options.timeout, options.wait_for_jobs, options.progress)
        if not options.no_hooks:
            run_hooks(config, release, "post-upgrade", options.timeout, failure_prefix="post-upgrade hooks failed")
        config.storage.supersede_others(release)

    def failed(record: Release, error: ActionError) -> ActionError:
        return _fail_upgrade(config, record, error, created, options)

    return run_to_completion(config, release, work, failed, options.description or "Upgrade complete")


def _fail_upgrade(config: ActionConfig, release: Release, error: ActionError, created: list[dict[str, Any]],
                  options: ReleaseOptions) -> ActionError:
    """Record the failure; delete what the upgrade created (``cleanup_on_fail``) and roll back to the last
    successful revision (``rollback_on_failure``)."""
    from engine.action.apply import delete_objects
    from engine.action.rollback import rollback

    release.info.status = "failed"
    release.info.description = f'Upgrade "{release.name}" failed: {error}'
    config.storage.update(release)
    if options.cleanup_on_fail and created:
        try:
            delete_objects(config, created)
        except Exception as cleanup_error:
            return ActionError("an error occurred while cleaning up resources. original upgrade error: "
                               f"{error}: unable to cleanup resources: {cleanup_error}")
    if not options.rollback_on_failure:
        return error
    successful = [r for r in config.storage.history(release.namespace, release.name)
                  if r.info.status in ("superseded", "deployed")]
    if not successful:
        return ActionError("unable to find a previously successful release when attempting to rollback. "
                           f"original upgrade error: {error}")
    try:
        rollback(config, release.namespace, release.name, successful[-1].version,
                 wait=options.wait, timeout=options.timeout, no_hooks=options.no_hooks)
    except ActionError as rollback_error:
        return ActionError("an error occurred while rolling back the release. original upgrade error: "
                           f"{error}: {rollback_error}")
    return ActionError(f"release {release.name} failed, and has been rolled back due to rollback-on-failure "
                       f"being set: {error}")


def upgrade_or_install(config: ActionConfig, name: str, chart: Chart, values: dict[str, Any],
                       options: ReleaseOptions) -> tuple[Release, bool]:
    """``upgrade --install``: install when the release has no history or was uninstalled (replacing it),
    otherwise upgrade. Returns (release, installed)."""
    history = config.storage.history(options.namespace, name)
    if not history or history[-1].info.status == "uninstalled":
        install_options = dataclasses.replace(options, replace=bool(history),
                                              server_side="false" if options.server_side == "false" else "true")
        return install(config, name, chart, values, install_options), True
    return upgrade(config, name, chart, values, options), False

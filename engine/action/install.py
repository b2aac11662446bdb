"""Install and upgrade (Helm v4's algorithms: pending record first, hooks, server-side apply, final status)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.action.apply import apply_objects, check_ownership, delete_objects, manifest_objects
from engine.action.config import ActionConfig, ActionError
from engine.action.hooks import run_hooks
from engine.action.wait import wait_ready
from engine.chart.model import Chart
from engine.release.record import PENDING, Hook, Info, Release, now_rfc3339

RESERVED_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")


@dataclass
class ReleaseOptions:
    """Flags common to install and upgrade."""

    namespace: str = "default"
    create_namespace: bool = False
    dry_run: bool = False
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    no_hooks: bool = False
    timeout: float = 300.0
    take_ownership: bool = False
    skip_crds: bool = False
    history_max: int = 10
    force: bool = False
    reuse_values: bool = False
    reset_values: bool = False
    reset_then_reuse_values: bool = False
    values_given: bool = False
    wait: bool = False
    wait_for_jobs: bool = False


def _render(config: ActionConfig, chart: Chart, values: dict[str, Any], name: str, options: ReleaseOptions,
            revision: int, upgrade: bool):
    """Render against the live cluster: its capabilities, and ``lookup`` reading real objects."""
    from engine.render.errors import RenderError
    from engine.render.pipeline import RenderOptions, render_release
    from engine.values.errors import ValuesError

    try:
        capabilities = config.kube.capabilities()
    except Exception:  # a cluster without discovery still renders, with offline capabilities
        capabilities = None
    try:
        return render_release(chart, values, RenderOptions(release_name=name, namespace=options.namespace,
                                                           revision=revision, is_upgrade=upgrade,
                                                           capabilities=capabilities, lookup=config.kube.lookup))
    except (RenderError, ValuesError) as exc:
        raise ActionError(str(exc)) from None


def _record(name: str, options: ReleaseOptions, rendered, values: dict[str, Any], revision: int,
            status: str, description: str, first_deployed: str) -> Release:
    from engine.release.chart_json import chart_record

    stamp = now_rfc3339()
    hooks = [Hook(h.name, h.kind, h.path, h.manifest, h.events, h.weight, h.delete_policies, h.output_log_policies)
             for h in rendered.hooks]
    return Release(name=name, namespace=options.namespace, version=revision,
                   info=Info(first_deployed=first_deployed or stamp, last_deployed=stamp, description=description,
                             status=status, notes=rendered.notes),
                   chart=chart_record(rendered.chart), config=values, manifest=rendered.manifest, hooks=hooks,
                   apply_method="ssa", labels=dict(options.labels))


def _check_labels(labels: dict[str, str]) -> None:
    if any(key in RESERVED_LABELS for key in labels):
        raise ActionError("user supplied labels contains system reserved label name. System labels: "
                          "[name owner status version createdAt modifiedAt]")


def _finish(config: ActionConfig, release: Release, ok_description: str, work) -> Release:
    """Run ``work``; mark the release deployed, or failed with Helm's description, and store it."""
    try:
        work()
    except (ActionError, Exception) as exc:
        release.info.status = "failed"
        release.info.description = f'Release "{release.name}" failed: {exc}' if release.version == 1 else \
            f'Upgrade "{release.name}" failed: {exc}'
        release.info.last_deployed = now_rfc3339()
        config.storage.update(release)
        raise ActionError(str(exc)) from exc
    release.info.status = "deployed"
    release.info.description = ok_description
    config.storage.update(release)
    return release


def install(config: ActionConfig, name: str, chart: Chart, values: dict[str, Any], options: ReleaseOptions
            ) -> Release:
    """Install ``chart`` as release ``name``."""
    _check_labels(options.labels)
    history = config.storage.history(options.namespace, name)
    if history and history[-1].info.status not in ("uninstalled", "failed"):
        raise ActionError("cannot reuse a name that is still in use")
    revision = history[-1].version + 1 if history else 1
    rendered = _render(config, chart, values, name, options, revision, upgrade=False)
    release = _record(name, options, rendered, values, revision, "pending-install", "Initial install underway", "")
    if options.dry_run:
        release.info.status, release.info.description = "pending-install", "Dry run complete"
        return release
    if options.create_namespace:
        config.kube.ensure_namespace(options.namespace)
    objects = manifest_objects(release.manifest)
    for obj in objects:
        check_ownership(config, obj, name, options.namespace, options.take_ownership)
    config.storage.create(release)

    def work() -> None:
        if not options.skip_crds:
            for crd in rendered.crds:
                for obj in manifest_objects(crd.text):
                    if config.kube.get(config.kube.ref(obj)) is None:
                        config.kube.apply(obj, field_manager="helm")
        if not options.no_hooks:
            run_hooks(config, release, "pre-install", options.timeout)
        apply_objects(config, objects, name, options.namespace, force=options.force)
        if options.wait:
            wait_ready(config, objects, options.timeout, options.wait_for_jobs)
        if not options.no_hooks:
            run_hooks(config, release, "post-install", options.timeout)

    return _finish(config, release, options.description or "Install complete", work)


def _upgrade_values(current: Release, values: dict[str, Any], options: ReleaseOptions) -> dict[str, Any]:
    """Helm's choice of user values on upgrade (--reset-values, --reuse-values, --reset-then-reuse-values)."""
    from engine.values.coalesce import coalesce_tables
    import copy

    if options.reset_values:
        return values
    if options.reuse_values or options.reset_then_reuse_values:
        return coalesce_tables(copy.deepcopy(values), copy.deepcopy(current.config)) or {}
    if not options.values_given:
        return copy.deepcopy(current.config)
    return values


def upgrade(config: ActionConfig, name: str, chart: Chart, values: dict[str, Any], options: ReleaseOptions
            ) -> Release:
    """Upgrade release ``name`` to ``chart`` with ``values``."""
    _check_labels(options.labels)
    last = config.storage.last(options.namespace, name)
    if last is None:
        raise ActionError(f'"{name}" has no deployed releases')
    if last.info.status in PENDING:
        raise ActionError("another operation (install/upgrade/rollback) is in progress")
    try:
        current = config.storage.deployed(options.namespace, name)
    except Exception:
        current = last
    values = _upgrade_values(current, values, options)
    rendered = _render(config, chart, values, name, options, last.version + 1, upgrade=True)
    labels = {**current.labels, **options.labels}
    release = _record(name, options, rendered, values, last.version + 1, "pending-upgrade", "Preparing upgrade",
                      current.info.first_deployed)
    release.labels = {k: v for k, v in labels.items() if v != "null"}
    if options.dry_run:
        release.info.description = "Dry run complete"
        return release
    config.storage.create(release, history_max=options.history_max)
    new_objects = manifest_objects(release.manifest)

    def work() -> None:
        if not options.no_hooks:
            run_hooks(config, release, "pre-upgrade", options.timeout)
        apply_objects(config, new_objects, name, options.namespace, force=options.force)
        kept = {(o.get("kind"), (o.get("metadata") or {}).get("name")) for o in new_objects}
        dropped = [o for o in manifest_objects(current.manifest)
                   if (o.get("kind"), (o.get("metadata") or {}).get("name")) not in kept]
        delete_objects(config, dropped)
        if options.wait:
            wait_ready(config, new_objects, options.timeout, options.wait_for_jobs)
        if not options.no_hooks:
            run_hooks(config, release, "post-upgrade", options.timeout)

    result = _finish(config, release, options.description or "Upgrade complete", work)
    for previous in config.storage.history(options.namespace, name):
        if previous.version != release.version and previous.info.status == "deployed":
            previous.info.status = "superseded"
            config.storage.update(previous)
    return result

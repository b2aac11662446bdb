"""Install (Helm v4's algorithm: pending record first, CRDs, hooks, apply, wait, final status)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from engine import cancellation
from engine.action.apply import ApplyMethod, check_ownership, manifest_objects, update_objects
from engine.action.cancel import OperationCancelled, interruptible
from engine.action.config import ActionConfig, ActionError
from engine.action.hooks import run_hooks
from engine.action.wait import wait_ready
from engine.chart.model import Chart
from engine.release.record import Info, Release, now_rfc3339

RESERVED_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")
DRY_RUN_MODES = ("none", "client", "server")


@dataclass
class ReleaseOptions:
    """Flags of install and upgrade (upgrade-only ones are ignored by install)."""

    namespace: str = "default"
    create_namespace: bool = False
    dry_run: str = "none"  # none, client (no cluster contact) or server (cluster read, nothing written)
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    no_hooks: bool = False
    timeout: float = 300.0
    take_ownership: bool = False
    skip_crds: bool = False
    skip_schema_validation: bool = False
    history_max: int = 10
    server_side: str = "auto"  # true, false, or auto (upgrade: as the last release was applied)
    force_conflicts: bool = False
    force_replace: bool = False
    replace: bool = False
    reuse_values: bool = False
    reset_values: bool = False
    reset_then_reuse_values: bool = False
    wait: bool = False
    wait_for_jobs: bool = False
    rollback_on_failure: bool = False
    cleanup_on_fail: bool = False
    progress: Callable[[str], None] | None = None  # where --wait's news goes (the stack engine's live view)

    @property
    def is_dry_run(self) -> bool:
        return self.dry_run != "none"


def render(config: ActionConfig, chart: Chart, values: dict[str, Any], name: str, options: ReleaseOptions,
           revision: int, upgrade: bool):
    """Render with the live cluster's capabilities and ``lookup`` (offline for ``--dry-run=client``)."""
    from engine.render.errors import RenderError
    from engine.render.pipeline import RenderOptions, render_release
    from engine.values.errors import ValuesError

    if options.dry_run not in DRY_RUN_MODES:
        raise ActionError(f'invalid dry-run value "{options.dry_run}": use none, client or server')
    online = options.dry_run != "client"
    capabilities = None
    if online:
        try:
            capabilities = config.kube.capabilities()
        except Exception:  # a cluster without discovery still renders, with offline capabilities
            capabilities = None
    try:
        return render_release(chart, values, RenderOptions(
            release_name=name, namespace=options.namespace, revision=revision, is_upgrade=upgrade,
            capabilities=capabilities, lookup=config.kube.lookup if online else None,
            skip_schema_validation=options.skip_schema_validation))
    except (RenderError, ValuesError) as exc:
        raise ActionError(str(exc)) from None


def new_record(name: str, options: ReleaseOptions, rendered, values: dict[str, Any], revision: int,
               status: str, description: str, first_deployed: str, apply_method: str) -> Release:
    """A release record for freshly rendered output."""
    from engine.release.chart_json import chart_record

    stamp = now_rfc3339()
    return Release(name=name, namespace=options.namespace, version=revision,
                   info=Info(first_deployed=first_deployed or stamp, last_deployed=stamp, description=description,
                             status=status, notes=rendered.notes),
                   chart=chart_record(rendered.chart), config=values, manifest=rendered.manifest, hooks=list(rendered.hooks),
                   apply_method=apply_method, labels=dict(options.labels))


def check_labels(labels: dict[str, str]) -> None:
    if any(key in RESERVED_LABELS for key in labels):
        raise ActionError("user supplied labels contains system reserved label name. System labels: "
                          "[name owner status version createdAt modifiedAt]")


def run_to_completion(config: ActionConfig, release: Release, work: Callable[[], None],
                      on_failure: Callable[[Release, ActionError], ActionError], ok_description: str) -> Release:
    """Run ``work``; store the release deployed, or failed (and let ``on_failure`` clean up) when it fails
    or is interrupted (Ctrl-C, SIGTERM), so no record is left pending."""
    try:
        with interruptible():
            work()
    except (KeyboardInterrupt, OperationCancelled):
        error = on_failure(release, OperationCancelled())
        error.cancelled = True  # type: ignore[attr-defined]
        cancellation.note_marked_failed(f"{release.namespace}/{release.name}")
        raise error from None
    except ActionError as exc:
        raise on_failure(release, exc) from None
    except Exception as exc:  # an API or client failure: the release must not stay pending
        raise on_failure(release, ActionError(str(exc))) from None
    release.info.status = "deployed"
    release.info.description = ok_description
    config.storage.update(release)
    return release


def _available(config: ActionConfig, name: str, options: ReleaseOptions) -> list[Release]:
    """Helm's name check: a name with history is refused unless replacing an uninstalled or failed one."""
    history = config.storage.history(options.namespace, name)
    if history and not (options.replace and history[-1].info.status in ("uninstalled", "failed")):
        raise ActionError("cannot reuse a name that is still in use")
    return history


def _install_crds(config: ActionConfig, crds) -> None:
    """Create the chart's CRDs (crds/ directories) that do not exist yet; existing ones are never changed."""
    created = False
    for crd in crds:
        for obj in manifest_objects(crd.text):
            if config.kube.get(config.kube.ref(obj)) is None:
                config.kube.create(obj, field_manager="helm")
                created = True
    if created:
        config.kube.invalidate_discovery()


def install(config: ActionConfig, name: str, chart: Chart, values: dict[str, Any], options: ReleaseOptions
            ) -> Release:
    """Install ``chart`` as release ``name``; the stored record follows Helm's status lifecycle."""
    check_labels(options.labels)
    history = [] if options.is_dry_run else _available(config, name, options)
    revision = history[-1].version + 1 if history else 1
    method = ApplyMethod(server_side=options.server_side != "false", force_conflicts=options.force_conflicts,
                         force_replace=options.force_replace)
    rendered = render(config, chart, values, name, options, revision, upgrade=False)
    release = new_record(name, options, rendered, values, revision, "pending-install", "Initial install underway",
                         "", method.record_name)
    objects = manifest_objects(release.manifest)
    if options.dry_run == "server":
        for obj in objects:
            check_ownership(config, obj, name, options.namespace, options.take_ownership)
    if options.is_dry_run:
        release.info.description = options.description or "Dry run complete"
        return release
    if options.create_namespace:
        config.kube.ensure_namespace(options.namespace)
    if not options.skip_crds:
        _install_crds(config, rendered.crds)
    adopted = [obj for obj in objects if check_ownership(config, obj, name, options.namespace,
                                                         options.take_ownership)]
    if history and history[-1].info.status != "failed":
        history[-1].info.status, history[-1].info.description = "superseded", "superseded by new release"
        config.storage.update(history[-1])
    config.storage.create(release)

    def work() -> None:
        if not options.no_hooks:
            run_hooks(config, release, "pre-install", options.timeout, failure_prefix="failed pre-install")
        update_objects(config, adopted, objects, name, options.namespace, method)
        if options.wait or options.rollback_on_failure:
            wait_ready(config, objects, options.timeout, options.wait_for_jobs, options.progress)
        if not options.no_hooks:
            run_hooks(config, release, "post-install", options.timeout, failure_prefix="failed post-install")
        if history:  # replacing a failed release can leave an earlier revision deployed
            config.storage.supersede_others(release)

    def failed(record: Release, error: ActionError) -> ActionError:
        record.info.status = "failed"
        record.info.description = f'Release "{name}" failed: {error}'
        config.storage.update(record)
        if options.rollback_on_failure:
            from engine.action.uninstall import uninstall

            try:
                uninstall(config, options.namespace, name, no_hooks=options.no_hooks, timeout=options.timeout)
            except ActionError as uninstall_error:
                return ActionError("an error occurred while uninstalling the release. original install error: "
                                   f"{error}: {uninstall_error}")
            return ActionError(f"release {name} failed, and has been uninstalled due to rollback-on-failure "
                               f"being set: {error}")
        return error

    return run_to_completion(config, release, work, failed, options.description or "Install complete")

"""One reconciliation of one Stack, with the stack engine's own library as ``pyhelm apply`` uses it: fetch
the source, load the stack for the Stack's environment, take the stack lock, plan, let apply_plan verify the
plan under the lock and apply it, then read back each release's state. Nothing here prints: the result says
what happened, for the status, the Events, the metrics and the logs."""
from __future__ import annotations

import dataclasses
import functools
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from engine.controller.resource import StackResource
from engine.controller.slots import ClusterSlots
from engine.stack.planner import Clusters

Log = Callable[..., None]  # log(message, **fields)


class ImpersonatingClusters(Clusters):
    """The stack's clusters reached as the Stack's service account (when it names one), so a tenant's stack
    can change only what that account may."""

    def __init__(self, kubeconfig: str | None, context: str | None, user: str):
        super().__init__(kubeconfig, context)
        self.user = user

    def config(self, kube_context: str | None, namespace: str):
        config = super().config(kube_context, namespace)
        if self.user:
            config.kube.impersonate(self.user)
        return config


@dataclass
class Result:
    """What one reconciliation found and did."""

    outcome: str  # applied, unchanged, failed, stalled
    reason: str
    message: str
    digest: str = ""
    plan_summary: dict[str, int] = field(default_factory=dict)
    releases: list[dict[str, Any]] = field(default_factory=list)
    drift: list[str] = field(default_factory=list)  # "release: object ..." found changed outside
    seconds: float = 0.0

    @property
    def succeeded(self) -> bool:
        return self.outcome in ("applied", "unchanged")


@dataclass(frozen=True)
class Connection:
    """How the controller reaches the clusters: its kubeconfig and context (None: in-cluster / current)."""

    kubeconfig: str | None
    context: str | None
    release_concurrency: int = 4
    cluster_slots: ClusterSlots = field(default_factory=lambda: ClusterSlots(0))


def is_forbidden(exc: BaseException) -> bool:
    """Whether a failure is the API server refusing the account (403): retrying changes nothing until the
    account's rights do."""
    return getattr(exc, "status", 0) == 403 or "is forbidden: User " in str(exc)


def _without_pruning(plan) -> None:
    """Keep the releases removed from the stack (prune: false): their uninstalls leave the plan."""
    plan.releases = [r for r in plan.releases
                     if not (r.action == "uninstall" and "removed from the stack" in r.reasons)]


def _drift_found(plan) -> list[str]:
    return [f"{r.id}: {c.key} {'is missing' if c.action == 'missing' else 'changed outside the release'}"
            for r in plan.releases for c in r.changes if c.action in ("drift", "missing")]


def _only_warn_of_drift(plan) -> None:
    """driftDetection: warn — drift is reported, not taken back: a release whose only change is drift stays
    as it is, and an upgrade for other reasons does not force the drifted fields back."""
    for release in plan.releases:
        if not release.correct_drift:
            continue
        release.changes = [c for c in release.changes if c.action not in ("drift", "missing")]
        release.reasons = [r for r in release.reasons if "is missing" not in r and "changed outside" not in r]
        release.correct_drift = False
        if release.action == "upgrade" and not release.reasons:
            release.action = "unchanged"


def with_timeout(stack, timeout: float | None):
    """The stack with every release operation limited to the Stack's ``spec.timeout`` (when it sets one)."""
    if timeout is not None:
        stack.releases = [dataclasses.replace(release, timeout=timeout) for release in stack.releases]
    return stack


def release_states(stack, clusters: Clusters) -> list[dict[str, Any]]:
    """Each release's latest record as stored now: state, revision, chart and version."""
    states = []
    for release in stack.releases:
        history = clusters.history(release)
        last = history[-1] if history else None
        states.append({"id": release.id, "state": last.info.status if last else "not-installed",
                       "revision": last.version if last else 0,
                       "chart": f"{last.chart_name}-{last.chart_version}" if last else ""})
    return states


def _apply(stack, resource: StackResource, connection: Connection, clusters: Clusters, log: Log) -> Result:
    """Plan and apply under the stack lock."""
    from engine.stack.executor import apply_plan
    from engine.stack.lock import hold_stack_locks
    from engine.stack.planner import make_plan

    report = functools.partial(log, stack=resource.key)
    with hold_stack_locks(stack, clusters, report=lambda line: report(f"stack lock: {line}")) as locks:
        plan, _ = make_plan(stack, clusters, detect_drift=resource.drift_detection != "off",
                            report=lambda line: report(line))
        if not resource.prune:
            _without_pruning(plan)
        drift = _drift_found(plan)
        if resource.drift_detection == "warn":
            _only_warn_of_drift(plan)
        summary = plan.to_dict()["summary"]
        if not plan.has_changes:
            return Result("unchanged", "ReconciliationSucceeded", "no changes: " + plan.summary(), plan_summary=summary,
                          drift=drift)
        outcomes = apply_plan(stack, plan, clusters, lambda release, line: report(line, release=release),
                              connection.release_concurrency, locks=locks)
    failed = [o for o in outcomes if o.status in ("failed", "skipped")]
    if failed:
        details = "; ".join(f"{o.id}: {o.status}: {o.message}" for o in failed)
        return Result("failed", "ApplyFailed", f"{len(failed)} release(s) did not complete: {details}",
                      plan_summary=summary, drift=drift)
    done = sum(1 for o in outcomes if o.status == "done")
    return Result("applied", "ReconciliationSucceeded", f"applied {done} change(s): {plan.summary()}",
                  plan_summary=summary, drift=drift)


def reconcile(resource: StackResource, kube: Any, connection: Connection, log: Log) -> Result:
    """Bring the Stack's releases to what its source says; never raises for what a Stack or cluster can
    do wrong (the result says it), only for a cancelled run (cancellation.Interrupted)."""
    from engine.action.config import OPERATION_ERRORS
    from engine.controller.source import SourceError, fetch_source
    from engine.stack.errors import StackError
    from engine.stack.loader import load_stack

    started = time.monotonic()
    digest = ""
    try:
        with fetch_source(kube, resource) as fetched:
            digest = fetched.digest
            try:
                stack = with_timeout(load_stack(fetched.stack_path, resource.environment), resource.timeout)
            except StackError as exc:  # named by the source's files, not the temporary directory's
                message = str(exc).replace(fetched.directory + "/", f"{resource.source.describe()}: ")
                return _finished(Result("stalled", "InvalidStack", message, digest), started)
            clusters = ImpersonatingClusters(connection.kubeconfig, connection.context, resource.impersonated_user)
            with connection.cluster_slots.hold(c if c is not None else connection.context for c in stack.kube_contexts):
                result = _apply(stack, resource, connection, clusters, log)
            result.digest = digest
            result.releases = release_states(stack, ImpersonatingClusters(
                connection.kubeconfig, connection.context, resource.impersonated_user))
    except SourceError as exc:
        result = Result("failed", "SourceUnavailable", str(exc), digest)
    except (StackError, *OPERATION_ERRORS) as exc:
        if is_forbidden(exc):
            who = resource.impersonated_user or "the controller"
            result = Result("stalled", "Forbidden", f"{who} may not do what the stack needs: {exc}", digest)
        else:
            result = Result("failed", "ReconciliationFailed", str(exc), digest)
    return _finished(result, started)


def _finished(result: Result, started: float) -> Result:
    result.seconds = time.monotonic() - started
    return result

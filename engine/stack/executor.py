"""Applying a plan: each release starts as soon as what it waits for is done (bounded concurrency); a
failure stops what depends on it and nothing else."""
from __future__ import annotations

import functools
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Callable

from engine import cancellation
from engine.action.config import OPERATION_ERRORS
from engine.stack.drift import with_conflict_hint
from engine.stack.errors import StackError
from engine.stack.lock import HeldLocks, LockHolder, hold_stack_locks
from engine.stack.model import Stack
from engine.stack.plan import Plan, ReleasePlan
from engine.stack.clusters import Clusters
from engine.stack.planner import hook_context, release_hooks
from engine.stack.rendering import release_options
from engine.stack.repair import repair_history
from engine.stack.verify import verify_plan

Report = Callable[[str, str], None]  # (release id, message)


@dataclass
class Outcome:
    """What happened to one release."""

    id: str
    action: str
    status: str  # done, failed, skipped, unchanged
    message: str = ""
    seconds: float = 0.0


def _apply_one(stack: Stack, plan: ReleasePlan, clusters: Clusters, report: Callable[[str], None],
               locks: HeldLocks) -> str:
    """Carry out one release's planned action, with its hooks around it; returns what was done."""
    from engine.action.uninstall import uninstall
    from engine.stack.hooks import run_hooks

    locks.check()
    config = clusters.config(plan.kube_context, plan.namespace)
    if plan.action == "uninstall":
        uninstall(config, plan.namespace, plan.name)
        return "uninstalled"
    release = stack.release(plan.id)
    hooks, context = release_hooks(stack, release), hook_context(stack, release)
    try:
        run_hooks(hooks, "presync", context, report)
        try:
            done = _apply_release(stack, plan, release, config, report)
        except OPERATION_ERRORS as exc:
            if getattr(exc, "cancelled", False):  # the run was interrupted: nothing to hint at
                raise
            raise StackError(with_conflict_hint(str(exc), plan.id, release.where)) from None
        run_hooks(hooks, "postsync", context, report)
    except BaseException:
        try:  # cleanup runs whatever happened; the first failure is the one reported
            run_hooks(hooks, "cleanup", context, report)
        except StackError as exc:
            report(f"cleanup after the failure also failed: {exc}")
        raise
    run_hooks(hooks, "cleanup", context, report)
    return done


def _apply_release(stack: Stack, plan: ReleasePlan, release, config, report: Callable[[str], None]) -> str:
    """Install, upgrade or recover one release of the stack as planned (recover: repair its history first,
    then upgrade unless the repair was all the plan asked for)."""
    from engine.action.install import install
    from engine.action.upgrade import upgrade
    from engine.stack.charts import load_release_chart
    from engine.stack.values import release_values

    chart, values = load_release_chart(stack, release), release_values(stack, release)
    options = release_options(stack, release)
    options.progress = report
    options.force_conflicts = options.force_conflicts or plan.correct_drift  # the plan showed what is taken back
    history = config.storage.history(plan.namespace, plan.name)
    repaired = ""
    if plan.action == "recover":
        repaired = repair_history(config, history, release.timeout)
        if plan.repair_only:
            return f"repaired: {repaired}"
        history = config.storage.history(plan.namespace, plan.name)
    if history and history[-1].info.status != "uninstalled":
        done = f"upgraded to revision {upgrade(config, plan.name, chart, values, options).version}"
    else:
        options.replace = bool(history)
        done = f"installed as revision {install(config, plan.name, chart, values, options).version}"
    return f"repaired ({repaired}), then {done}" if repaired else done


def _waits_for(plan: Plan, reverse: bool) -> dict[str, set[str]]:
    """For each release, the releases that must be done before it (its needs; its dependents in reverse)."""
    ids = {r.id for r in plan.releases}
    waits: dict[str, set[str]] = {r.id: set() for r in plan.releases}
    for release in plan.releases:
        for need in release.needs:
            if need in ids:
                (waits[need] if reverse else waits[release.id]).add(release.id if reverse else need)
    return waits


def apply_plan(stack: Stack, plan: Plan, clusters: Clusters, report: Report, concurrency: int = 4,
               reverse: bool = False, take_ownership: bool = False, locks: HeldLocks | None = None,
               break_lock: bool = False) -> list[Outcome]:
    """Apply every change of ``plan`` under the stack lock, once all of it is verified still current (see
    engine.stack.verify); ``reverse`` orders by dependents first (for destroy). Pass the ``locks`` held while
    planning (see engine.stack.lock.hold_stack_locks), or the lock is taken here. When the run is cancelled
    (SIGINT, SIGTERM) nothing more starts, the releases in flight stop at their next wait and are marked
    failed, and cancellation.Interrupted is raised with the outcomes (the lock is released on the way out)."""
    if plan.locked_by:
        holder = LockHolder.from_dict(plan.locked_by)
        raise StackError(f"the plan was made while {holder.describe()} was applying the stack; plan again once "
                         "that run has finished")
    if locks is not None:
        if not locks.covers(stack):
            raise StackError(f"the locks held are not those of stack {stack.name} ({stack.environment or 'default'})")
        locks.check()
        return _apply_locked(stack, plan, clusters, report, concurrency, reverse, take_ownership, locks)
    with hold_stack_locks(stack, clusters, break_lock, functools.partial(report, "stack")) as held:
        return _apply_locked(stack, plan, clusters, report, concurrency, reverse, take_ownership, held)


def _apply_locked(stack: Stack, plan: Plan, clusters: Clusters, report: Report, concurrency: int, reverse: bool,
                  take_ownership: bool, locks: HeldLocks) -> list[Outcome]:
    """apply_plan's work, while this run holds the stack lock."""
    verify_plan(stack, plan, clusters, take_ownership)
    waits = _waits_for(plan, reverse)
    by_id = {r.id: r for r in plan.releases}
    outcomes: dict[str, Outcome] = {}
    running: dict[Future, tuple[str, float]] = {}

    def skip(release_id: str, why: str) -> None:
        outcomes[release_id] = Outcome(release_id, by_id[release_id].action, "skipped", why)
        report(release_id, f"skipped: {why}")

    def launch(pool: ThreadPoolExecutor) -> None:
        for release_id, blockers in waits.items():
            if release_id in outcomes or any(release_id == rid for rid, _ in running.values()):
                continue
            failed = [b for b in blockers if b in outcomes and outcomes[b].status in ("failed", "skipped")]
            item = by_id[release_id]
            if cancellation.requested():
                if item.action == "unchanged":
                    outcomes[release_id] = Outcome(release_id, item.action, "unchanged")
                else:
                    skip(release_id, "not started: the run was interrupted")
            elif failed:
                skip(release_id, f"{'needed by' if reverse else 'needs'} {', '.join(sorted(failed))}, which did not "
                                 "complete")
            elif not all(b in outcomes for b in blockers):
                continue
            elif item.action == "unchanged":
                outcomes[release_id] = Outcome(release_id, item.action, "unchanged")
            elif len(running) < concurrency:
                report(release_id, f"{item.action} started")
                hook_report = functools.partial(report, release_id)
                running[pool.submit(_apply_one, stack, item, clusters, hook_report, locks)] = (
                    release_id, time.monotonic())

    # the main thread only launches and collects: a signal cancels the workers, whose failures wake it
    with cancellation.cooperative(), ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        while len(outcomes) < len(waits):
            before = len(outcomes)
            launch(pool)
            if not running:
                if len(outcomes) == before:
                    raise StackError("the plan's order cannot be satisfied (a need outside the plan?)")
                continue
            try:
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:  # Ctrl-C where no signal handler cancels (a library caller's process)
                cancellation.request()
                continue
            for future in done:
                release_id, started = running.pop(future)
                outcomes[release_id] = _collect(future, by_id[release_id].action, release_id, started, report)
    results = [outcomes[r.id] for r in plan.releases]
    cleanup = _stack_cleanup(stack, report)
    if cleanup is not None:
        results.append(cleanup)
    if cancellation.requested():
        raise cancellation.Interrupted(results)
    return results


def _collect(future: Future, action: str, release_id: str, started: float, report: Report) -> Outcome:
    """The outcome of one finished release, reported."""
    seconds = time.monotonic() - started
    error = future.exception()
    if error is None:
        report(release_id, f"{future.result()} ({seconds:.1f}s)")
        return Outcome(release_id, action, "done", future.result(), seconds)
    report(release_id, f"FAILED: interrupted, marked failed ({error})" if getattr(error, "cancelled", False)
           else f"FAILED: {error}")
    return Outcome(release_id, action, "failed", str(error), seconds)


def _stack_cleanup(stack: Stack, report: Report) -> Outcome | None:
    """Run the stack's cleanup hooks (whatever happened); the failed outcome when one fails."""
    from engine.stack.hooks import run_hooks

    try:
        run_hooks(stack.hooks, "cleanup", hook_context(stack), functools.partial(report, "stack"))
    except StackError as exc:
        report("stack", f"FAILED: {exc}")
        return Outcome("stack cleanup", "cleanup", "failed", str(exc))
    return None

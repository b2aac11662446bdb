"""The reconcile loop: Stack changes (a new generation) and every interval queue a Stack; workers take
them (a bounded number at once, never one Stack twice at once), reconcile, write status and Events, and
queue the Stack again after its interval, or after an exponential, capped back-off when it failed."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

from engine import cancellation
from engine.controller.informer import StackInformer
from engine.controller.metrics import Metrics
from engine.controller.reconciler import Connection, Result, reconcile
from engine.controller.resource import SpecError, StackResource, parse_stack
from engine.controller.status import (events_for, invalid_spec_status, record_event, status_after,
                                      suspended_status, write_status)
from engine.controller.workqueue import WorkQueue

Log = Callable[..., None]


@dataclass(frozen=True)
class LoopOptions:
    selector: str = ""
    concurrent: int = 4  # Stacks reconciled at once
    backoff_base: float = 1.0
    backoff_cap: float = 300.0


def backoff(failures: int, options: LoopOptions, interval: float) -> float:
    """Seconds before retrying after ``failures`` failures in a row: doubling, capped (never past the
    Stack's interval)."""
    return min(options.backoff_base * 2 ** max(0, failures - 1), options.backoff_cap, interval)


class ReconcileLoop:
    def __init__(self, kube: Any, connection: Connection, options: LoopOptions, metrics: Metrics, log: Log):
        self.kube, self.connection, self.options, self.metrics, self.log = kube, connection, options, metrics, log
        self.queue = WorkQueue()
        self.informer = StackInformer(kube, options.selector, self._changed, log)
        self._failures: dict[str, tuple[int, int]] = {}  # key -> (generation, failures in a row)

    def _changed(self, key: str, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        """Queue a Stack that is new or whose spec changed (status writes alone do not queue it)."""
        if new is None:
            self.queue.forget(key)
            self._failures.pop(key, None)
            return
        generation = (new.get("metadata") or {}).get("generation")
        if old is None or (old.get("metadata") or {}).get("generation") != generation:
            self.queue.add(key)

    def run(self, stop: threading.Event) -> None:
        """Reconcile until ``stop`` is set or the process is cancelled; work in flight is finished first."""
        threading.Thread(target=self.informer.run, args=(stop,), name="pyhelm-stack-informer", daemon=True).start()
        workers = [threading.Thread(target=self._work, name=f"pyhelm-reconciler-{n}", daemon=True)
                   for n in range(max(1, self.options.concurrent))]
        for worker in workers:
            worker.start()
        while not stop.wait(0.2) and not cancellation.requested():
            pass
        self.queue.close()
        for worker in workers:
            worker.join()

    def _work(self) -> None:
        while (key := self.queue.get()) is not None:
            try:
                self._handle(key)
            except Exception as exc:  # noqa: BLE001 - one Stack's unexpected failure must not stop the others
                self.log(f"reconciling failed unexpectedly: {exc}", level="error", stack=key)
                self.queue.add(key, self.options.backoff_cap)
            finally:
                self.queue.done(key)

    def _handle(self, key: str) -> None:
        obj = self.informer.get(key)
        if obj is None:
            return
        previous = obj.get("status") or {}
        namespace, name = key.split("/", 1)
        try:
            stack = parse_stack(obj)
        except SpecError as exc:
            self.log(f"invalid Stack: {exc}", level="error", stack=key)
            generation = int((obj.get("metadata") or {}).get("generation") or 0)
            record_event(self.kube, obj, "Warning", "InvalidSpec", str(exc))
            self.metrics.observe(key, "invalid", 0.0, [], 0)
            write_status(self.kube, namespace, name, invalid_spec_status(str(exc), generation, previous))
            return  # a new generation queues it again
        if stack.suspend:
            self.metrics.observe(key, "suspended", 0.0, [], 0)
            write_status(self.kube, namespace, name, suspended_status(stack, previous))
            self.queue.add(key, stack.interval)
            return
        self.log("reconciling", stack=key, generation=stack.generation)
        try:
            result = reconcile(stack, self.kube, self.connection, self.log)
        except cancellation.Interrupted:
            result = Result("failed", "Interrupted", "the controller shut down while applying; the releases in "
                                                     "flight were marked failed and are retried")
        failures = self._count_failures(stack, result, previous)
        if result.outcome == "failed" and failures > stack.retries:
            result.outcome, result.reason = "stalled", "RetriesExhausted"
            result.message = f"failed {failures} times in a row; retried every interval: {result.message}"
        for kind, reason, message in events_for(result):
            record_event(self.kube, obj, kind, reason, message)
        self.metrics.observe(key, result.outcome, result.seconds, result.releases, len(result.drift))
        # the status last: once it shows a reconciliation, its Events and metrics are there too
        write_status(self.kube, namespace, name, status_after(result, stack, previous, failures))
        self.log(f"{result.outcome}: {result.message}", stack=key, reason=result.reason,
                 seconds=round(result.seconds, 3), level="info" if result.succeeded else "warning")
        if not cancellation.requested():
            self.queue.add(key, self._next_delay(stack, result, failures))

    def _count_failures(self, stack: StackResource, result: Result, previous: dict[str, Any]) -> int:
        """Failures in a row of this generation (a new generation, or a success, starts again from 0); a
        replica that just became leader goes on from the count the status holds."""
        known = self._failures.get(stack.key)
        if known is not None and known[0] == stack.generation:
            count = known[1]
        elif known is None and previous.get("observedGeneration") == stack.generation:
            count = int(previous.get("failures") or 0)
        else:
            count = 0
        count = 0 if result.succeeded else count + 1
        self._failures[stack.key] = (stack.generation, count)
        return count

    def _next_delay(self, stack: StackResource, result: Result, failures: int) -> float:
        if result.outcome == "failed":
            return backoff(failures, self.options, stack.interval)
        return stack.interval

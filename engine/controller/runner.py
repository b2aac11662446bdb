"""``pyhelm controller``'s process: the probes and metrics server, leader election for the shard, and the
reconcile loop while leading; SIGTERM (or SIGINT) stops it gracefully: nothing new starts, the releases in
flight finish or are marked failed, the status says so, and the leader Lease is handed back."""
from __future__ import annotations

import gc
import threading
from dataclasses import dataclass

from engine import cancellation
from engine.controller.leader import LeaderElector, Timing, candidate_identity
from engine.controller.logs import log
from engine.controller.loop import LoopOptions, ReconcileLoop
from engine.controller.metrics import Metrics
from engine.controller.reconciler import Connection
from engine.controller.resource import SHARD_LABEL


class ControllerError(Exception):
    """The controller stopped because of a failure of its own (not a signal)."""


@dataclass(frozen=True)
class ControllerOptions:
    connection: Connection
    loop: LoopOptions
    shard: str = ""
    leader_election: bool = True
    lease_namespace: str = "default"
    timing: Timing = Timing()
    http_address: str = "0.0.0.0:8080"

    @property
    def lease_name(self) -> str:
        return f"pyhelm-controller-{self.shard or 'default'}"[:63]


def shard_selector(shard: str, selector: str) -> str:
    """The label selector of the Stacks a replica reconciles: its shard's label, and/or the one given."""
    parts = ([f"{SHARD_LABEL}={shard}"] if shard else []) + ([selector] if selector else [])
    return ",".join(parts)


def run_controller(options: ControllerOptions) -> None:
    from engine.controller.probes import serve
    from engine.kube.client import KubeClient

    gc.enable()  # the CLI turns the cyclic collector off for short commands; this process runs for days
    kube = KubeClient.from_config(options.connection.kubeconfig, options.connection.context)
    metrics = Metrics.create()
    identity = candidate_identity()
    elector = LeaderElector(kube, options.lease_namespace, options.lease_name, identity, options.timing, log)
    current: dict[str, ReconcileLoop] = {}

    def lead(lost: threading.Event) -> None:
        metrics.leader.labels(options.shard or "default").set(1)
        current["loop"] = ReconcileLoop(kube, options.connection, options.loop, metrics, log)
        try:
            current["loop"].run(lost)
        finally:
            metrics.leader.labels(options.shard or "default").set(0)
            current.pop("loop", None)

    def ready() -> bool:
        loop = current.get("loop")
        if loop is not None:
            return loop.informer.synced.is_set()
        return elector.reached_api.is_set() and options.leader_election

    server = serve(options.http_address, ready, metrics)
    log("controller started", identity=identity, shard=options.shard or "default",
        selector=options.loop.selector or "(all Stacks)", http=f"{server.server_address[0]}:{server.server_address[1]}")
    stop = threading.Event()
    failures: list[BaseException] = []

    def guarded() -> None:
        try:
            elector.run(lead, stop) if options.leader_election else lead(stop)
        except BaseException as exc:  # noqa: BLE001 - reported once, below, as the reason the process ends
            failures.append(exc)

    worker = threading.Thread(target=guarded, name="pyhelm-controller-main", daemon=True)
    worker.start()
    with cancellation.cooperative():  # a signal only asks to stop: work in flight ends at its own checks
        while worker.is_alive() and not cancellation.pause(0.5):
            pass
    stop.set()
    worker.join()
    server.shutdown()
    if failures:
        log(f"controller failed: {failures[0]}", level="error", identity=identity)
        raise ControllerError(f"controller stopped after a failure: {failures[0]}")
    log("controller stopped", identity=identity)

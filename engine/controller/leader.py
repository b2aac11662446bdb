"""Leader election with a coordination.k8s.io Lease, as client-go's leaderelection does: replicas of a shard
campaign for one Lease; the holder renews it every retry period and stops leading when it could not renew
within the renew deadline; a holder that died is replaced once its lease duration has passed since its last
renewal. Every write is guarded by the Lease's resourceVersion, so two candidates can never both win."""
from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from typing import Any, Callable

from engine import cancellation

Log = Callable[..., None]


def candidate_identity() -> str:
    return f"{socket.gethostname()}_{os.getpid()}_{secrets.token_hex(4)}"


def _micro_time(moment: dt.datetime | None = None) -> str:
    return (moment or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _expired(spec: dict[str, Any], default_duration: float) -> bool:
    try:
        renewed = dt.datetime.fromisoformat(str(spec.get("renewTime") or "").replace("Z", "+00:00"))
    except ValueError:
        return True
    duration = spec.get("leaseDurationSeconds") or default_duration
    return (dt.datetime.now(dt.timezone.utc) - renewed).total_seconds() > duration


@dataclass(frozen=True)
class Timing:
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0


class LeaderElector:
    def __init__(self, kube: Any, namespace: str, name: str, identity: str, timing: Timing, log: Log):
        self.kube, self.namespace, self.name, self.identity = kube, namespace, name, identity
        self.timing, self.log = timing, log
        self.path = f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}"
        self.leading = threading.Event()
        self.reached_api = threading.Event()  # an election round got an answer from the API server

    def _read(self) -> dict[str, Any] | None:
        from engine.kube.client import KubeError

        try:
            return self.kube.request("GET", self.path)
        except KubeError as exc:
            if exc.status == 404:
                return None
            raise

    def _spec(self, acquired: str, transitions: int) -> dict[str, Any]:
        return {"holderIdentity": self.identity, "leaseDurationSeconds": max(1, round(self.timing.lease_duration)),
                "acquireTime": acquired, "renewTime": _micro_time(), "leaseTransitions": transitions}

    def try_acquire_or_renew(self) -> bool:
        """Take the Lease if it is free or expired, renew it if ours; False when another live holder has it
        or another candidate wrote it first (409)."""
        from engine.kube.client import KubeError

        lease = self._read()
        try:
            if lease is None:
                body = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                        "metadata": {"name": self.name, "namespace": self.namespace},
                        "spec": self._spec(_micro_time(), 0)}
                self.kube.request("POST", f"/apis/coordination.k8s.io/v1/namespaces/{self.namespace}/leases", body)
                return True
            spec = lease.get("spec") or {}
            holder = spec.get("holderIdentity") or ""
            ours = holder == self.identity
            if holder and not ours and not _expired(spec, self.timing.lease_duration):
                return False
            transitions = int(spec.get("leaseTransitions") or 0) + (0 if ours else 1)
            lease["spec"] = self._spec(spec.get("acquireTime") if ours else _micro_time(), transitions)
            self.kube.request("PUT", self.path, lease)
            return True
        except KubeError as exc:
            if exc.status in (409, 422):  # someone else wrote the Lease since we read it
                return False
            raise

    def release(self) -> None:
        """Give the Lease up at once (graceful shutdown), so another replica need not wait for it to expire."""
        from engine.kube.client import KubeError

        try:
            lease = self._read()
            if lease is None or (lease.get("spec") or {}).get("holderIdentity") != self.identity:
                return
            lease["spec"] = {**lease["spec"], "holderIdentity": "", "leaseDurationSeconds": 1,
                             "renewTime": _micro_time()}
            self.kube.request("PUT", self.path, lease)
        except KubeError as exc:
            self.log(f"could not release the leader Lease: {exc}; it expires by itself", level="warning")

    def _attempt(self) -> bool:
        from engine.kube.client import KubeError

        try:
            won = self.try_acquire_or_renew()
            self.reached_api.set()
            return won
        except KubeError as exc:
            self.log(f"leader election: {exc}", level="warning")
            return False

    def run(self, lead: Callable[[threading.Event], None], stop: threading.Event) -> None:
        """Campaign until ``stop``; while leading, run ``lead(lost)`` in a thread (``lost`` is set when the
        leadership ends) and keep renewing."""
        import time

        while not stop.is_set():
            while not stop.is_set() and not self._attempt():
                stop.wait(self.timing.retry_period)
            if stop.is_set():
                return
            self.log("became leader", lease=f"{self.namespace}/{self.name}")
            self.leading.set()
            lost = threading.Event()
            worker = threading.Thread(target=lead, args=(lost,), name="pyhelm-leader-work", daemon=True)
            worker.start()
            renewed = time.monotonic()
            while not stop.wait(self.timing.retry_period) and worker.is_alive():
                if self._attempt():
                    renewed = time.monotonic()
                elif time.monotonic() - renewed > self.timing.renew_deadline:
                    self.log("lost the leadership: could not renew the Lease in time", level="warning")
                    break
            lost.set()
            worker.join()
            self.leading.clear()
            if stop.is_set() or cancellation.requested():
                self.release()
                return

"""One run at a time per stack and environment: a coordination.k8s.io Lease in every cluster the stack's
releases live in, taken before planning, renewed while the run lasts and released when it ends, so a run
whose process died stops blocking others within a lease duration."""
from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import secrets
import socket
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

from engine.stack.errors import StackError
from engine.stack.model import Stack

if TYPE_CHECKING:
    from engine.stack.clusters import Clusters

LEASE_SECONDS = 60  # a Lease not renewed for this long is free: its run is gone
LABELS = {"app.kubernetes.io/managed-by": "pyhelm"}
RENEWAL_THREAD = "pyhelm-stack-lock-renewal"

Report = Callable[[str], None]


def lease_name(stack: str, environment: str | None) -> str:
    return f"pyhelm-stack-{stack}-{environment or 'default'}"[:63].rstrip("-")


def run_identity() -> str:
    """Who this run is, as its Lease says: user, host and pid for people, and a token unique to the run (two
    runs of one process, e.g. threads of a program using the library, are different holders)."""
    return f"{getpass.getuser()}@{socket.gethostname()} pid {os.getpid()} run {secrets.token_hex(4)}"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _age_seconds(stamp: str) -> float:
    try:
        moment = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return float("inf")
    return (dt.datetime.now(dt.timezone.utc) - moment).total_seconds()


def _process_is_gone(identity: str) -> bool:
    """Whether the holder was a process on this machine that no longer runs (a killed apply)."""
    who, _, rest = identity.partition(" pid ")
    pid = rest.split(" ", 1)[0]
    if who.rpartition("@")[2] != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class LockHolder:
    """A live run holding a stack's lock, as its Lease says."""

    identity: str
    since: str  # when it took the lock
    lease: str  # which Lease, where

    def describe(self) -> str:
        return f"{self.identity} since {self.since} ({self.lease})"

    def to_dict(self) -> dict[str, str]:
        return {"holder": self.identity, "since": self.since, "lease": self.lease}

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> "LockHolder":
        return cls(data.get("holder", "someone"), data.get("since", "?"), data.get("lease", ""))


def _live_holder(lease: dict[str, Any] | None, where: str) -> LockHolder | None:
    """The holder of ``lease`` unless the lease expired or its process is known to be gone."""
    spec = (lease or {}).get("spec") or {}
    identity = spec.get("holderIdentity") or ""
    if not identity or _process_is_gone(identity):
        return None
    if _age_seconds(spec.get("renewTime") or "") > (spec.get("leaseDurationSeconds") or LEASE_SECONDS):
        return None
    return LockHolder(identity, str(spec.get("acquireTime") or "?"), where)


class _Lease:
    """The stack's Lease in one cluster."""

    def __init__(self, kube: Any, namespace: str, name: str, context: str | None, identity: str, duration: int):
        self.kube, self.namespace, self.name = kube, namespace, name
        self.identity, self.duration = identity, duration
        self.where = f"Lease {namespace}/{name}" + (f" in context {context}" if context else "")

    def body(self, acquired: str) -> dict[str, Any]:
        return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": self.name, "namespace": self.namespace, "labels": dict(LABELS)},
                "spec": {"holderIdentity": self.identity, "leaseDurationSeconds": self.duration,
                         "acquireTime": acquired, "renewTime": _now()}}

    def read(self) -> dict[str, Any] | None:
        return self.kube.get(self.kube.ref(self.body("")))

    def holder(self) -> LockHolder | None:
        """The live run holding this Lease (None: free, expired, or ours)."""
        current = _live_holder(self.read(), self.where)
        return None if current is None or current.identity == self.identity else current

    def take(self, refusal: Callable[[LockHolder], str], break_lock: bool) -> None:
        """Create the Lease, or take over an expired one (any live one with ``break_lock``); a Lease already
        naming us (a create retried after a dropped connection) is ours."""
        from engine.kube.client import KubeError

        try:
            self._take(refusal, break_lock)
        except KubeError as exc:
            raise StackError(f"cannot take the stack lock ({self.where}): {exc}") from None

    def _take(self, refusal: Callable[[LockHolder], str], break_lock: bool) -> None:
        from engine.kube.client import KubeError

        for _attempt in range(3):
            try:
                self.kube.create(self.body(_now()), field_manager="pyhelm")
                return
            except KubeError as exc:
                if exc.status == 404:  # the namespace is missing: the stack would create it anyway
                    self._create_namespace(exc)
                    continue
                if exc.status != 409:
                    raise
            current = self.read()
            if current is None:  # released between our create and read: try again
                continue
            if (current.get("spec") or {}).get("holderIdentity") == self.identity:
                return
            holder = _live_holder(current, self.where)
            if holder is not None and not break_lock:
                raise StackError(refusal(holder))
            if self._replace(current, _now()):
                return
        raise StackError(f"cannot take the stack lock ({self.where}): other runs keep changing it; try again")

    def _create_namespace(self, cause: Exception) -> None:
        from engine.kube.client import KubeError

        try:
            self.kube.ensure_namespace(self.namespace)
        except KubeError as exc:
            raise StackError(f"cannot take the stack lock ({self.where}): {cause}; creating namespace "
                             f"{self.namespace} failed ({exc}): create it, or set lock.namespace in the stack "
                             "file to a namespace this account may write Leases in") from None

    def _replace(self, current: dict[str, Any], acquired: str) -> bool:
        """Write our spec over ``current`` unless it changed since it was read; False if it did."""
        from engine.kube.client import KubeError

        version = (current.get("metadata") or {}).get("resourceVersion")
        try:
            self.kube.patch(self.kube.ref(current), {"metadata": {"resourceVersion": version},
                                                    "spec": self.body(acquired)["spec"]},
                            "application/merge-patch+json", field_manager="pyhelm")
        except KubeError as exc:
            if exc.status in (404, 409):
                return False
            raise
        return True

    def renew(self) -> str | None:
        """Move the renew time on; returns who holds the Lease instead of us when it was lost."""
        current = self.read()
        spec = (current or {}).get("spec") or {}
        if current is None:
            return "nobody (the Lease was deleted)"
        if spec.get("holderIdentity") != self.identity:
            return str(spec.get("holderIdentity") or "nobody")
        self._replace(current, str(spec.get("acquireTime") or _now()))  # a conflict is retried next time
        return None

    def release(self) -> None:
        """Delete the Lease if it is still ours (a Lease already gone is fine)."""
        current = self.read()
        if current is not None and (current.get("spec") or {}).get("holderIdentity") == self.identity:
            self.kube.delete(self.kube.ref(current))


def lock_contexts(stack: Stack, clusters: Clusters) -> list[str | None]:
    """The kube contexts of the clusters the stack's releases live in (None: the kubeconfig's current one),
    in the fixed order every run takes their locks in."""
    contexts = {r.kube_context for r in stack.releases} | ({stack.kube_context} if stack.kube_context else set())
    chosen = {clusters.context or context for context in (contexts or {None})}
    return sorted(chosen, key=lambda context: (context is not None, context or ""))


def _leases(stack: Stack, clusters: Clusters, identity: str, duration: int) -> list[_Lease]:
    name = lease_name(stack.name, stack.environment)
    return [_Lease(clusters.config(context, stack.lock_namespace).kube, stack.lock_namespace, name, context,
                   identity, duration) for context in lock_contexts(stack, clusters)]


def lock_holder(stack: Stack, clusters: Clusters) -> LockHolder | None:
    """The live run holding the stack's lock in any of its clusters, if one does (for ``plan``)."""
    for lease in _leases(stack, clusters, "", LEASE_SECONDS):
        holder = lease.holder()
        if holder is not None:
            return holder
    return None


class HeldLocks:
    """The stack's Leases while this run holds them, kept alive by a renewal thread."""

    def __init__(self, stack: Stack, report: Report, duration: int):
        self.stack_name, self.environment = stack.name, stack.environment
        self.leases: list[_Lease] = []
        self.report, self.duration = report, duration
        self.lost_to: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew_until_stopped, name=RENEWAL_THREAD, daemon=True)

    def covers(self, stack: Stack) -> bool:
        return (self.stack_name, self.environment) == (stack.name, stack.environment)

    def check(self) -> None:
        """Refuse to go on once another run took the lock from us."""
        if self.lost_to is not None:
            raise StackError(f"this run lost the stack lock to {self.lost_to}; stopped so that two runs do not "
                             "change the stack at once")

    def _renew_until_stopped(self) -> None:
        from engine.kube.client import KubeError

        while not self._stop.wait(self.duration / 3):
            for lease in self.leases:
                try:
                    lost_to = lease.renew()
                except KubeError as exc:
                    self.report(f"could not renew the stack lock ({lease.where}): {exc}; it expires "
                                f"{lease.duration}s after its last renewal")
                    continue
                if lost_to is not None and self.lost_to is None:
                    self.lost_to = lost_to
                    self.report(f"lost the stack lock ({lease.where}) to {lost_to}: starting nothing more")

    def start_renewing(self) -> None:
        self._thread.start()

    def release(self) -> None:
        """Stop renewing and delete every Lease still ours; one that cannot be deleted expires by itself."""
        from engine.kube.client import KubeError

        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        for lease in reversed(self.leases):
            try:
                lease.release()
            except KubeError as exc:
                self.report(f"could not release the stack lock ({lease.where}): {exc}; it expires within "
                            f"{lease.duration}s")


@contextlib.contextmanager
def hold_stack_locks(stack: Stack, clusters: Clusters, break_lock: bool = False, report: Report = lambda line: None,
                     duration: int = LEASE_SECONDS, identity: str | None = None) -> Iterator[HeldLocks]:
    """Hold the stack's lock in every cluster it touches for the block (plan and apply inside it); refuse
    when another live run holds one (``break_lock`` takes it anyway). Whatever ends the block (an error,
    Ctrl-C, SIGTERM raised in the main thread) releases every Lease taken."""
    leases = _leases(stack, clusters, identity or run_identity(), duration)
    held = HeldLocks(stack, report, duration)

    def refusal(holder: LockHolder) -> str:
        return (f"stack {stack.name} ({stack.environment or 'default'}) is being applied by {holder.describe()}; "
                "if that run is gone, use --break-lock")

    try:
        for lease in leases:
            held.leases.append(lease)  # before taking: a create that went through unanswered is released too
            lease.take(refusal, break_lock)
        held.start_renewing()
        yield held
    finally:
        held.release()

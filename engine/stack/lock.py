"""One apply at a time per stack and environment: a coordination.k8s.io Lease held while applying."""
from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import os
import socket
from typing import Iterator

from engine.stack.errors import StackError

LEASE_NAMESPACE = "default"
LEASE_SECONDS = 3600  # a lock older than this is stale: its run is assumed gone


def lease_name(stack: str, environment: str | None) -> str:
    return f"pyhelm-stack-{stack}-{environment or 'default'}"[:63].rstrip("-")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _age_seconds(stamp: str) -> float:
    try:
        moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.timezone.utc)
    except (TypeError, ValueError):
        return float("inf")
    return (dt.datetime.now(dt.timezone.utc) - moment).total_seconds()


def _holder_is_gone(holder: str) -> bool:
    """Whether the holder was a process on this machine that no longer runs (a killed apply)."""
    who, _, pid = holder.partition(" pid ")
    if who.rpartition("@")[2] != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _lease(name: str, holder: str) -> dict:
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": name, "namespace": LEASE_NAMESPACE, "labels": {"app.kubernetes.io/managed-by":
                                                                                "pyhelm"}},
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": LEASE_SECONDS, "acquireTime": _now(),
                     "renewTime": _now()}}


@contextlib.contextmanager
def stack_lock(kube, stack: str, environment: str | None, break_lock: bool = False) -> Iterator[str]:
    """Hold the stack's Lease for the block; refuse when another live run holds it (``break_lock`` takes it
    anyway). Yields the holder identity."""
    from engine.kube.client import KubeError

    name = lease_name(stack, environment)
    holder = f"{getpass.getuser()}@{socket.gethostname()} pid {os.getpid()}"
    ref = kube.ref(_lease(name, holder))
    try:
        kube.create(_lease(name, holder), field_manager="pyhelm")
    except KubeError as exc:
        if exc.status != 409:
            raise StackError(f"cannot take the stack lock (Lease {LEASE_NAMESPACE}/{name}): {exc}") from None
        current = kube.get(ref) or {}
        spec = current.get("spec") or {}
        stale = _age_seconds(spec.get("renewTime", "")) > spec.get("leaseDurationSeconds", LEASE_SECONDS) or \
            _holder_is_gone(spec.get("holderIdentity", ""))
        if not (break_lock or stale):
            raise StackError(f"stack {stack} ({environment or 'default'}) is being applied by "
                             f"{spec.get('holderIdentity', 'someone')} since {spec.get('acquireTime', '?')} "
                             f"(Lease {LEASE_NAMESPACE}/{name}); if that run is gone, use --break-lock") from None
        kube.replace(_lease(name, holder), field_manager="pyhelm")
    try:
        yield holder
    finally:
        kube.delete(ref)

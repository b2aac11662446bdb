"""Bounded work per cluster: however many Stacks are reconciled at once, at most N of them work on one cluster
(kube context) at a time, so one busy cluster's API server is not flooded while others wait on nothing."""
from __future__ import annotations

import threading
from contextlib import ExitStack, contextmanager
from typing import Iterable, Iterator


class ClusterSlots:
    """``limit`` reconciliations per cluster at once (0: no limit)."""

    def __init__(self, limit: int):
        self.limit = limit
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}

    def _slot(self, cluster: str) -> threading.BoundedSemaphore:
        with self._lock:
            return self._slots.setdefault(cluster, threading.BoundedSemaphore(self.limit))

    @contextmanager
    def hold(self, clusters: Iterable[str | None]) -> Iterator[None]:
        """Hold a slot on every cluster named (None: the kubeconfig's current context), taken in one order so
        two Stacks over the same clusters never wait on each other."""
        if self.limit <= 0:
            yield
            return
        with ExitStack() as held:
            for cluster in sorted({c or "" for c in clusters}):
                slot = self._slot(cluster)
                slot.acquire()
                held.callback(slot.release)
            yield

"""Repository indexes shared within one command: a stack plan of many releases from one repository reads its
index once. Outside ``shared_indexes()`` every lookup reads the index afresh (a long-running process never
works from a stale index)."""
from __future__ import annotations

import contextlib
import threading
from typing import Any, Callable, Hashable, Iterator

_shared: dict[Hashable, Any] | None = None  # None: not sharing
_lock = threading.Lock()


@contextlib.contextmanager
def shared_indexes() -> Iterator[None]:
    """While the block runs (in any thread), each index is fetched once."""
    global _shared
    with _lock:
        saved, _shared = _shared, {}
    try:
        yield
    finally:
        with _lock:
            _shared = saved


def shared_or_fetched(key: Hashable, fetch: Callable[[], Any]) -> Any:
    """The index for ``key``: the one already read in this block, else ``fetch()`` (remembered in the block)."""
    with _lock:
        memo = _shared
        if memo is not None and key in memo:
            return memo[key]
    index = fetch()
    with _lock:
        if memo is not None:
            memo[key] = index
    return index

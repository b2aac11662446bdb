"""Process-wide cancellation: SIGINT and SIGTERM cancel the whole run, as a cancelled context does in helm.

The first signal sets one event that every wait, poll and retry backoff watches (they wait with ``pause``
instead of ``time.sleep``), so operations in any thread stop at their next check. The main thread is also
interrupted with KeyboardInterrupt, except inside a ``cooperative`` block: there an operation stops at its own
checks, because an exception at an arbitrary point could leave a release record half-written. A second
signal interrupts the main thread even there, for an operation stuck where it does not check.

This module imports nothing of pyhelm, so any layer may use it and the CLI can install it cheaply.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)

_requested = threading.Event()
_lock = threading.RLock()  # reentrant: the signal handler runs on the main thread, maybe while it holds the lock
_received: list[int] = []  # the signals received, in order
_marked_failed: list[str] = []  # "namespace/name" of the releases an interruption marked failed
_cooperative_depth = 0  # nesting of cooperative blocks on the main thread


class Interrupted(Exception):
    """A run that stopped because it was cancelled, after winding down what it had started; ``outcomes``
    says what became of each of its parts."""

    def __init__(self, outcomes: list | None = None):
        super().__init__("interrupted")
        self.outcomes = list(outcomes or [])


def requested() -> bool:
    """Whether the run has been cancelled."""
    return _requested.is_set()


def pause(seconds: float) -> bool:
    """Wait up to ``seconds``; True (at once) when the run is or gets cancelled."""
    return _requested.wait(seconds)


def request(signum: int = signal.SIGINT) -> None:
    """Cancel the run as ``signum`` would (without interrupting the main thread)."""
    with _lock:
        _received.append(signum)
    _requested.set()


def signal_number() -> int | None:
    """The first signal that cancelled the run, if one did."""
    with _lock:
        return _received[0] if _received else None


def note_marked_failed(release_id: str) -> None:
    """Remember that the cancellation left ``release_id`` (namespace/name) marked failed."""
    with _lock:
        if release_id not in _marked_failed:
            _marked_failed.append(release_id)


def marked_failed() -> list[str]:
    with _lock:
        return list(_marked_failed)


def _on_signal(signum: int, _frame: object) -> None:
    request(signum)
    with _lock:
        first = len(_received) == 1
    if not (first and _cooperative_depth):
        raise KeyboardInterrupt


@contextlib.contextmanager
def signals_cancel() -> Iterator[None]:
    """For the block (one command, or one run of a program using the engine), start uncancelled and let
    SIGINT and SIGTERM cancel the run; the previous handlers come back afterwards. Only the main thread can
    take signals: elsewhere the block only starts uncancelled."""
    with _lock:
        _received.clear()
        _marked_failed.clear()
    _requested.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _on_signal) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def cooperative() -> Iterator[None]:
    """Within the block, the first signal only cancels the run: the code in it stops at its own checks
    (``pause``, ``requested``) instead of being interrupted wherever it is. No-op off the main thread."""
    global _cooperative_depth
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _cooperative_depth += 1
    try:
        yield
    finally:
        _cooperative_depth -= 1

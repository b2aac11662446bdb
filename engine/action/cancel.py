"""Interruption: SIGTERM is treated like Ctrl-C while a release operation runs, so the operation can mark
its release failed instead of leaving it pending."""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator


def _raise_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, SIGTERM raises KeyboardInterrupt (only possible on the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)

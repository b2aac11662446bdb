"""Interruption of release operations: a cancelled run (SIGINT, SIGTERM; see engine.cancellation) makes the
operation's waits raise OperationCancelled, so the operation marks its release failed, as helm does on a
cancelled context, instead of leaving it pending."""
from __future__ import annotations

import contextlib
from typing import Iterator

from engine import cancellation
from engine.action.config import ActionError

CANCELLED_MESSAGE = "context canceled"  # helm's words for an operation stopped by a signal


class OperationCancelled(ActionError):
    """A release operation stopped because the run was cancelled."""

    cancelled = True

    def __init__(self) -> None:
        super().__init__(CANCELLED_MESSAGE)


def pause(seconds: float) -> None:
    """Wait ``seconds`` between two polls; raise OperationCancelled as soon as the run is cancelled."""
    if cancellation.pause(seconds):
        raise OperationCancelled()


def check() -> None:
    """Raise OperationCancelled when the run has been cancelled."""
    if cancellation.requested():
        raise OperationCancelled()


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Run an operation's work so that a signal cancels it at its next wait (OperationCancelled) rather than
    interrupting it at an arbitrary point; a second signal still interrupts (KeyboardInterrupt)."""
    with cancellation.cooperative():
        check()
        yield

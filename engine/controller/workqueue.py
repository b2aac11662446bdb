"""The controller's work queue: Stack keys due now or later, each handed to one worker at a time (a key
added while it is being worked on waits for that work to end), the earliest due time kept when added twice."""
from __future__ import annotations

import threading
import time


class WorkQueue:
    def __init__(self) -> None:
        self._due: dict[str, float] = {}
        self._busy: set[str] = set()
        self._closed = False
        self._changed = threading.Condition()

    def add(self, key: str, delay: float = 0.0) -> None:
        due = time.monotonic() + max(0.0, delay)
        with self._changed:
            self._due[key] = min(self._due.get(key, due), due)
            self._changed.notify_all()

    def forget(self, key: str) -> None:
        with self._changed:
            self._due.pop(key, None)

    def get(self) -> str | None:
        """The next key due that no worker holds, once there is one; None when the queue is closed."""
        with self._changed:
            while not self._closed:
                now = time.monotonic()
                ready = [(due, key) for key, due in self._due.items() if key not in self._busy]
                if ready:
                    due, key = min(ready)
                    if due <= now:
                        del self._due[key]
                        self._busy.add(key)
                        return key
                    self._changed.wait(due - now)
                else:
                    self._changed.wait()
            return None

    def done(self, key: str) -> None:
        with self._changed:
            self._busy.discard(key)
            self._changed.notify_all()

    def close(self) -> None:
        """Wake every waiting worker with None; keys still queued are dropped."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()

    def __len__(self) -> int:
        with self._changed:
            return len(self._due)

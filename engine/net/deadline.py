"""An overall time limit for one download, as Go's ``http.Client.Timeout`` gives helm.

requests only bounds each socket operation, so a server that drips one byte every few seconds never times
out. A ``Deadline`` is entered around a request and the reading of its body; the connections that request
uses register their sockets with it (see ``engine.net.session``), and when the time is up a timer shuts those
sockets down, which wakes any read blocked on them. The caller then sees ``expired`` and reports the deadline.
"""
from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

from engine.net.errors import DownloadError

_active = threading.local()  # the Deadline the current thread is downloading under, if any


class Deadline:
    """``seconds`` from its creation (at the ``with``) until every byte has been read."""

    def __init__(self, seconds: float) -> None:
        self.expires = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[object] = []  # sockets, or urllib3's TLS-in-TLS transports
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._outer: Deadline | None = None

    def remaining(self) -> float:
        return max(0.0, self.expires - time.monotonic())

    def socket_timeout(self) -> float:
        """requests' per-operation timeout: never beyond the deadline (and never 0, which means non-blocking)."""
        return max(self.remaining(), 0.001)

    def check(self, url: str, method: str = "Get", reading_body: bool = False) -> None:
        """Raise helm's deadline error when the time is up (also after a read that a cut socket ended)."""
        if self.expired or self.remaining() <= 0:
            self.expired = True
            phase = ("Client.Timeout or context cancellation while reading body" if reading_body
                     else "Client.Timeout exceeded while awaiting headers")
            raise DownloadError(f'{method} "{url}": context deadline exceeded ({phase})')

    def watch(self, sock: object | None) -> None:
        """Cut ``sock`` when the deadline passes (at once if it has passed)."""
        if sock is None:
            return
        with self._lock:
            if self.expired:
                _cut(sock)
            elif sock not in self._sockets:
                self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _cut(sock)

    def __enter__(self) -> "Deadline":
        self._outer = getattr(_active, "deadline", None)
        _active.deadline = self
        self._timer = threading.Timer(self.remaining(), self._expire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._sockets.clear()
        _active.deadline = self._outer


def watch_socket(sock: object | None) -> None:
    """Register ``sock`` with the deadline the current thread is downloading under, if any."""
    deadline: Deadline | None = getattr(_active, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


def _cut(sock: object) -> None:
    """Shut ``sock`` down; for TLS (and TLS inside a TLS proxy) the plain socket underneath, which wakes a
    blocked read without touching TLS state."""
    while not isinstance(sock, socket.socket) and hasattr(sock, "socket"):
        sock = sock.socket  # urllib3's SSLTransport wraps the socket it runs over
    if isinstance(sock, socket.socket):
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass  # already closed

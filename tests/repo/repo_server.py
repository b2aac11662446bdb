"""A chart repository served over HTTP for tests, with switches for auth, failures, headers and delays."""
from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import ssl
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator


@dataclass
class RepoServer:
    """A chart repository served from ``root``; ``auth`` demands basic auth, ``fail`` maps paths to statuses,
    ``headers`` are added to every answer, ``delay`` holds every answer back."""

    root: Path
    url: str = ""
    auth: tuple[str, str] | None = None
    fail: dict[str, list[int]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before each answer


def handler_for(server: RepoServer) -> type[http.server.SimpleHTTPRequestHandler]:
    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            return None

        def end_headers(self) -> None:
            for name, value in server.headers.items():
                self.send_header(name, value)
            super().end_headers()

        def do_GET(self) -> None:
            server.requests.append(self.path)
            time.sleep(server.delay)
            if server.auth is not None:
                token = base64.b64encode(":".join(server.auth).encode()).decode()
                if self.headers.get("Authorization") != f"Basic {token}":
                    self.send_error(401, "Unauthorized")
                    return
            statuses = server.fail.get(self.path.split("?")[0])
            if statuses:
                self.send_error(statuses.pop(0))
                return
            try:
                super().do_GET()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler


@contextlib.contextmanager
def serving(server: RepoServer, tls: ssl.SSLContext | None = None) -> Iterator[RepoServer]:
    """Serve ``server.root`` on 127.0.0.1 (HTTPS with ``tls``) while the block runs; sets ``server.url``."""
    handler = functools.partial(handler_for(server), directory=str(server.root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    server.url = f"{'https' if tls else 'http'}://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()

"""The controller's HTTP endpoints: ``/healthz`` (the process serves), ``/readyz`` (it reached the API
server: as leader its Stacks are listed, as a standby it is campaigning) and ``/metrics`` (Prometheus)."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

from engine.controller.metrics import Metrics


def serve(address: str, ready: Callable[[], bool], metrics: Metrics) -> ThreadingHTTPServer:
    """Start serving on ``address`` (``host:port``; port 0 picks a free one) in a background thread."""
    host, _, port = address.rpartition(":")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

        def _send(self, status: int, body: bytes, content_type: str = "text/plain; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            if self.path == "/healthz":
                self._send(200, b"ok\n")
            elif self.path == "/readyz":
                self._send(200, b"ok\n") if ready() else self._send(503, b"not ready\n")
            elif self.path == "/metrics":
                self._send(200, *metrics.exposition())
            else:
                self._send(404, b"not found\n")

    server = ThreadingHTTPServer((host or "0.0.0.0", int(port or 8080)), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="pyhelm-controller-http", daemon=True).start()
    return server

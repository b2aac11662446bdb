"""``pyhelm sandbox``: a local Kubernetes API server that stores objects as kube-apiserver does and runs nothing.

    from engine.sandbox import Sandbox
    with Sandbox() as sb:            # 127.0.0.1, a free port, in a background thread
        sb.write_kubeconfig("kubeconfig")
"""
from __future__ import annotations

import threading
from pathlib import Path

from engine.sandbox.api import API
from engine.sandbox.registry import Registry
from engine.sandbox.server import SandboxHTTPServer
from engine.sandbox.store import Store


class Sandbox:
    """A running sandbox API server."""

    def __init__(self, ready: bool = False, state_file: str | None = None, port: int = 0, host: str = "127.0.0.1",
                 latency: float = 0.0, record_requests: bool = False):
        """``latency``: seconds every request waits before it is answered, to model a real API server's
        round trip (0: answer at once). ``record_requests``: keep a log of every request (``requests``)."""
        self.store = Store()
        self.state_file = state_file
        if state_file and Path(state_file).exists():
            self.store.load(Path(state_file).read_text())
        self.registry = Registry()
        for crd in self.store.items(("apiextensions.k8s.io", "customresourcedefinitions"), None):
            self.registry.register_crd(crd)
        self.api = API(self.store, self.registry, ready_controllers=ready)
        self.server = SandboxHTTPServer((host, port), self.api, latency, record_requests)
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "Sandbox":
        self.thread = threading.Thread(target=self.server.serve_forever, name="pyhelm-sandbox", daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self.state_file:
            self.save()

    def save(self) -> None:
        """Write every object to the state file, so a later sandbox starts with them."""
        Path(self.state_file).write_text(self.store.dump())

    def write_kubeconfig(self, path: str | Path, namespace: str = "default") -> Path:
        from engine.sandbox.kubeconfig import write_kubeconfig

        return write_kubeconfig(Path(path), self.url, namespace)

    def fail_next(self, method: str = "*", path_regex: str = ".", status: int = 500, count: int = 1) -> None:
        """Make the next ``count`` requests matching ``method`` and ``path_regex`` fail with ``status``."""
        self.server.failures.add(method, path_regex, status, count)

    @property
    def requests(self):
        """The log of every request served (``.snapshot()``: (method, path with query) pairs)."""
        return self.server.requests

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

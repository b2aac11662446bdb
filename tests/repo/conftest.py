"""Fixtures for repository tests: an isolated Helm home, packaged charts and an HTTP server on 127.0.0.1."""
from __future__ import annotations

import base64
import functools
import http.server
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest

from helm_reference import helm_binary
from repo_support import DEMO_VERSIONS, package_demo, pyhelm


@pytest.fixture
def helm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and Helm's homes inside tmp_path, so nothing touches the real configuration."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("CONFIG", "CACHE", "DATA"):
        monkeypatch.setenv(f"HELM_{name}_HOME", str(home / name.lower()))
    for name in ("HELM_REPOSITORY_CONFIG", "HELM_REPOSITORY_CACHE", "HELM_CONTENT_CACHE", "XDG_CACHE_HOME",
                 "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    return home


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


def _handler(server: RepoServer) -> type[http.server.SimpleHTTPRequestHandler]:
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


@pytest.fixture
def repo_server(tmp_path: Path) -> Iterator[RepoServer]:
    """An HTTP server on 127.0.0.1 serving an empty directory (fill ``root``)."""
    server = RepoServer(tmp_path / "served")
    server.root.mkdir()
    handler = functools.partial(_handler(server), directory=str(server.root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def demo_repo(repo_server: RepoServer) -> RepoServer:
    """The demo chart at several versions (one pre-release) with an index pyhelm wrote."""
    for version in DEMO_VERSIONS:
        package_demo(repo_server.root, version)
    assert pyhelm("repo", "index", str(repo_server.root)).returncode == 0
    return repo_server


@pytest.fixture
def helm() -> str:
    binary = helm_binary()
    if binary is None:
        pytest.skip("reference helm binary not available (needs ../shared/tools/get-helm)")
    return binary

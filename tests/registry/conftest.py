"""A real OCI registry (Debian's docker-registry, the CNCF distribution registry) on 127.0.0.1 for the tests;
they skip with the reason where it is not installed (and fail under CI: the ``docker_registry`` fixture)."""
from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(program: str, root: Path, users: dict[str, str] | None = None) -> Iterator[str]:
    root.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    config = [f"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {root / 'data'}\n  delete:\n"
              f"    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n"]
    if users:
        import bcrypt

        (root / "htpasswd").write_text("".join(
            f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()}\n"
            for user, password in users.items()))
        config.append(f"auth:\n  htpasswd:\n    realm: basic-realm\n    path: {root / 'htpasswd'}\n")
    (root / "config.yml").write_text("".join(config))
    process = subprocess.Popen([program, "serve", str(root / "config.yml")], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    host = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"http://{host}/v2/", timeout=1)
            break
        except requests.RequestException:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                unavailable("docker-registry", "it did not answer on /v2/ within 20 s")
            time.sleep(0.1)
    try:
        yield host
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def registry(docker_registry, tmp_path) -> Iterator[str]:
    """host:port of an open registry (plain HTTP)."""
    yield from _start(docker_registry, tmp_path / "registry")


@pytest.fixture
def secured_registry(docker_registry, tmp_path) -> Iterator[str]:
    """host:port of a registry that wants user "ci" with password "s3cret" (basic auth, plain HTTP)."""
    yield from _start(docker_registry, tmp_path / "secured", {"ci": "s3cret"})

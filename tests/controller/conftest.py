"""Fixtures of the controller tests: a sandbox with the Stack CRD, and the controller processes started
against it (killed at the end)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Cluster  # noqa: E402


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    from engine.sandbox import Sandbox

    monkeypatch.setenv("HOME", str(tmp_path))
    with Sandbox(ready=True) as sandbox:
        cluster = Cluster(sandbox, tmp_path)
        try:
            yield cluster
        finally:
            cluster.stop()


@pytest.fixture
def registry(docker_registry, tmp_path):
    """host:port of an open OCI registry (Debian's docker-registry, as tests/registry start it)."""
    from registry.conftest import _start

    yield from _start(docker_registry, tmp_path / "registry")

"""Fixtures for repository tests: packaged charts and an HTTP server on 127.0.0.1."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from repo_server import RepoServer, serving
from repo_support import DEMO_VERSIONS, package_demo, pyhelm


@pytest.fixture
def repo_server(tmp_path: Path) -> Iterator[RepoServer]:
    """An HTTP server on 127.0.0.1 serving an empty directory (fill ``root``)."""
    (tmp_path / "served").mkdir()
    with serving(RepoServer(tmp_path / "served")) as server:
        yield server


@pytest.fixture
def demo_repo(repo_server: RepoServer) -> RepoServer:
    """The demo chart at several versions (one pre-release) with an index pyhelm wrote."""
    for version in DEMO_VERSIONS:
        package_demo(repo_server.root, version)
    assert pyhelm("repo", "index", str(repo_server.root)).returncode == 0
    return repo_server


"""A sandbox API server per test module, and a kubeconfig pointing at it."""
from __future__ import annotations

import pytest

from engine.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as server:
        yield server


@pytest.fixture(scope="module")
def ready_sandbox():
    with Sandbox(ready=True) as server:
        yield server


@pytest.fixture
def kubeconfig(sandbox, tmp_path):
    return str(sandbox.write_kubeconfig(tmp_path / "kubeconfig"))

"""Release tests run pyhelm (and helm) as users do, over real HTTP against a sandbox per test."""
from __future__ import annotations

import os

import pytest

from engine.sandbox import Sandbox


@pytest.fixture
def cluster(tmp_path):
    """(sandbox with ready controllers, environment whose KUBECONFIG points at it)."""
    with Sandbox(ready=True) as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
        yield sandbox, env


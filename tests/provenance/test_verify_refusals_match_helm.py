"""``--verify`` refuses what helm refuses, in helm's words: an unpacked chart, an archive without provenance."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from repo.repo_support import package_demo

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("target", ["directory", "archive"])
def test_verify_refusals(helm, tmp_path, target) -> None:
    chart = str(ROOT / "examples" / "charts" / "demo") if target == "directory" else \
        os.path.relpath(package_demo(tmp_path, "0.3.0"), tmp_path)
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    args = ["template", "web", chart, "--verify", "--keyring", os.devnull]
    ours = subprocess.run([sys.executable, "-m", "engine.cli.main", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    theirs = subprocess.run([helm, *args], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr)
    assert ours.returncode == 1

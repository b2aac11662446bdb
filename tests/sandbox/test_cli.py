"""`pyhelm sandbox start --detach` / `stop`: a kubeconfig with context sandbox, a server that answers, state kept."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests
import yaml

PYHELM = [sys.executable, "-m", "engine.cli.main"]


def test_detached_sandbox_starts_writes_kubeconfig_and_stops(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kc"
    state = tmp_path / "state.json"
    started = subprocess.run([*PYHELM, "sandbox", "start", "--detach", "--kubeconfig", str(kubeconfig), "--state",
                              str(state)], capture_output=True, text=True, timeout=30)
    assert started.returncode == 0, started.stderr
    config = yaml.safe_load(kubeconfig.read_text())
    assert config["current-context"] == "sandbox"
    url = config["clusters"][0]["cluster"]["server"]
    assert requests.get(f"{url}/version", timeout=5).json()["gitVersion"] == "v1.35.0"
    requests.post(f"{url}/api/v1/namespaces", json={"metadata": {"name": "kept"}}, timeout=5)
    stopped = subprocess.run([*PYHELM, "sandbox", "stop", "--kubeconfig", str(kubeconfig)], capture_output=True,
                             text=True, timeout=30)
    assert stopped.returncode == 0 and "kept" in state.read_text()
    again = subprocess.run([*PYHELM, "sandbox", "stop", "--kubeconfig", str(kubeconfig)], capture_output=True,
                           text=True, timeout=30)
    assert again.returncode == 1 and again.stderr.startswith("Error: no sandbox is running")

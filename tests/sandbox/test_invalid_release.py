"""A release with an object a real API server refuses fails on the sandbox too, for helm and pyhelm alike,
and ``--rollback-on-failure`` leaves nothing of it behind."""
from __future__ import annotations

import os

import pytest

from release.release_records import PYHELM, run, write_chart

INVALID_SERVICE = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n"
                   "  ports:\n  - port: 70000\n")
VALID_CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\n"


@pytest.fixture
def env(sandbox, tmp_path):
    kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return {**os.environ, "KUBECONFIG": str(kubeconfig), "PYTHONPATH": root, "HELM_CACHE_HOME": str(tmp_path / "c"),
            "HELM_CONFIG_HOME": str(tmp_path / "cfg"), "HELM_DATA_HOME": str(tmp_path / "d")}


@pytest.mark.parametrize("tool", ["pyhelm", "helm"])
def test_an_invalid_object_fails_the_release_as_on_a_cluster(sandbox, env, helm, tmp_path, tool) -> None:
    chart = write_chart(tmp_path, "bad", {"cm.yaml": VALID_CONFIG, "svc.yaml": INVALID_SERVICE})
    argv = [*PYHELM] if tool == "pyhelm" else [helm]
    namespace = f"bad-{tool}"
    installed = run([*argv, "install", "bad", str(chart), "-n", namespace, "--create-namespace"], env)
    assert installed.returncode != 0
    assert "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive" in installed.stderr
    history = run([*argv, "history", "bad", "-n", namespace, "-o", "json"], env)
    assert '"status":"failed"' in history.stdout.replace(" ", "")


@pytest.mark.parametrize("tool", ["pyhelm", "helm"])
def test_rollback_on_failure_leaves_nothing_behind(sandbox, env, helm, tmp_path, tool) -> None:
    chart = write_chart(tmp_path, "bad", {"cm.yaml": VALID_CONFIG, "svc.yaml": INVALID_SERVICE})
    argv = [*PYHELM] if tool == "pyhelm" else [helm]
    namespace = f"atomic-{tool}"
    installed = run([*argv, "install", "bad", str(chart), "-n", namespace, "--create-namespace",
                     "--rollback-on-failure"], env)
    assert installed.returncode != 0
    left = [name for (ns, name) in sandbox.store.buckets.get(("", "configmaps"), {}) if ns == namespace] + \
        [name for (ns, name) in sandbox.store.buckets.get(("", "secrets"), {}) if ns == namespace] + \
        [name for (ns, name) in sandbox.store.buckets.get(("", "services"), {}) if ns == namespace]
    assert left == []

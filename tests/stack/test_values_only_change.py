"""A release whose values change while its rendered objects stay the same is still upgraded, as
``helm upgrade`` would record the new values: the plan says "values changed", and apply makes a revision."""
from __future__ import annotations

import json

import pytest

from test_plan_apply import pyhelm

from engine.sandbox import Sandbox

STACK = """apiVersion: pyhelm/v1
name: quiet
releases:
  - name: cfg
    chart: ./cfg
    values: {{shown: same, unused: {unused}}}
"""
CHART = {"Chart.yaml": "apiVersion: v2\nname: cfg\nversion: 0.1.0\n",
         "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n"
                              "  shown: {{ .Values.shown | quote }}\n"}


@pytest.fixture
def stack(tmp_path, monkeypatch):
    for rel, text in CHART.items():
        (tmp_path / "cfg" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "cfg" / rel).write_text(text)
    with Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        monkeypatch.setenv("HOME", str(tmp_path))
        yield sandbox, tmp_path / "stack.yaml"


def test_a_values_only_change_is_planned_and_applied_as_an_upgrade(stack) -> None:
    sandbox, path = stack
    path.write_text(STACK.format(unused=1))
    assert pyhelm("apply", "-f", str(path), "--auto-approve")[0] == 0
    assert pyhelm("plan", "-f", str(path), "--detailed-exitcode")[0] == 0
    path.write_text(STACK.format(unused=2))
    status, out, err = pyhelm("plan", "-f", str(path), "--detailed-exitcode")
    assert status == 2, out + err
    assert "Plan: 0 to install, 1 to upgrade, 0 to uninstall, 0 unchanged." in out
    planned = json.loads(pyhelm("plan", "-f", str(path), "-o", "json")[1])
    [release] = planned["releases"]
    assert (release["action"], release["reasons"], release["changes"]) == ("upgrade", ["values changed"], [])
    assert pyhelm("apply", "-f", str(path), "--auto-approve")[0] == 0
    secret = sandbox.store.get(("", "secrets"), "default", "sh.helm.release.v1.cfg.v2")
    assert secret is not None and secret["metadata"]["labels"]["status"] == "deployed"
    assert pyhelm("plan", "-f", str(path), "--detailed-exitcode")[0] == 0

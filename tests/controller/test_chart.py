"""charts/pyhelm-controller renders as Helm v4 renders it, and pyhelm installs it (CRD, RBAC, Deployments,
metrics Service)."""
from __future__ import annotations

import subprocess

import pytest
import yaml

from harness import ROOT

from engine.cli.main import main

CHART = ROOT / "charts" / "pyhelm-controller"
VARIANTS = [[], ["--set", "shards={a,b}", "--set", "watchLabelSelector=team=x", "--set", "clusterAdmin=false"]]


def _pyhelm_template(args: list[str], capsys) -> str:
    assert main(["template", "ctl", str(CHART), "-n", "pyhelm-system", "--include-crds", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("args", VARIANTS, ids=["default", "sharded"])
def test_the_chart_renders_as_helm_renders_it(helm, args, capsys) -> None:
    expected = subprocess.run([helm, "template", "ctl", str(CHART), "-n", "pyhelm-system", "--include-crds", *args],
                              capture_output=True, text=True, check=True).stdout
    assert _pyhelm_template(args, capsys) == expected


def test_the_sharded_chart_runs_one_deployment_per_shard(capsys) -> None:
    docs = [d for d in yaml.safe_load_all(_pyhelm_template(VARIANTS[1], capsys)) if d]
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    assert sorted(deployments) == ["ctl-pyhelm-controller-a", "ctl-pyhelm-controller-b"]
    args = deployments["ctl-pyhelm-controller-a"]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--shard=a" in args and "--watch-label-selector=team=x" in args
    assert not any(d["metadata"]["name"].endswith("cluster-admin") for d in docs)


def test_pyhelm_installs_the_chart(cluster, capsys) -> None:
    assert main(["--kubeconfig", str(cluster.kubeconfig), "install", "ctl", str(CHART), "-n", "pyhelm-system",
                 "--create-namespace"]) == 0
    store = cluster.sandbox.store
    assert store.get(("apps", "deployments"), "pyhelm-system", "ctl-pyhelm-controller") is not None
    assert store.get(("", "services"), "pyhelm-system", "ctl-pyhelm-controller-metrics") is not None
    assert store.get(("rbac.authorization.k8s.io", "clusterroles"), "", "ctl-pyhelm-controller") is not None
    assert store.get(("apiextensions.k8s.io", "customresourcedefinitions"), "", "stacks.pyhelm.dev") is not None

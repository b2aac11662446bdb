"""Upgrade options decided side by side with helm: value reuse modes, --history-max, --take-ownership,
and contexts chosen with --kube-context."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from release_records import DEMO, PYHELM, run

VALUE_MODES = [[], ["--reuse-values"], ["--reset-values"], ["--reset-then-reuse-values"]]


def _chart_with_new_default(root: Path) -> Path:
    """The demo chart at a later version whose values gain a key its templates use."""
    import shutil

    chart = root / "demo2"
    shutil.copytree(DEMO, chart)
    (chart / "Chart.yaml").write_text((chart / "Chart.yaml").read_text().replace("version: 0.3.0", "version: 0.4.0"))
    (chart / "values.yaml").write_text((chart / "values.yaml").read_text().replace(
        "  logLevel: info", "  logLevel: info\n  added: new-default"))
    (chart / "templates" / "configmap.yaml").write_text((chart / "templates" / "configmap.yaml").read_text().replace(
        "\ndata:", "\ndata:\n  added: {{ .Values.config.added | default \"missing\" | quote }}"))
    return chart


@pytest.mark.parametrize("mode", VALUE_MODES, ids=lambda m: m[0] if m else "default")
def test_value_reuse_modes_agree_with_helm(cluster, helm, tmp_path, mode) -> None:
    _sandbox, env = cluster
    upgraded_chart = _chart_with_new_default(tmp_path)
    results = {}
    for tool, namespace in (([*PYHELM], "ours"), ([helm], "theirs")):
        assert run([*tool, "install", "web", str(DEMO), "-n", namespace, "--create-namespace", "--set",
                    "replicaCount=2,config.greeting=hi"], env).returncode == 0
        extra = ["--set", "service.port=8080"] if mode != ["--reuse-values"] else []
        upgraded = run([*tool, "upgrade", "web", str(upgraded_chart), "-n", namespace, *mode, *extra], env)
        assert upgraded.returncode == 0, upgraded.stderr
        values = json.loads(run([*tool, "get", "values", "web", "-n", namespace, "-a", "-o", "json"], env).stdout)
        manifest = run([*tool, "get", "manifest", "web", "-n", namespace], env).stdout
        results[tool[0]] = (values, manifest)
    assert results[PYHELM[0]] == results[helm]


def test_history_max_keeps_what_helm_keeps(cluster, helm) -> None:
    _sandbox, env = cluster
    kept = {}
    for tool, namespace in (([*PYHELM], "ours"), ([helm], "theirs")):
        assert run([*tool, "install", "web", str(DEMO), "-n", namespace, "--create-namespace"], env).returncode == 0
        for count in range(2, 7):
            assert run([*tool, "upgrade", "web", str(DEMO), "-n", namespace, "--history-max", "3",
                        "--set", f"replicaCount={count}"], env).returncode == 0
        history = json.loads(run([*tool, "history", "web", "-n", namespace, "-o", "json"], env).stdout)
        kept[tool[0]] = [(h["revision"], h["status"]) for h in history]
    assert kept[PYHELM[0]] == kept[helm] and len(kept[helm]) == 3


def test_take_ownership_adopts_an_unowned_object(cluster) -> None:
    sandbox, env = cluster
    from engine.kube.client import KubeClient

    kube = KubeClient.from_config(env["KUBECONFIG"])
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-demo"}, "data": {"old": "1"}},
               field_manager="kubectl")
    refused = run([*PYHELM, "install", "web", str(DEMO)], env)
    assert refused.returncode == 1 and 'ConfigMap "web-demo" in namespace "default" exists and cannot be ' \
                                       "imported into the current release: invalid ownership metadata" in refused.stderr
    adopted = run([*PYHELM, "install", "web", str(DEMO), "--take-ownership"], env)
    assert adopted.returncode == 0, adopted.stderr
    annotations = sandbox.store.get(("", "configmaps"), "default", "web-demo")["metadata"]["annotations"]
    assert annotations["meta.helm.sh/release-name"] == "web"


def test_kube_context_selects_the_cluster(cluster, tmp_path) -> None:
    _sandbox, env = cluster
    config = yaml.safe_load(Path(env["KUBECONFIG"]).read_text())
    context = config["contexts"][0]
    config["contexts"].append({"name": "dead", "context": {**context["context"], "cluster": "dead"}})
    config["clusters"].append({"name": "dead", "cluster": {"server": "http://127.0.0.1:9"}})
    config["current-context"] = "dead"
    two = tmp_path / "two-contexts"
    two.write_text(yaml.safe_dump(config))
    env = {**env, "KUBECONFIG": str(two), "PYHELM_REQUEST_TIMEOUT": "2"}
    assert run([*PYHELM, "list"], env).returncode == 1
    chosen = run([*PYHELM, "--kube-context", context["name"], "install", "web", str(DEMO)], env)
    assert chosen.returncode == 0, chosen.stderr
    listed = run([*PYHELM, "list", "--kube-context", context["name"], "-q"], env)
    assert listed.stdout == "web\n"

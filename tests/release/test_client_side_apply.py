"""Releases applied client-side (Helm 3, or ``--server-side=false``): pyhelm upgrades them with the same
three-way patches helm sends, and moves them to server-side apply as helm does."""
from __future__ import annotations

from pathlib import Path

import pytest

from release_records import PYHELM, record, run, write_chart

FIRST = ["--set-json", 'data={"a":"1","b":"2"}', "--set-json", 'env={"A":"x","B":"y"}',
         "--set-json", 'args=["--one","--two"]']
SECOND = ["--set-json", 'data={"a":"1","c":"3"}', "--set-json", 'env={"A":"z"}', "--set-json", 'args=["--one"]']
VOLATILE = ("uid", "resourceVersion", "creationTimestamp", "namespace", "generation")


def _chart(root: Path) -> Path:
    return write_chart(root, "csa", {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cfg\ndata:\n"
                   "{{- range $k, $v := .Values.data }}\n  {{ $k }}: {{ $v | quote }}\n{{- end }}\n",
        "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-app\nspec:\n"
                       "  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: x}\n"
                       "    spec:\n      containers:\n      - name: main\n        image: nginx\n"
                       "        args: {{ toJson .Values.args }}\n        env:\n{{- range $k, $v := .Values.env }}\n"
                       "        - name: {{ $k }}\n          value: {{ $v | quote }}\n{{- end }}\n"})


def _live(sandbox, namespace: str) -> list[dict]:
    """The release's objects as stored, without what differs between any two objects (uids, times …)."""
    objects = []
    for resource, name in ((("", "configmaps"), "x-cfg"), (("apps", "deployments"), "x-app")):
        obj = sandbox.store.get(resource, namespace, name)
        metadata = {k: v for k, v in obj["metadata"].items() if k not in VOLATILE}
        # entries are ordered by their times (to the second), as kube-apiserver orders them: not compared
        metadata["managedFields"] = sorted(({k: v for k, v in entry.items() if k != "time"}
                                            for entry in metadata.get("managedFields") or []),
                                           key=lambda entry: (entry["manager"], entry["operation"]))
        metadata["annotations"] = {k: v for k, v in (metadata.get("annotations") or {}).items()
                                   if k != "meta.helm.sh/release-namespace"}
        objects.append({**{k: v for k, v in obj.items() if k != "status"}, "metadata": metadata})
    return objects


def _drift(kubeconfig: str, namespace: str) -> None:
    """Someone else annotates the Deployment between releases: a three-way patch keeps that."""
    from engine.kube.client import KubeClient

    kube = KubeClient.from_config(kubeconfig)
    ref = kube.ref({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x-app",
                                                                                 "namespace": namespace}})
    kube.patch(ref, {"metadata": {"annotations": {"team": "ops"}}}, "application/merge-patch+json",
               field_manager="kubectl-annotate")


def test_pyhelm_release_applied_client_side_keeps_its_method(cluster, tmp_path) -> None:
    sandbox, env = cluster
    chart = _chart(tmp_path)
    assert run([*PYHELM, "install", "x", str(chart), "--server-side=false", *FIRST], env).returncode == 0
    assert record(sandbox, "x", 1)[0]["apply_method"] == "csa"
    upgraded = run([*PYHELM, "upgrade", "x", str(chart), *SECOND], env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert record(sandbox, "x", 2)[0]["apply_method"] == "csa"
    assert sandbox.store.get(("", "configmaps"), "default", "x-cfg")["data"] == {"a": "1", "c": "3"}
    container = sandbox.store.get(("apps", "deployments"), "default", "x-app")["spec"]["template"]["spec"][
        "containers"][0]
    assert container["env"] == [{"name": "A", "value": "z"}] and container["args"] == ["--one"]


@pytest.mark.parametrize("server_side", ["auto", "true"])
def test_upgrading_a_client_side_release_matches_helm(cluster, helm, tmp_path, server_side) -> None:
    sandbox, env = cluster
    chart = _chart(tmp_path)
    for namespace in ("ours", "theirs"):
        installed = run([helm, "install", "x", str(chart), "-n", namespace, "--create-namespace",
                         "--server-side=false", *FIRST], env)
        assert installed.returncode == 0, installed.stderr
        _drift(env["KUBECONFIG"], namespace)
    ours = run([*PYHELM, "upgrade", "x", str(chart), "-n", "ours", f"--server-side={server_side}", *SECOND], env)
    theirs = run([helm, "upgrade", "x", str(chart), "-n", "theirs", f"--server-side={server_side}", *SECOND], env)
    assert ours.returncode == theirs.returncode == 0, ours.stderr + theirs.stderr
    assert _live(sandbox, "ours") == _live(sandbox, "theirs")
    assert record(sandbox, "x", 2, "ours")[0]["apply_method"] == record(sandbox, "x", 2, "theirs")[0][
        "apply_method"]

"""Releases over real HTTP on the sandbox: pyhelm's records are Helm's records, both tools manage both."""
from __future__ import annotations

import json
import os

from engine.sandbox import Sandbox
from release_records import DEMO, PYHELM, record, run


def test_install_upgrade_rollback_uninstall_lifecycle(cluster) -> None:
    sandbox, env = cluster
    installed = run([*PYHELM, "install", "web", str(DEMO), "--set", "replicaCount=2", "--labels", "team=a"], env)
    assert installed.returncode == 0 and "STATUS: deployed" in installed.stdout, installed.stderr
    body, labels = record(sandbox, "web", 1)
    assert labels["owner"] == "helm" and labels["status"] == "deployed" and labels["team"] == "a"
    assert body["config"] == {"replicaCount": 2} and body["apply_method"] == "ssa"
    deployment = sandbox.store.get(("apps", "deployments"), "default", "web-demo")
    assert deployment["spec"]["replicas"] == 2
    assert deployment["metadata"]["annotations"]["meta.helm.sh/release-name"] == "web"
    assert run([*PYHELM, "upgrade", "web", str(DEMO), "--set", "replicaCount=3"], env).returncode == 0
    assert record(sandbox, "web", 1)[1]["status"] == "superseded"
    assert sandbox.store.get(("apps", "deployments"), "default", "web-demo")["spec"]["replicas"] == 3
    assert run([*PYHELM, "rollback", "web", "1"], env).returncode == 0
    history = json.loads(run([*PYHELM, "history", "web", "-o", "json"], env).stdout)
    assert [(h["revision"], h["status"], h["description"]) for h in history] == [
        (1, "superseded", "Install complete"), (2, "superseded", "Upgrade complete"), (3, "deployed", "Rollback to 1")]
    assert run([*PYHELM, "uninstall", "web"], env).stdout.strip() == 'release "web" uninstalled'
    assert sandbox.store.items(("", "secrets"), "default") == []
    assert sandbox.store.get(("apps", "deployments"), "default", "web-demo") is None


def test_refusals_leave_history_consistent(cluster) -> None:
    sandbox, env = cluster
    assert run([*PYHELM, "install", "web", str(DEMO)], env).returncode == 0
    again = run([*PYHELM, "install", "web", str(DEMO)], env)
    assert again.returncode == 1 and "cannot reuse a name that is still in use" in again.stderr
    bad = run([*PYHELM, "upgrade", "web", str(DEMO), "--set", "image.tag={{"], env)
    assert (bad.returncode, bad.stdout, bad.stderr) == (1, "", "Error: failed parsing --set data: list must "
                                                               "terminate with '}'\n")  # helm's words
    reserved = run([*PYHELM, "upgrade", "web", str(DEMO), "--labels", "owner=me"], env)
    assert reserved.returncode == 1 and "system reserved label name" in reserved.stderr
    statuses = [h["status"] for h in json.loads(run([*PYHELM, "history", "web", "-o", "json"], env).stdout)]
    assert statuses == ["deployed"]  # no refused command left a revision behind


def test_failed_apply_marks_the_release_failed(cluster) -> None:
    sandbox, env = cluster
    sandbox.fail_next("PATCH", r"/deployments/", status=422, count=1)
    failed = run([*PYHELM, "install", "web", str(DEMO)], env)
    assert failed.returncode == 1 and failed.stderr.startswith("Error: INSTALLATION FAILED:")
    body, labels = record(sandbox, "web", 1)
    assert labels["status"] == "failed" and body["info"]["description"].startswith('Release "web" failed:')


def test_helm_manages_pyhelms_release_and_back(cluster, helm) -> None:
    sandbox, env = cluster
    assert run([*PYHELM, "install", "web", str(DEMO), "--set", "replicaCount=2"], env).returncode == 0
    listed = json.loads(run([helm, "list", "-o", "json"], env).stdout)
    assert [(r["name"], r["revision"], r["status"], r["chart"]) for r in listed] == [("web", "1", "deployed",
                                                                                       "demo-0.3.0")]
    assert json.loads(run([helm, "get", "values", "web", "-o", "json"], env).stdout) == {"replicaCount": 2}
    assert run([helm, "upgrade", "web", str(DEMO), "--set", "replicaCount=4"], env).returncode == 0
    ours = json.loads(run([*PYHELM, "list", "-o", "json"], env).stdout)
    assert [(r["name"], r["revision"], r["status"]) for r in ours] == [("web", "2", "deployed")]
    assert run([*PYHELM, "upgrade", "web", str(DEMO), "--set", "replicaCount=5"], env).returncode == 0
    history = json.loads(run([helm, "history", "web", "-o", "json"], env).stdout)
    assert [h["status"] for h in history] == ["superseded", "superseded", "deployed"]
    assert run([helm, "uninstall", "web"], env).returncode == 0
    assert json.loads(run([*PYHELM, "list", "-o", "json"], env).stdout) == []


def test_records_match_helms_field_by_field(cluster, helm) -> None:
    sandbox, env = cluster
    common = ["install", "web", str(DEMO), "--set", "replicaCount=2", "--create-namespace"]
    assert run([helm, *common, "-n", "theirs"], env).returncode == 0
    assert run([*PYHELM, *common, "-n", "ours"], env).returncode == 0
    theirs, their_labels = record(sandbox, "web", 1, "theirs")
    ours, our_labels = record(sandbox, "web", 1, "ours")
    assert list(ours) == list(theirs) and list(ours["info"]) == list(theirs["info"])
    assert list(ours["chart"]) == list(theirs["chart"])
    assert ours["chart"]["metadata"] == theirs["chart"]["metadata"]
    assert ours["chart"]["values"] == theirs["chart"]["values"] and ours["config"] == theirs["config"]
    assert ours["chart"]["templates"] == theirs["chart"]["templates"]
    assert ours["manifest"] == theirs["manifest"] and ours["info"]["notes"] == theirs["info"]["notes"].replace(
        "theirs", "ours")
    assert ours["hooks"] == theirs["hooks"]
    assert {k: v for k, v in our_labels.items() if not k.endswith("At")} == \
        {k: v for k, v in their_labels.items() if not k.endswith("At")}


def test_wait_and_test_with_ready_controllers(cluster) -> None:
    sandbox, env = cluster
    installed = run([*PYHELM, "install", "web", str(DEMO), "--wait", "--timeout", "30s"], env)
    assert installed.returncode == 0, installed.stderr
    tested = run([*PYHELM, "test", "web"], env)
    assert tested.returncode == 0 and "Phase:          Succeeded" in tested.stdout
    body, _labels = record(sandbox, "web", 1)
    assert body["hooks"][0]["last_run"]["phase"] == "Succeeded"


def test_wait_times_out_on_a_cluster_without_controllers(tmp_path) -> None:
    with Sandbox(ready=False) as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
        waited = run([*PYHELM, "install", "web", str(DEMO), "--wait", "--timeout", "1s"], env)
        assert waited.returncode == 1 and "resource not ready, name: web-demo, kind: Deployment" in waited.stderr
        assert record(sandbox, "web", 1)[1]["status"] == "failed"


def test_configmap_driver_is_shared_with_helm(cluster, helm) -> None:
    sandbox, env = cluster
    env = {**env, "HELM_DRIVER": "configmap"}
    assert run([*PYHELM, "install", "web", str(DEMO)], env).returncode == 0
    stored = sandbox.store.get(("", "configmaps"), "default", "sh.helm.release.v1.web.v1")
    assert stored is not None and stored["metadata"]["labels"]["owner"] == "helm"
    assert [r["name"] for r in json.loads(run([helm, "list", "-o", "json"], env).stdout)] == ["web"]
    assert run([helm, "upgrade", "web", str(DEMO)], env).returncode == 0
    assert [h["status"] for h in json.loads(run([*PYHELM, "history", "web", "-o", "json"], env).stdout)] == [
        "superseded", "deployed"]


def test_install_renders_with_live_lookup_and_capabilities(cluster, tmp_path) -> None:
    sandbox, env = cluster
    chart = tmp_path / "lk"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: lk\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lk\ndata:\n'
        '  ns: {{ (lookup "v1" "Namespace" "" "kube-system").metadata.name | quote }}\n'
        '  missing: {{ lookup "v1" "Secret" "default" "nope" | toJson | quote }}\n'
        '  deployments: "{{ .Capabilities.APIVersions.Has "apps/v1/Deployment" }}"\n')
    assert run([*PYHELM, "install", "lk", str(chart)], env).returncode == 0
    data = sandbox.store.get(("", "configmaps"), "default", "lk")["data"]
    assert data == {"ns": "kube-system", "missing": "{}", "deployments": "true"}


def test_the_kubeconfig_contexts_namespace_is_the_release_namespace(cluster, helm, tmp_path) -> None:
    sandbox, env = cluster
    env = {**env, "KUBECONFIG": str(sandbox.write_kubeconfig(tmp_path / "team-a.kubeconfig", namespace="team-a"))}
    assert run([*PYHELM, "install", "ours", str(DEMO), "--create-namespace"], env).returncode == 0
    assert run([helm, "install", "theirs", str(DEMO), "--create-namespace"], env).returncode == 0
    for tool in (PYHELM, [helm]):
        listed = json.loads(run([*tool, "list", "-A", "-o", "json"], env).stdout)
        assert sorted((r["name"], r["namespace"]) for r in listed) == [("ours", "team-a"), ("theirs", "team-a")]
    assert sandbox.store.get(("apps", "deployments"), "team-a", "ours-demo") is not None

"""The sandbox with real clients: the 53-check probe, the helm binary's lifecycle, kubectl."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEMO = HERE.parent.parent / "examples" / "charts" / "demo"


def test_k8s_api_probe_passes_every_check(k8s_api_probe, sandbox, tmp_path) -> None:
    report = tmp_path / "report.json"
    result = subprocess.run([sys.executable, str(k8s_api_probe), sandbox.url, str(report)], capture_output=True, text=True,
                            timeout=300)
    failures = [r for r in json.loads(report.read_text()) if r[1] != "PASS"]
    assert failures == [] and "SUMMARY 53/53 PASS" in result.stdout


def run(tool: str, kubeconfig: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KUBECONFIG": kubeconfig, "HOME": str(Path(kubeconfig).parent)}
    return subprocess.run([tool, *args], capture_output=True, text=True, env=env, timeout=120)


def test_helm_lifecycle_against_the_sandbox(helm, sandbox, tmp_path) -> None:
    kubeconfig = str(sandbox.write_kubeconfig(tmp_path / "kubeconfig"))
    assert run(helm, kubeconfig, "install", "web", str(DEMO)).returncode == 0
    listed = json.loads(run(helm, kubeconfig, "list", "-A", "-o", "json").stdout)
    assert [(r["name"], r["status"], r["revision"]) for r in listed] == [("web", "deployed", "1")]
    assert "STATUS: deployed" in run(helm, kubeconfig, "status", "web").stdout
    assert run(helm, kubeconfig, "upgrade", "web", str(DEMO), "--set", "replicaCount=3").returncode == 0
    assert run(helm, kubeconfig, "rollback", "web", "1").returncode == 0
    history = json.loads(run(helm, kubeconfig, "history", "web", "-o", "json").stdout)
    assert [(h["revision"], h["status"]) for h in history] == [(1, "superseded"), (2, "superseded"), (3, "deployed")]
    values = json.loads(run(helm, kubeconfig, "get", "values", "web", "-o", "json").stdout)
    assert values is None or values == {}  # revision 3 is a copy of revision 1, installed without values
    upsert = run(helm, kubeconfig, "upgrade", "--install", "api", str(DEMO), "-n", "apps", "--create-namespace")
    assert upsert.returncode == 0, upsert.stderr
    assert run(helm, kubeconfig, "install", "dry", str(DEMO), "--dry-run=server").returncode == 0
    assert run(helm, kubeconfig, "uninstall", "web").returncode == 0
    listed = json.loads(run(helm, kubeconfig, "list", "-A", "-o", "json").stdout)
    assert [(r["name"], r["namespace"]) for r in listed] == [("api", "apps")]
    deployment = sandbox.store.get(("apps", "deployments"), "apps", "api-demo")
    assert deployment["spec"]["strategy"]["type"] == "RollingUpdate"  # defaulted as a real API server does
    assert any(m["manager"] == "helm" and m["operation"] == "Apply" for m in deployment["metadata"]["managedFields"])


def test_helm_wait_and_test_with_ready_controllers(helm, ready_sandbox, tmp_path) -> None:
    kubeconfig = str(ready_sandbox.write_kubeconfig(tmp_path / "kubeconfig"))
    installed = run(helm, kubeconfig, "install", "web", str(DEMO), "--wait", "--timeout", "60s")
    assert installed.returncode == 0, installed.stderr
    tested = run(helm, kubeconfig, "test", "web", "--timeout", "60s")
    assert tested.returncode == 0 and "Phase:          Succeeded" in tested.stdout, tested.stderr
    assert run(helm, kubeconfig, "uninstall", "web", "--wait", "--timeout", "60s").returncode == 0


def test_kubectl_get_apply_server_side_delete(kubectl, sandbox, tmp_path) -> None:
    kubeconfig = str(sandbox.write_kubeconfig(tmp_path / "kubeconfig"))
    manifest = tmp_path / "cm.yaml"
    manifest.write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kc\ndata:\n  a: "1"\n')
    assert "created" in run(kubectl, kubeconfig, "apply", "-f", str(manifest)).stdout
    assert "unchanged" in run(kubectl, kubeconfig, "apply", "-f", str(manifest)).stdout
    manifest.write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kc\ndata:\n  a: "2"\n')
    assert "serverside-applied" in run(kubectl, kubeconfig, "apply", "--server-side", "--force-conflicts", "-f",
                                       str(manifest)).stdout
    assert run(kubectl, kubeconfig, "get", "cm", "kc", "-o", "jsonpath={.data.a}").stdout == "2"
    assert "deleted" in run(kubectl, kubeconfig, "delete", "-f", str(manifest)).stdout
    assert run(kubectl, kubeconfig, "get", "cm", "kc").returncode != 0

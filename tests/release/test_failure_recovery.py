"""Failures never corrupt history: rollback-on-failure, cleanup-on-fail, interruption, pending recovery."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from engine.sandbox import Sandbox
from release_records import DEMO, PYHELM, record, run, statuses, write_chart


def _two_object_chart(root: Path) -> Path:
    """A chart with a ConfigMap, plus a second one when ``extra`` is true."""
    return write_chart(root, "pair", {
        "main.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-main\n"
                     "data:\n  greeting: {{ .Values.greeting | quote }}\n",
        "extra.yaml": "{{- if .Values.extra }}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                      "  name: {{ .Release.Name }}-extra\ndata:\n  a: b\n{{- end }}\n"},
        "extra: false\ngreeting: hello\n")


def test_install_rollback_on_failure_uninstalls(cluster) -> None:
    sandbox, env = cluster
    sandbox.fail_next("PATCH", r"/deployments/", status=422, count=1)
    failed = run([*PYHELM, "install", "web", str(DEMO), "--rollback-on-failure"], env)
    assert failed.returncode == 1
    assert "release web failed, and has been uninstalled due to rollback-on-failure being set" in failed.stderr
    assert sandbox.store.items(("", "secrets"), "default") == []
    assert sandbox.store.get(("", "configmaps"), "default", "web-demo") is None


def test_upgrade_atomic_rolls_back_to_the_last_good_revision(cluster) -> None:
    sandbox, env = cluster
    assert run([*PYHELM, "install", "web", str(DEMO), "--set", "replicaCount=2"], env).returncode == 0
    sandbox.fail_next("PATCH", r"/deployments/", status=500, count=4)  # one apply's whole retry budget
    failed = run([*PYHELM, "upgrade", "web", str(DEMO), "--set", "replicaCount=5", "--atomic", "--timeout", "20s"],
                 env)
    assert failed.returncode == 1 and "has been rolled back due to rollback-on-failure" in failed.stderr
    assert statuses("web", env) == [(1, "superseded"), (2, "failed"), (3, "deployed")]
    assert record(sandbox, "web", 3)[0]["info"]["description"] == "Rollback to 1"
    assert sandbox.store.get(("apps", "deployments"), "default", "web-demo")["spec"]["replicas"] == 2


def test_cleanup_on_fail_deletes_only_what_the_upgrade_created(cluster, tmp_path) -> None:
    sandbox, env = cluster
    chart = _two_object_chart(tmp_path)
    assert run([*PYHELM, "install", "p", str(chart)], env).returncode == 0
    sandbox.fail_next("PATCH", r"/configmaps/p-main", status=403, count=1)
    failed = run([*PYHELM, "upgrade", "p", str(chart), "--set", "extra=true", "--cleanup-on-fail"], env)
    assert failed.returncode == 1 and "UPGRADE FAILED" in failed.stderr and "p-main" in failed.stderr
    assert sandbox.store.get(("", "configmaps"), "default", "p-extra") is None
    assert sandbox.store.get(("", "configmaps"), "default", "p-main") is not None
    assert statuses("p", env) == [(1, "deployed"), (2, "failed")]


def test_sigterm_marks_the_release_failed_and_says_so(tmp_path) -> None:
    with Sandbox(ready=False) as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}
        process = subprocess.Popen([*PYHELM, "install", "web", str(DEMO), "--wait", "--timeout", "60s"], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while sandbox.store.get(("apps", "deployments"), "default", "web-demo") is None:
            assert time.monotonic() < deadline, "install never reached the wait"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
        assert process.returncode == 143  # as a shell reports a process ended by SIGTERM
        assert "Release web has been cancelled." in out
        assert err == "Interrupted: SIGTERM received; release default/web marked failed\n"
        body, labels = record(sandbox, "web", 1)
        assert labels["status"] == "failed" and body["info"]["description"] == 'Release "web" failed: context canceled'


def test_a_release_left_pending_is_refused_with_a_way_out(cluster) -> None:
    sandbox, env = cluster
    assert run([*PYHELM, "install", "web", str(DEMO)], env).returncode == 0
    assert run([*PYHELM, "upgrade", "web", str(DEMO), "--set", "replicaCount=2"], env).returncode == 0
    from engine.action.config import ActionConfig

    config = ActionConfig.create(env["KUBECONFIG"])
    stuck = config.storage.last("default", "web")
    stuck.info.status = "pending-upgrade"  # what a killed process leaves behind
    config.storage.update(stuck)
    refused = run([*PYHELM, "upgrade", "web", str(DEMO)], env)
    assert refused.returncode == 1
    assert "another operation (install/upgrade/rollback) is in progress" in refused.stderr
    assert '"pyhelm rollback web"' in refused.stderr
    assert run([*PYHELM, "rollback", "web"], env).returncode == 0
    assert statuses("web", env)[-1] == (3, "deployed")
    assert run([*PYHELM, "upgrade", "web", str(DEMO)], env).returncode == 0


def test_uninstall_wait_and_keep_history(cluster) -> None:
    sandbox, env = cluster
    assert run([*PYHELM, "install", "web", str(DEMO)], env).returncode == 0
    done = run([*PYHELM, "uninstall", "web", "--wait", "--keep-history", "--cascade", "foreground"], env)
    assert done.returncode == 0 and done.stdout.strip() == 'release "web" uninstalled'
    assert sandbox.store.get(("apps", "deployments"), "default", "web-demo") is None
    assert statuses("web", env) == [(1, "uninstalled")]
    again = run([*PYHELM, "uninstall", "web", "--keep-history"], env)
    assert again.returncode == 1 and 'the release named "web" is already deleted' in again.stderr
    reinstalled = run([*PYHELM, "upgrade", "--install", "web", str(DEMO)], env)
    assert reinstalled.returncode == 0 and 'Release "web" does not exist. Installing it now.' in reinstalled.stdout
    assert statuses("web", env) == [(1, "superseded"), (2, "deployed")]


def test_dry_run_client_never_contacts_the_cluster(tmp_path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    with Sandbox() as sandbox:
        sandbox.write_kubeconfig(kubeconfig)
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}  # the server is gone now
    dry = run([*PYHELM, "install", "web", str(DEMO), "--dry-run"], env)
    assert dry.returncode == 0, dry.stderr
    assert "DESCRIPTION: Dry run complete" in dry.stdout and "MANIFEST:" in dry.stdout and "kind: Deployment" in \
        dry.stdout


def test_dry_run_server_checks_ownership_and_writes_nothing(cluster) -> None:
    sandbox, env = cluster
    from engine.kube.client import KubeClient

    kube = KubeClient.from_config(env["KUBECONFIG"])
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-demo"}}, field_manager="kubectl")
    clash = run([*PYHELM, "install", "web", str(DEMO), "--dry-run=server"], env)
    assert clash.returncode == 1 and "invalid ownership metadata" in clash.stderr
    kube.delete(kube.ref({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-demo"}}))
    dry = run([*PYHELM, "install", "web", str(DEMO), "--dry-run=server"], env)
    assert dry.returncode == 0 and "Dry run complete" in dry.stdout
    assert sandbox.store.get(("", "secrets"), "default", "sh.helm.release.v1.web.v1") is None
    assert sandbox.store.get(("apps", "deployments"), "default", "web-demo") is None

"""API failures become one clear line naming what failed; transient ones are retried; history stays sound."""
from __future__ import annotations

import os
import socket
import threading
import time

from release_records import DEMO, PYHELM, run, statuses


def test_forbidden_record_write_stops_before_touching_the_cluster(cluster) -> None:
    sandbox, env = cluster
    sandbox.fail_next("POST", r"/secrets", status=403, count=1)
    refused = run([*PYHELM, "install", "web", str(DEMO)], env)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert refused.stderr.startswith("Error: INSTALLATION FAILED: create release record sh.helm.release.v1.web.v1")
    assert sandbox.store.get(("apps", "deployments"), "default", "web-demo") is None
    assert statuses("web", env) == []


def test_transient_server_errors_are_retried(cluster) -> None:
    sandbox, env = cluster
    sandbox.fail_next("PATCH", r"/deployments/", status=503, count=2)
    sandbox.fail_next("GET", r"/secrets", status=429, count=1)
    installed = run([*PYHELM, "install", "web", str(DEMO)], env)
    assert installed.returncode == 0, installed.stderr
    assert statuses("web", env) == [(1, "deployed")]


def test_missing_namespace_is_named(cluster) -> None:
    _sandbox, env = cluster
    missing = run([*PYHELM, "install", "web", str(DEMO), "-n", "nowhere"], env)
    assert missing.returncode == 1 and 'namespaces "nowhere" not found' in missing.stderr
    assert "Traceback" not in missing.stderr


def test_persistent_server_errors_fail_with_one_line(cluster) -> None:
    sandbox, env = cluster
    sandbox.fail_next("GET", r"/secrets", status=500, count=4)
    listed = run([*PYHELM, "list"], env)
    assert listed.returncode == 1 and listed.stderr.strip().splitlines() == [
        "Error: list release records: injected failure 500"]


def test_a_server_that_never_answers_times_out(tmp_path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list = []

    def accept_and_stay_silent() -> None:
        try:
            for _ in range(16):
                accepted.append(server.accept())
        except OSError:  # the test closed the socket: nothing more to accept
            pass

    silent = threading.Thread(target=accept_and_stay_silent, daemon=True)
    silent.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        f"apiVersion: v1\nkind: Config\nclusters: [{{name: c, cluster: {{server: "
        f"'http://127.0.0.1:{server.getsockname()[1]}'}}}}]\nusers: [{{name: u, user: {{}}}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n")
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path), "PYHELM_REQUEST_TIMEOUT": "0.5"}
    started = time.monotonic()
    listed = run([*PYHELM, "list"], env)
    assert time.monotonic() - started < 30
    assert listed.returncode == 1 and "Kubernetes cluster unreachable" in listed.stderr
    assert "Read timed out" in listed.stderr and "Traceback" not in listed.stderr
    server.shutdown(socket.SHUT_RDWR)
    server.close()
    silent.join(timeout=5)

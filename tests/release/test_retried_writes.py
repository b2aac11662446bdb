"""A write whose answer is lost (the connection drops after the server acted) is sent again, and sending it
again must be harmless: the retried create finds its own object, the retried delete finds nothing, the
retried replace or patch does not trip over its own first attempt. What is never worth retrying (a redirect
loop, a 4xx other than 429) is not."""
from __future__ import annotations

import socket
import threading

import pytest

from engine.sandbox import Sandbox
from engine.sandbox.kubeconfig import write_kubeconfig
from release.release_records import DEMO, stored_statuses, write_round_chart
from stack.fault_proxy import FaultProxy
from stack.test_plan_apply import pyhelm

RECORDS = r"/api/v1/namespaces/default/secrets"
CONFIG_MAP = r"/api/v1/namespaces/default/configmaps"


@pytest.fixture
def lossy(tmp_path, monkeypatch):
    """(sandbox, proxy): KUBECONFIG points at a proxy that loses the answers it is told to."""
    monkeypatch.setenv("HOME", str(tmp_path))
    with Sandbox(ready=True) as sandbox, FaultProxy(sandbox.server.server_address[:2], rate=0) as proxy:
        monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", proxy.url)))
        yield sandbox, proxy


@pytest.fixture
def chart(tmp_path):
    return str(write_round_chart(tmp_path))


def round_of(sandbox: Sandbox) -> str:
    return sandbox.store.get(("", "configmaps"), "default", "note")["data"]["round"]


def test_a_record_created_by_a_lost_attempt_is_taken_as_created(lossy) -> None:
    sandbox, proxy = lossy
    proxy.lose_answer("POST", RECORDS)
    status, _out, err = pyhelm("install", "web", str(DEMO))
    assert status == 0, err
    assert proxy.injected["drop-after"] == 1 and stored_statuses(sandbox, "web") == [(1, "deployed")]


def test_a_revision_another_writer_took_is_still_refused(lossy, chart) -> None:
    """The retried create is only taken as done when the record it finds is the one it sent."""
    sandbox, proxy = lossy
    assert pyhelm("install", "note", chart, "--set", "round=1")[0] == 0

    def another_writer_takes_revision_2(request_head: bytes) -> None:
        if request_head.startswith(b"POST /api/v1/namespaces/default/secrets"):
            bucket, name = ("", "secrets"), "sh.helm.release.v1.note.v2"
            theirs = sandbox.store.get(bucket, "default", name)
            theirs["metadata"]["labels"]["modifiedAt"] = "1"
            sandbox.store.put(bucket, "default", name, theirs, "MODIFIED")

    proxy.on_answer = another_writer_takes_revision_2
    proxy.lose_answer("POST", RECORDS)
    status, _out, err = pyhelm("upgrade", "note", chart, "--set", "round=2")
    assert status == 1 and "release: already exists" in err
    assert round_of(sandbox) == "1"


def test_a_record_pruned_by_a_lost_attempt_is_pruned(lossy, chart) -> None:
    sandbox, proxy = lossy
    for round_number in range(3):
        assert pyhelm("upgrade", "--install", "note", chart, "--set", f"round={round_number}")[0] == 0
    proxy.lose_answer("DELETE", RECORDS)
    status, _out, err = pyhelm("upgrade", "note", chart, "--set", "round=3", "--history-max", "2")
    assert status == 0, err
    assert stored_statuses(sandbox, "note") == [(3, "superseded"), (4, "deployed")]


def test_an_object_created_by_a_lost_attempt_is_taken_as_created(lossy, chart) -> None:
    sandbox, proxy = lossy
    proxy.lose_answer("POST", CONFIG_MAP)
    status, _out, err = pyhelm("install", "note", chart, "--server-side", "false", "--set", "round=1")
    assert status == 0, err
    assert stored_statuses(sandbox, "note") == [(1, "deployed")] and round_of(sandbox) == "1"


def test_a_replace_made_by_a_lost_attempt_does_not_conflict(lossy, chart) -> None:
    sandbox, proxy = lossy
    assert pyhelm("install", "note", chart, "--server-side", "false", "--set", "round=1")[0] == 0
    proxy.lose_answer("PUT", CONFIG_MAP)
    status, _out, err = pyhelm("upgrade", "note", chart, "--force-replace", "--set", "round=2")
    assert status == 0, err
    assert stored_statuses(sandbox, "note") == [(1, "superseded"), (2, "deployed")] and round_of(sandbox) == "2"


def test_client_side_fields_moved_by_a_lost_attempt_are_moved(lossy, chart) -> None:
    sandbox, proxy = lossy
    assert pyhelm("install", "note", chart, "--server-side", "false", "--set", "round=1")[0] == 0
    proxy.lose_answer("PATCH", CONFIG_MAP)  # the first PATCH: the JSON patch of managedFields
    status, _out, err = pyhelm("upgrade", "note", chart, "--server-side", "true", "--set", "round=2")
    assert status == 0, err
    assert stored_statuses(sandbox, "note") == [(1, "superseded"), (2, "deployed")] and round_of(sandbox) == "2"
    fields = sandbox.store.get(("", "configmaps"), "default", "note")["metadata"]["managedFields"]
    assert [(f["manager"], f["operation"]) for f in fields] == [("helm", "Apply")]


def test_a_stack_lock_taken_by_a_lost_attempt_is_held(lossy, chart, tmp_path) -> None:
    _sandbox, proxy = lossy
    stack = tmp_path / "stack.yaml"
    stack.write_text(f"apiVersion: pyhelm/v1\nname: locked\nreleases:\n  - name: note\n    chart: {chart}\n"
                     "    namespace: default\n")
    proxy.lose_answer("POST", r"/leases$")
    proxy.lose_answer("DELETE", r"/leases/")
    status, out, err = pyhelm("apply", "-f", str(stack), "--auto-approve")
    assert status == 0, out + err
    status, out, err = pyhelm("apply", "-f", str(stack), "--auto-approve")
    assert status == 0 and proxy.injected["drop-after"] == 2, out + err


class RedirectLoop:
    """A server answering every request with a redirect to itself; counts the requests."""

    def __init__(self) -> None:
        self.requests = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with client:
                while client.recv(65536).find(b"\r\n\r\n") < 0:
                    pass
                self.requests += 1
                client.sendall(f"HTTP/1.1 302 Found\r\nLocation: {self.url}/api\r\nContent-Length: 0\r\n"
                               "Connection: close\r\n\r\n".encode())


def test_a_redirect_loop_is_not_retried(tmp_path, monkeypatch) -> None:
    loop = RedirectLoop()
    monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", loop.url)))
    status, _out, err = pyhelm("list")
    loop.listener.close()
    assert status == 1 and err.strip().splitlines() == [
        "Error: list release records: Kubernetes cluster unreachable: too many redirects"]
    assert loop.requests == 1


def test_a_client_error_is_not_retried(lossy) -> None:
    sandbox, _proxy = lossy
    sandbox.fail_next("GET", RECORDS, status=403, count=1)
    status, _out, err = pyhelm("list")
    assert status == 1 and "injected failure 403" in err

"""Release records are written in Helm's order — the new revision pending, the objects applied, the previous
deployed revision superseded, only then the new one deployed — so a pyhelm killed (SIGKILL) at any point of
an upgrade, a rollback or a stack apply never leaves two deployed revisions.

"Any point": the process is killed right after the server carried out its n-th write request (before the
process hears the answer), for every n up to the number of writes the operation makes."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from engine.sandbox import Sandbox
from engine.sandbox.kubeconfig import write_kubeconfig
from release.release_records import stored_statuses, write_round_chart
from stack.fault_proxy import FaultProxy
from stack.test_plan_apply import pyhelm

ROOT = Path(__file__).resolve().parents[2]
WRITES = (b"POST ", b"PUT ", b"PATCH ", b"DELETE ")


class KillAfterWrites:
    """Counts the write requests the server answers and, once armed, kills the process at the n-th."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.writes, self.kill_at = 0, 0
        self.process: subprocess.Popen | None = None
        self.started = threading.Event()

    def arm(self, kill_at: int) -> None:
        """Count from zero; kill at write ``kill_at`` (0: never) the process given to ``run`` next."""
        with self.lock:
            self.writes, self.kill_at, self.process = 0, kill_at, None
            self.started.clear()

    def run(self, argv: list[str]) -> subprocess.CompletedProcess:
        self.process = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.started.set()
        out, err = self.process.communicate(timeout=120)
        return subprocess.CompletedProcess(argv, self.process.returncode, out, err)

    def __call__(self, request_head: bytes) -> None:
        if not request_head.startswith(WRITES):
            return
        with self.lock:
            self.writes += 1
            if self.writes == self.kill_at and self.started.wait(30):
                self.process.kill()
                self.process.wait()


@pytest.fixture
def killable(tmp_path, monkeypatch):
    """(sandbox, killer, chart): KUBECONFIG points at a proxy that lets the killer act between writes."""
    chart = write_round_chart(tmp_path / "charts")
    (tmp_path / "stacks").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    killer = KillAfterWrites()
    with Sandbox(ready=True) as sandbox, FaultProxy(sandbox.server.server_address[:2], rate=0,
                                                    on_answer=killer) as proxy:
        monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", proxy.url)))
        yield sandbox, killer, chart


def _stack(chart: Path, name: str, round_number: int) -> str:
    path = chart.parents[1] / "stacks" / f"{name}.yaml"
    path.write_text(f"apiVersion: pyhelm/v1\nname: {name}\ndefaults:\n  namespace: {name}\nreleases:\n"
                    f"  - name: {name}\n    chart: ../charts/note\n    values: {{round: \"{round_number}\"}}\n")
    return str(path)


def _prepare(operation: str, chart: Path, name: str) -> tuple[str, list[str]]:
    """Give release ``name`` a deployed history; (its namespace, the pyhelm arguments of ``operation``)."""
    if operation == "apply":
        assert pyhelm("apply", "-f", _stack(chart, name, 1), "--auto-approve")[0] == 0
        return name, ["apply", "-f", _stack(chart, name, 2), "--auto-approve"]
    assert pyhelm("install", name, str(chart), "--set", "round=1")[0] == 0
    if operation == "upgrade":
        return "default", ["upgrade", name, str(chart), "--set", "round=2"]
    assert pyhelm("upgrade", name, str(chart), "--set", "round=2")[0] == 0
    return "default", ["rollback", name, "1"]


@pytest.mark.parametrize("operation", ["upgrade", "rollback", "apply"])
def test_a_kill_at_any_write_never_leaves_two_deployed_revisions(killable, operation) -> None:
    sandbox, killer, chart = killable
    namespace, argv = _prepare(operation, chart, f"{operation}-whole")
    killer.arm(0)
    assert pyhelm(*argv)[0] == 0
    writes = killer.writes
    assert writes >= 4  # the new record, the object, the previous record superseded, the new one deployed
    for kill_at in range(1, writes + 1):
        name = f"{operation}-{kill_at}"
        namespace, argv = _prepare(operation, chart, name)
        killer.arm(kill_at)
        killed = killer.run([sys.executable, "-m", "engine.cli.main", *argv])
        assert killed.returncode == -signal.SIGKILL, (kill_at, killed.stdout, killed.stderr)
        history = stored_statuses(sandbox, name, namespace)
        assert [status for _, status in history].count("deployed") <= 1, (kill_at, history)
        if operation == "apply":  # the next apply recovers whatever the kill left
            status, out, err = pyhelm(*argv)
            assert status == 0, (kill_at, out + err)
            history = stored_statuses(sandbox, name, namespace)
            assert [status for _, status in history].count("deployed") == 1, (kill_at, history)
            assert history[-1][1] == "deployed", (kill_at, history)


def test_replacing_a_failed_release_leaves_one_deployed_revision(killable) -> None:
    """A failed upgrade leaves the revision before it deployed; installing over the failed one with
    ``--replace`` supersedes it."""
    sandbox, _killer, chart = killable
    assert pyhelm("install", "note", str(chart), "--set", "round=1")[0] == 0
    sandbox.fail_next("PATCH", r"/configmaps/note", status=422, count=1)
    assert pyhelm("upgrade", "note", str(chart), "--set", "round=2")[0] == 1
    assert pyhelm("install", "note", str(chart), "--replace", "--set", "round=3")[0] == 0
    assert stored_statuses(sandbox, "note", "default") == [(1, "superseded"), (2, "failed"), (3, "deployed")]

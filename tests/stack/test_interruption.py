"""Ctrl-C (SIGINT) and a CI cancel (SIGTERM) stop pyhelm within two seconds in any phase, even while it waits
for objects that never become ready: the release in flight is marked failed, nothing new starts, the stack
lock is released, one line says what happened, and the exit status is 128 + the signal's number."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "charts" / "demo"
PYHELM = [sys.executable, "-m", "engine.cli.main"]
STOP_WITHIN = 2.0  # seconds from the signal to the exit of the process
SIGNALS = [(signal.SIGTERM, 143), (signal.SIGINT, 130)]


def _env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "KUBECONFIG": str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")),
            "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}


def _status(sandbox: Sandbox, name: str, version: int, namespace: str = "default") -> str:
    secret = sandbox.store.get(("", "secrets"), namespace, f"sh.helm.release.v1.{name}.v{version}")
    return secret["metadata"]["labels"]["status"] if secret else ""


def _wait_for(condition, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert process.poll() is None, f"pyhelm exited before {what}: {process.communicate()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _interrupt(process: subprocess.Popen, signum: int) -> tuple[float, str, str]:
    """Send ``signum``; (seconds until the process exited, its stdout, its stderr)."""
    sent = time.monotonic()
    process.send_signal(signum)
    try:
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    return time.monotonic() - sent, out, err


def _the_one_interruption_line(err: str) -> str:
    assert "Traceback" not in err and "internal error" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("Interrupted: ")]
    assert len(lines) == 1, err
    return lines[0]


def _leases(sandbox: Sandbox) -> list[str]:
    return [lease["metadata"]["name"] for lease in sandbox.store.items(("coordination.k8s.io", "leases"), None)
            if lease["metadata"]["name"].startswith("pyhelm-stack-")]


def _waiting_stack(tmp_path: Path) -> Path:
    """``slow`` waits for a Deployment a sandbox without controllers never makes ready; ``after`` needs it."""
    stack = tmp_path / "stack.yaml"
    stack.write_text("apiVersion: pyhelm/v1\nname: waits\nreleases:\n"
                     f"  - name: slow\n    chart: {DEMO}\n    wait: true\n    timeout: 120s\n"
                     f"  - name: after\n    chart: {DEMO}\n    needs: [slow]\n")
    return stack


@pytest.mark.parametrize("signum, exit_status", SIGNALS, ids=["SIGTERM", "SIGINT"])
def test_a_signal_during_apply_wait_stops_at_once_and_marks_the_release_failed(tmp_path, signum,
                                                                                exit_status) -> None:
    stack = _waiting_stack(tmp_path)
    with Sandbox() as sandbox:
        process = subprocess.Popen([*PYHELM, "apply", "-f", str(stack), "--auto-approve"], env=_env(sandbox, tmp_path),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _wait_for(lambda: _status(sandbox, "slow", 1) == "pending-install" and sandbox.store.get(
            ("apps", "deployments"), "default", "slow-demo") is not None, "apply to wait for slow", process)
        seconds, out, err = _interrupt(process, signum)
        assert process.returncode == exit_status, out + err
        assert seconds < STOP_WITHIN, f"took {seconds:.1f}s to stop"
        line = _the_one_interruption_line(err)
        assert signal.Signals(signum).name in line and "release default/slow marked failed" in line
        assert _status(sandbox, "slow", 1) == "failed"
        assert "default/after: skipped" in out and _status(sandbox, "after", 1) == ""
        assert "Apply complete" not in out
        assert _leases(sandbox) == []


HOOK_JOB = ("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n"
            "    helm.sh/hook: pre-install\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n"
            "      containers:\n      - name: migrate\n        image: busybox\n")


def _replicas(sandbox: Sandbox) -> int | None:
    return ((sandbox.store.get(("apps", "deployments"), "default", "web-demo") or {}).get("spec") or {}).get("replicas")


# release commands that wait for something a sandbox without controllers never finishes:
# (commands run first, the command interrupted, when it is waiting, the revision it must leave failed)
WAITING_COMMANDS = {
    "upgrade --wait": ([["install", "web", str(DEMO)]],
                       ["upgrade", "web", str(DEMO), "--set", "replicaCount=2", "--wait", "--timeout", "120s"],
                       lambda sandbox: _status(sandbox, "web", 2) == "pending-upgrade" and _replicas(sandbox) == 2, 2),
    "rollback --wait": ([["install", "web", str(DEMO)], ["upgrade", "web", str(DEMO), "--set", "replicaCount=2"]],
                        ["rollback", "web", "1", "--wait", "--timeout", "120s"],
                        lambda sandbox: _status(sandbox, "web", 3) == "pending-rollback" and _replicas(sandbox) == 1,
                        3),
    "install waiting for a hook Job": ([], ["install", "web", "{hooked}", "--timeout", "120s"],
                                       lambda sandbox: _status(sandbox, "web", 1) == "pending-install" and
                                       sandbox.store.get(("batch", "jobs"), "default", "migrate") is not None, 1),
}


def _hook_stack(tmp_path: Path, event: str) -> Path:
    """A one-release stack whose ``event`` hook (the stack's for prepare, the release's for presync) writes its
    process id to ``hook.pid`` and then sleeps for a minute."""
    hook = (f"{{prefix}}- events: [{event}]\n{{prefix}}  command: {sys.executable}\n{{prefix}}  args: [\"-c\", "
            "\"import os, time; open('hook.pid', 'w').write(str(os.getpid())); time.sleep(60)\"]\n")
    stack = tmp_path / "stack.yaml"
    stack_hooks = f"hooks:\n{hook.format(prefix='  ')}" if event == "prepare" else ""
    release_hooks = f"    hooks:\n{hook.format(prefix='      ')}" if event == "presync" else ""
    stack.write_text(f"apiVersion: pyhelm/v1\nname: hooked\n{stack_hooks}releases:\n  - name: web\n"
                     f"    chart: {DEMO}\n{release_hooks}")
    return stack


def _gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie nobody reaped has ended too)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.parametrize("event", ["prepare", "presync"])
def test_sigterm_during_a_stack_hook_stops_it_and_the_run_at_once(tmp_path, event) -> None:
    stack = _hook_stack(tmp_path, event)
    pid_file = tmp_path / "hook.pid"
    with Sandbox() as sandbox:
        process = subprocess.Popen([*PYHELM, "apply", "-f", str(stack), "--auto-approve"], env=_env(sandbox, tmp_path),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _wait_for(lambda: pid_file.exists() and pid_file.read_text(), f"the {event} hook to run", process)
        seconds, out, err = _interrupt(process, signal.SIGTERM)
        assert process.returncode == 143, out + err
        assert seconds < STOP_WITHIN, f"took {seconds:.1f}s to stop"
        assert "no release was marked failed" in _the_one_interruption_line(err)
        assert _gone(int(pid_file.read_text())), "the hook's process outlived pyhelm"
        assert _status(sandbox, "web", 1) == "" and _leases(sandbox) == []


@pytest.mark.parametrize("command", list(WAITING_COMMANDS))
def test_sigint_while_a_release_command_waits_stops_at_once_and_marks_the_revision_failed(tmp_path, command
                                                                                        ) -> None:
    from release.release_records import write_chart

    hooked = write_chart(tmp_path, "hooked", {"job.yaml": HOOK_JOB})
    before, interrupted, waiting, revision = WAITING_COMMANDS[command]
    with Sandbox() as sandbox:
        env = _env(sandbox, tmp_path)
        for argv in before:
            done = subprocess.run([*PYHELM, *argv], env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
        process = subprocess.Popen([*PYHELM, *[arg.replace("{hooked}", str(hooked)) for arg in interrupted]],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _wait_for(lambda: waiting(sandbox), f"{command} to wait", process)
        seconds, out, err = _interrupt(process, signal.SIGINT)
        assert process.returncode == 130, out + err
        assert seconds < STOP_WITHIN, f"took {seconds:.1f}s to stop"
        assert "release default/web marked failed" in _the_one_interruption_line(err)
        assert _status(sandbox, "web", revision) == "failed"

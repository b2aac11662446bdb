"""The stack lock: one run at a time per stack and environment, held in every cluster the stack lives in,
taken before planning, renewed while the run lasts, seen by plan, released whatever ends the run."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from test_kube_contexts import _two_cluster_kubeconfig
from test_plan_apply import EXAMPLE, pyhelm, shop  # noqa: F401 - shop is a fixture

from engine.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]
LEASES = ("coordination.k8s.io", "leases")
OTHER = "ci@runner-7 pid 4242 run 1a2b3c4d"  # a run on another host
SINCE = "2026-12-03T06:00:00.000000Z"


def _stamp(seconds_ago: float = 0.0) -> str:
    moment = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds_ago)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def hold_as_other(namespace: str, name: str, holder: str = OTHER, renewed_ago: float = 0.0,
                  duration: int = 60) -> None:
    """Write the Lease another run (another host, another tool version) would hold the lock with."""
    from engine.kube.client import KubeClient

    kube = KubeClient.from_config(os.environ["KUBECONFIG"])
    kube.ensure_namespace(namespace)
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": name, "namespace": namespace},
             "spec": {"holderIdentity": holder, "leaseDurationSeconds": duration, "acquireTime": SINCE,
                      "renewTime": _stamp(renewed_ago)}}
    live = kube.get(kube.ref(lease))
    if live is None:
        kube.create(lease)
    else:
        kube.replace(lease)


def leases(sandbox: Sandbox) -> list[dict]:
    return sandbox.store.items(LEASES, None)


def release_secrets(sandbox: Sandbox) -> dict[str, str]:
    """Every release record, name → resourceVersion (to see that nothing was written)."""
    return {s["metadata"]["name"]: s["metadata"]["resourceVersion"] for s in sandbox.store.items(("", "secrets"), None)
            if s["metadata"]["name"].startswith("sh.helm.release.v1.")}


def deployed_revisions(sandbox: Sandbox, namespace: str, name: str) -> list[str]:
    return [s["metadata"]["labels"]["version"] for s in sandbox.store.items(("", "secrets"), namespace)
            if s["metadata"]["labels"].get("name") == name and s["metadata"]["labels"].get("status") == "deployed"]


def wait_for(condition, what: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def load(stack: str, environment: str | None = "staging"):
    from engine.stack.loader import load_stack

    return load_stack(stack, environment)


def clusters():
    from engine.stack.planner import Clusters

    return Clusters(os.environ["KUBECONFIG"])


def subprocess_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(REPO)}


# where the lock lives ---------------------------------------------------------------------------------------


def test_the_lock_lives_in_the_environments_cluster_in_the_stacks_lock_namespace(tmp_path, monkeypatch) -> None:
    go = tmp_path / "go"
    stack = tmp_path / "stack.yaml"
    stack.write_text(yaml.safe_dump({
        "apiVersion": "pyhelm/v1", "name": "multi", "lock": {"namespace": "locks"},
        "environments": {"prod": {"kubeContext": "west"}},
        "releases": [{"name": "api", "chart": str(EXAMPLE.parent.parent / "charts" / "demo"),
                      "hooks": [{"events": ["presync"], "shell": True,
                                 "command": f"while [ ! -e {go} ]; do sleep 0.05; done"}]}]}))
    with Sandbox() as east, Sandbox() as west:
        _two_cluster_kubeconfig(tmp_path / "kubeconfig", east, west)  # the current context is east
        monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
        run = subprocess.Popen([sys.executable, "-m", "engine.cli.main", "apply", "-f", str(stack), "-e", "prod",
                                "--auto-approve"], env=subprocess_env(tmp_path), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: west.store.get(LEASES, "locks", "pyhelm-stack-multi-prod") is not None or
                     run.poll() is not None, "the apply to take its lock")
            lease = west.store.get(LEASES, "locks", "pyhelm-stack-multi-prod")
            assert lease is not None, run.communicate()
            assert f"pid {run.pid} run " in lease["spec"]["holderIdentity"]
            assert lease["spec"]["leaseDurationSeconds"] == 60
            assert leases(east) == []
        finally:
            go.touch()
            out, err = run.communicate(timeout=60)
        assert run.returncode == 0, out + err
        assert leases(west) == [] and leases(east) == []


def test_a_lock_held_elsewhere_in_one_cluster_releases_those_already_taken(tmp_path, monkeypatch) -> None:
    chart = EXAMPLE.parent.parent / "charts" / "demo"
    stack = tmp_path / "stack.yaml"
    stack.write_text(f"apiVersion: pyhelm/v1\nname: multi\nreleases:\n"
                     f"  - {{name: api, chart: {chart}, kubeContext: east}}\n"
                     f"  - {{name: web, chart: {chart}, kubeContext: west}}\n")
    with Sandbox() as east, Sandbox() as west:
        _two_cluster_kubeconfig(tmp_path / "kubeconfig", east, west)
        (tmp_path / "west.yaml").write_text((tmp_path / "kubeconfig").read_text().replace(
            "current-context: east", "current-context: west"))
        monkeypatch.setenv("KUBECONFIG", str(tmp_path / "west.yaml"))
        hold_as_other("default", "pyhelm-stack-multi-default")  # west is locked, east (taken first) is free
        monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
        status, out, err = pyhelm("apply", "-f", str(stack), "--auto-approve")
        assert status == 1 and f"is being applied by {OTHER}" in err and "in context west" in err
        assert leases(east) == [] and [lease["spec"]["holderIdentity"] for lease in leases(west)] == [OTHER]
        assert release_secrets(east) == {} and release_secrets(west) == {}


def test_the_lock_namespace_defaults_to_the_stacks_namespace(tmp_path) -> None:
    from engine.stack.errors import StackError

    stack = tmp_path / "stack.yaml"
    stack.write_text("name: s\ndefaults: {namespace: apps}\nenvironments:\n  ci: {defaults: {namespace: ci-apps}}\n"
                     "  dev: {}\nreleases:\n  - name: a\n    chart: x\n")
    assert (load(str(stack), "dev").lock_namespace, load(str(stack), "ci").lock_namespace) == ("apps", "ci-apps")
    stack.write_text("name: s\nreleases:\n  - name: a\n    chart: x\n")
    assert load(str(stack), None).lock_namespace == "default"
    stack.write_text("name: s\nlock: {namespace: ci-locks}\ndefaults: {namespace: apps}\nreleases:\n"
                     "  - name: a\n    chart: x\n")
    assert load(str(stack), None).lock_namespace == "ci-locks"
    stack.write_text("name: s\nlock: {nmespace: x}\nreleases:\n  - name: a\n    chart: x\n")
    with pytest.raises(StackError, match=r"stack.yaml:2: lock\.nmespace: unknown field 'nmespace'"):
        load(str(stack), None)


# plan sees the lock -----------------------------------------------------------------------------------------


def _leave_api_pending(stack: str, status: str = "pending-upgrade") -> None:
    """Make shop/api's latest revision ``status`` (pending-upgrade, or uninstalling), as a run mid-upgrade
    (or mid-destroy, or killed) leaves it."""
    from engine.action.config import ActionConfig

    assert pyhelm("upgrade", "api", str(Path(stack).parents[2] / "charts" / "demo"), "-n", "shop", "--reuse-values",
                  "--set", "replicaCount=2")[0] == 0
    config = ActionConfig.create(os.environ["KUBECONFIG"], namespace="shop")
    stuck = config.storage.last("shop", "api")
    stuck.info.status = status
    config.storage.update(stuck)


def test_plan_while_another_run_holds_the_lock_says_who_and_never_proposes_recover(shop, tmp_path) -> None:
    import json

    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    _leave_api_pending(stack)
    hold_as_other("shop", "pyhelm-stack-shop-staging")
    status, out, err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 0, err
    assert f"is being applied by {OTHER} since {SINCE}" in err
    assert "? shop/api" in out and f"in-progress  revision 2 is pending-upgrade: being applied by {OTHER}" in out
    assert "recover" not in out and "interrupted" not in out
    planned = json.loads(pyhelm("plan", "-f", stack, "-e", "staging", "-o", "json")[1])
    assert planned["lockedBy"]["holder"] == OTHER and planned["lockedBy"]["since"] == SINCE
    assert [r["action"] for r in planned["releases"] if r["id"] == "shop/api"] == ["in-progress"]
    saved = tmp_path / "plan.json"
    assert pyhelm("plan", "-f", stack, "-e", "staging", "--out", str(saved))[0] == 0
    hold_as_other("shop", "pyhelm-stack-shop-staging", renewed_ago=61)  # that run is gone: its lease expired
    before = release_secrets(sandbox)
    status, out, err = pyhelm("apply", str(saved))
    assert status == 1 and f"the plan was made while {OTHER} since {SINCE}" in out + err
    assert release_secrets(sandbox) == before and leases(sandbox) == []
    status, out, err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert "! shop/api" in out and "left pending-upgrade by an interrupted run" in out
    assert "being applied by" not in err


def test_a_release_a_live_destroy_is_uninstalling_is_in_progress_not_recovered(shop) -> None:
    _sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    _leave_api_pending(stack, "uninstalling")
    hold_as_other("shop", "pyhelm-stack-shop-staging")
    status, out, err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 0, err
    assert f"in-progress  revision 2 is uninstalling: being applied by {OTHER}" in out and "recover" not in out


def test_plan_by_an_account_that_may_not_read_leases_still_plans(shop) -> None:
    sandbox, stack = shop
    sandbox.fail_next("GET", "/leases/pyhelm-stack-shop-staging", status=403)
    status, out, err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 0 and "warning: cannot read the stack lock" in err and "4 to install" in out


def test_apply_and_destroy_while_another_run_holds_the_lock_change_nothing(shop) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    hold_as_other("shop", "pyhelm-stack-shop-staging")
    before = release_secrets(sandbox)
    for command in ("apply", "destroy"):
        status, out, err = pyhelm(command, "-f", stack, "-e", "staging", "--auto-approve", "--env-set", "replicas=2")
        assert status == 1 and f"is being applied by {OTHER} since {SINCE}" in err and "--break-lock" in err
        assert "Plan:" not in out  # refused before planning
        assert release_secrets(sandbox) == before
        assert [lease["spec"]["holderIdentity"] for lease in leases(sandbox)] == [OTHER]


# held honestly ----------------------------------------------------------------------------------------------


def test_a_holder_that_stops_renewing_loses_the_lock_after_its_duration(shop) -> None:
    from engine.stack.errors import StackError
    from engine.stack.lock import hold_stack_locks

    _sandbox, stack = shop
    hold_as_other("shop", "pyhelm-stack-shop-staging", duration=1)
    with pytest.raises(StackError, match=f"is being applied by {OTHER}"):
        with hold_stack_locks(load(stack), clusters()):
            pass

    def try_to_take() -> bool:
        try:
            with hold_stack_locks(load(stack), clusters()):
                return True
        except StackError:
            return False

    wait_for(try_to_take, "the abandoned 1-second lease to expire", seconds=10)


def test_a_live_holder_keeps_the_lock_by_renewing_it(shop) -> None:
    from engine.stack.errors import StackError
    from engine.stack.lock import hold_stack_locks

    sandbox, stack = shop
    with hold_stack_locks(load(stack), clusters(), duration=1):
        first = leases(sandbox)[0]["spec"]
        deadline = time.monotonic() + 3  # three lease durations
        while time.monotonic() < deadline:
            with pytest.raises(StackError, match="is being applied by"):
                with hold_stack_locks(load(stack), clusters(), duration=1):
                    pass
            time.sleep(0.2)
        renewed = leases(sandbox)[0]["spec"]
        assert renewed["holderIdentity"] == first["holderIdentity"] and renewed["renewTime"] > first["renewTime"]
    assert leases(sandbox) == []


def test_a_failed_renewal_is_reported_and_the_next_one_keeps_the_lock(shop) -> None:
    from engine.stack.lock import hold_stack_locks

    sandbox, stack = shop
    said: list[str] = []
    with hold_stack_locks(load(stack), clusters(), report=said.append, duration=1) as held:
        sandbox.fail_next("GET", "/leases/pyhelm-stack-shop-staging", status=503, count=4)  # every retry of one
        wait_for(lambda: any("could not renew the stack lock" in line for line in said), "the failure reported")
        renewed = leases(sandbox)[0]["spec"]["renewTime"]
        wait_for(lambda: leases(sandbox)[0]["spec"]["renewTime"] != renewed, "the next renewal")
        assert held.lost_to is None
    assert leases(sandbox) == []


def test_a_retried_create_that_meets_its_own_lease_carries_on(shop) -> None:
    from engine.stack.lock import hold_stack_locks

    sandbox, stack = shop
    me = "me@laptop pid 77 run 0badf00d"
    hold_as_other("shop", "pyhelm-stack-shop-staging", holder=me)  # the first create went through, its answer lost
    with hold_stack_locks(load(stack), clusters(), identity=me):
        assert [lease["spec"]["holderIdentity"] for lease in leases(sandbox)] == [me]
    assert leases(sandbox) == []


def test_a_run_whose_lock_was_taken_over_is_told_and_stops(shop) -> None:
    from engine.stack.errors import StackError
    from engine.stack.executor import apply_plan
    from engine.stack.lock import hold_stack_locks
    from engine.stack.planner import make_plan

    sandbox, stack = shop
    said: list[str] = []
    with hold_stack_locks(load(stack), clusters(), report=said.append, duration=1) as held:
        plan = make_plan(load(stack), clusters())[0]
        with hold_stack_locks(load(stack), clusters(), break_lock=True, identity=OTHER):
            wait_for(lambda: held.lost_to == OTHER, "the run to notice it lost the lock", seconds=10)
            assert any(f"lost the stack lock (Lease shop/pyhelm-stack-shop-staging) to {OTHER}" in line
                       for line in said)
            with pytest.raises(StackError, match=f"this run lost the stack lock to {OTHER}"):
                apply_plan(load(stack), plan, clusters(), lambda *_: None, locks=held)
            assert release_secrets(sandbox) == {}
        assert leases(sandbox) == []
    assert leases(sandbox) == []


# the library takes the lock ---------------------------------------------------------------------------------


def test_apply_plan_from_python_takes_the_lock_and_releases_it(shop) -> None:
    from engine.stack.errors import StackError
    from engine.stack.executor import apply_plan
    from engine.stack.lock import RENEWAL_THREAD
    from engine.stack.planner import make_plan

    sandbox, stack = shop
    plan = make_plan(load(stack), clusters())[0]
    holders_seen: list[list[str]] = []

    def report(release_id: str, message: str) -> None:
        if message.endswith("started"):
            holders_seen.append([lease["spec"]["holderIdentity"] for lease in leases(sandbox)])

    outcomes = apply_plan(load(stack), plan, clusters(), report)
    assert [o.status for o in outcomes] == ["done"] * 4
    assert len(holders_seen) == 4 and all(len(seen) == 1 and f"pid {os.getpid()} run " in seen[0]
                                          for seen in holders_seen)
    assert leases(sandbox) == []
    assert not any(thread.name == RENEWAL_THREAD for thread in threading.enumerate())
    hold_as_other("shop", "pyhelm-stack-shop-staging")
    before = release_secrets(sandbox)
    with pytest.raises(StackError, match=f"is being applied by {OTHER}"):
        apply_plan(load(stack), make_plan(load(stack, "prod"), clusters())[0], clusters(), report)
    assert release_secrets(sandbox) == before


def test_an_interrupted_apply_releases_the_lock_and_stops_renewing(shop) -> None:
    from engine.stack.executor import apply_plan
    from engine.stack.lock import RENEWAL_THREAD
    from engine.stack.planner import make_plan

    sandbox, stack = shop
    plan = make_plan(load(stack), clusters())[0]

    def interrupt(release_id: str, message: str) -> None:  # Ctrl-C, or SIGTERM raised in the main thread
        assert len(leases(sandbox)) == 1
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        apply_plan(load(stack), plan, clusters(), interrupt)
    assert leases(sandbox) == []
    assert not any(thread.name == RENEWAL_THREAD for thread in threading.enumerate())


def test_ctrl_c_while_planning_under_the_lock_releases_it(tmp_path, monkeypatch) -> None:
    import signal

    started, go = tmp_path / "started", tmp_path / "go"
    stack = tmp_path / "stack.yaml"
    stack.write_text(yaml.safe_dump({
        "apiVersion": "pyhelm/v1", "name": "slow",
        "hooks": [{"events": ["prepare"], "shell": True,
                   "command": f"touch {started}; while [ ! -e {go} ]; do sleep 0.05; done"}],
        "releases": [{"name": "api", "chart": str(EXAMPLE.parent.parent / "charts" / "demo")}]}))
    with Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        run = subprocess.Popen([sys.executable, "-m", "engine.cli.main", "apply", "-f", str(stack), "--auto-approve"],
                               env=subprocess_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: started.exists() or run.poll() is not None, "planning to start")
            assert len(leases(sandbox)) == 1, run.communicate()
            run.send_signal(signal.SIGINT)
            out, err = run.communicate(timeout=30)
        finally:
            go.touch()  # ends the hook's shell wherever it was left
        assert run.returncode != 0 and "Traceback" not in err, out + err
        assert leases(sandbox) == [] and release_secrets(sandbox) == {}


# the race ---------------------------------------------------------------------------------------------------


def test_concurrent_applies_of_one_stack_each_apply_fully_or_refuse(shop, tmp_path) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    runs = [subprocess.Popen([sys.executable, "-m", "engine.cli.main", "apply", "-f", stack, "-e", "staging",
                              "--auto-approve", "--env-set", f"replicas={replicas}"],
                             env=subprocess_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for replicas in range(2, 7)]
    results = [(*run.communicate(timeout=120), run.returncode) for run in runs]
    applied = 0
    for out, err, status in results:
        assert "recover" not in out + err and "interrupted" not in out + err
        if status == 0:
            applied += 1
            assert "0 failed, 0 skipped" in out, out + err
        else:
            assert "stack shop (staging) is being applied by" in err and "Plan:" not in out, out + err
    assert applied >= 1
    for namespace, name in (("shop", "cache"), ("shop", "api"), ("shop", "web"), ("ops", "status")):
        assert len(deployed_revisions(sandbox, namespace, name)) == 1, (namespace, name)
    assert leases(sandbox) == []

"""plan, apply and destroy of examples/stacks/shop against a sandbox, through the pyhelm command."""
from __future__ import annotations

import contextlib
import gc
import io
import json
import shutil
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.sandbox import Sandbox

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "stacks" / "shop"
TOKEN = "tok-3f9a1c"


def pyhelm(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    gc.enable()
    return status, out.getvalue(), err.getvalue()


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """(sandbox, path of a copy of the example stack) with KUBECONFIG and the API token set."""
    shutil.copytree(EXAMPLE.parent.parent / "charts", tmp_path / "charts")
    shutil.copytree(EXAMPLE, tmp_path / "stacks" / "shop")
    with Sandbox(ready=True) as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("SHOP_API_TOKEN", TOKEN)
        yield sandbox, str(tmp_path / "stacks" / "shop" / "stack.yaml")


def staging_applied_prod_planned(stack: str, tmp_path: Path) -> Path:
    """Apply staging, then save a plan of prod over it: the saved plan's file."""
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    saved = tmp_path / "plan.json"
    assert pyhelm("plan", "-f", stack, "-e", "prod", "--out", str(saved))[0] == 0
    return saved


def record_labels(sandbox, namespace: str, name: str, version: int = 1) -> dict:
    secret = sandbox.store.get(("", "secrets"), namespace, f"sh.helm.release.v1.{name}.v{version}")
    return secret["metadata"]["labels"] if secret else {}


def test_apply_installs_in_dependency_order_then_nothing_changes(shop) -> None:
    sandbox, stack = shop
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging", "--detailed-exitcode")
    assert status == 2 and "Plan: 4 to install, 0 to upgrade, 0 to uninstall, 0 unchanged." in out
    status, out, err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 0, err
    order = [line.split("] ", 1)[1].split(":")[0] for line in out.splitlines() if "installed as revision" in line]
    assert order.index("shop/cache") < order.index("shop/api") < order.index("shop/web")
    assert "Apply complete: 4 done, 0 failed, 0 skipped, 0 unchanged." in out
    assert record_labels(sandbox, "shop", "api")["pyhelm.dev/stack"] == "shop"
    assert record_labels(sandbox, "ops", "status")["team"] == "ops"
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging", "--detailed-exitcode")
    assert status == 0 and "4 unchanged" in out


def test_plan_shows_changes_and_never_a_secret(shop, tmp_path, monkeypatch) -> None:
    _sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    monkeypatch.setenv("SHOP_API_TOKEN", "tok-rotated-77")
    saved = tmp_path / "plan.json"
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "prod", "--out", str(saved))
    assert status == 0 and "Plan: 0 to install, 3 to upgrade, 0 to uninstall, 1 unchanged." in out
    assert "-replicaCount: 1\n" in out.replace("        ", "") and "+replicaCount: 3" in out
    assert "apiToken: (sensitive value, changed)" in out
    json_out = pyhelm("plan", "-f", stack, "-e", "prod", "-o", "json")[1]
    for text in (out, json_out, saved.read_text()):
        assert TOKEN not in text and "tok-rotated-77" not in text
    assert json.loads(json_out)["summary"]["upgrade"] == 3


def test_a_failing_release_stops_only_what_needs_it(shop) -> None:
    sandbox, stack = shop
    sandbox.fail_next("PATCH", r"/deployments/api-demo", status=422, count=1)
    status, out, _err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 1
    assert "Apply failed: 2 done, 1 failed, 1 skipped, 0 unchanged." in out
    assert "shop/web: skipped: needs shop/api, which did not complete" in out
    assert record_labels(sandbox, "ops", "status")["status"] == "deployed"
    assert record_labels(sandbox, "shop", "api")["status"] == "failed"
    status, out, _err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 0 and "2 done, 0 failed, 0 skipped, 2 unchanged" in out


def test_removed_releases_are_uninstalled_only_if_this_stack_installed_them(shop) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    assert pyhelm("install", "manual", str(Path(stack).parents[2] / "charts" / "demo"), "-n", "shop")[0] == 0
    text = Path(stack).read_text()
    Path(stack).write_text(text[:text.index("  - name: status")])
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert "- ops/status" in out and "removed from the stack" in out and "manual" not in out
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    assert record_labels(sandbox, "ops", "status") == {}
    assert record_labels(sandbox, "shop", "manual")["status"] == "deployed"


def test_a_saved_plan_is_refused_once_stale(shop, tmp_path) -> None:
    _sandbox, stack = shop
    saved = staging_applied_prod_planned(stack, tmp_path)
    chart = str(Path(stack).parents[2] / "charts" / "demo")
    assert pyhelm("upgrade", "cache", chart, "-n", "shop", "--set", "replicaCount=5")[0] == 0
    status, out, err = pyhelm("apply", str(saved))
    assert status == 1 and "the plan is stale: shop/cache is at revision 2, planned at 1" in out + err


def test_lock_refuses_a_second_apply_until_broken(shop) -> None:
    _sandbox, stack = shop
    from test_lock import hold_as_other, leases

    hold_as_other("shop", "pyhelm-stack-shop-staging", "ci@runner pid 1")  # the stack's lock namespace
    status, _out, err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 1 and "is being applied by ci@runner pid 1" in err and "--break-lock" in err
    status, out, err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve", "--break-lock")
    assert status == 0, err
    assert leases(_sandbox) == []


def test_destroy_uninstalls_dependents_first(shop) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    status, out, err = pyhelm("destroy", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 0, err
    order = [line.split("] ", 1)[1].split(":")[0] for line in out.splitlines() if ": uninstalled" in line]
    assert order.index("shop/web") < order.index("shop/api") < order.index("shop/cache")
    assert sandbox.store.items(("", "secrets"), "shop") == []


def test_interrupted_release_is_recovered(shop) -> None:
    _sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    import os

    from engine.action.config import ActionConfig

    config = ActionConfig.create(os.environ["KUBECONFIG"], namespace="shop")
    assert pyhelm("upgrade", "api", str(Path(stack).parents[2] / "charts" / "demo"), "-n", "shop",
                  "--reuse-values", "--set", "replicaCount=2")[0] == 0
    stuck = config.storage.last("shop", "api")
    stuck.info.status = "pending-upgrade"
    config.storage.update(stuck)
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert "! shop/api" in out and "left pending-upgrade by an interrupted run" in out
    status, out, err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 0, out + err
    assert config.storage.last("shop", "api").info.status == "deployed"


def test_apply_outside_a_terminal_needs_auto_approve(shop) -> None:
    _sandbox, stack = shop
    status, _out, err = pyhelm("apply", "-f", stack, "-e", "staging")
    assert status == 1 and "--auto-approve" in err


def test_crd_providers_are_planned_before_the_releases_using_them(tmp_path, monkeypatch) -> None:
    lifecycle = Path(__file__).resolve().parents[1] / "release" / "charts" / "lifecycle"
    provider, user = tmp_path / "provider", tmp_path / "user"
    (provider / "templates").mkdir(parents=True)
    (provider / "crds").mkdir()
    shutil.copy(lifecycle / "crds" / "widgets.yaml", provider / "crds")
    (provider / "Chart.yaml").write_text("apiVersion: v2\nname: provider\nversion: 1.0.0\n")
    (user / "templates").mkdir(parents=True)
    (user / "Chart.yaml").write_text("apiVersion: v2\nname: user\nversion: 1.0.0\n")
    shutil.copy(lifecycle / "templates" / "widget.yaml", user / "templates")
    (user / "values.yaml").write_text("message: hi\n")
    stack = tmp_path / "stack.yaml"
    stack.write_text("apiVersion: pyhelm/v1\nname: crds\nreleases:\n  - name: widgets\n    chart: ./user\n"
                     "  - name: operator\n    chart: ./provider\n")
    with Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        status, out, err = pyhelm("apply", "-f", str(stack), "--auto-approve")
        assert status == 0, out + err
        assert out.index("default/operator: installed") < out.index("default/widgets: install started")
        assert sandbox.store.get(("example.com", "widgets"), "default", "widgets-widget") is not None


def _slow_stack(tmp_path: Path) -> Path:
    """A stack whose only release waits for a Deployment (never ready on a sandbox without controllers)."""
    stack = tmp_path / "slow.yaml"
    stack.write_text("apiVersion: pyhelm/v1\nname: slow\nreleases:\n  - name: slow\n"
                     f"    chart: {EXAMPLE.parent.parent / 'charts' / 'demo'}\n    wait: true\n    timeout: 60s\n")
    return stack


def _start_apply(stack: Path, env: dict):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "engine.cli.main", "apply", "-f", str(stack), "--auto-approve"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition, what: str) -> None:
    import time

    deadline = time.monotonic() + 30
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_second_concurrent_apply_is_refused_and_a_killed_one_recovered(tmp_path, monkeypatch) -> None:
    import os

    stack = _slow_stack(tmp_path)
    with Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        env = {**os.environ, "HOME": str(tmp_path)}
        first = _start_apply(stack, env)
        _wait_for(lambda: record_labels(sandbox, "default", "slow").get("status") == "pending-install",
                  "the first apply to be waiting")
        status, _out, err = pyhelm("apply", "-f", str(stack), "--auto-approve")
        assert status == 1 and "stack slow (default) is being applied by" in err
        first.kill()  # as kill -9 would: no cleanup at all
        first.wait()
        sandbox.api.ready = True  # the cluster's controllers are back
        status, out, err = pyhelm("plan", "-f", str(stack))
        assert "! default/slow" in out and "left pending-install by an interrupted run" in out
        status, out, err = pyhelm("apply", "-f", str(stack), "--auto-approve")
        assert status == 0, out + err
        assert record_labels(sandbox, "default", "slow", 1)["status"] == "deployed"

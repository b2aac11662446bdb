"""Every history an interrupted run can leave (a revision left pending or uninstalling, two revisions
deployed, a failed revision on top of a deployed one) is planned as a recover that says what apply will do;
apply repairs it to exactly one deployed revision, and the next plan has nothing to do."""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest

from engine.action.config import ActionConfig
from engine.sandbox import Sandbox
from stack.test_plan_apply import pyhelm

DEMO = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"

# each shape: the statuses of revisions 1..n written over one good install, and the reason the plan gives
SHAPES = {
    "two deployed": (["deployed", "deployed"],
                     "revisions 1 and 2 are both deployed (an interrupted run): apply marks 1 superseded"),
    "three deployed": (["deployed", "deployed", "deployed"],
                       "revisions 1, 2 and 3 are all deployed (an interrupted run): apply marks 1 and 2 superseded"),
    "failed on deployed": (["deployed", "failed"],
                           "revision 2 failed (an interrupted or failed run) and revision 1 is still deployed: "
                           "apply upgrades from revision 1"),
    "failed on superseded": (["superseded", "failed"],
                             "revision 2 failed (an interrupted or failed run) and no revision is deployed: apply "
                             "upgrades from revision 2"),
    "pending on deployed": (["deployed", "pending-upgrade"],
                            "revision 2 was left pending-upgrade by an interrupted run: apply marks it failed, rolls "
                            "back to revision 1, then upgrades"),
    "uninstalling": (["uninstalling"],
                     "revision 1 was left uninstalling by an interrupted uninstall: apply marks it failed, then "
                     "upgrades to put its objects back"),
    "pending below deployed": (["superseded", "pending-upgrade", "deployed"],
                               "revision 2 was left pending by an interrupted run: apply marks it failed"),
}


@pytest.fixture
def stack(tmp_path, monkeypatch):
    """(stack file, ActionConfig) of a one-release stack installed once on a sandbox (revision 1)."""
    stack_file = tmp_path / "stack.yaml"
    stack_file.write_text(f"apiVersion: pyhelm/v1\nname: repair\nreleases:\n  - name: web\n    chart: {DEMO}\n")
    with Sandbox(ready=True) as sandbox:
        kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
        monkeypatch.setenv("HOME", str(tmp_path))
        status, out, err = pyhelm("apply", "-f", str(stack_file), "--auto-approve")
        assert status == 0, out + err
        yield stack_file, ActionConfig.create(str(kubeconfig), namespace="default")


def _write_history(config: ActionConfig, statuses: list[str]) -> None:
    """Rewrite the release's history as revisions 1..n of the installed one with these statuses, as an
    interrupted run leaves them."""
    installed = config.storage.history("default", "web")[0]
    for version, status in enumerate(statuses, start=1):
        record = dataclasses.replace(copy.deepcopy(installed), version=version,
                                     info=dataclasses.replace(installed.info, status=status))
        if version == 1:
            config.storage.update(record)
        else:
            config.storage.create(record)


def _statuses(config: ActionConfig) -> list[str]:
    return [r.info.status for r in config.storage.history("default", "web")]


def _assert_sound_and_unchanged(stack_file: Path, config: ActionConfig) -> None:
    statuses = _statuses(config)
    assert statuses.count("deployed") == 1 and statuses[-1] == "deployed", statuses
    assert not any(status.startswith("pending") for status in statuses), statuses
    status, out, _err = pyhelm("plan", "-f", str(stack_file), "--detailed-exitcode")
    assert status == 0 and "1 unchanged" in out, out


@pytest.mark.parametrize("shape", list(SHAPES))
def test_an_interrupted_history_is_planned_as_a_recover_and_repaired(stack, shape) -> None:
    stack_file, config = stack
    statuses, reason = SHAPES[shape]
    _write_history(config, statuses)
    status, out, _err = pyhelm("plan", "-f", str(stack_file), "--detailed-exitcode")
    assert status == 2 and "! default/web" in out and "recover" in out, out
    assert reason in out, out
    assert "1 to recover" in out
    status, out, err = pyhelm("apply", "-f", str(stack_file), "--auto-approve")
    assert status == 0, out + err
    _assert_sound_and_unchanged(stack_file, config)


def test_two_deployed_and_nothing_else_changed_is_repaired_without_a_new_revision(stack) -> None:
    stack_file, config = stack
    _write_history(config, ["deployed", "deployed"])
    status, out, err = pyhelm("apply", "-f", str(stack_file), "--auto-approve")
    assert status == 0, out + err
    assert "default/web: repaired: marked revision 1 superseded" in out
    assert _statuses(config) == ["superseded", "deployed"]
    _assert_sound_and_unchanged(stack_file, config)


def test_two_deployed_with_changed_values_is_repaired_then_upgraded(stack) -> None:
    stack_file, config = stack
    _write_history(config, ["deployed", "deployed"])
    stack_file.write_text(stack_file.read_text() + "    values:\n      replicaCount: 2\n")
    status, out, _err = pyhelm("plan", "-f", str(stack_file))
    assert "apply marks 1 superseded; values changed" in out, out
    status, out, err = pyhelm("apply", "-f", str(stack_file), "--auto-approve")
    assert status == 0, out + err
    assert _statuses(config) == ["superseded", "superseded", "deployed"]
    assert config.storage.history("default", "web")[-1].config == {"replicaCount": 2}
    _assert_sound_and_unchanged(stack_file, config)


def test_an_interrupted_uninstall_is_repaired_and_its_objects_put_back(stack) -> None:
    stack_file, config = stack
    _write_history(config, ["uninstalling"])
    deployment = config.kube.ref({"apiVersion": "apps/v1", "kind": "Deployment",
                                  "metadata": {"name": "web-demo", "namespace": "default"}})
    config.kube.delete(deployment)  # the uninstall got this far
    status, out, err = pyhelm("apply", "-f", str(stack_file), "--auto-approve")
    assert status == 0, out + err
    assert _statuses(config) == ["failed", "deployed"] and config.kube.get(deployment) is not None
    _assert_sound_and_unchanged(stack_file, config)

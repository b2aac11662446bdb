"""promote keeps the target's comments and layout; graph prints the release graph; drift is detected."""
from __future__ import annotations

import shutil
from pathlib import Path

from test_plan_apply import EXAMPLE, pyhelm, shop  # noqa: F401 - the shop fixture

STAGING_PINS = """    releases:
      api:
        version: 0.3.0   # pinned after QA
        values:
          config:
            greeting: "tested in staging"
"""


def _stack_with_staging_pins(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLE.parent.parent / "charts", tmp_path / "charts")
    shutil.copytree(EXAMPLE, tmp_path / "stacks" / "shop")
    stack = tmp_path / "stacks" / "shop" / "stack.yaml"
    text = stack.read_text()
    stack.write_text(text.replace("    defaults:\n      wait: true\n  prod:",
                                  "    defaults:\n      wait: true\n" + STAGING_PINS + "  prod:"))
    return stack


def test_promote_copies_pins_and_keeps_the_rest_of_the_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SHOP_API_TOKEN", "t")
    stack = _stack_with_staging_pins(tmp_path)
    before = stack.read_text()
    status, out, err = pyhelm("promote", "-f", str(stack), "--from", "staging", "--to", "prod", "--dry-run")
    assert status == 0 and "api.version: (unset) -> 0.3.0" in out and stack.read_text() == before, err
    status, out, err = pyhelm("promote", "-f", str(stack), "--from", "staging", "--to", "prod")
    assert status == 0, err
    after = stack.read_text()
    added = [line for line in after.splitlines() if line not in before.splitlines()]
    assert added == ["      api:", "        values:"] or set(added) <= {"      api:", "        version: 0.3.0",
                                                                     "        values:", "          config:",
                                                                     '            greeting: "tested in staging"'}
    assert all(line in after.splitlines() for line in before.splitlines())  # comments and layout kept
    from engine.stack.loader import load_stack

    api = load_stack(str(stack), "prod").release("shop/api")
    assert api.version == "0.3.0" and {"config": {"greeting": "tested in staging"}} in api.values
    assert pyhelm("promote", "-f", str(stack), "--from", "staging", "--to", "prod")[1].startswith("Nothing to promote")


def test_promote_to_another_file_and_unknown_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SHOP_API_TOKEN", "t")
    stack = _stack_with_staging_pins(tmp_path)
    other = stack.with_name("prod-stack.yaml")
    other.write_text(stack.read_text().replace(STAGING_PINS, ""))
    status, _out, err = pyhelm("promote", "-f", str(stack), "--from", "staging", "--to", "prod", "--to-file",
                               str(other))
    assert status == 0, err
    assert "version: 0.3.0" in other.read_text() and stack.read_text().count("version: 0.3.0") == 1
    status, _out, err = pyhelm("promote", "-f", str(stack), "--from", "qa", "--to", "prod")
    assert status == 1 and 'environment "qa" is not defined (environments: dev, prod, staging)' in err


def test_graph_outputs(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SHOP_API_TOKEN", "t")
    stack = str(EXAMPLE / "stack.yaml")
    assert pyhelm("graph", "-f", stack, "-e", "dev")[1] == (
        "ops/status\nshop/cache\nshop/api  <- needs shop/cache\nshop/web  <- needs shop/api\n")
    dot = pyhelm("graph", "-f", stack, "-e", "dev", "-o", "dot")[1]
    assert '"shop/cache" -> "shop/api";' in dot and dot.startswith('digraph "shop"')
    assert pyhelm("graph", "-f", stack, "-e", "dev", "-l", "name=web", "--skip-needs")[1] == "shop/web\n"


def test_detect_drift_finds_changes_made_outside(shop) -> None:  # noqa: F811 - the fixture
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    import os

    from engine.kube.client import KubeClient

    kube = KubeClient.from_config(os.environ["KUBECONFIG"])
    ref = kube.ref({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web-demo",
                                                                                 "namespace": "shop"}})
    kube.patch(ref, {"spec": {"replicas": 7}}, "application/merge-patch+json", field_manager="kubectl-scale")
    assert "0 to upgrade" in pyhelm("plan", "-f", stack, "-e", "staging")[1]
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging", "--detect-drift", "--detailed-exitcode")
    assert status == 2 and "Deployment.apps shop/web-demo was changed outside the release" in out

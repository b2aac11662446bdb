"""A plan is a contract: apply checks the whole plan against the files and the release records before it
changes anything, from any directory, and destroy reads records only."""
from __future__ import annotations

import json
import os
from pathlib import Path

from stack.test_plan_apply import pyhelm, shop, staging_applied_prod_planned  # noqa: F401


def record_names(sandbox, *namespaces: str) -> list[str]:
    """Every release record Secret in ``namespaces``: a new revision of any release adds one."""
    return sorted(item["metadata"]["name"] for namespace in namespaces
                  for item in sandbox.store.items(("", "secrets"), namespace))


def _give_web_a_values_file(stack: str) -> Path:
    """web reads values/web.yaml: a values file of a release planned after others."""
    values = Path(stack).parent / "values" / "web.yaml"
    values.write_text("podAnnotations:\n  tier: front\n")
    text = Path(stack).read_text()
    Path(stack).write_text(text.replace("    needs: [api]\n", "    needs: [api]\n    valuesFiles: [values/web.yaml]\n"))
    return values


def test_a_values_file_edited_after_planning_refuses_the_whole_plan_before_any_change(shop, tmp_path,
                                                                                       monkeypatch) -> None:
    sandbox, stack = shop
    web_values = _give_web_a_values_file(stack)
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    monkeypatch.setenv("SHOP_API_TOKEN", "tok-rotated-77")  # api changes, and web after it
    web_values.write_text("podAnnotations:\n  tier: edge\n")
    saved = tmp_path / "plan.json"
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging", "--out", str(saved))
    assert status == 0 and "Plan: 0 to install, 2 to upgrade, 0 to uninstall, 2 unchanged." in out
    before = record_names(sandbox, "shop", "ops")
    web_values.write_text("podAnnotations:\n  tier: core\n")
    status, out, err = pyhelm("apply", str(saved))
    assert status == 1
    assert "the plan is stale: values file values/web.yaml changed since planning" in err and "plan again" in err
    assert "Traceback" not in out + err and "started" not in out
    assert record_names(sandbox, "shop", "ops") == before


def test_a_record_rewritten_at_the_same_revision_refuses_the_plan(shop, tmp_path) -> None:
    sandbox, stack = shop
    saved = staging_applied_prod_planned(stack, tmp_path)
    from engine.action.config import ActionConfig

    config = ActionConfig.create(os.environ["KUBECONFIG"], namespace="shop")
    record = config.storage.last("shop", "api")
    record.config = {**record.config, "replicaCount": 7}
    config.storage.update(record)  # same revision number, different record
    before = record_names(sandbox, "shop", "ops")
    status, out, err = pyhelm("apply", str(saved))
    assert status == 1
    assert "the plan is stale: shop/api's record (revision 1) was rewritten since planning" in err
    assert record_names(sandbox, "shop", "ops") == before


def test_a_release_moved_on_since_planning_is_named_with_both_revisions(shop, tmp_path) -> None:
    _sandbox, stack = shop
    saved = staging_applied_prod_planned(stack, tmp_path)
    chart = str(Path(stack).parents[2] / "charts" / "demo")
    assert pyhelm("upgrade", "api", chart, "-n", "shop", "--reuse-values", "--set", "replicaCount=5")[0] == 0
    status, _out, err = pyhelm("apply", str(saved))
    assert status == 1 and "shop/api is at revision 2, planned at 1" in err


def test_a_saved_plan_applies_from_another_directory(shop, tmp_path, monkeypatch) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    monkeypatch.setenv("SHOP_API_TOKEN", "tok-rotated-77")
    monkeypatch.chdir(Path(stack).parent)
    assert pyhelm("plan", "-e", "staging", "--out", "plan.json")[0] == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    status, out, err = pyhelm("apply", str(Path(stack).parent / "plan.json"))
    assert status == 0, out + err
    assert "Apply complete: 1 done, 0 failed, 0 skipped, 3 unchanged." in out
    assert sandbox.store.get(("", "secrets"), "shop", "sh.helm.release.v1.api.v2") is not None


def test_a_plan_file_without_the_contract_fields_is_refused_clearly(shop, tmp_path) -> None:
    _sandbox, stack = shop
    saved = tmp_path / "plan.json"
    assert pyhelm("plan", "-f", stack, "-e", "staging", "--out", str(saved))[0] == 0
    data = json.loads(saved.read_text())
    del data["inputs"]
    saved.write_text(json.dumps(data))
    status, out, err = pyhelm("apply", str(saved))
    assert status == 1 and "saved by an older pyhelm" in err and "plan again" in err
    assert "Traceback" not in out + err


def test_the_plan_names_the_cluster_it_was_made_against(shop) -> None:
    sandbox, stack = shop
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 0 and f"Cluster: context sandbox, server {sandbox.url}" in out
    data = json.loads(pyhelm("plan", "-f", stack, "-e", "staging", "-o", "json")[1])
    assert data["clusters"] == [{"context": "sandbox", "server": sandbox.url}]


def test_destroy_needs_no_secret_values(shop, monkeypatch) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    monkeypatch.delenv("SHOP_API_TOKEN")
    status, out, err = pyhelm("destroy", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 0, out + err
    assert "Destroy complete: 4 done" in out
    assert record_names(sandbox, "shop", "ops") == []


def test_a_missing_secret_names_the_release_key_and_line(shop, monkeypatch) -> None:
    _sandbox, stack = shop
    monkeypatch.delenv("SHOP_API_TOKEN")
    status, _out, err = pyhelm("plan", "-f", stack, "-e", "staging")
    line = next(i for i, text in enumerate(Path(stack).read_text().splitlines(), 1) if text == "  - name: api")
    assert status == 1
    assert f"{stack}:{line}: release shop/api: secretValues.config.apiToken: environment variable " \
           "SHOP_API_TOKEN is not set" in err


def test_a_release_rendering_differently_from_its_plan_is_refused(tmp_path, monkeypatch) -> None:
    from engine.kube.client import KubeClient
    from engine.sandbox import Sandbox

    chart = tmp_path / "looker"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: looker\nversion: 1.0.0\n")
    (chart / "templates" / "seen.yaml").write_text(
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: looker\ndata:\n'
        '  seen: {{ (lookup "v1" "ConfigMap" "default" "source").data | default dict | toJson | quote }}\n')
    stack = tmp_path / "stack.yaml"
    stack.write_text("apiVersion: pyhelm/v1\nname: looks\nreleases:\n  - name: looker\n    chart: ./looker\n")
    with Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        monkeypatch.setenv("HOME", str(tmp_path))
        saved = tmp_path / "plan.json"
        assert pyhelm("plan", "-f", str(stack), "--out", str(saved))[0] == 0
        kube = KubeClient.from_config(os.environ["KUBECONFIG"])
        kube.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "source", "namespace": "default"},
                     "data": {"value": "new"}})
        status, _out, err = pyhelm("apply", str(saved))
        assert status == 1
        assert "the plan is stale: default/looker renders a different manifest than planned" in err
        assert record_names(sandbox, "default") == []

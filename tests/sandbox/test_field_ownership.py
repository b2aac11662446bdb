"""Field ownership between managers, as the corpus README records a real v1.36 server's answers
(../shared/apiserver-reference/README.md, "Helm-style SSA upgrades" and "Metadata")."""
from __future__ import annotations

import pytest
import requests
import yaml

APPLY = {"Content-Type": "application/apply-patch+yaml"}


def _deployment(port: int, replicas: int | None = None, extra_ports: list[dict] = ()) -> dict:
    spec = {"selector": {"matchLabels": {"app": "web"}}, "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
        "containers": [{"name": "app", "image": "nginx:1.25",
                        "ports": [{"name": "http", "containerPort": port}, *extra_ports]}]}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec}


@pytest.fixture
def deployments(sandbox, request):
    namespace = request.node.name.replace("_", "-")[:40].strip("-")
    assert requests.post(f"{sandbox.url}/api/v1/namespaces", json={"metadata": {"name": namespace}},
                         timeout=10).status_code == 201
    return f"{sandbox.url}/apis/apps/v1/namespaces/{namespace}/deployments"


def _apply(url: str, obj: dict, manager: str = "helm", force: str = "true") -> requests.Response:
    return requests.patch(f"{url}/web", data=yaml.safe_dump(obj), headers=APPLY, timeout=10,
                          params={"fieldManager": manager, "force": force})


def test_apply_keeps_the_list_entry_another_manager_created(deployments) -> None:
    assert requests.post(deployments, json=_deployment(80), timeout=10).status_code == 201
    answer = _apply(deployments, _deployment(81))
    assert answer.status_code == 422
    assert answer.json()["message"] == ('Deployment.apps "web" is invalid: spec.template.spec.containers[0].ports[1]'
                                        '.name: Duplicate value: "http"')


def test_apply_without_force_conflicts_with_a_field_another_manager_changed(deployments) -> None:
    assert _apply(deployments, _deployment(80, replicas=3), force="false").status_code == 201
    scaled = requests.patch(f"{deployments}/web", json={"spec": {"replicas": 5}}, timeout=10,
                            headers={"Content-Type": "application/merge-patch+json"},
                            params={"fieldManager": "kubectl-scale"})
    owners = {(m["manager"], m["operation"]): m["fieldsV1"] for m in scaled.json()["metadata"]["managedFields"]}
    assert owners[("kubectl-scale", "Update")] == {"f:spec": {"f:replicas": {}}}
    assert "f:replicas" not in owners[("helm", "Apply")]["f:spec"]
    answer = _apply(deployments, _deployment(80, replicas=3), force="false")
    assert answer.status_code == 409 and answer.json()["reason"] == "Conflict"
    assert answer.json()["message"] == ('Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: '
                                        ".spec.replicas")
    assert answer.json()["details"]["causes"] == [{"reason": "FieldManagerConflict", "field": ".spec.replicas",
                                                   "message": 'conflict with "kubectl-scale" using apps/v1'}]
    forced = _apply(deployments, _deployment(80, replicas=3)).json()
    assert forced["spec"]["replicas"] == 3
    assert [m["manager"] for m in forced["metadata"]["managedFields"]] == ["helm"]


def test_a_put_with_empty_managed_fields_wipes_them(deployments) -> None:
    live = requests.post(deployments, json=_deployment(80), timeout=10).json()
    live["metadata"]["managedFields"] = []
    assert "managedFields" not in requests.put(f"{deployments}/web", json=live, timeout=10).json()["metadata"]


def test_an_apply_configuration_with_a_list_key_twice_is_refused_as_structured_merge_diff_does(deployments) -> None:
    answer = _apply(deployments, _deployment(80, extra_ports=[{"containerPort": 80}]))
    assert answer.status_code == 500
    assert answer.json()["message"] == (
        'failed to create typed patch object (/web; apps/v1, Kind=Deployment): .spec.template.spec.containers'
        '[name="app"].ports: duplicate entries for key [containerPort=80,protocol="TCP"]')

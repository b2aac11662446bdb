"""Deleting an owner does to its dependents what kube-apiserver's garbage collector does: Background (the
default) deletes them, Orphan keeps them without the reference, Foreground deletes them first; a dependent with
another living owner only loses the reference; batch/v1 Jobs orphan by default. Orphan and Foreground answer with
the object marked for deletion under the collector's finalizer. The recorded corpus cannot express these cases
(an owner's uid is the server's), so they are asserted here over HTTP."""
from __future__ import annotations

import requests
import pytest

NS = "gc"


@pytest.fixture(scope="module")
def url(sandbox) -> str:
    requests.post(f"{sandbox.url}/api/v1/namespaces", json={"metadata": {"name": NS}}).raise_for_status()
    return f"{sandbox.url}/api/v1/namespaces/{NS}/configmaps"


def _create(url: str, name: str, *owners: dict) -> dict:
    refs = [{"apiVersion": "v1", "kind": "ConfigMap", "name": o["metadata"]["name"], "uid": o["metadata"]["uid"]}
            for o in owners]
    response = requests.post(url, json={"metadata": {"name": name, **({"ownerReferences": refs} if refs else {})}})
    response.raise_for_status()
    return response.json()


def _get(url: str, name: str) -> dict | None:
    response = requests.get(f"{url}/{name}")
    return response.json() if response.status_code == 200 else None


def test_a_background_delete_removes_the_dependents(url) -> None:
    owner = _create(url, "bg-owner")
    _create(url, "bg-child", owner)
    _create(url, "bg-grandchild", _get(url, "bg-child"))
    answer = requests.delete(f"{url}/bg-owner").json()
    assert answer["kind"] == "Status" and answer["status"] == "Success"
    assert _get(url, "bg-child") is None and _get(url, "bg-grandchild") is None


def test_an_orphan_delete_keeps_the_dependents_without_the_reference(url) -> None:
    owner = _create(url, "or-owner")
    _create(url, "or-child", owner)
    answer = requests.delete(f"{url}/or-owner", json={"propagationPolicy": "Orphan"}).json()
    assert answer["metadata"]["finalizers"] == ["orphan"] and answer["metadata"]["deletionTimestamp"]
    child = _get(url, "or-child")
    assert child is not None and "ownerReferences" not in child["metadata"]
    assert _get(url, "or-owner") is None


def test_a_foreground_delete_answers_with_its_finalizer_and_removes_the_dependents(url) -> None:
    owner = _create(url, "fg-owner")
    _create(url, "fg-child", owner)
    answer = requests.delete(f"{url}/fg-owner", params={"propagationPolicy": "Foreground"}).json()
    assert answer["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert _get(url, "fg-child") is None and _get(url, "fg-owner") is None


def test_a_dependent_with_another_living_owner_only_loses_the_reference(url) -> None:
    first, second = _create(url, "two-a"), _create(url, "two-b")
    _create(url, "two-child", first, second)
    requests.delete(f"{url}/two-a").raise_for_status()
    child = _get(url, "two-child")
    assert child is not None and [r["name"] for r in child["metadata"]["ownerReferences"]] == ["two-b"]


def test_a_job_keeps_its_dependents_unless_asked(sandbox, url) -> None:
    jobs = f"{sandbox.url}/apis/batch/v1/namespaces/{NS}/jobs"
    template = {"spec": {"restartPolicy": "Never", "containers": [{"name": "j", "image": "busybox:1"}]}}
    job = requests.post(jobs, json={"metadata": {"name": "j"}, "spec": {"template": template}}).json()
    ref = {"apiVersion": "batch/v1", "kind": "Job", "name": "j", "uid": job["metadata"]["uid"]}
    requests.post(url, json={"metadata": {"name": "job-child", "ownerReferences": [ref]}}).raise_for_status()
    requests.delete(f"{jobs}/j").raise_for_status()
    assert _get(url, "job-child") is not None

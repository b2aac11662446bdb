"""Concurrent writers: patches without a resourceVersion are retried as kube-apiserver retries them, so
no acknowledged write is lost and no request fails with a spurious conflict."""
from __future__ import annotations

import threading

from engine.kube.client import KubeClient


def test_concurrent_server_side_applies_all_land(sandbox, kubeconfig) -> None:
    errors: list[str] = []

    def writer(index: int) -> None:
        kube = KubeClient.from_config(kubeconfig)
        try:
            for round_ in range(15):
                kube.apply({"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": f"race-{round_}", "namespace": "default"},
                            "data": {f"writer-{index}": str(round_)}}, field_manager=f"writer-{index}")
        except Exception as exc:  # noqa: BLE001 - any failure is what this test looks for
            errors.append(str(exc))

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for round_ in range(15):
        stored = sandbox.store.get(("", "configmaps"), "default", f"race-{round_}")
        assert sorted(stored["data"]) == [f"writer-{i}" for i in range(6)]
        assert len(stored["metadata"]["managedFields"]) == 6


def test_a_stale_resource_version_is_still_a_conflict(sandbox, kubeconfig) -> None:
    kube = KubeClient.from_config(kubeconfig)
    created = kube.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "pinned",
                                                                                 "namespace": "default"}})
    kube.patch(kube.ref(created), {"data": {"a": "1"}}, "application/merge-patch+json")
    stale = {"metadata": {"resourceVersion": created["metadata"]["resourceVersion"]}, "data": {"b": "2"}}
    from engine.kube.client import KubeError

    try:
        kube.patch(kube.ref(created), stale, "application/merge-patch+json")
    except KubeError as exc:
        assert exc.status == 409 and "the object has been modified" in str(exc)
    else:
        raise AssertionError("a patch pinned to an old resourceVersion must conflict")

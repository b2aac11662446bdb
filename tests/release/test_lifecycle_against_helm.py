"""A whole release lifecycle run by pyhelm and by helm side by side, in two namespaces of one sandbox:
hooks of every event (order by weight, delete policies), CRDs from crds/ before their custom resources,
``helm.sh/resource-policy: keep``, tests with logs — the cluster and the records must end up the same."""
from __future__ import annotations

import re
from pathlib import Path

from release_records import PYHELM, record, run

CHART = Path(__file__).resolve().parent / "charts" / "lifecycle"
STEPS = [["install", "rel", str(CHART), "--create-namespace"], ["upgrade", "rel", str(CHART), "--set", "message=second"],
         ["rollback", "rel", "1"], ["test", "rel", "--logs"], ["uninstall", "rel"]]


def _cluster_state(sandbox, namespace: str) -> dict:
    """What a step leaves in a namespace: ConfigMaps in creation order with their data, Widgets, test Pods."""
    def names(resource: tuple[str, str]) -> list[tuple[str, dict]]:
        items = sorted(sandbox.store.items(resource, namespace), key=lambda o: int(o["metadata"]["resourceVersion"]))
        return [(o["metadata"]["name"], o.get("data") or o.get("spec", {}).get("message")) for o in items]

    return {"configmaps": names(("", "configmaps")), "widgets": names(("example.com", "widgets")),
            "pods": [name for name, _ in names(("", "pods"))]}


def _masked(output: str, namespace: str) -> str:
    """Output with the namespace and the clock masked."""
    return re.sub(r"\d\d:\d\d:\d\d", "HH:MM:SS", output.replace(namespace, "NS"))


def _hook_phases(sandbox, namespace: str, version: int) -> dict[str, str]:
    body, _labels = record(sandbox, "rel", version, namespace)
    return {h["name"]: h["last_run"]["phase"] for h in body.get("hooks") or []}


def test_lifecycle_leaves_the_same_cluster_as_helm(cluster, helm) -> None:
    sandbox, env = cluster
    for step, argv in enumerate(STEPS, start=1):
        ours = run([*PYHELM, *argv, "-n", "ours"], env)
        theirs = run([helm, *argv, "-n", "theirs"], env)
        assert ours.returncode == theirs.returncode == 0, (argv, ours.stderr, theirs.stderr)
        assert _cluster_state(sandbox, "ours") == _cluster_state(sandbox, "theirs"), argv
        if argv[0] in ("test", "uninstall"):
            assert _masked(ours.stdout, "ours") == _masked(theirs.stdout, "theirs"), argv
        if argv[0] != "uninstall":
            version = min(step, 3)
            assert _hook_phases(sandbox, "ours", version) == _hook_phases(sandbox, "theirs", version), argv
    assert sandbox.store.get(("apiextensions.k8s.io", "customresourcedefinitions"), "", "widgets.example.com")
    kept = [name for name, _data in _cluster_state(sandbox, "ours")["configmaps"]]
    assert "rel-kept" in kept and "pre-delete-late" in kept and "post-delete-transient" not in kept

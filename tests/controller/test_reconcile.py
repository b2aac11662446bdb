"""The controller keeps a Stack from a ConfigMap applied: installed and Ready, upgraded on a change,
suspended, pruned or not, drift corrected or reported."""
from __future__ import annotations

from harness import stack_file, wait_for


def _shop(cluster, releases: dict, **spec) -> None:
    cluster.namespace("apps")
    cluster.config_map("apps", "web-files", {"stack.yaml": stack_file(releases)})
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}, **spec})


def test_a_configmap_stack_is_installed_ready_and_upgraded_on_a_change(cluster) -> None:
    controller = cluster.start_controller()
    _shop(cluster, {"front": {"replicaCount": 1}, "back": {"replicaCount": 1}})
    status = cluster.wait_ready("apps", "web")
    assert cluster.revision("team-a", "front") == (1, "deployed")
    assert cluster.revision("team-a", "back") == (1, "deployed")
    assert status["observedGeneration"] == 1 and status["lastAppliedDigest"].startswith("sha256:")
    assert {r["id"]: (r["state"], r["revision"]) for r in status["releases"]} == {
        "team-a/front": ("deployed", 1), "team-a/back": ("deployed", 1)}
    assert status["lastPlan"]["summary"]["install"] == 2
    assert any(e["reason"] == "ReconciliationSucceeded" and e["type"] == "Normal"
               for e in cluster.events("apps", "web"))
    first_digest = status["lastAppliedDigest"]

    cluster.config_map("apps", "web-files", {"stack.yaml": stack_file({"front": {"replicaCount": 3},
                                                                       "back": {"replicaCount": 1}})})
    wait_for(lambda: cluster.revision("team-a", "front") == (2, "deployed"), "front to be upgraded")
    status = wait_for(lambda: (s := cluster.get_stack("apps", "web")["status"])["lastAppliedDigest"] != first_digest
                      and s, "the new digest in the status")
    assert cluster.revision("team-a", "back") == (1, "deployed")
    deployment = cluster.sandbox.store.get(("apps", "deployments"), "team-a", "front-demo")
    assert deployment["spec"]["replicas"] == 3
    assert controller.metric("pyhelm_controller_releases", stack="apps/web", state="deployed") == 2


def test_suspend_stops_reconciling(cluster) -> None:
    controller = cluster.start_controller()
    _shop(cluster, {"front": {"replicaCount": 1}})
    cluster.wait_ready("apps", "web")
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}, "suspend": True})
    wait_for(lambda: cluster.condition("apps", "web", "Reconciling").get("reason") == "Suspended", "Suspended")
    cluster.config_map("apps", "web-files", {"stack.yaml": stack_file({"front": {"replicaCount": 2}})})
    passes = controller.metric("pyhelm_controller_reconcile_total", stack="apps/web", outcome="suspended")
    wait_for(lambda: controller.metric("pyhelm_controller_reconcile_total", stack="apps/web",
                                       outcome="suspended") >= passes + 2, "two suspended passes")
    assert cluster.revision("team-a", "front") == (1, "deployed")
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}, "suspend": False})
    wait_for(lambda: cluster.revision("team-a", "front") == (2, "deployed"), "the upgrade once resumed")


def test_prune_decides_whether_releases_dropped_from_the_stack_are_uninstalled(cluster) -> None:
    cluster.start_controller()
    _shop(cluster, {"front": {}, "back": {}}, prune=False)
    cluster.wait_ready("apps", "web")
    cluster.config_map("apps", "web-files", {"stack.yaml": stack_file({"front": {}})})
    wait_for(lambda: len(cluster.get_stack("apps", "web")["status"]["releases"]) == 1, "a pass over the new files")
    cluster.wait_ready("apps", "web")
    assert cluster.revision("team-a", "back") == (1, "deployed")
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}, "prune": True})
    wait_for(lambda: cluster.records("team-a", "back") == [], "back to be uninstalled")
    assert cluster.revision("team-a", "front") == (1, "deployed")


def _drift(cluster) -> None:
    cluster.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "front-demo", "namespace": "team-a"},
                   "data": {"greeting": "changed by hand"}})


def _greeting(cluster) -> str:
    return cluster.sandbox.store.get(("", "configmaps"), "team-a", "front-demo")["data"]["greeting"]


def test_drift_is_corrected_when_asked(cluster) -> None:
    cluster.start_controller()
    _shop(cluster, {"front": {}}, driftDetection="correct")
    cluster.wait_ready("apps", "web")
    _drift(cluster)
    wait_for(lambda: cluster.revision("team-a", "front") == (2, "deployed"), "the upgrade taking the drift back")
    assert _greeting(cluster) == "Hello from pyhelm"
    wait_for(lambda: any(e["reason"] == "DriftDetected" and "front-demo" in e["message"]
                         for e in cluster.events("apps", "web")), "a DriftDetected event")


def test_drift_is_only_reported_with_warn(cluster) -> None:
    controller = cluster.start_controller()
    _shop(cluster, {"front": {}}, driftDetection="warn")
    cluster.wait_ready("apps", "web")
    _drift(cluster)
    wait_for(lambda: any(e["reason"] == "DriftDetected" and "front-demo" in e["message"]
                         for e in cluster.events("apps", "web")), "a DriftDetected event")
    wait_for(lambda: "front-demo" in " ".join(cluster.get_stack("apps", "web")["status"].get("drift") or []),
             "the drift in the status")  # written after the event
    assert controller.metric("pyhelm_controller_drift_found_total", stack="apps/web") >= 1
    assert _greeting(cluster) == "changed by hand"
    assert cluster.revision("team-a", "front") == (1, "deployed")


def test_pyhelm_plan_shows_the_plan_the_controller_runs(cluster, tmp_path, capsys) -> None:
    from engine.cli.main import main

    cluster.start_controller()
    _shop(cluster, {"front": {}})
    cluster.wait_ready("apps", "web")
    local = tmp_path / "stack.yaml"
    local.write_text(stack_file({"front": {}}))
    plan = ["--kubeconfig", str(cluster.kubeconfig), "plan", "-f", str(local), "-e", "prod", "--detailed-exitcode"]
    assert main(plan) == 0
    assert "Plan: 0 to install, 0 to upgrade, 0 to uninstall, 1 unchanged." in capsys.readouterr().out

    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}, "suspend": True})
    wait_for(lambda: cluster.condition("apps", "web", "Reconciling").get("reason") == "Suspended", "Suspended")
    changed = stack_file({"front": {"replicaCount": 2}, "extra": {}})
    local.write_text(changed)
    cluster.config_map("apps", "web-files", {"stack.yaml": changed})
    assert main(plan) == 2
    assert "Plan: 1 to install, 1 to upgrade, 0 to uninstall, 0 unchanged." in capsys.readouterr().out
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}, "suspend": False})
    wait_for(lambda: cluster.revision("team-a", "extra") == (1, "deployed"), "the controller to apply it")
    status = cluster.wait_ready("apps", "web")
    assert {k: v for k, v in status["lastPlan"]["summary"].items() if v} == {"install": 1, "upgrade": 1}

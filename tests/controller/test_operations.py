"""Operating the controller: probes and metrics, graceful shutdown on SIGTERM, failures retried with
back-off, invalid Stacks Stalled, and `pyhelm controller status`."""
from __future__ import annotations

import signal

from harness import DEMO_CHART, stack_file, wait_for

from engine.cli.main import main


def test_probes_and_metrics(cluster) -> None:
    controller = cluster.start_controller()
    assert controller.get("/healthz").status_code == 200
    wait_for(lambda: controller.get("/readyz").status_code == 200, "/readyz")
    cluster.namespace("apps")
    cluster.config_map("apps", "web-files", {"stack.yaml": stack_file({"front": {}})})
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}})
    cluster.wait_ready("apps", "web")
    text = controller.get("/metrics").text
    assert 'pyhelm_controller_reconcile_total{outcome="applied",stack="apps/web"} 1.0' in text
    assert "pyhelm_controller_reconcile_duration_seconds_bucket" in text
    assert 'pyhelm_controller_leader{shard="default"} 1.0' in text
    assert all(line.get("level") != "raw" for line in controller.logs())  # every log line is JSON


def test_sigterm_stops_gracefully_and_hands_the_lease_back(cluster) -> None:
    controller = cluster.start_controller()
    wait_for(lambda: controller.get("/readyz").status_code == 200, "/readyz")
    controller.process.send_signal(signal.SIGTERM)
    assert controller.process.wait(30) == 0
    lease = cluster.sandbox.store.get(("coordination.k8s.io", "leases"), "default", "pyhelm-controller-default")
    assert lease["spec"]["holderIdentity"] == ""
    assert controller.logs()[-1]["msg"] == "controller stopped"


def test_a_missing_source_is_retried_and_an_invalid_stack_stalls(cluster) -> None:
    cluster.start_controller()
    cluster.namespace("apps")
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}})
    ready = wait_for(lambda: (c := cluster.condition("apps", "web", "Ready")).get("reason") == "SourceUnavailable"
                     and c, "SourceUnavailable")
    assert ready["status"] == "False" and "ConfigMap apps/web-files" in ready["message"]
    assert cluster.condition("apps", "web", "Reconciling")["status"] == "True"
    cluster.config_map("apps", "web-files", {"stack.yaml": "releases: [oops"})
    stalled = wait_for(lambda: (c := cluster.condition("apps", "web", "Stalled")).get("status") == "True" and c,
                       "Stalled")
    assert stalled["reason"] == "InvalidStack"
    assert stalled["message"].startswith("ConfigMap web-files: stack.yaml:2: invalid YAML")
    cluster.config_map("apps", "web-files", {"stack.yaml": stack_file({"front": {}})})
    cluster.wait_ready("apps", "web")


def test_an_invalid_spec_stalls_with_the_field_named(cluster) -> None:
    cluster.start_controller()
    cluster.namespace("apps")
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "a"}, "oci": {"url": "oci://r/x:1"}}})
    stalled = wait_for(lambda: (c := cluster.condition("apps", "web", "Stalled")).get("status") == "True" and c,
                       "Stalled")
    assert stalled["reason"] == "InvalidSpec" and "spec.source: set exactly one" in stalled["message"]


def test_controller_status_lists_stacks_and_conditions(cluster, capsys, monkeypatch) -> None:
    cluster.start_controller()
    cluster.namespace("apps")
    cluster.config_map("apps", "web-files", {"stack.yaml": stack_file({"front": {}})})
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}})
    cluster.stack("apps", "broken", {"source": {"configMap": {"name": "missing"}}})
    cluster.wait_ready("apps", "web")
    wait_for(lambda: cluster.condition("apps", "broken", "Ready").get("reason"), "broken's status")
    monkeypatch.setenv("KUBECONFIG", str(cluster.kubeconfig))
    assert main(["controller", "status", "-A"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["NAMESPACE", "NAME", "ENVIRONMENT", "READY", "REASON", "REVISIONS", "MESSAGE"]
    rows = {line.split()[1]: line.split() for line in out[1:]}
    assert rows["web"][:7] == ["apps", "web", "prod", "True", "ReconciliationSucceeded", "1/1", "deployed"]
    assert rows["broken"][3:5] == ["False", "SourceUnavailable"]


def test_sigterm_during_an_apply_fails_the_release_in_flight_cleanly(cluster, tmp_path) -> None:
    import yaml

    from harness import assert_sound_histories

    marker = tmp_path / "hook-started"
    stack = yaml.safe_load(stack_file({"front": {}, "back": {}}))
    stack["releases"][1]["needs"] = ["front"]
    stack["releases"][1]["hooks"] = [{"events": ["presync"], "command": "sh", "timeout": "5m",
                                      "args": ["-c", f"touch {marker}; sleep 120"]}]
    controller = cluster.start_controller()
    cluster.namespace("apps")
    cluster.config_map("apps", "web-files", {"stack.yaml": yaml.safe_dump(stack)})
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}})
    wait_for(marker.exists, "back's presync hook to run")
    controller.process.send_signal(signal.SIGTERM)
    assert controller.process.wait(30) == 0
    ready = cluster.condition("apps", "web", "Ready")
    assert ready["status"] == "False" and ready["reason"] == "Interrupted"
    assert cluster.revision("team-a", "front") == (1, "deployed")
    assert cluster.records("team-a", "back") == []
    assert_sound_histories(cluster, [("team-a", "front")])


def test_failures_are_retried_then_the_stack_stalls_until_it_succeeds(cluster, tmp_path) -> None:
    controller = cluster.start_controller()
    cluster.namespace("apps")
    broken = stack_file({"front": {}}).replace(str(DEMO_CHART), str(tmp_path / "nochart"))
    cluster.config_map("apps", "web-files", {"stack.yaml": broken})
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "web-files"}}, "retries": 2})
    stalled = wait_for(lambda: (c := cluster.condition("apps", "web", "Stalled")).get("status") == "True" and c,
                       "Stalled after the retries")
    assert stalled["reason"] == "RetriesExhausted" and "failed 3 times in a row" in stalled["message"]
    assert controller.metric("pyhelm_controller_reconcile_total", stack="apps/web", outcome="failed") == 2
    cluster.config_map("apps", "web-files", {"stack.yaml": stack_file({"front": {}})})
    status = cluster.wait_ready("apps", "web")
    assert status["failures"] == 0 and cluster.condition("apps", "web", "Stalled")["status"] == "False"


def test_without_the_stack_crd_the_controller_is_not_ready_and_says_why(cluster) -> None:
    from engine.kube.client import ObjectRef

    cluster.kube.delete(ObjectRef("apiextensions.k8s.io/v1", "CustomResourceDefinition", "",
                                  "stacks.pyhelm.dev"))
    wait_for(lambda: cluster.sandbox.store.get(("apiextensions.k8s.io", "customresourcedefinitions"), "",
                                               "stacks.pyhelm.dev") is None, "the CRD to be gone")
    controller = cluster.start_controller()
    wait_for(lambda: any("listing or watching Stacks failed" in line["msg"] for line in controller.logs()),
             "the failure in the log")
    assert controller.get("/readyz").status_code == 503
    assert controller.get("/healthz").status_code == 200

"""Drift a reviewer can see and apply can take back: `plan --detect-drift` shows, per object, the last applied
fields against their live values; `apply --detect-drift` restores them; a plain apply that meets a field
another manager took over says how to proceed."""
from __future__ import annotations

import os

from stack.test_plan_apply import TOKEN, pyhelm, shop  # noqa: F401


def _kube():
    from engine.kube.client import KubeClient

    return KubeClient.from_config(os.environ["KUBECONFIG"])


def _api_config(kube) -> dict:
    return kube.get(kube.ref({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "api-demo",
                                                                                    "namespace": "shop"}}))


def _drift(kube) -> None:
    """What someone does by hand: scale a Deployment, edit a ConfigMap, delete a Service."""
    scale = kube.ref({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web-demo",
                                                                                 "namespace": "shop"}})
    kube.patch(scale, {"spec": {"replicas": 7}}, "application/merge-patch+json", field_manager="kubectl-scale")
    config = _api_config(kube)
    key = sorted(config["data"])[0]
    kube.patch(kube.ref(config), {"data": {key: "edited-by-hand"}}, "application/merge-patch+json",
               field_manager="kubectl-patch")
    kube.delete(kube.ref({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "cache-demo",
                                                                             "namespace": "shop"}}))


def _applied_then_drifted(stack: str):
    """Apply staging, then drift it by hand; returns a client of the cluster."""
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    kube = _kube()
    _drift(kube)
    return kube


def test_plan_shows_each_drifted_object_as_a_diff(shop) -> None:  # noqa: F811
    _sandbox, stack = shop
    kube = _applied_then_drifted(stack)
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging", "--detect-drift", "--detailed-exitcode")
    assert status == 2
    assert "Deployment.apps shop/web-demo was changed outside the release" in out
    assert "      drift Deployment.apps shop/web-demo:\n" in out
    assert "        --- a/Deployment.apps shop/web-demo (last applied)\n" in out
    assert "        -  replicas: 1\n" in out and "        +  replicas: 7\n" in out
    assert "+  " in out and "edited-by-hand" in out
    assert "Service shop/cache-demo is missing" in out and "      missing Service shop/cache-demo:\n" in out
    assert "status:" not in out.split("drift Deployment.apps shop/web-demo:")[1].split("drift ")[0]
    assert TOKEN not in out


def test_apply_with_detect_drift_takes_it_back_and_plain_apply_says_how(shop) -> None:  # noqa: F811
    _sandbox, stack = shop
    kube = _applied_then_drifted(stack)
    status, out, _err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve", "--detect-drift")
    assert status == 0, out
    assert "edited-by-hand" not in str(_api_config(kube)["data"])
    web = kube.get(kube.ref({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web-demo",
                                                                                        "namespace": "shop"}}))
    assert web["spec"]["replicas"] == 1
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging", "--detect-drift", "--detailed-exitcode")
    assert status == 0, out

    _drift(kube)
    status, out, _err = pyhelm("apply", "-f", stack, "-e", "staging", "-l", "name=api", "--skip-needs",
                               "--auto-approve", "--detect-drift")
    assert status == 0, out
    config = _api_config(kube)
    key = sorted(config["data"])[0]
    kube.patch(kube.ref(config), {"data": {key: "edited-again"}}, "application/merge-patch+json",
               field_manager="kubectl-patch")
    # a change to the release itself (not drift) upgrades over the field kubectl-patch now owns
    status, out, _err = pyhelm("apply", "-f", stack, "-e", "staging", "-l", "name=api", "--skip-needs",
                               "--env-set", "replicas=2", "--auto-approve")
    assert status == 1
    assert 'conflict with "kubectl-patch"' in out
    assert "set `force: true` on release shop/api (" in out and "`pyhelm apply --detect-drift`" in out

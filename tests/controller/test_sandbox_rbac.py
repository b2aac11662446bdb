"""The sandbox authorizes impersonated requests with RBAC (and only those), and keeps what /status writes."""
from __future__ import annotations

import pytest

from engine.kube.client import KubeClient, KubeError, ObjectRef

RBAC = "rbac.authorization.k8s.io/v1"


def _as(cluster, user: str) -> KubeClient:
    kube = KubeClient.from_config(str(cluster.kubeconfig))
    kube.impersonate(user)
    return kube


def test_impersonated_requests_get_only_what_their_roles_grant(cluster) -> None:
    cluster.namespace("team")
    cluster.apply({"apiVersion": RBAC, "kind": "Role", "metadata": {"name": "read-cm", "namespace": "team"},
                   "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"],
                              "resourceNames": []}]})
    cluster.apply({"apiVersion": RBAC, "kind": "RoleBinding", "metadata": {"name": "read-cm", "namespace": "team"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "read-cm"},
                   "subjects": [{"kind": "Group", "name": "system:serviceaccounts:team",
                                 "apiGroup": "rbac.authorization.k8s.io"}]})
    cluster.config_map("team", "settings", {"a": "b"})
    reader = _as(cluster, "system:serviceaccount:team:app")
    assert reader.get(ObjectRef("v1", "ConfigMap", "team", "settings"))["data"] == {"a": "b"}
    with pytest.raises(KubeError) as refused:
        reader.delete(ObjectRef("v1", "ConfigMap", "team", "settings"))
    assert refused.value.status == 403
    assert ('configmaps "settings" is forbidden: User "system:serviceaccount:team:app" cannot delete resource '
            '"configmaps" in API group "" in the namespace "team"') in str(refused.value)
    with pytest.raises(KubeError):
        _as(cluster, "system:serviceaccount:other:app").get(ObjectRef("v1", "ConfigMap", "team", "settings"))
    assert KubeClient.from_config(str(cluster.kubeconfig)).delete(ObjectRef("v1", "ConfigMap", "team", "settings"))


def test_a_status_write_keeps_the_status_sent(cluster) -> None:
    cluster.namespace("apps")
    cluster.stack("apps", "web", {"source": {"configMap": {"name": "files"}}})
    path = "/apis/pyhelm.dev/v1alpha1/namespaces/apps/stacks/web"
    cluster.kube.request("PATCH", f"{path}/status", {"status": {"observedGeneration": 1}},
                         content_type="application/merge-patch+json")
    assert cluster.get_stack("apps", "web")["status"] == {"observedGeneration": 1}
    cluster.kube.request("PATCH", path, {"spec": {"suspend": True}, "status": {"observedGeneration": 9}},
                         content_type="application/merge-patch+json")
    assert cluster.get_stack("apps", "web")["status"] == {"observedGeneration": 1}

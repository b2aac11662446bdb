"""The controller acts as the Stack's service account: what the account may do is applied, what it may not
leaves the Stack Stalled with a clear reason and the cluster untouched."""
from __future__ import annotations

from harness import stack_file, wait_for

RBAC = "rbac.authorization.k8s.io/v1"


def _account(cluster, namespace: str, name: str) -> None:
    cluster.apply({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}})


def _grant(cluster, namespace: str, account: str) -> None:
    """Everything in its own namespace, and reading release records everywhere (the plan looks for releases
    the stack installed and no longer lists)."""
    cluster.apply({"apiVersion": RBAC, "kind": "Role", "metadata": {"name": "all", "namespace": namespace},
                   "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]})
    cluster.apply({"apiVersion": RBAC, "kind": "RoleBinding", "metadata": {"name": "all", "namespace": namespace},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "all"},
                   "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}]})
    cluster.apply({"apiVersion": RBAC, "kind": "ClusterRole", "metadata": {"name": "read-records"},
                   "rules": [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}]})
    cluster.apply({"apiVersion": RBAC, "kind": "ClusterRoleBinding", "metadata": {"name": f"read-records-{account}"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "read-records"},
                   "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}]})


def _tenant_stack(cluster, name: str, release_namespace: str) -> None:
    files = stack_file({"svc": {}}, namespace=release_namespace, name=name)
    cluster.config_map("tenant", f"{name}-files", {"stack.yaml": files.replace("createNamespace: true",
                                                                               "createNamespace: false")})
    cluster.stack("tenant", name, {"source": {"configMap": {"name": f"{name}-files"}},
                                   "serviceAccountName": "deployer"})


def test_the_stack_applies_what_its_account_may_and_stalls_on_the_rest(cluster) -> None:
    for namespace in ("tenant", "elsewhere"):
        cluster.namespace(namespace)
    _account(cluster, "tenant", "deployer")
    _grant(cluster, "tenant", "deployer")
    cluster.start_controller()
    _tenant_stack(cluster, "own", "tenant")
    _tenant_stack(cluster, "foreign", "elsewhere")
    cluster.wait_ready("tenant", "own")
    assert cluster.revision("tenant", "svc") == (1, "deployed")

    stalled = wait_for(lambda: (c := cluster.condition("tenant", "foreign", "Stalled")).get("status") == "True" and c,
                       "the foreign Stack to be Stalled")
    assert stalled["reason"] == "Forbidden"
    assert 'User "system:serviceaccount:tenant:deployer" cannot' in stalled["message"]
    assert 'in the namespace "elsewhere"' in stalled["message"]
    assert cluster.condition("tenant", "foreign", "Ready")["status"] == "False"
    assert any(e["reason"] == "Forbidden" and e["type"] == "Warning" for e in cluster.events("tenant", "foreign"))
    touched = [key for bucket in cluster.sandbox.store.buckets.values() for key in bucket if key[0] == "elsewhere"]
    assert touched == []

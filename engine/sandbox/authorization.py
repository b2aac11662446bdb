"""RBAC for impersonated requests (``Impersonate-User``): the sandbox trusts its own clients, but a request
made as another user is allowed only what that user's Roles and ClusterRoles grant, as kube-apiserver's RBAC
authorizer decides (bindings' subjects, rules' apiGroups/resources/verbs/resourceNames)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from engine.sandbox.errors import APIError
from engine.sandbox.store import Store

RBAC = "rbac.authorization.k8s.io"
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"


@dataclass(frozen=True)
class Attributes:
    """What one request asks to do."""

    verb: str
    group: str
    resource: str  # plural, with "/subresource" when one is named
    namespace: str  # "" for cluster-scoped resources and requests across all namespaces
    name: str


def request_verb(method: str, name: str, watch: bool) -> str:
    if method == "GET":
        return "watch" if watch else ("get" if name else "list")
    return {"POST": "create", "PUT": "update", "PATCH": "patch"}.get(method) or (
        "delete" if name else "deletecollection")


def groups_of(user: str, groups: list[str]) -> list[str]:
    """The groups of an impersonated user: those sent, or a service account's implied ones."""
    if groups or not user.startswith(SERVICE_ACCOUNT_PREFIX):
        return [*groups, "system:authenticated"]
    namespace = user[len(SERVICE_ACCOUNT_PREFIX):].split(":", 1)[0]
    return ["system:serviceaccounts", f"system:serviceaccounts:{namespace}", "system:authenticated"]


def _matches_subject(subject: dict[str, Any], user: str, groups: list[str], binding_namespace: str) -> bool:
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return name == user
    if kind == "Group":
        return name in groups
    if kind == "ServiceAccount":
        return user == f"{SERVICE_ACCOUNT_PREFIX}{subject.get('namespace') or binding_namespace}:{name}"
    return False


def _allows(rule: dict[str, Any], request: Attributes) -> bool:
    def has(field: str, value: str) -> bool:
        values = rule.get(field) or []
        return "*" in values or value in values

    names = rule.get("resourceNames") or []
    return (has("verbs", request.verb) and has("apiGroups", request.group) and has("resources", request.resource)
            and (not names or request.name in names))


def _bound_rules(store: Store, user: str, groups: list[str], namespace: str) -> Iterator[dict[str, Any]]:
    """Every rule granted to the user cluster-wide, and in ``namespace`` when one is given."""
    bindings = [(b, "") for b in store.items((RBAC, "clusterrolebindings"), None)]
    if namespace:
        bindings += [(b, namespace) for b in store.items((RBAC, "rolebindings"), namespace)]
    for binding, where in bindings:
        if not any(_matches_subject(s, user, groups, where) for s in binding.get("subjects") or []):
            continue
        ref = binding.get("roleRef") or {}
        role = store.get((RBAC, "clusterroles"), "", ref.get("name", "")) if ref.get("kind") == "ClusterRole" \
            else store.get((RBAC, "roles"), where, ref.get("name", ""))
        yield from (role or {}).get("rules") or []


def authorize(store: Store, user: str, groups: list[str], request: Attributes) -> None:
    """Raise 403 Forbidden (worded as kube-apiserver) unless the user's RBAC rules allow ``request``."""
    everyone = groups_of(user, groups)
    if any(_allows(rule, request) for rule in _bound_rules(store, user, everyone, request.namespace)):
        return
    what = f'{request.resource} "{request.name}"' if request.name else request.resource
    where = f' in the namespace "{request.namespace}"' if request.namespace else " at the cluster scope"
    raise APIError(403, "Forbidden", f'{what} is forbidden: User "{user}" cannot {request.verb} resource '
                                     f'"{request.resource}" in API group "{request.group}"{where}',
                   {"group": request.group, "kind": request.resource.split("/")[0], "name": request.name})

"""The rbac group (``pkg/apis/rbac/validation``): ValidatePolicyRule, ValidateRoleBinding(Update),
ValidateRoleBindingSubject."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation import names
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules

GROUP = "rbac.authorization.k8s.io"


def _rules(errors: Errors, rules: Any, namespaced: bool) -> None:
    for i, rule in enumerate(rules or []):
        rule, here = rule or {}, f"rules[{i}]"
        if not rule.get("verbs"):
            errors.required(f"{here}.verbs", "verbs must contain at least one value")
        if rule.get("nonResourceURLs"):
            if namespaced:
                errors.invalid(f"{here}.nonResourceURLs", rule["nonResourceURLs"],
                               "namespaced rules cannot apply to non-resource URLs")
            if rule.get("apiGroups") or rule.get("resources"):
                errors.invalid(f"{here}.nonResourceURLs", rule["nonResourceURLs"],
                               "rules cannot apply to both regular resources and non-resource URLs")
            continue
        if not rule.get("apiGroups"):
            errors.required(f"{here}.apiGroups", "resource rules must supply at least one api group")
        if not rule.get("resources"):
            errors.required(f"{here}.resources", "resource rules must supply at least one resource")


def role(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    _rules(errors, obj.get("rules"), namespaced=True)


def cluster_role(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    if obj.get("aggregationRule") is not None and obj.get("rules"):
        return
    _rules(errors, obj.get("rules"), namespaced=False)


def _binding(errors: Errors, obj: dict[str, Any], kinds: list[str], cluster: bool) -> None:
    ref = obj.get("roleRef") or {}
    if ref.get("apiGroup") != GROUP:
        errors.not_supported("roleRef.apiGroup", ref.get("apiGroup", ""), [GROUP])
    if ref.get("kind") not in kinds:
        errors.not_supported("roleRef.kind", ref.get("kind", ""), kinds)
    if not ref.get("name"):
        errors.required("roleRef.name")
    else:
        errors.messages("roleRef.name", ref["name"], names.path_segment_name(ref["name"]))
    for i, subject in enumerate(obj.get("subjects") or []):
        subject, here = subject or {}, f"subjects[{i}]"
        if not subject.get("name"):
            errors.required(f"{here}.name")
        kind = subject.get("kind")
        if kind == "ServiceAccount":
            if subject.get("name"):
                errors.messages(f"{here}.name", subject["name"], names.dns1123_subdomain(subject["name"]))
            if subject.get("apiGroup"):
                errors.not_supported(f"{here}.apiGroup", subject["apiGroup"], [""])
            if cluster and not subject.get("namespace"):
                errors.required(f"{here}.namespace")
        elif kind in ("User", "Group"):
            if subject.get("apiGroup") != GROUP:
                errors.not_supported(f"{here}.apiGroup", subject.get("apiGroup", ""), [GROUP])
        else:
            errors.not_supported(f"{here}.kind", kind or "", ["ServiceAccount", "User", "Group"])


def role_binding(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    _binding(errors, obj, ["Role", "ClusterRole"], cluster=False)


def cluster_role_binding(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    _binding(errors, obj, ["ClusterRole"], cluster=True)


def binding_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    """ValidateRoleBindingUpdate: a binding's roleRef is fixed; bind another role with a new binding."""
    if new.get("roleRef") != old.get("roleRef"):
        ref = new.get("roleRef") or {}
        errors.invalid("roleRef", {"APIGroup": ref.get("apiGroup", ""), "Kind": ref.get("kind", ""),
                                   "Name": ref.get("name", "")}, "cannot change roleRef")


RULES = {
    "Role": Rules(name=names.path_segment_name, check=role),
    "ClusterRole": Rules(name=names.path_segment_name, check=cluster_role),
    "RoleBinding": Rules(name=names.path_segment_name, check=role_binding, update=binding_update),
    "ClusterRoleBinding": Rules(name=names.path_segment_name, check=cluster_role_binding, update=binding_update),
}

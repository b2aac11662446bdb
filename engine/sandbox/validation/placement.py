"""Where a pod may run (``pkg/apis/core/validation``: ValidateTolerations, validateAffinity,
ValidateNodeSelector, ValidateNodeSelectorRequirement, validatePodAffinityTerm, ValidatePreferredSchedulingTerms,
validateTopologySpreadConstraints)."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation import names
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.selectors import label_selector

TOLERATION_OPERATORS = ["Equal", "Exists"]
TAINT_EFFECTS = ["NoExecute", "NoSchedule", "PreferNoSchedule"]
UNSATISFIABLE_ACTIONS = ["DoNotSchedule", "ScheduleAnyway"]
INCLUSION_POLICIES = ["Honor", "Ignore"]


def tolerations(errors: Errors, values: Any, path: str) -> None:
    """ValidateTolerations: operator and effect from their sets, no value with Exists, a key with Equal."""
    for i, toleration in enumerate(values or []):
        toleration, here = toleration or {}, f"{path}[{i}]"
        key, operator = toleration.get("key") or "", toleration.get("operator") or "Equal"
        if key:
            errors.messages(f"{here}.key", key, names.qualified_name(key))
        elif operator != "Exists":
            errors.invalid(f"{here}.operator", operator, "operator must be Exists when `key` is empty, which means "
                                                         "\"match all values and all keys\"")
        if operator == "Exists" and toleration.get("value"):
            errors.invalid(f"{here}.operator", toleration.get("value"),
                           "value must be empty when `operator` is 'Exists'")
        elif operator == "Equal":
            errors.messages(f"{here}.value", toleration.get("value") or "",
                            names.label_value(toleration.get("value") or ""))
        elif operator != "Exists":
            errors.not_supported(f"{here}.operator", operator, TOLERATION_OPERATORS)
        if toleration.get("tolerationSeconds") is not None and toleration.get("effect") != "NoExecute":
            errors.invalid(f"{here}.effect", toleration.get("effect") or "",
                           "effect must be 'NoExecute' when `tolerationSeconds` is set")
        if toleration.get("effect"):
            if toleration["effect"] not in TAINT_EFFECTS:
                errors.not_supported(f"{here}.effect", toleration["effect"], TAINT_EFFECTS)


def _node_requirement(errors: Errors, requirement: Any, path: str) -> None:
    """ValidateNodeSelectorRequirement: the operator's value count, then the key as a label name."""
    requirement = requirement or {}
    operator, values = requirement.get("operator"), requirement.get("values") or []
    if operator in ("In", "NotIn"):
        if not values:
            errors.required(f"{path}.values", "must be specified when `operator` is 'In' or 'NotIn'")
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            errors.forbidden(f"{path}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
    elif operator in ("Gt", "Lt"):
        if len(values) != 1:
            errors.required(f"{path}.values", "must be specified single value when `operator` is 'Lt' or 'Gt'")
    else:
        errors.invalid(f"{path}.operator", operator, "not a valid selector operator")
    key = str(requirement.get("key") or "")
    errors.messages(f"{path}.key", key, names.qualified_name(key))


def _node_term(errors: Errors, term: Any, path: str) -> None:
    for i, requirement in enumerate((term or {}).get("matchExpressions") or []):
        _node_requirement(errors, requirement, f"{path}.matchExpressions[{i}]")


def _pod_term(errors: Errors, term: Any, path: str) -> None:
    """validatePodAffinityTerm: selectors, then a topology key that is a label name."""
    term = term or {}
    label_selector(errors, term.get("labelSelector"), f"{path}.labelSelector")
    label_selector(errors, term.get("namespaceSelector"), f"{path}.namespaceSelector")
    key = str(term.get("topologyKey") or "")
    if not key:
        errors.required(f"{path}.topologyKey", "can not be empty")
    errors.messages(f"{path}.topologyKey", key, names.qualified_name(key))


def _weight(errors: Errors, path: str, weight: Any) -> None:
    if not isinstance(weight, int) or not 1 <= weight <= 100:
        errors.invalid(path, weight, "must be in the range 1-100")


def _pod_affinity(errors: Errors, affinity: Any, path: str) -> None:
    affinity = affinity or {}
    for i, term in enumerate(affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or []):
        _pod_term(errors, term, f"{path}.requiredDuringSchedulingIgnoredDuringExecution[{i}]")
    for i, weighted in enumerate(affinity.get("preferredDuringSchedulingIgnoredDuringExecution") or []):
        here = f"{path}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
        _weight(errors, f"{here}.weight", (weighted or {}).get("weight"))
        _pod_term(errors, (weighted or {}).get("podAffinityTerm"), f"{here}.podAffinityTerm")


def affinity(errors: Errors, value: Any, path: str) -> None:
    """validateAffinity: node affinity terms and weights, pod (anti-)affinity terms."""
    if not isinstance(value, dict):
        return
    node = value.get("nodeAffinity") or {}
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    if isinstance(required, dict):
        here = f"{path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
        terms = required.get("nodeSelectorTerms") or []
        if not terms:
            errors.required(here, "must have at least one node selector term")
        for i, term in enumerate(terms):
            _node_term(errors, term, f"{here}[{i}]")
    for i, weighted in enumerate(node.get("preferredDuringSchedulingIgnoredDuringExecution") or []):
        here = f"{path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
        _weight(errors, f"{here}.weight", (weighted or {}).get("weight"))
        _node_term(errors, (weighted or {}).get("preference"), f"{here}.preference")
    _pod_affinity(errors, value.get("podAffinity"), f"{path}.podAffinity")
    _pod_affinity(errors, value.get("podAntiAffinity"), f"{path}.podAntiAffinity")


def topology_spread(errors: Errors, constraints: Any, path: str) -> None:
    """validateTopologySpreadConstraints: skew, key, action, one constraint per (key, action), min domains."""
    seen: set[tuple[str, str]] = set()
    for i, constraint in enumerate(constraints or []):
        constraint, here = constraint or {}, f"{path}[{i}]"
        skew = constraint.get("maxSkew")
        if not isinstance(skew, int) or skew <= 0:
            errors.invalid(f"{here}.maxSkew", skew, "must be greater than zero")
        key, action = constraint.get("topologyKey") or "", constraint.get("whenUnsatisfiable")
        if not key:
            errors.required(f"{here}.topologyKey", "can not be empty")
        if action not in UNSATISFIABLE_ACTIONS:
            errors.not_supported(f"{here}.whenUnsatisfiable", action, UNSATISFIABLE_ACTIONS)
        if (key, action) in seen:
            errors.duplicate(f"{here}.{{topologyKey, whenUnsatisfiable}}", f"{key},{action}")
        seen.add((key, action))
        domains = constraint.get("minDomains")
        if domains is not None:
            if not isinstance(domains, int) or domains <= 0:
                errors.invalid(f"{here}.minDomains", domains, "must be greater than 0")
            elif action != "DoNotSchedule":
                errors.invalid(f"{here}.minDomains", domains,
                               f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}")
        for policy in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            if constraint.get(policy) is not None and constraint[policy] not in INCLUSION_POLICIES:
                errors.not_supported(f"{here}.{policy}", constraint[policy], INCLUSION_POLICIES)
        label_selector(errors, constraint.get("labelSelector"), f"{here}.labelSelector")

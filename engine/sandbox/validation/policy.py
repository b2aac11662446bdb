"""The policy group (``pkg/apis/policy/validation``): ValidatePodDisruptionBudgetSpec."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation.apps import int_or_percent, not_over_100_percent
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules
from engine.sandbox.validation.selectors import label_selector


def pod_disruption_budget(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        errors.invalid("spec", {"MinAvailable": spec["minAvailable"], "Selector": spec.get("selector"),
                                "MaxUnavailable": spec["maxUnavailable"],
                                "UnhealthyPodEvictionPolicy": spec.get("unhealthyPodEvictionPolicy")},
                       "minAvailable and maxUnavailable cannot be both set")
    for key in ("minAvailable", "maxUnavailable"):
        if spec.get(key) is not None:
            int_or_percent(errors, f"spec.{key}", spec[key])
            not_over_100_percent(errors, f"spec.{key}", spec[key])
    label_selector(errors, spec.get("selector"), "spec.selector")
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in ("IfHealthyBudget", "AlwaysAllow"):
        errors.not_supported("spec.unhealthyPodEvictionPolicy", policy, ["AlwaysAllow", "IfHealthyBudget"])


RULES = {"PodDisruptionBudget": Rules(check=pod_disruption_budget)}

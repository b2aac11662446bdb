"""The scheduling group (``pkg/apis/scheduling/validation``): ValidatePriorityClass(Update)."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules

HIGHEST_USER_PRIORITY = 1_000_000_000
PREEMPTION_POLICIES = ["Never", "PreemptLowerPriority"]


def priority_class(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    """ValidatePriorityClass: user priorities up to a billion (higher ones belong to system- classes)."""
    name = str((obj.get("metadata") or {}).get("name") or "")
    value = obj.get("value")
    if not name.startswith("system-") and isinstance(value, int) and value > HIGHEST_USER_PRIORITY:
        errors.forbidden("value", f"maximum allowed value of a user defined priority is {HIGHEST_USER_PRIORITY}")
    policy = obj.get("preemptionPolicy")
    if policy is not None and policy not in PREEMPTION_POLICIES:
        errors.not_supported("preemptionPolicy", policy, PREEMPTION_POLICIES)


def priority_class_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    """ValidatePriorityClassUpdate: the value and the preemption policy are fixed."""
    if new.get("value") != old.get("value"):
        errors.forbidden("value", "may not be changed in an update.")
    if new.get("preemptionPolicy") != old.get("preemptionPolicy"):
        errors.invalid("preemptionPolicy", new.get("preemptionPolicy"), "field is immutable")


RULES = {"PriorityClass": Rules(check=priority_class, update=priority_class_update)}

"""Label selectors (``apis/meta/v1/validation``: ValidateLabelSelector) and what a selector selects."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation import meta, names
from engine.sandbox.validation.field import Errors

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def label_selector(errors: Errors, selector: Any, path: str) -> bool:
    """Check a selector; True when it is usable (LabelSelectorAsSelector would succeed)."""
    if not isinstance(selector, dict):
        return True
    usable = True
    meta.labels(errors, selector.get("matchLabels"), f"{path}.matchLabels")
    for i, expression in enumerate(selector.get("matchExpressions") or []):
        expression, here = expression or {}, f"{path}.matchExpressions[{i}]"
        operator, values = expression.get("operator"), expression.get("values") or []
        if operator in ("In", "NotIn") and not values:
            errors.required(f"{here}.values", "must be specified when `operator` is 'In' or 'NotIn'")
        elif operator in ("Exists", "DoesNotExist") and values:
            errors.forbidden(f"{here}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
        elif operator not in OPERATORS:
            errors.invalid(f"{here}.operator", operator, "not a valid selector operator")
            usable = False
        errors.messages(f"{here}.key", expression.get("key"), names.qualified_name(str(expression.get("key") or "")))
    return usable


def matches(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    """Whether ``labels`` satisfy ``selector`` (matchLabels and matchExpressions)."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        present = key in labels
        if (operator == "In" and (not present or labels[key] not in values)) or \
                (operator == "NotIn" and present and labels[key] in values) or \
                (operator == "Exists" and not present) or (operator == "DoesNotExist" and present):
            return False
    return True

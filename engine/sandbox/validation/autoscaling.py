"""The autoscaling group (``pkg/apis/autoscaling/validation``): ValidateHorizontalPodAutoscalerSpec,
ValidateCrossVersionObjectReference, validateMetrics, validateMetricSpec, validateMetricTarget, validateBehavior."""
from __future__ import annotations

from typing import Any

from engine.sandbox import quantity
from engine.sandbox.validation import names
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules

METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"]
SELECT_POLICIES = ["Disabled", "Max", "Min"]
SCALING_POLICY_TYPES = ["Percent", "Pods"]
_MAX_STABILIZATION_SECONDS, _MAX_PERIOD_SECONDS = 3600, 1800


def _positive_quantity(errors: Errors, path: str, value: Any) -> None:
    try:
        if value is not None and quantity.value(value) <= 0:
            errors.invalid(path, value, "must be positive")
    except quantity.QuantityError:
        pass


def _target(errors: Errors, target: Any, path: str) -> None:
    """validateMetricTarget."""
    target = target or {}
    kind = target.get("type")
    if not kind:
        errors.required(f"{path}.type", "must specify a metric target type")
    if kind not in ("Utilization", "Value", "AverageValue"):
        errors.invalid(f"{path}.type", kind or "", "must be either Utilization, Value, or AverageValue")
    _positive_quantity(errors, f"{path}.value", target.get("value"))
    _positive_quantity(errors, f"{path}.averageValue", target.get("averageValue"))
    utilization = target.get("averageUtilization")
    if isinstance(utilization, int) and utilization < 1:
        errors.invalid(f"{path}.averageUtilization", utilization, "must be greater than 0")


def _resource_metric(errors: Errors, source: Any, path: str) -> None:
    """validateResourceSource / validateContainerResourceSource: a name, and one kind of average target."""
    source = source or {}
    if not source.get("name"):
        errors.required(f"{path}.name", "must specify a resource name")
    target = source.get("target") or {}
    _target(errors, target, f"{path}.target")
    if target.get("averageUtilization") is None and target.get("averageValue") is None:
        errors.required(f"{path}.target.averageUtilization", "must set either a target raw value or a target "
                                                              "utilization")
    elif target.get("averageUtilization") is not None and target.get("averageValue") is not None:
        errors.forbidden(f"{path}.target.averageValue", "may not set both a target raw value and a target "
                                                         "utilization")


_METRIC_SOURCES = {"Resource": "resource", "ContainerResource": "containerResource", "Pods": "pods",
                   "Object": "object", "External": "external"}


def _metric(errors: Errors, metric: Any, path: str) -> None:
    """validateMetricSpec: a known type whose source is given (and no other source)."""
    metric = metric or {}
    kind = metric.get("type")
    if not kind:
        errors.required(f"{path}.type", "must specify a metric source type")
    if kind not in METRIC_TYPES:
        errors.not_supported(f"{path}.type", kind or "", METRIC_TYPES)
        return
    given = [key for key in _METRIC_SOURCES.values() if metric.get(key) is not None]
    field = _METRIC_SOURCES[kind]
    if metric.get(field) is None:
        errors.required(f"{path}.{field}", f"must populate information for the given metric source (type {kind})")
    if len(given) > 1 or (given and field not in given):
        errors.forbidden(path, "must populate the given metric source only")
    if kind in ("Resource", "ContainerResource") and isinstance(metric.get(field), dict):
        _resource_metric(errors, metric[field], f"{path}.{field}")
    elif isinstance(metric.get(field), dict):
        _target(errors, metric[field].get("target"), f"{path}.{field}.target")


def _scaling_rules(errors: Errors, rules: Any, path: str) -> None:
    """validateScalingRules and validateScalingPolicy."""
    if not isinstance(rules, dict):
        return
    window = rules.get("stabilizationWindowSeconds")
    if isinstance(window, int) and window < 0:
        errors.invalid(f"{path}.stabilizationWindowSeconds", window, "must be greater than or equal to zero")
    elif isinstance(window, int) and window > _MAX_STABILIZATION_SECONDS:
        errors.invalid(f"{path}.stabilizationWindowSeconds", window,
                       f"must be less than or equal to {_MAX_STABILIZATION_SECONDS}")
    if rules.get("selectPolicy") is not None and rules["selectPolicy"] not in SELECT_POLICIES:
        errors.not_supported(f"{path}.selectPolicy", rules["selectPolicy"], SELECT_POLICIES)
    policies = rules.get("policies") or []
    if not policies:
        errors.required(f"{path}.policies", "must specify at least one Policy")
    for i, policy in enumerate(policies):
        policy, here = policy or {}, f"{path}.policies[{i}]"
        if policy.get("type") not in SCALING_POLICY_TYPES:
            errors.not_supported(f"{here}.type", policy.get("type"), SCALING_POLICY_TYPES)
        if not isinstance(policy.get("value"), int) or policy["value"] <= 0:
            errors.invalid(f"{here}.value", policy.get("value"), "must be greater than zero")
        period = policy.get("periodSeconds")
        if not isinstance(period, int) or period <= 0:
            errors.invalid(f"{here}.periodSeconds", period, "must be greater than zero")
        elif period > _MAX_PERIOD_SECONDS:
            errors.invalid(f"{here}.periodSeconds", period, f"must be less than or equal to {_MAX_PERIOD_SECONDS}")


def horizontal_pod_autoscaler(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    ref = spec.get("scaleTargetRef") or {}
    for key in ("kind", "name"):
        if not ref.get(key):
            errors.required(f"spec.scaleTargetRef.{key}")
        else:
            errors.messages(f"spec.scaleTargetRef.{key}", ref[key], names.path_segment_name(ref[key]))
    low, high = spec.get("minReplicas"), spec.get("maxReplicas")
    if isinstance(low, int) and low < 1:
        errors.invalid("spec.minReplicas", low, "must be greater than or equal to 1")
    if isinstance(high, int) and high < 1:
        errors.invalid("spec.maxReplicas", high, "must be greater than 0")
    elif isinstance(high, int) and isinstance(low, int) and high < low:
        errors.invalid("spec.maxReplicas", high, "must be greater than or equal to `minReplicas`")
    for i, metric in enumerate(spec.get("metrics") or []):
        _metric(errors, metric, f"spec.metrics[{i}]")
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        _scaling_rules(errors, behavior.get("scaleUp"), "spec.behavior.scaleUp")
        _scaling_rules(errors, behavior.get("scaleDown"), "spec.behavior.scaleDown")
    percent = spec.get("targetCPUUtilizationPercentage")
    if isinstance(percent, int) and percent < 1:
        errors.invalid("spec.targetCPUUtilizationPercentage", percent, "must be greater than 0")


RULES = {"HorizontalPodAutoscaler": Rules(check=horizontal_pod_autoscaler)}

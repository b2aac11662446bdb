"""The autoscaling group (``pkg/apis/autoscaling/validation``): ValidateHorizontalPodAutoscalerSpec,
ValidateCrossVersionObjectReference, validateMetrics."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation import names
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules

METRIC_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"]


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
        kind = (metric or {}).get("type")
        if kind not in METRIC_TYPES:
            errors.not_supported(f"spec.metrics[{i}].type", kind or "", METRIC_TYPES)
    percent = spec.get("targetCPUUtilizationPercentage")
    if isinstance(percent, int) and percent < 1:
        errors.invalid("spec.targetCPUUtilizationPercentage", percent, "must be greater than 0")


RULES = {"HorizontalPodAutoscaler": Rules(check=horizontal_pod_autoscaler)}

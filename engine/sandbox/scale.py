"""The ``/scale`` subresource of the workload kinds (``autoscaling/v1`` Scale): what ``kubectl scale`` and the
HorizontalPodAutoscaler read and write. The Scale is a view of the object: its spec.replicas, its status's
replica count and its selector as a string (``metav1.LabelSelectorAsSelector``, requirements sorted by key)."""
from __future__ import annotations

import copy
from typing import Any

from engine.sandbox.errors import APIError, bad_request
from engine.sandbox.patches import json_patch, merge_patch
from engine.sandbox.validation.field import Errors, invalid_error

SCALE_API_VERSION = "autoscaling/v1"
# a Scale has no lists, so a strategic merge patch of one is a merge patch
_PATCHES = {"application/merge-patch+json": merge_patch, "application/strategic-merge-patch+json": merge_patch,
            "application/json-patch+json": json_patch}
_METADATA_KEPT = ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")


def selector_string(selector: Any) -> str:
    """A label selector as labels.Selector.String() writes it: ``a=b,c in (d,e),!f``, sorted by key."""
    if not isinstance(selector, dict):
        return ""
    requirements: list[tuple[str, str]] = [(k, f"{k}={v}") for k, v in (selector.get("matchLabels") or {}).items()]
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key", ""), expression.get("operator")
        values = ",".join(sorted(expression.get("values") or []))
        text = {"In": f"{key} in ({values})", "NotIn": f"{key} notin ({values})", "Exists": key,
                "DoesNotExist": f"!{key}"}.get(operator, key)
        requirements.append((key, text))
    return ",".join(text for _key, text in sorted(requirements))


def to_scale(obj: dict[str, Any]) -> dict[str, Any]:
    metadata = obj.get("metadata") or {}
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return {"kind": "Scale", "apiVersion": SCALE_API_VERSION,
            "metadata": {k: metadata[k] for k in _METADATA_KEPT if k in metadata},
            "spec": {"replicas": spec.get("replicas", 0)},
            "status": {"replicas": status.get("replicas", 0), "selector": selector_string(spec.get("selector"))}}


def scaled(obj: dict[str, Any], change: Any, content_type: str | None) -> dict[str, Any]:
    """The object with the replicas a PUT of a Scale (``content_type`` None) or a patch of one asks for;
    a negative count is the 422 ValidateScale answers, a body that is no Scale a 400."""
    if content_type is not None and content_type not in _PATCHES:
        raise APIError(415, "UnsupportedMediaType", f"the media type {content_type!r} is not supported for PATCH")
    scale = _PATCHES[content_type](to_scale(obj), change) if content_type is not None else change
    if not isinstance(scale, dict) or (scale.get("kind") or "Scale") != "Scale":
        raise bad_request("the body of the request was in an unknown format")
    if (scale.get("apiVersion") or SCALE_API_VERSION) != SCALE_API_VERSION:
        raise bad_request(f"the API version in the data ({scale['apiVersion']}) does not match the expected API "
                          f"version ({SCALE_API_VERSION})")
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool):
        raise bad_request(f"Scale in version \"v1\" cannot be handled as a Scale: json: cannot unmarshal "
                          f"{type(replicas).__name__} into Go struct field ScaleSpec.spec.replicas of type int32")
    if replicas < 0:
        errors = Errors()
        errors.non_negative("spec.replicas", replicas)
        raise invalid_error("Scale", "autoscaling", (obj.get("metadata") or {}).get("name", ""), errors)
    result = copy.deepcopy(obj)
    result.setdefault("spec", {})["replicas"] = replicas
    return result

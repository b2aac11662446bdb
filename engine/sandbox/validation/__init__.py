"""Validation as kube-apiserver applies it before storing an object: ObjectMeta for every kind, then the
kind's own rules from its API group's table, then (on update) what may not change. Failures are one
``422 Invalid`` error with a cause per field; warnings are returned for the response's Warning headers."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation import (admissionregistration, apiextensions, apps, autoscaling, batch, core,
                                       custom, meta, networking, policy, rbac, scheduling, storage)
from engine.sandbox.validation.field import Errors, invalid_error
from engine.sandbox.validation.rules import Rules

GROUPS: dict[str, dict[str, Rules]] = {
    "": core.RULES, "apps": apps.RULES, "batch": batch.RULES, "networking.k8s.io": networking.RULES,
    "rbac.authorization.k8s.io": rbac.RULES, "policy": policy.RULES, "autoscaling": autoscaling.RULES,
    "storage.k8s.io": storage.RULES, "admissionregistration.k8s.io": admissionregistration.RULES,
    "apiextensions.k8s.io": apiextensions.RULES, "scheduling.k8s.io": scheduling.RULES,
}


def validate(group: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None = None,
             schema: dict[str, Any] | None = None) -> list[str]:
    """Raise the 422 a real server answers for ``obj`` (``old`` on update; ``schema``: a custom kind's
    openAPIV3Schema); return the warnings of an accepted object."""
    rules = GROUPS.get(group, {}).get(kind, Rules())
    errors, warnings = Errors(), []
    metadata = obj.get("metadata") or {}
    meta.object_meta(errors, metadata, rules.name)
    if old is not None:
        meta.object_meta_update(errors, metadata, old.get("metadata") or {})
    if rules.check is not None:
        rules.check(errors, obj, warnings)
    if schema is not None:
        custom.validate_object(errors, schema, obj, warnings, old)
    if old is not None and rules.update is not None:
        rules.update(errors, obj, old)
    if errors:
        raise invalid_error(kind, group, metadata.get("name") or "", errors)
    return warnings

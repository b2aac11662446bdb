"""ObjectMeta validation (apimachinery ``api/validation/objectmeta.go``: ValidateObjectMeta,
ValidateObjectMetaUpdate, ValidateAnnotations, ValidateOwnerReferences, ValidateFinalizers; core's
ValidateFinalizerName) and labels (``apis/meta/v1/validation``: ValidateLabels)."""
from __future__ import annotations

import json
from typing import Any, Callable

from engine.sandbox.validation import names
from engine.sandbox.validation.field import Errors

TOTAL_ANNOTATION_SIZE = 256 * 1024
STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")


def labels(errors: Errors, mapping: Any, path: str) -> None:
    for key, value in (mapping or {}).items():
        errors.messages(path, key, names.qualified_name(str(key)))
        errors.messages(path, value, names.label_value(str(value)) if isinstance(value, str) else [])


def annotations(errors: Errors, mapping: Any, path: str) -> None:
    total = 0
    for key, value in (mapping or {}).items():
        errors.messages(path, key, names.qualified_name(str(key).lower()))
        total += len(str(key).encode()) + len(str(value or "").encode())
    if total > TOTAL_ANNOTATION_SIZE:
        errors.too_long(path, TOTAL_ANNOTATION_SIZE)


def finalizers(errors: Errors, values: Any, path: str) -> None:
    for i, name in enumerate(values or []):
        errors.messages(path, name, names.qualified_name(str(name)))
        if "/" not in str(name) and name not in STANDARD_FINALIZERS:
            errors.invalid(f"{path}[{i}]", name, "name is neither a standard finalizer name nor is it fully "
                                                 "qualified")
    if "orphan" in (values or []) and "foregroundDeletion" in (values or []):
        errors.invalid(path, values, "finalizer orphan and foregroundDeletion cannot be both set")


def owner_references(errors: Errors, refs: Any, path: str) -> None:
    controllers = []
    for ref in refs or []:
        ref = ref if isinstance(ref, dict) else {}
        for key, what in (("apiVersion", "version"), ("kind", "kind"), ("name", "name"), ("uid", "uid")):
            if not ref.get(key):
                errors.invalid(f"{path}.{key}", ref.get(key, ""), f"{what} must not be empty")
        if ref.get("controller"):
            controllers.append(f"{ref.get('kind')}/{ref.get('name')}")
    if len(controllers) > 1:
        errors.invalid(path, refs, 'Only one reference can have Controller set to true. Found "true" in references '
                                   f"for {' and '.join(controllers)}")


def object_meta(errors: Errors, metadata: dict[str, Any], name_rule: Callable[[str], list[str]] | None) -> None:
    """ValidateObjectMeta: name (by the kind's rule), labels, annotations, finalizers, owner references."""
    name = metadata.get("name") or ""
    if not name and not metadata.get("generateName"):
        errors.required("metadata.name", "name or generateName is required")
    elif name and name_rule is not None:
        errors.messages("metadata.name", name, name_rule(name))
    prefix = str(metadata.get("generateName") or "")
    if prefix and name_rule is not None:  # validated as a name whose trailing dash is masked (maskTrailingDash)
        masked = prefix[:-2] + "a" if len(prefix) > 1 and prefix.endswith("-") else prefix
        errors.messages("metadata.generateName", prefix, name_rule(masked))
    labels(errors, metadata.get("labels"), "metadata.labels")
    annotations(errors, metadata.get("annotations"), "metadata.annotations")
    owner_references(errors, metadata.get("ownerReferences"), "metadata.ownerReferences")
    finalizers(errors, metadata.get("finalizers"), "metadata.finalizers")


def object_meta_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    """ValidateObjectMetaUpdate: no new finalizers on an object being deleted."""
    if old.get("deletionTimestamp"):
        added = set(new.get("finalizers") or []) - set(old.get("finalizers") or [])
        if added:
            errors.forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted, "
                                                    f"found new finalizers {json.dumps(sorted(added))}")

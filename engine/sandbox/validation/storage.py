"""The storage group (``pkg/apis/storage/validation``): ValidateStorageClass(Update)."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation import names
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules, immutable


def storage_class(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    provisioner = obj.get("provisioner") or ""
    if not provisioner:
        errors.required("provisioner")
    else:
        errors.messages("provisioner", provisioner, names.qualified_name(provisioner.lower()))
    if obj.get("reclaimPolicy") not in (None, "Delete", "Retain"):
        errors.not_supported("reclaimPolicy", obj["reclaimPolicy"], ["Delete", "Retain"])
    if obj.get("volumeBindingMode") not in (None, "Immediate", "WaitForFirstConsumer"):
        errors.not_supported("volumeBindingMode", obj["volumeBindingMode"], ["Immediate", "WaitForFirstConsumer"])


def storage_class_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    for key in ("parameters", "provisioner", "reclaimPolicy"):
        if new.get(key) != old.get(key):
            errors.forbidden(key, f"updates to {key} are forbidden.")
    immutable(errors, "volumeBindingMode", new.get("volumeBindingMode"), old.get("volumeBindingMode"))


RULES = {"StorageClass": Rules(check=storage_class, update=storage_class_update)}

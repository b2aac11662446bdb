"""CustomResourceDefinitions (apiextensions-apiserver ``pkg/apis/apiextensions/validation``):
ValidateCustomResourceDefinition, ValidateCustomResourceDefinitionNames, structural schema checks
(``pkg/apiserver/schema`` validateStructuralInvariants: every field has a type) and defaults that must
validate against their own schema."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation import custom, names
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules, immutable

_UNTYPED_OK = ("x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields")


def _structural(errors: Errors, schema: Any, path: str, root: bool, warnings: list[str]) -> None:
    if not isinstance(schema, dict):
        return
    if not schema.get("type") and not any(schema.get(k) for k in _UNTYPED_OK):
        errors.required(f"{path}.type", "must not be empty at the root" if root else
                        "must not be empty for specified object fields")
    elif root and schema.get("type") != "object":
        errors.invalid(f"{path}.type", schema.get("type"), "must be object at the root")
    if "default" in schema:
        custom.validate_value(errors, schema, schema["default"], f"{path}.default", warnings)
    for key, child in (schema.get("properties") or {}).items():
        _structural(errors, child, f"{path}.properties[{key}]", False, warnings)
    if isinstance(schema.get("items"), dict):
        _structural(errors, schema["items"], f"{path}.items", False, warnings)
    if isinstance(schema.get("additionalProperties"), dict):
        _structural(errors, schema["additionalProperties"], f"{path}.additionalProperties", False, warnings)


def custom_resource_definition(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    group, crd_names = spec.get("group") or "", spec.get("names") or {}
    plural = crd_names.get("plural") or ""
    name = (obj.get("metadata") or {}).get("name") or ""
    if name != f"{plural}.{group}":
        errors.invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group')
    if not group:
        errors.required("spec.group")
    else:
        errors.messages("spec.group", group, names.dns1123_subdomain(group))
        if "." not in group:
            errors.invalid("spec.group", group, "should be a domain with at least one dot")
    for key in ("plural", "singular", "kind", "listKind"):
        value = crd_names.get(key)
        if key in ("plural", "kind") and not value:
            errors.required(f"spec.names.{key}")
        elif value and key in ("plural", "singular"):
            errors.messages(f"spec.names.{key}", value, names.dns1035_label(value))
    if spec.get("scope") not in ("Cluster", "Namespaced"):
        errors.not_supported("spec.scope", spec.get("scope") or "", ["Cluster", "Namespaced"])
    versions = spec.get("versions") or []
    if not versions:
        errors.invalid("spec.versions", versions, "must have exactly one version marked as storage version")
    elif sum(1 for v in versions if (v or {}).get("storage")) != 1:
        errors.invalid("spec.versions", versions, "must have exactly one version marked as storage version")
    schemas = [((v or {}).get("schema") or {}).get("openAPIV3Schema") for v in versions]
    shared = len(versions) > 0 and all(s == schemas[0] for s in schemas)
    for i, version in enumerate(versions):
        version = version or {}
        errors.messages(f"spec.versions[{i}].name", version.get("name") or "",
                        names.dns1035_label(version.get("name") or ""))
        if schemas[i] is None:
            errors.required(f"spec.versions[{i}].schema.openAPIV3Schema", "schemas are required")
        elif not shared or i == 0:
            path = "spec.validation.openAPIV3Schema" if shared else f"spec.versions[{i}].schema.openAPIV3Schema"
            _structural(errors, schemas[i], path, True, warnings)


def _established(crd: dict[str, Any]) -> bool:
    return any(c.get("type") == "Established" and c.get("status") == "True"
               for c in ((crd.get("status") or {}).get("conditions") or []) if isinstance(c, dict))


def custom_resource_definition_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    """ValidateCustomResourceDefinitionSpecUpdate: group and plural fixed; scope and kind too once established;
    every version objects were stored in stays listed."""
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    new_names, old_names = new_spec.get("names") or {}, old_spec.get("names") or {}
    if _established(old):
        immutable(errors, "spec.scope", new_spec.get("scope"), old_spec.get("scope"))
        immutable(errors, "spec.names.kind", new_names.get("kind"), old_names.get("kind"))
    immutable(errors, "spec.group", new_spec.get("group"), old_spec.get("group"))
    immutable(errors, "spec.names.plural", new_names.get("plural"), old_names.get("plural"))
    listed = {(v or {}).get("name") for v in new_spec.get("versions") or []}
    for i, stored in enumerate((old.get("status") or {}).get("storedVersions") or []):
        if stored not in listed:
            errors.invalid(f"status.storedVersions[{i}]", stored, "must appear in spec.versions")


RULES = {"CustomResourceDefinition": Rules(check=custom_resource_definition,
                                           update=custom_resource_definition_update)}

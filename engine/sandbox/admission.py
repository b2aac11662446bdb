"""What happens to a write between its body and the store, in kube-apiserver's order: decode against the
kind's schema (built-in kinds) or prune against the CRD's schema (custom kinds), default, validate.

Built-in kinds take their schema from kubernetes-validate; a custom kind takes the served version's
``openAPIV3Schema`` from its CRD, so CRs are pruned, defaulted and validated like on a cluster."""
from __future__ import annotations

import copy
from typing import Any

from engine.sandbox import decoding
from engine.sandbox.errors import APIError, bad_request
from engine.sandbox.registry import Resource
from engine.sandbox.schema import Node, kind_schema
from engine.sandbox.validation import custom

FIELD_VALIDATION = ("Strict", "Warn", "Ignore")
_ROOT = {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
         "metadata": {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}}


def target(resource: Resource, name: str = "") -> decoding.Target:
    return decoding.Target(resource.group, resource.version, resource.kind, name)


def field_validation(query: dict[str, str]) -> str:
    value = query.get("fieldValidation") or "Warn"
    if value not in FIELD_VALIDATION:
        raise bad_request(f'fieldValidation parameter unsupported: "{value}"; supported values are '
                          '"Strict", "Warn", "Ignore"')
    return value


def check_type_meta(resource: Resource, obj: dict[str, Any]) -> None:
    """The body's apiVersion and kind, when given, must be the URL's."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if api_version and api_version != resource.group_version:
        raise bad_request(f"the API version in the data ({api_version}) does not match the expected API version "
                          f"({resource.group_version})")
    if kind and kind != resource.kind:
        raise bad_request(f"the kind in the data ({kind}) does not match the expected kind ({resource.kind})")


def decode_write(resource: Resource, crd_schema: dict[str, Any] | None, obj: dict[str, Any],
                 query: dict[str, str], warnings: list[str]) -> dict[str, Any]:
    """A POST/PUT/patched body as the server decodes it (unknown fields dropped or refused per fieldValidation)."""
    validation = field_validation(query)
    node = kind_schema(resource.group, resource.version, resource.kind) if not resource.custom else None
    if node is not None:
        return decoding.decode_body(node, obj, target(resource), validation, warnings)
    duplicates = decoding.check(Node.of({"type": "object", "x-kubernetes-preserve-unknown-fields": True}), obj)[1]
    obj = decoding.plain(obj)
    if crd_schema is None:
        return obj
    unknown: list[str] = []
    metadata = obj.get("metadata")
    obj = custom.prune(crd_schema, obj, "", unknown, root=True)
    if metadata is not None:
        obj["metadata"] = metadata
    strict = [f'unknown field "{p}"' for p in unknown] + [f'duplicate field "{p}"' for p in duplicates.duplicates]
    if strict and validation == "Strict":
        raise bad_request(f"{target(resource).cannot_handle}: strict decoding error: {', '.join(strict)}")
    if validation != "Ignore":
        warnings += strict
    return obj


def typed_node(resource: Resource, crd_schema: dict[str, Any] | None) -> Node:
    """The schema objects of a resource are typed with: the built-in kind's, or the CRD's structural schema
    with ObjectMeta as its metadata (no schema at all: every value's type deduced)."""
    if not resource.custom:
        return kind_schema(resource.group, resource.version, resource.kind) or Node.of({})
    if crd_schema is None:
        return Node.of({})
    schema = copy.deepcopy(crd_schema)
    schema["properties"] = {**(schema.get("properties") or {}), **_ROOT}
    return Node.of(schema)


def decode_apply(resource: Resource, crd_schema: dict[str, Any] | None, applied: dict[str, Any],
                 name: str) -> dict[str, Any]:
    """An apply configuration typed as structured-merge-diff types it (500 on wrong types or fields)."""
    if not applied.get("kind") or not applied.get("apiVersion"):
        raise bad_request(f"invalid object type: {applied.get('apiVersion') or '/'}, Kind={applied.get('kind') or ''}"
                          if applied.get("apiVersion") else f"invalid object type: /, Kind={applied.get('kind') or ''}")
    check_type_meta(resource, applied)
    node = typed_node(resource, crd_schema)
    return decoding.decode_apply(node, applied, target(resource, name)) if node.raw else applied


def prepare_custom(crd_version: dict[str, Any] | None, obj: dict[str, Any], old: dict[str, Any] | None,
                   status_subresource: bool) -> None:
    """Defaults from the schema, and a status the main resource may not write when /status is separate."""
    if status_subresource:
        if old is None:
            obj.pop("status", None)
        elif "status" in old:
            obj["status"] = old["status"]
        else:
            obj.pop("status", None)
    schema = ((crd_version or {}).get("schema") or {}).get("openAPIV3Schema")
    if schema:
        custom.apply_defaults(schema, obj)


def forbid_in_terminating(resource: Resource, name: str, namespace: str) -> APIError:
    return APIError(403, "Forbidden", f'{resource.plural} "{name}" is forbidden: unable to create new content in '
                                      f"namespace {namespace} because it is being terminated",
                    {"name": name, "group": resource.group, "kind": resource.plural,
                     "causes": [{"reason": "NamespaceTerminating", "message": "namespace is terminating",
                                 "field": "metadata.namespace"}]})

"""JSON schemas of Kubernetes objects: built-in kinds from kubernetes-validate's per-version schemas (generated
from each release's OpenAPI document), custom kinds from a CRD's ``openAPIV3Schema``.

Both give a jsonschema validator, so every problem of an object is found at once, each with its field path."""
from __future__ import annotations

import copy
import functools
import json
import re
from importlib import resources
from typing import Any, Iterator

SCHEMA_PACKAGE = "kubernetes_validate"
_VERSION_DIR = re.compile(r"^v(\d+)\.(\d+)\.\d+-local$")


class SchemaError(Exception):
    """No schema can be had for what was asked."""


@functools.cache
def shipped_versions() -> tuple[tuple[int, int], ...]:
    """The Kubernetes minor versions whose schemas are installed, oldest first."""
    root = resources.files(SCHEMA_PACKAGE).joinpath("kubernetes-json-schema")
    found = {(int(m.group(1)), int(m.group(2))) for entry in root.iterdir() if (m := _VERSION_DIR.match(entry.name))}
    return tuple(sorted(found))


def schema_version(kube_version: str) -> tuple[int, int]:
    """The newest shipped schema version not newer than ``kube_version`` (``1.36``, ``v1.36.2``)."""
    match = re.match(r"^v?(\d+)\.(\d+)", kube_version)
    if not match:
        raise SchemaError(f'invalid Kubernetes version "{kube_version}": use a version such as 1.36')
    wanted = (int(match.group(1)), int(match.group(2)))
    usable = [version for version in shipped_versions() if version <= wanted]
    if not usable:
        oldest = ".".join(map(str, shipped_versions()[0]))
        raise SchemaError(f"no Kubernetes schemas for version {kube_version}: the oldest available is {oldest}")
    return usable[-1]


def _schema_file(version: tuple[int, int], strict: bool, name: str) -> Any:
    folder = f"v{version[0]}.{version[1]}.0-local" + ("-strict" if strict else "")
    path = resources.files(SCHEMA_PACKAGE).joinpath("kubernetes-json-schema", folder, name)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        return None


@functools.cache
def definitions(version: tuple[int, int]) -> dict[str, dict[str, Any]]:
    """Every type of a Kubernetes version's OpenAPI document (``$defs`` of ``_definitions.json``), by its Go
    package path and name; each kind's carries ``x-kubernetes-group-version-kind``."""
    document = _schema_file(version, False, "_definitions.json")
    if document is None:
        raise SchemaError(f"no Kubernetes schemas for version {version[0]}.{version[1]}")
    return document["$defs"]


@functools.cache
def _builtin_validator(version: tuple[int, int], strict: bool, api_version: str, kind: str):
    import jsonschema
    from referencing import Registry, Resource

    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = _schema_file(version, strict, f"{kind.lower()}-{group_version}.json")
    if schema is None:
        return None
    registry = Registry().with_resources([
        ("", Resource.from_contents(schema)),
        ("_definitions.json", Resource.from_contents(_schema_file(version, strict, "_definitions.json")))])
    return jsonschema.Draft202012Validator(schema, registry=registry)


def builtin_validator(api_version: str, kind: str, kube_version: str, strict: bool = False):
    """A validator for a built-in kind at ``kube_version`` (None when the kind is not built in)."""
    return _builtin_validator(schema_version(kube_version), strict, api_version, kind)


def _structural(node: Any, strict: bool) -> Any:
    """An OpenAPI v3 structural schema as JSON Schema: ``nullable``, int-or-string, preserved unknown fields,
    and (``strict``) no fields beyond those declared, which the API server would prune."""
    if not isinstance(node, dict):
        return node
    out = {key: value for key, value in node.items() if not key.startswith("x-kubernetes-") and key != "nullable"}
    for key in ("properties", "patternProperties"):
        if isinstance(node.get(key), dict):
            out[key] = {name: _structural(child, strict) for name, child in node[key].items()}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(node.get(key), dict):
            out[key] = _structural(node[key], strict)
    for key in ("allOf", "anyOf", "oneOf"):
        if isinstance(node.get(key), list):
            out[key] = [_structural(child, strict) for child in node[key]]
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [*out.get("anyOf", []), {"type": "integer"}, {"type": "string"}]
    if node.get("type") == "object" and "properties" in node and strict and \
            not node.get("x-kubernetes-preserve-unknown-fields") and "additionalProperties" not in node:
        out["additionalProperties"] = False
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def crd_validators(crd: dict[str, Any], strict: bool = False) -> Iterator[tuple[str, str, Any]]:
    """(apiVersion, kind, validator) for each served version of a CustomResourceDefinition with a schema."""
    import jsonschema

    spec = crd.get("spec") or {}
    group, kind = spec.get("group", ""), (spec.get("names") or {}).get("kind", "")
    for version in spec.get("versions") or []:
        schema = ((version.get("schema") or {}).get("openAPIV3Schema")) if isinstance(version, dict) else None
        if not isinstance(schema, dict) or not version.get("served", True):
            continue
        converted = _structural(copy.deepcopy(schema), strict)
        converted.setdefault("properties", {})
        for field in ("apiVersion", "kind", "metadata"):
            converted["properties"].setdefault(field, {})
        yield f"{group}/{version.get('name', '')}", kind, jsonschema.Draft202012Validator(converted)

"""The type structure of every built-in kind, read from kubernetes-validate's schemas for Kubernetes v1.36
(generated from kube-apiserver's own OpenAPI document), and of custom kinds, read from their CRD's structural
schema. One ``Node`` API serves both, so decoding, pruning and server-side apply walk any object the same way.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from engine.kube import schemas

SERVED_VERSION = "1.36"  # the kube-apiserver version the sandbox answers as
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"


def definitions() -> dict[str, dict[str, Any]]:
    """Every definition of kube-apiserver's OpenAPI document, by its Go package path and type name."""
    return schemas.definitions(schemas.schema_version(SERVED_VERSION))


@functools.cache
def _kinds() -> dict[tuple[str, str, str], str]:
    out = {}
    for name, definition in definitions().items():
        for gvk in definition.get("x-kubernetes-group-version-kind") or ():
            out.setdefault((gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", "")), name)
    return out


@dataclass(frozen=True)
class Node:
    """One place in a schema: what type of value it holds, and the nodes below it."""

    raw: Any
    ref: str = ""  # the definition name, for built-in types (the Go type in decoder messages)

    @staticmethod
    def of(schema: Any, ref: str = "") -> "Node":
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"].rsplit("/", 1)[-1]
            schema = definitions()[ref]
        return Node(schema if isinstance(schema, dict) else {}, ref)

    @property
    def type(self) -> str:
        """struct, map, list, string, integer, number, boolean, int-or-string, quantity or any."""
        raw = self.raw
        if self.ref == _INT_OR_STRING or raw.get("x-kubernetes-int-or-string"):
            return "int-or-string"
        if self.ref == _QUANTITY:
            return "quantity"
        declared = raw.get("type")
        if isinstance(declared, list):
            declared = next((t for t in declared if t != "null"), None)
        if declared == "object" or (declared is None and "properties" in raw):
            if "properties" in raw:
                return "struct"
            if isinstance(raw.get("additionalProperties"), dict):
                return "map"
            return "any"
        if declared == "array":
            return "list"
        return declared if declared in ("string", "integer", "number", "boolean") else "any"

    @property
    def preserves_unknown(self) -> bool:
        return bool(self.raw.get("x-kubernetes-preserve-unknown-fields")) or self.type == "any"

    @property
    def embedded(self) -> bool:
        return bool(self.raw.get("x-kubernetes-embedded-resource"))

    def field(self, name: str) -> "Node | None":
        props = self.raw.get("properties") or {}
        if name in props:
            return Node.of(props[name])
        if self.embedded and name in ("apiVersion", "kind", "metadata"):
            return Node.of({"type": "string"} if name != "metadata" else {"type": "object"})
        return None

    def fields(self) -> dict[str, "Node"]:
        return {name: Node.of(s) for name, s in (self.raw.get("properties") or {}).items()}

    @property
    def items(self) -> "Node":
        return Node.of(self.raw.get("items") or {})

    @property
    def values(self) -> "Node":
        extra = self.raw.get("additionalProperties")
        return Node.of(extra if isinstance(extra, dict) else {})

    @property
    def list_type(self) -> str:
        """atomic, set or map (x-kubernetes-list-type); lists with a patch merge key are maps too."""
        declared = self.raw.get("x-kubernetes-list-type")
        if declared:
            return declared
        return "map" if self.raw.get("x-kubernetes-patch-merge-key") else "atomic"

    @property
    def map_keys(self) -> tuple[str, ...]:
        keys = self.raw.get("x-kubernetes-list-map-keys")
        if keys:
            return tuple(keys)
        merge_key = self.raw.get("x-kubernetes-patch-merge-key")
        return (merge_key,) if merge_key else ()

    @property
    def atomic(self) -> bool:
        """A map or struct that server-side apply owns as one value (x-kubernetes-map-type: atomic)."""
        return self.raw.get("x-kubernetes-map-type") == "atomic"

    @property
    def format(self) -> str:
        return self.raw.get("format") or ""

    @property
    def go_type(self) -> str:
        """The Go type name the JSON decoder names in its errors (``int32``, ``[]v1.Container``, ...)."""
        kind = self.type
        if kind == "list":
            return "[]" + self.items.go_type
        if kind == "map":
            return "map[string]" + self.values.go_type
        if self.ref:
            package, _, name = self.ref.rpartition(".")
            return f"{package.rsplit('.', 1)[-1]}.{name}"
        return {"integer": self.format or "int64", "number": "float64", "boolean": "bool",
                "string": "string"}.get(kind, "interface {}")

    @property
    def go_name(self) -> str:
        """The Go struct name (``DeploymentSpec``) the decoder names as the holder of a field."""
        return self.ref.rsplit(".", 1)[-1] if self.ref else ""


def kind_schema(group: str, version: str, kind: str) -> Node | None:
    """The schema of a built-in kind, or None when kube-apiserver v1.36 does not serve it."""
    name = _kinds().get((group, version, kind))
    return Node.of(definitions()[name], name) if name else None

"""Request bodies decoded as kube-apiserver decodes them, against the kind's schema.

Two decoders, two wordings, as in a real server:
- JSON bodies (POST, PUT, merge and JSON patches) go through the Go JSON decoder: a wrong type is a 400 with
  ``json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32``; unknown
  and duplicate fields are dropped with a warning, refused under ``fieldValidation=Strict``
  (sigs.k8s.io/json ``UnmarshalStrict``, apiserver ``handlers/rest.go`` ``fieldValidation``).
- Server-side apply builds a typed object with structured-merge-diff: a wrong type or an undeclared field is a
  500 ``failed to create typed patch object (...): .spec.replicas: expected numeric (int or float), got string``
  whatever fieldValidation says (``typed.AsTyped``), and values its decoder rejects afterwards (base64, bad
  quantities) are ``failed to convert new object``.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.sandbox import quantity, typed
from engine.sandbox.errors import APIError, bad_request
from engine.sandbox.schema import Node

MAX_DEPTH = 10000 // 100  # deeper JSON than any kind has is refused before it can exhaust the stack


class _Object(dict):
    """A JSON object that remembers the keys it saw twice (the last value wins, as in Go)."""

    duplicates: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    obj.duplicates = []
    for key, value in pairs:
        if key in obj:
            obj.duplicates.append(key)
        obj[key] = value
    return obj


def parse_json(raw: bytes) -> Any:
    """The JSON value of a body; malformed or too deeply nested JSON is a 400."""
    try:
        return json.loads(raw, object_pairs_hook=_pairs)
    except RecursionError:
        raise bad_request("the request body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"couldn't get version/kind; json parse error: {exc}") from None


class _DuplicateKeys(yaml.SafeLoader):
    """A YAML loader that records duplicate mapping keys as ``line N: key "k" already set in map``."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicates: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Keys become JSON's strings as they are read (so ``1`` and ``true`` stay two keys); later ones win."""
        self.flatten_mapping(node)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _json_key(self.construct_object(key_node, deep=True))
            if key in mapping:
                self.duplicates.append(f'line {key_node.start_mark.line + 1}: key "{key}" already set in map')
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


def _json_key(key: Any) -> str:
    """A mapping key as sigs.k8s.io/yaml's YAMLToJSON writes it: JSON keys are strings (``0`` becomes "0")."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        return f"{key:g}"
    return str(key)


def parse_yaml(raw: bytes) -> tuple[Any, list[str]]:
    """The value of an apply body and the warnings for its duplicate keys."""
    try:
        loader = _DuplicateKeys(raw.decode("utf-8"))
        try:
            return loader.get_single_data(), loader.duplicates
        finally:
            loader.dispose()
    except RecursionError:
        raise bad_request("the request body is nested too deeply") from None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise bad_request(f"error decoding YAML: error converting YAML to JSON: yaml: line {line}: "
                          f"{exc.problem}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise bad_request(f"error decoding YAML: {exc}") from None


# the walk ------------------------------------------------------------------------------------------------------
@dataclass
class Problems:
    """What one walk of an object against its schema found."""

    type_error: str = ""  # the Go decoder's first UnmarshalTypeError
    apply_errors: list[str] = field(default_factory=list)  # structured-merge-diff's wording
    value_error: str = ""  # a value its own decoder refuses (base64, quantity)
    unknown: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array"}.get(type(value), "object")


def _go_value(value: Any) -> str:
    """Go's ``%v`` of a decoded JSON value (as smd prints it in its errors)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{_go_value(v)}" for k, v in sorted(value.items())) + "]"
    if isinstance(value, list):
        return "[" + " ".join(_go_value(v) for v in value) + "]"
    return "<nil>" if value is None else str(value)


def _smd_got(value: Any) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, (dict, list)):
        return "&{" + _go_value(value) + "}"
    return "&value.valueUnstructured{Value:" + _go_value(value) + "}"


class _Walker:
    """One pass over a decoded object: checks types, canonicalizes quantities, drops (and reports) unknown
    fields. ``json_path`` is the decoder's (``spec.template.spec.containers``), ``shown`` the strict decoder's
    (``spec.template.spec.containers[0].image``), ``smd`` structured-merge-diff's (``.spec.ports[port=80]``)."""

    def __init__(self) -> None:
        self.found = Problems()

    def walk(self, node: Node, value: Any, json_path: str, shown: str, smd: str, holder: str) -> Any:
        if isinstance(value, _Object) and value.duplicates:
            self.found.duplicates += [f"{shown}.{k}" if shown else k for k in dict.fromkeys(value.duplicates)]
        if value is None:
            return None
        kind = node.type
        if kind == "struct":
            if not isinstance(value, dict):
                return self._mismatch(node, value, json_path, smd, holder, "map")
            out = {}
            for key, child in value.items():
                child_node = node.field(key)
                child_shown = f"{shown}.{key}" if shown else key
                if child_node is None:
                    if node.preserves_unknown:
                        out[key] = child
                        continue
                    self.found.unknown.append(child_shown)
                    self.found.apply_errors.append(f"{smd}.{key}: field not declared in schema")
                    continue
                decoded = self.walk(child_node, child, f"{json_path}.{key}" if json_path else key, child_shown,
                                    f"{smd}.{key}", node.go_name or holder)
                if decoded is None or (decoded in ([], {}) and child_node.type in ("list", "map")
                                       and key not in (node.raw.get("required") or ())):
                    continue  # Go writes nil and empty optional slices and maps as absent (omitempty)
                out[key] = decoded
            return out
        if kind == "map":
            if not isinstance(value, dict):
                return self._mismatch(node, value, json_path, smd, holder, "map")
            return {k: self.walk(node.values, v, json_path, f"{shown}[{k}]", f"{smd}.{k}", holder)
                    for k, v in value.items()}
        if kind == "list":
            if not isinstance(value, list):
                return self._mismatch(node, value, json_path, smd, holder, "list")
            keys = node.map_keys if node.list_type == "map" else ()
            return [self.walk(node.items, item, json_path, f"{shown}[{i}]", smd + _smd_element(item, keys, i),
                              holder) for i, item in enumerate(value)]
        return self._scalar(node, kind, value, json_path, smd, holder)

    def _scalar(self, node: Node, kind: str, value: Any, json_path: str, smd: str, holder: str) -> Any:
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == "string" and not isinstance(value, str):
            return self._mismatch(node, value, json_path, smd, holder, "string")
        if kind == "string" and node.format == "byte":
            self._base64(value)
        elif kind == "integer":
            if not number:
                return self._mismatch(node, value, json_path, smd, holder, "numeric (int or float)")
            bits = 31 if node.format == "int32" else 63
            if isinstance(value, float) or not -(2 ** bits) <= value < 2 ** bits:
                self._type_error(f"number {_go_number(value)}", json_path, holder, node.go_type)
        elif kind == "number" and not number:
            return self._mismatch(node, value, json_path, smd, holder, "numeric (int or float)")
        elif kind == "boolean" and not isinstance(value, bool):
            return self._mismatch(node, value, json_path, smd, holder, "boolean")
        elif kind == "int-or-string" and not (number or isinstance(value, str)):
            self._type_error(_json_kind(value), json_path, holder, "intstr.IntOrString")
        elif kind == "quantity":
            if not (number or isinstance(value, str)):
                return self._mismatch(node, value, json_path, smd, holder, "string")
            try:
                return quantity.canonical(_go_number(value) if number else value)
            except quantity.QuantityError as exc:
                self.found.value_error = self.found.value_error or str(exc)
        return value

    def _base64(self, value: str) -> None:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            bad = next((i for i, c in enumerate(value) if not (c.isalnum() or c in "+/=")), len(value) - 1)
            self.found.value_error = self.found.value_error or f"illegal base64 data at input byte {max(bad, 0)}"

    def _mismatch(self, node: Node, value: Any, json_path: str, smd: str, holder: str, expected: str) -> None:
        self._type_error(_json_kind(value), json_path, holder, node.go_type)
        self.found.apply_errors.append(f"{smd}: expected {expected}, got {_smd_got(value)}")
        return None

    def _type_error(self, what: str, json_path: str, holder: str, go_type: str) -> None:
        if not self.found.type_error:
            self.found.type_error = f"json: cannot unmarshal {what} into Go struct field {holder}.{json_path} of " \
                                    f"type {go_type}"


def _go_number(value: float | int) -> str:
    return repr(value) if not isinstance(value, float) or not value.is_integer() else f"{value:.1f}".rstrip("0")


def _smd_element(item: Any, keys: tuple[str, ...], index: int) -> str:
    if keys and isinstance(item, dict) and any(k in item for k in keys):
        return "[" + ",".join(f"{k}={json.dumps(item[k])}" for k in keys if k in item) + "]"
    return f"[{index}]"


def check(node: Node, obj: dict[str, Any]) -> tuple[dict[str, Any], Problems]:
    """``obj`` as the server decodes it (unknown fields dropped, quantities canonical) and what was wrong."""
    walker = _Walker()
    decoded = walker.walk(node, obj, "", "", "", node.go_name)
    return decoded if isinstance(decoded, dict) else {}, walker.found


@dataclass
class Target:
    """What a body is decoded into: the kind and version named in messages."""

    group: str
    version: str
    kind: str
    name: str = ""

    @property
    def cannot_handle(self) -> str:
        return f'{self.kind} in version "{self.version}" cannot be handled as a {self.kind}'

    @property
    def typed(self) -> str:
        return f"(/{self.name}; {self.group}/{self.version}, Kind={self.kind})"


def decode_body(node: Node, obj: dict[str, Any], target: Target, validation: str,
                warnings: list[str]) -> dict[str, Any]:
    """A JSON body decoded for a write: 400 for what the decoder refuses, warnings per ``fieldValidation``."""
    decoded, found = check(node, obj)
    if found.type_error or found.value_error:
        raise bad_request(f"{target.cannot_handle}: {found.type_error or found.value_error}")
    strict = [f'unknown field "{p}"' for p in found.unknown] + [f'duplicate field "{p}"' for p in found.duplicates]
    if strict and validation == "Strict":
        raise bad_request(f"{target.cannot_handle}: strict decoding error: {', '.join(strict)}")
    if validation != "Ignore":
        warnings += strict
    return decoded


def decode_apply(node: Node, obj: dict[str, Any], target: Target) -> dict[str, Any]:
    """An apply configuration as structured-merge-diff types it: 500 for wrong types or undeclared fields."""
    decoded, found = check(node, obj)
    found.apply_errors += typed.duplicate_keys(node, decoded)
    if found.apply_errors:
        raise APIError(500, "", f"failed to create typed patch object {target.typed}: "
                                f"{found.apply_errors[0]}" if len(found.apply_errors) == 1 else
                       f"failed to create typed patch object {target.typed}: [" +
                       ", ".join(found.apply_errors) + "]")
    if found.value_error:
        prefix = "error decoding from json: " if found.value_error.startswith("illegal base64") else ""
        raise APIError(500, "", f"failed to convert new object {target.typed} to proper version: unable to convert "
                                f"unstructured object to {target.group}/{target.version}, Kind={target.kind}: "
                                f"{prefix}{found.value_error}")
    return decoded


def plain(value: Any) -> Any:
    """A parsed body with its duplicate-tracking objects turned back into plain dicts."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value

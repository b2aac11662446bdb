"""Custom resources checked against their CRD's structural schema, as apiextensions-apiserver does it: unknown
fields pruned (``pkg/apiserver/schema/pruning``), defaults applied (``schema/defaulting``), values validated
(kube-openapi ``validate``, converted to field errors by ``apiextensions/validation``) and the
``x-kubernetes-validations`` CEL rules evaluated (``schema/cel``) with cel-python. A rule cel-python cannot
compile or evaluate is accepted with a warning that says so, rather than guessed."""
from __future__ import annotations

import copy
import re
from typing import Any

from engine.sandbox.validation.field import OMIT, Errors

_TYPE_NAMES = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "object"}
_ROOT_FIELDS = ("apiVersion", "kind", "metadata")


def _type_name(value: Any) -> str:
    return "null" if value is None else _TYPE_NAMES.get(type(value), "object")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def prune(schema: dict[str, Any], value: Any, path: str, unknown: list[str], root: bool = False) -> Any:
    """Drop the fields the schema does not declare (recording their paths), below ``value``."""
    if not isinstance(schema, dict) or schema.get("x-kubernetes-preserve-unknown-fields") and \
            not schema.get("properties"):
        return value
    if isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        out = {}
        for key, child in value.items():
            if root and key in _ROOT_FIELDS:
                out[key] = child
            elif props is not None and key in props:
                out[key] = prune(props[key], child, _join(path, key), unknown)
            elif isinstance(extra, dict):
                out[key] = prune(extra, child, _join(path, key), unknown)
            elif extra is True or schema.get("x-kubernetes-preserve-unknown-fields") or \
                    (props is None and schema.get("type") != "object"):
                out[key] = child
            else:
                unknown.append(_join(path, key))
        return out
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [prune(schema["items"], item, f"{path}[{i}]", unknown) for i, item in enumerate(value)]
    return value


def _field_schema(schema: dict[str, Any], key: str) -> dict[str, Any] | None:
    child = (schema.get("properties") or {}).get(key)
    if child is None and isinstance(schema.get("additionalProperties"), dict):
        child = schema["additionalProperties"]
    return child


def apply_defaults(schema: dict[str, Any], value: Any) -> Any:
    """Fill in ``default`` for every absent property of every object present (a null where null is not allowed
    counts as absent), after dropping the nulls the schema neither allows nor defaults
    (``PruneNonNullableNullsWithoutDefaults``, then ``Default``)."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, dict):
        for key in list(value):
            child = _field_schema(schema, key)
            if value[key] is None and isinstance(child, dict) and not child.get("nullable") and "default" not in child:
                del value[key]
        for key, child_schema in (schema.get("properties") or {}).items():
            absent = key not in value or (value[key] is None and not child_schema.get("nullable"))
            if absent and "default" in child_schema:
                value[key] = copy.deepcopy(child_schema["default"])
            if key in value:
                value[key] = apply_defaults(child_schema, value[key])
        if isinstance(schema.get("additionalProperties"), dict):
            for key in value:
                value[key] = apply_defaults(schema["additionalProperties"], value[key])
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [apply_defaults(schema["items"], item) for item in value]
    return value


def _type_ok(schema: dict[str, Any], value: Any) -> bool:
    declared = schema.get("type")
    if schema.get("x-kubernetes-int-or-string"):
        return isinstance(value, (int, str)) and not isinstance(value, bool)
    if not declared:
        return True
    actual = _type_name(value)
    return actual == declared or (declared == "number" and actual == "integer")


def validate_value(errors: Errors, schema: dict[str, Any], value: Any, path: str, warnings: list[str],
                   old: Any = OMIT) -> None:
    """kube-openapi's checks of one value (type, enum, bounds, lengths, pattern, required, list types)."""
    if not isinstance(schema, dict):
        return
    if value is None:
        if not schema.get("nullable") and schema.get("type"):
            errors.type_invalid(path, "null", f'{path} in body must be of type {schema["type"]}: "null"')
        return
    if not _type_ok(schema, value):
        errors.type_invalid(path, _type_name(value), f'{path} in body must be of type {schema.get("type")}: '
                                                     f'"{_type_name(value)}"')
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.not_supported(path, value, schema["enum"])
    _bounds(errors, schema, value, path)
    if isinstance(value, dict):
        for key in schema.get("required") or []:
            if key not in value:
                errors.required(_join(path, key))
        props, extra = schema.get("properties") or {}, schema.get("additionalProperties")
        for key, child in value.items():
            child_schema = props.get(key, extra if isinstance(extra, dict) else None)
            old_child = old.get(key, OMIT) if isinstance(old, dict) else OMIT
            if child_schema is not None:
                validate_value(errors, child_schema, child, _join(path, key), warnings, old_child)
        if schema.get("maxProperties") is not None and len(value) > schema["maxProperties"]:
            errors.too_many(path, len(value), schema["maxProperties"])
    elif isinstance(value, list):
        _list(errors, schema, value, path, warnings)
    from engine.sandbox.validation.cel import evaluate_rules

    evaluate_rules(errors, schema, value, path, warnings, old)


def _bounds(errors: Errors, schema: dict[str, Any], value: Any, path: str) -> None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and (value < low or (schema.get("exclusiveMinimum") and value == low)):
            relation = "greater than" if schema.get("exclusiveMinimum") else "greater than or equal to"
            errors.invalid(path, value, f"{path} in body should be {relation} {low}")
        if high is not None and (value > high or (schema.get("exclusiveMaximum") and value == high)):
            relation = "less than" if schema.get("exclusiveMaximum") else "less than or equal to"
            errors.invalid(path, value, f"{path} in body should be {relation} {high}")
        step = schema.get("multipleOf")
        if step and value % step:
            errors.invalid(path, value, f"{path} in body should be a multiple of {step}")
    if isinstance(value, str):
        if schema.get("maxLength") is not None and len(value) > schema["maxLength"]:
            errors.too_long(path, schema["maxLength"])
        if schema.get("minLength") is not None and len(value) < schema["minLength"]:
            errors.invalid(path, value, f"{path} in body should be at least {schema['minLength']} chars long")
        if schema.get("pattern") and not re.search(schema["pattern"], value):
            errors.invalid(path, value, f"{path} in body should match '{schema['pattern']}'")


def _list(errors: Errors, schema: dict[str, Any], value: list, path: str, warnings: list[str]) -> None:
    if schema.get("maxItems") is not None and len(value) > schema["maxItems"]:
        errors.too_many(path, len(value), schema["maxItems"])
    if schema.get("minItems") is not None and len(value) < schema["minItems"]:
        errors.invalid(path, value, f"{path} in body should have at least {schema['minItems']} items")
    kind, keys = schema.get("x-kubernetes-list-type"), schema.get("x-kubernetes-list-map-keys") or []
    seen: list[Any] = []
    for i, item in enumerate(value):
        identity = tuple(item.get(k) for k in keys) if kind == "map" and isinstance(item, dict) else item
        if (kind in ("set", "map") or schema.get("uniqueItems")) and identity in seen:
            errors.duplicate(f"{path}[{i}]", item)
        seen.append(identity)
        validate_value(errors, schema.get("items") or {}, item, f"{path}[{i}]", warnings)


def validate_object(errors: Errors, schema: dict[str, Any], obj: dict[str, Any], warnings: list[str],
                    old: dict[str, Any] | None = None) -> None:
    """Validate a whole custom object (its metadata is checked as any object's)."""
    body = {k: v for k, v in obj.items() if k not in _ROOT_FIELDS}
    root = {**schema, "properties": {k: v for k, v in (schema.get("properties") or {}).items()
                                     if k not in _ROOT_FIELDS}}
    previous = {k: v for k, v in old.items() if k not in _ROOT_FIELDS} if old is not None else OMIT
    validate_value(errors, root, body, "", warnings, previous)

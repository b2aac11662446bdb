"""Decoding the Kubernetes protobuf request bodies helm's storage driver sends (Secret, ConfigMap, Namespace,
DeleteOptions), from the ``k8s\\0`` envelope to the same dicts a JSON body gives. Field numbers follow
Kubernetes' generated.proto files."""
from __future__ import annotations

import base64
import datetime as dt
import json
from typing import Any, Callable, Iterator

from engine.sandbox.errors import bad_request

MAGIC = b"k8s\x00"


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data: bytes) -> Iterator[tuple[int, int, Any]]:
    """(field number, wire type, value) of a message; length-delimited values are bytes."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def _string(value: bytes) -> str:
    return value.decode("utf-8")


def _map(value: bytes, decode_value: Callable[[bytes], Any]) -> tuple[str, Any]:
    key, item = "", None
    for number, _wire, field_value in fields(value):
        if number == 1:
            key = _string(field_value)
        elif number == 2:
            item = decode_value(field_value)
    return key, item


def _time(value: bytes) -> str:
    seconds = 0
    for number, _wire, field_value in fields(value):
        if number == 1:
            seconds = field_value
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _managed_fields_entry(value: bytes) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    names = {1: "manager", 2: "operation", 3: "apiVersion", 6: "fieldsType", 8: "subresource"}
    for number, _wire, field_value in fields(value):
        if number in names:
            entry[names[number]] = _string(field_value)
        elif number == 4:
            entry["time"] = _time(field_value)
        elif number == 7:
            raw = next((v for n, _w, v in fields(field_value) if n == 1), b"{}")
            entry["fieldsV1"] = json.loads(raw or b"{}")
    return entry


def _owner_reference(value: bytes) -> dict[str, Any]:
    names = {1: "kind", 3: "name", 4: "uid", 5: "apiVersion"}
    reference: dict[str, Any] = {}
    for number, _wire, field_value in fields(value):
        if number in names:
            reference[names[number]] = _string(field_value)
        elif number == 6:
            reference["controller"] = bool(field_value)
        elif number == 7:
            reference["blockOwnerDeletion"] = bool(field_value)
    return reference


def object_meta(data: bytes) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    strings = {1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion"}
    for number, _wire, value in fields(data):
        if number in strings:
            if value:  # proto3 writes empty strings; JSON omits them
                meta[strings[number]] = _string(value)
        elif number == 7:
            if value:
                meta["generation"] = value
        elif number == 8:
            if any(v for n, _w, v in fields(value) if n == 1):
                meta["creationTimestamp"] = _time(value)
        elif number in (11, 12):
            key, item = _map(value, _string)
            meta.setdefault("labels" if number == 11 else "annotations", {})[key] = item
        elif number == 13:
            meta.setdefault("ownerReferences", []).append(_owner_reference(value))
        elif number == 14:
            meta.setdefault("finalizers", []).append(_string(value))
        elif number == 17:
            meta.setdefault("managedFields", []).append(_managed_fields_entry(value))
    return meta


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _secret(data: bytes) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for number, _wire, value in fields(data):
        if number == 1:
            obj["metadata"] = object_meta(value)
        elif number == 2:
            key, item = _map(value, _b64)
            obj.setdefault("data", {})[key] = item if item is not None else ""
        elif number == 3:
            obj["type"] = _string(value)
        elif number == 4:
            key, item = _map(value, _string)
            obj.setdefault("stringData", {})[key] = item or ""
        elif number == 5:
            obj["immutable"] = bool(value)
    return obj


def _config_map(data: bytes) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for number, _wire, value in fields(data):
        if number == 1:
            obj["metadata"] = object_meta(value)
        elif number == 2:
            key, item = _map(value, _string)
            obj.setdefault("data", {})[key] = item or ""
        elif number == 3:
            key, item = _map(value, _b64)
            obj.setdefault("binaryData", {})[key] = item or ""
        elif number == 4:
            obj["immutable"] = bool(value)
    return obj


def _namespace(data: bytes) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for number, _wire, value in fields(data):
        if number == 1:
            obj["metadata"] = object_meta(value)
        elif number == 2:
            obj["spec"] = {"finalizers": [_string(v) for n, _w, v in fields(value) if n == 1]}
    return obj


def _delete_options(data: bytes) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for number, _wire, value in fields(data):
        if number == 1:
            obj["gracePeriodSeconds"] = value
        elif number == 3:
            obj["orphanDependents"] = bool(value)
        elif number == 4:
            obj["propagationPolicy"] = _string(value)
        elif number == 5:
            obj.setdefault("dryRun", []).append(_string(value))
    return obj


DECODERS = {"Secret": _secret, "ConfigMap": _config_map, "Namespace": _namespace,
            "DeleteOptions": _delete_options}


def decode_object(body: bytes) -> dict[str, Any]:
    """The object a protobuf request body carries; raises a 400 error for anything else."""
    if not body.startswith(MAGIC):
        raise bad_request("the body of the request was in an unknown format - not a Kubernetes protobuf envelope")
    try:
        api_version = kind = ""
        raw = b""
        for number, _wire, value in fields(body[len(MAGIC):]):
            if number == 1:
                for type_number, _w, type_value in fields(value):
                    if type_number == 1:
                        api_version = _string(type_value)
                    elif type_number == 2:
                        kind = _string(type_value)
            elif number == 2:
                raw = value
        decoder = DECODERS.get(kind)
        if decoder is None:
            raise bad_request(f"protobuf bodies of kind {kind!r} are not supported by the sandbox; send JSON")
        obj = decoder(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise bad_request(f"the body of the request was in an unknown format: {exc}") from None
    if kind != "DeleteOptions":
        obj = {"apiVersion": api_version, "kind": kind, **obj}
    return obj

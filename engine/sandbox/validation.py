"""The validation a real API server applies before storing an object (names, keys, a few required fields),
so the sandbox refuses what a cluster refuses, with the same 422 Invalid wording."""
from __future__ import annotations

import re
from typing import Any

from engine.sandbox.errors import APIError
from engine.sandbox.registry import Resource

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
SUBDOMAIN_TEXT = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                  "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                  "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_1123_TEXT = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                   "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                   "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
LABEL_1035_TEXT = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                   "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
                   "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")


def _invalid(resource: Resource, name: str, causes: list[tuple[str, str]]) -> APIError:
    kind = f"{resource.kind}.{resource.group}" if resource.group else resource.kind
    detail = ", ".join(f"{field}: {message}" for field, message in causes)
    message = f'{kind} "{name}" is invalid: {detail}' if len(causes) == 1 else \
        f'{kind} "{name}" is invalid: [{detail}]'
    return APIError(422, "Invalid", message, {"name": name, "group": resource.group, "kind": resource.kind,
                                              "causes": [{"reason": "FieldValueInvalid", "message": m, "field": f}
                                                         for f, m in causes]})


def _name_problem(resource: Resource, name: str) -> str | None:
    if resource.kind in ("Namespace",):
        ok, text, limit = _LABEL_1123.match(name), LABEL_1123_TEXT, 63
    elif resource.kind == "Service":
        ok, text, limit = _LABEL_1035.match(name), LABEL_1035_TEXT, 63
    elif resource.kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"):
        return None if name not in (".", "..") and "/" not in name and "%" not in name else \
            "may not contain '/' or '%'"
    else:
        ok, text, limit = _SUBDOMAIN.match(name), SUBDOMAIN_TEXT, 253
    if len(name) > limit:
        return f"must be no more than {limit} characters"
    return None if ok else text


def _label_problems(labels: Any, field: str) -> list[tuple[str, str]]:
    problems = []
    for key, value in (labels or {}).items():
        name = str(key).rsplit("/", 1)[-1]
        if not _QUALIFIED_NAME.match(name) or len(name) > 63:
            problems.append((f"{field}", f'Invalid value: "{key}": name part must consist of alphanumeric '
                                         "characters, '-', '_' or '.', and must start and end with an alphanumeric "
                                         "character"))
        if value is not None and (not isinstance(value, str) or not _LABEL_VALUE.match(value) or len(value) > 63):
            problems.append((f"{field}", f'Invalid value: "{value}": a valid label must be an empty string or '
                                         "consist of alphanumeric characters, '-', '_' or '.', and must start and "
                                         "end with an alphanumeric character"))
    return problems


def validate(resource: Resource, obj: dict[str, Any]) -> None:
    """Raise a 422 error for what kube-apiserver would refuse; accept everything else."""
    metadata = obj.get("metadata") or {}
    name = str(metadata.get("name", ""))
    causes: list[tuple[str, str]] = []
    problem = _name_problem(resource, name)
    if problem:
        causes.append(("metadata.name", f'Invalid value: "{name}": {problem}'))
    causes += _label_problems(metadata.get("labels"), "metadata.labels")
    if resource.kind in ("ConfigMap", "Secret"):
        for section in ("data", "binaryData", "stringData"):
            for key in (obj.get(section) or {}):
                if not _CONFIG_KEY.match(str(key)):
                    causes.append((f"{section}[{key}]", f'Invalid value: "{key}": a valid config key must consist of '
                                                        "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                                                        "or 'KEY_NAME',  or 'key-name', regex used for validation is "
                                                        "'[-._a-zA-Z0-9]+')"))
    if resource.group == "apps" and resource.kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
        spec = obj.get("spec") or {}
        selector = (spec.get("selector") or {}).get("matchLabels")
        template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        if not spec.get("selector"):
            causes.append(("spec.selector", "Required value"))
        elif selector and any(template_labels.get(k) != v for k, v in selector.items()):
            causes.append(("spec.template.metadata.labels",
                           f"Invalid value: {_go_map(template_labels)}: `selector` does not match template `labels`"))
        if not ((spec.get("template") or {}).get("spec") or {}).get("containers"):
            causes.append(("spec.template.spec.containers", "Required value"))
    if resource.kind == "Service":
        spec = obj.get("spec") or {}
        if spec.get("type", "ClusterIP") != "ExternalName" and spec.get("clusterIP") != "None" and not spec.get("ports"):
            causes.append(("spec.ports", "Required value"))
    if causes:
        raise _invalid(resource, name, causes)


def _go_map(mapping: dict) -> str:
    return "map[string]string{" + ", ".join(f'"{k}":"{v}"' for k, v in sorted(mapping.items())) + "}"

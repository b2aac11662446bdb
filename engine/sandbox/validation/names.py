"""Name and key formats (apimachinery ``pkg/util/validation``: IsDNS1123Subdomain, IsDNS1123Label,
IsDNS1035Label, IsQualifiedName, IsValidLabelValue, IsConfigMapKey, IsValidPortName, IsWildcardDNS1123Subdomain).
Each returns the list of problems in kube-apiserver's words; empty means valid."""
from __future__ import annotations

import re

_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_LABEL_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_PORT_NAME = re.compile(r"^[-a-z0-9]+$")
_WILDCARD = re.compile(r"^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

SUBDOMAIN_TEXT = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
                  "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
                  "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_1123_TEXT = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                   "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                   "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
LABEL_1035_TEXT = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                   "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
                   "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
_QUALIFIED_TEXT = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                   "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
                   "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
_KEY_TEXT = ("a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
             "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
             "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. "
             "'example.com/MyName')")
_VALUE_TEXT = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
               "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
               "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
_CONFIG_KEY_TEXT = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                    "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
WILDCARD_TEXT = ("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must "
                 "consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character "
                 "(e.g. '*.example.com', regex used for validation is "
                 "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")


def _limited(value: str, limit: int, pattern: re.Pattern, text: str) -> list[str]:
    problems = [f"must be no more than {limit} characters"] if len(value) > limit else []
    return problems + ([] if pattern.match(value) else [text])


def dns1123_subdomain(value: str) -> list[str]:
    return _limited(value, 253, _SUBDOMAIN, SUBDOMAIN_TEXT)


def dns1123_label(value: str) -> list[str]:
    return _limited(value, 63, _LABEL_1123, LABEL_1123_TEXT)


def dns1035_label(value: str) -> list[str]:
    return _limited(value, 63, _LABEL_1035, LABEL_1035_TEXT)


def service_name(value: str) -> list[str]:
    """ValidateServiceName in v1.36: an RFC 1123 label (a leading digit is allowed), without dots."""
    if "." in value:
        return ["must not contain dots"] + ([f"must be no more than 63 characters"] if len(value) > 63 else [])
    return dns1123_label(value)


def path_segment_name(value: str) -> list[str]:
    """ValidatePathSegmentName (RBAC objects): anything but '.', '..', '/' and '%'."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in "/%" if c in value]


def qualified_name(value: str) -> list[str]:
    """IsQualifiedName: an optional DNS subdomain prefix, '/', and a name part of at most 63 characters (every
    problem of the prefix and of the name part is reported, as Go does)."""
    parts = value.split("/")
    problems: list[str] = []
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            problems.append("prefix part must be non-empty")
        else:
            problems += [f"prefix part {p}" for p in dns1123_subdomain(prefix)]
    else:
        return [_KEY_TEXT]
    if not name:
        problems.append("name part must be non-empty")
    elif len(name) > 63:
        problems.append("name part must be no more than 63 bytes")
    return problems + ([] if _QUALIFIED.match(name) else [_QUALIFIED_TEXT])


def label_value(value: str) -> list[str]:
    problems = ["must be no more than 63 bytes"] if len(value) > 63 else []
    return problems + ([] if _LABEL_VALUE.match(value) else [_VALUE_TEXT])


def config_map_key(value: str) -> list[str]:
    problems = ["must be no more than 253 bytes"] if len(value) > 253 else []
    if not _CONFIG_KEY.match(value):
        problems.append(_CONFIG_KEY_TEXT)
    if value in (".", ".."):
        problems.append(f"must not be '{value}'")
    elif value.startswith(".."):
        problems.append("must not start with '..'")
    return problems


def port_name(value: str) -> list[str]:
    """IsValidPortName (IANA_SVC_NAME): 1-15 lower case letters, digits and '-', with a letter, no '--'."""
    problems = []
    if len(value) > 15:
        problems.append("must be no more than 15 characters")
    if not _PORT_NAME.match(value):
        problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if "--" in value:
        problems.append("must not contain consecutive hyphens")
    if not any(c.isalpha() for c in value):
        problems.append("must contain at least one letter (a-z)")
    if value.startswith("-") or value.endswith("-"):
        problems.append("must not begin or end with a hyphen")
    return problems


def wildcard_subdomain(value: str) -> list[str]:
    problems = ["must be no more than 253 characters"] if len(value) > 253 else []
    return problems + ([] if _WILDCARD.match(value) else [WILDCARD_TEXT])

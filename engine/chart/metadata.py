"""Chart.yaml: parsing into the model, Helm's validation, re-marshalling, and ``.Chart`` for templates."""
from __future__ import annotations

import posixpath
import re
from typing import Any

from engine.chart.errors import ChartError
from engine.chart.model import Chart, Dependency, Maintainer, Metadata

# (Chart.yaml key, Metadata attribute, Go field name) in Helm's struct order
FIELDS = (
    ("name", "name", "Name"), ("home", "home", "Home"), ("sources", "sources", "Sources"),
    ("version", "version", "Version"), ("description", "description", "Description"),
    ("keywords", "keywords", "Keywords"), ("maintainers", "maintainers", "Maintainers"), ("icon", "icon", "Icon"),
    ("apiVersion", "api_version", "APIVersion"), ("condition", "condition", "Condition"), ("tags", "tags", "Tags"),
    ("appVersion", "app_version", "AppVersion"), ("deprecated", "deprecated", "Deprecated"),
    ("annotations", "annotations", "Annotations"), ("kubeVersion", "kube_version", "KubeVersion"),
    ("dependencies", "dependencies", "Dependencies"), ("type", "type", "Type"),
)
DEPENDENCY_FIELDS = (
    ("name", "name", "Name"), ("version", "version", "Version"), ("repository", "repository", "Repository"),
    ("condition", "condition", "Condition"), ("tags", "tags", "Tags"), ("enabled", "enabled", "Enabled"),
    ("import-values", "import_values", "ImportValues"), ("alias", "alias", "Alias"),
)
_ALIAS = r"^[a-zA-Z0-9_-]+$"  # compiled for the charts whose dependencies have an alias
_SEMVER = re.compile(r"^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?"
                     r"(?:-([0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?(?:\+([0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?$")
_UINT64_MAX = (1 << 64) - 1
# Chart.yaml fields and the Go types chart.Metadata gives them (JSON decoding refuses other shapes)
_STRING, _BOOL = "string", "bool"
_MAINTAINER = ("Maintainer", "v2.Maintainer", {"name": _STRING, "email": _STRING, "url": _STRING})
_DEPENDENCY = ("Dependency", "v2.Dependency", {
    "name": _STRING, "version": _STRING, "repository": _STRING, "condition": _STRING, "tags": [_STRING],
    "enabled": _BOOL, "import-values": ["interface {}"], "alias": _STRING})
_METADATA = ("Metadata", "v2.Metadata", {
    "name": _STRING, "home": _STRING, "sources": [_STRING], "version": _STRING, "description": _STRING,
    "keywords": [_STRING], "maintainers": [_MAINTAINER], "icon": _STRING, "apiVersion": _STRING,
    "condition": _STRING, "tags": _STRING, "appVersion": _STRING, "deprecated": _BOOL,
    "annotations": {_STRING: _STRING}, "kubeVersion": _STRING, "dependencies": [_DEPENDENCY], "type": _STRING})


def _string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    from engine.gotemplate.gofmt import format_value

    return format_value(value)


def _strings(value: Any) -> list[str]:
    return [_string(v) for v in value] if isinstance(value, list) else []


def _dependency(raw: Any) -> Dependency:
    raw = raw if isinstance(raw, dict) else {}
    return Dependency(name=_string(raw.get("name")), version=_string(raw.get("version")),
                      repository=_string(raw.get("repository")), condition=_string(raw.get("condition")),
                      tags=_strings(raw.get("tags")), enabled=bool(raw.get("enabled", False)),
                      import_values=list(raw.get("import-values") or []), alias=_string(raw.get("alias")))


def parse_metadata(data: Any) -> Metadata:
    """Build Metadata from parsed Chart.yaml (numbers given where strings belong become strings)."""
    if not isinstance(data, dict):
        data = {}
    maintainers = [Maintainer(_string(m.get("name")), _string(m.get("email")), _string(m.get("url")))
                   for m in data.get("maintainers") or [] if isinstance(m, dict)]
    annotations = data.get("annotations") if isinstance(data.get("annotations"), dict) else {}
    return Metadata(
        api_version=_string(data.get("apiVersion")), name=_string(data.get("name")),
        version=_string(data.get("version")), kube_version=_string(data.get("kubeVersion")),
        description=_string(data.get("description")), type=_string(data.get("type")),
        home=_string(data.get("home")), sources=_strings(data.get("sources")),
        keywords=_strings(data.get("keywords")), maintainers=maintainers, icon=_string(data.get("icon")),
        app_version=_string(data.get("appVersion")), deprecated=bool(data.get("deprecated", False)),
        annotations={str(k): _string(v) for k, v in annotations.items()},
        condition=_string(data.get("condition")), tags=_string(data.get("tags")),
        dependencies=[_dependency(d) for d in data.get("dependencies") or [] if d is not None],
        null_maintainers=None in (data.get("maintainers") or []),
        null_dependencies=None in (data.get("dependencies") or []))


def _sanitize(text: str) -> str:
    return "".join(" " if c.isspace() else c for c in text if c.isprintable() or c.isspace())


def is_valid_semver(text: str) -> bool:
    """Whether Masterminds' semver.NewVersion accepts ``text`` (64-bit parts, no 0-led numeric prerelease)."""
    match = _SEMVER.match(text)
    if match is None:
        return False
    major, minor, patch, prerelease, _build = match.groups()
    if any(part is not None and int(part) > _UINT64_MAX for part in (major, minor, patch)):
        return False
    return not any(p.isdigit() and len(p) > 1 and p[0] == "0" for p in (prerelease or "").split("."))


def type_error(data: dict[str, Any]) -> str | None:
    """The first error Go's JSON decoding of Chart.yaml into chart.Metadata reports (keys in sorted order,
    as sigs.k8s.io/yaml hands them over), or None. Scalars where strings belong are converted, not errors."""
    return _type_error(data, _METADATA, "")


def _type_error(value: Any, go_type: Any, path: str, struct: str = "Metadata") -> str | None:
    if value is None:
        return None
    if isinstance(go_type, tuple):  # a struct (or pointer to one)
        name, type_name, fields = go_type
        if not isinstance(value, dict):
            return _mismatch(value, struct, path, type_name)
        for key in sorted(value):
            if key in fields:
                problem = _type_error(value[key], fields[key], f"{path}.{key}" if path else key, name)
                if problem:
                    return problem
        return None
    if isinstance(go_type, list):
        element = go_type[0]
        if not isinstance(value, list):
            return _mismatch(value, struct, path, "[]" + _type_name(element, pointer=True))
        for item in value:
            problem = _type_error(item, element, path, struct) if element != "interface {}" else None
            if problem:
                return problem
        return None
    if isinstance(go_type, dict):
        if not isinstance(value, dict):
            return _mismatch(value, struct, path, "map[string]string")
        for key in sorted(value):
            problem = _type_error(value[key], _STRING, path, struct)
            if problem:
                return problem
        return None
    if go_type == _BOOL:
        return None if isinstance(value, bool) else _mismatch(value, struct, path, _BOOL)
    return _mismatch(value, struct, path, _STRING) if isinstance(value, (list, dict)) else None


def _type_name(go_type: Any, pointer: bool = False) -> str:
    if isinstance(go_type, tuple):
        return ("*" if pointer else "") + go_type[1]
    return go_type


def _mismatch(value: Any, struct: str, path: str, type_name: str) -> str:
    from engine.gotemplate.gojson import json_kind

    return (f"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {json_kind(value)} into Go "
            f"struct field {struct}.{path} of type {type_name}")


def validate(metadata: Metadata) -> None:
    """Helm's Metadata.Validate; raises ChartError ``validation: …``."""
    for _key, attribute, _go in FIELDS:
        value = getattr(metadata, attribute)
        if isinstance(value, str):
            setattr(metadata, attribute, _sanitize(value))
    if not metadata.api_version:
        raise ChartError("validation: chart.metadata.apiVersion is required")
    if not metadata.name:
        raise ChartError("validation: chart.metadata.name is required")
    if metadata.name in (".", ".."):
        raise ChartError(f'validation: chart.metadata.name "{metadata.name}" is not allowed')
    if metadata.name != posixpath.basename(metadata.name):
        raise ChartError(f'validation: chart.metadata.name "{metadata.name}" is invalid')
    if not metadata.version:
        raise ChartError("validation: chart.metadata.version is required")
    if not is_valid_semver(metadata.version):
        raise ChartError(f'validation: chart.metadata.version "{metadata.version}" is invalid')
    if metadata.type not in ("", "application", "library"):
        raise ChartError("validation: chart.metadata.type must be application or library")
    if metadata.null_maintainers:
        raise ChartError("validation: maintainers must not contain empty or null nodes")
    if metadata.null_dependencies:
        raise ChartError("validation: dependencies must not contain empty or null nodes")
    seen: set[str] = set()
    for dependency in metadata.dependencies:
        if dependency.alias and not re.match(_ALIAS, dependency.alias):
            raise ChartError(f'validation: dependency "{dependency.name}" has disallowed characters in the alias')
        key = dependency.alias or dependency.name
        if key in seen:
            raise ChartError(f'validation: more than one dependency with name or alias "{key}"')
        seen.add(key)


def dependency_to_dict(dependency: Dependency) -> dict[str, Any]:
    """A dependency with Helm's JSON keys (repository always present, others omitted when empty)."""
    out: dict[str, Any] = {}
    for key, attribute, _go in DEPENDENCY_FIELDS:
        value = getattr(dependency, attribute)
        if value or key == "repository":
            out[key] = value
    return out


def metadata_to_dict(metadata: Metadata) -> dict[str, Any]:
    """Metadata with Helm's JSON keys, empty fields omitted (what ``helm show chart`` marshals)."""
    out: dict[str, Any] = {}
    for key, attribute, _go in FIELDS:
        value = getattr(metadata, attribute)
        if key == "maintainers":
            value = [{k: v for k, v in (("name", m.name), ("email", m.email), ("url", m.url)) if v}
                     for m in value]
        elif key == "dependencies":
            value = [dependency_to_dict(d) for d in value]
        if value:
            out[key] = value
    return out


def chart_value_for_templates(chart: Chart) -> dict[str, Any]:
    """``.Chart``: Helm v4's structToMap of the metadata, plus IsRoot."""
    metadata = chart.metadata
    result: dict[str, Any] = {}
    for _key, attribute, go_name in FIELDS:
        value = getattr(metadata, attribute)
        if attribute == "maintainers":
            value = [{"Name": m.name, "Email": m.email, "URL": m.url} for m in value]
        elif attribute == "dependencies":
            value = [{go: getattr(d, attr) if attr != "tags" else list(d.tags)
                      for _k, attr, go in DEPENDENCY_FIELDS} for d in value]
        elif isinstance(value, list):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        result[go_name] = value
    result["IsRoot"] = chart.is_root
    return result

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
_ALIAS = re.compile(r"^[a-zA-Z0-9_-]+$")
_SEMVER = re.compile(r"^v?[0-9]+(\.[0-9]+)?(\.[0-9]+)?(-[0-9A-Za-z.\-]+)?(\+[0-9A-Za-z.\-]+)?$")


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
        dependencies=[_dependency(d) for d in data.get("dependencies") or []])


def _sanitize(text: str) -> str:
    return "".join(" " if c.isspace() else c for c in text if c.isprintable() or c.isspace())


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
    if metadata.name != posixpath.basename(metadata.name) or metadata.name in (".", ".."):
        raise ChartError(f'validation: chart.metadata.name "{metadata.name}" is invalid')
    if not metadata.version:
        raise ChartError("validation: chart.metadata.version is required")
    if not _SEMVER.match(metadata.version):
        raise ChartError(f'validation: chart.metadata.version "{metadata.version}" is invalid')
    if metadata.type not in ("", "application", "library"):
        raise ChartError("validation: chart.metadata.type must be application or library")
    for maintainer in metadata.maintainers:
        if not maintainer.name:
            raise ChartError("validation: each maintainer requires a name")
    seen: set[str] = set()
    for dependency in metadata.dependencies:
        if not dependency.name:
            raise ChartError("validation: dependencies must have a name")
        if dependency.alias and not _ALIAS.match(dependency.alias):
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

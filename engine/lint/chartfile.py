"""Chart.yaml rules."""
from __future__ import annotations

import os
import re
from typing import Any

from engine.lint.messages import ERROR, INFO, WARNING, Linter

_WIDE = "\\x{00A0}-\\x{D7FF}\\x{F900}-\\x{FDCF}\\x{FDF0}-\\x{FFEF}"
_ATOM = f"[a-zA-Z\\d!#$%&'*+\\-/=?^_`{{|}}~{_WIDE}]+"
_LABEL = f"(?:[a-zA-Z\\d{_WIDE}]|[a-zA-Z\\d{_WIDE}][a-zA-Z\\d\\-._~{_WIDE}]*[a-zA-Z\\d{_WIDE}])"
_TOP = f"(?:[a-zA-Z{_WIDE}]|[a-zA-Z{_WIDE}][a-zA-Z\\d\\-._~{_WIDE}]*[a-zA-Z{_WIDE}])"
# govalidator's IsEmail (what helm lint checks maintainers' emails with), matched by RE2 in linear time
_EMAIL = f'^(?:{_ATOM}(?:\\.{_ATOM})*|"(?:[^"\\\\]|\\\\.)*")@(?:{_LABEL}\\.)+{_TOP}\\.?$'
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/$.?#].[^\s]*$")
_STRICT_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")
_KNOWN_KEYS = {"apiVersion", "name", "version", "kubeVersion", "description", "type", "keywords", "home",
               "sources", "dependencies", "maintainers", "icon", "appVersion", "deprecated", "annotations"}


def _string_type(data: dict[str, Any], key: str) -> str | None:
    if key not in data:
        return None
    from engine.gotemplate.gotypes import go_type_name

    value = data[key]
    type_name = "string" if isinstance(value, str) else go_type_name(value)
    return None if type_name == "string" else f"{key} should be of type string but it's of type {type_name}"


def _version(version: str) -> str | None:
    from engine.gotemplate.sprig.semver import SemverError, parse_version

    if not version:
        return "version is required"
    try:
        parsed = parse_version(version)
    except SemverError:
        return f"version '{version}' is not a valid SemVer"
    if parsed.major == 0 and parsed.minor == 0 and parsed.patch == 0 and not parsed.prerelease:
        return f"version {version} is less than or equal to 0.0.0-0"
    return None


def lint_chartfile(linter: Linter) -> None:
    """Helm's rules.Chartfile."""
    from engine.chart.errors import ChartError
    from engine.chart.metadata import parse_metadata, type_error
    from engine.gotemplate.goyaml import YAMLError, decode_utf8, load

    name = "Chart.yaml"
    path = os.path.join(linter.chart_dir, name)
    linter.rule(ERROR, name, "should be a file, not a directory" if os.path.isdir(path) else None)
    try:
        with open(path, "rb") as handle:
            data = load(decode_utf8(handle.read())) or {}
        if not isinstance(data, dict):
            raise YAMLError("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
                            "non-object into Go value of type chart.Metadata")
    except (OSError, YAMLError, ChartError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) else str(exc)
        linter.rule(ERROR, name, f"unable to parse YAML\n\t{detail}")
        return
    problem = type_error(data)
    if problem:
        linter.rule(ERROR, name, f"unable to parse YAML\n\t{problem}")
        return
    unknown = sorted(set(data) - _KNOWN_KEYS)
    if unknown:
        linter.rule(WARNING, name, "failed to strictly parse chart metadata file\n\t" + "; ".join(
            f'error unmarshaling JSON: while decoding JSON: json: unknown field "{k}"' for k in unknown[:1]))
    metadata = parse_metadata(data)
    chart_name = metadata.name
    linter.rule(ERROR, name, "name is required" if not chart_name else (
        f'chart name "{chart_name}" is invalid' if os.path.basename(chart_name) != chart_name else None))
    api = metadata.api_version
    linter.rule(ERROR, name, 'apiVersion is required. The value must be either "v1" or "v2"' if not api else (
        f"apiVersion '{api}' is not valid. The value must be either \"v1\" or \"v2\"" if api not in ("v1", "v2")
        else None))
    linter.rule(ERROR, name, _string_type(data, "version"))
    linter.rule(ERROR, name, _version(metadata.version))
    linter.rule(ERROR, name, _string_type(data, "appVersion"))
    linter.rule(ERROR, name, _maintainers(metadata))
    linter.rule(ERROR, name, next((f"invalid source URL '{s}'" for s in metadata.sources
                                   if not s or not _URL.match(s)), None))
    linter.rule(INFO, name, "icon is recommended" if not metadata.icon else None)
    linter.rule(ERROR, name, f"invalid icon URL '{metadata.icon}'" if metadata.icon and not _URL.match(
        metadata.icon) else None)
    linter.rule(ERROR, name, f"chart type is not valid in apiVersion '{api}'. It is valid in apiVersion 'v2'"
                if metadata.type and api != "v2" else None)
    linter.rule(ERROR, name, f"dependencies are not valid in the Chart file with apiVersion '{api}'. They are "
                             "valid in apiVersion 'v2'" if metadata.dependencies and api != "v2" else None)
    linter.rule(WARNING, name, None if _STRICT_SEMVER.match(metadata.version)
                else f"version '{metadata.version}' is not a valid SemVerV2")


def _maintainers(metadata) -> str | None:
    from engine.gotemplate.goregexp import compile_go

    for maintainer in metadata.maintainers:
        if not maintainer.name:
            return "each maintainer requires a name"
        if maintainer.email and not compile_go(_EMAIL).search(maintainer.email):
            return f"invalid email '{maintainer.email}' for maintainer '{maintainer.name}'"
        if maintainer.url and not _URL.match(maintainer.url):
            return f"invalid url '{maintainer.url}' for maintainer '{maintainer.name}'"
    return None

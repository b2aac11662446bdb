"""Helm's ProcessDependencies: match vendored subcharts, aliases, tags, conditions, import-values."""
from __future__ import annotations

import copy
import dataclasses
from typing import Any

from engine.chart.model import Chart, Dependency
from engine.values.coalesce import Warn, coalesce_tables, coalesce_values, merge_tables
from engine.values.copying import copy_values

_MISSING = object()


def is_compatible_range(constraint: str, version: str) -> bool:
    """Masterminds' check that ``version`` satisfies ``constraint`` (false on any parse error)."""
    from engine.gotemplate.sprig.semver import SemverError, constraint_matches

    try:
        return constraint_matches(constraint, version)
    except SemverError:
        return False


def table(values: Any, path: str) -> Any:
    """Helm's Values.Table: the map at a dotted path, or _MISSING."""
    current = values
    for part in path.split("."):
        if not isinstance(current, dict) or part not in current or not isinstance(current[part], dict):
            return _MISSING
        current = current[part]
    return current


def path_value(values: dict[str, Any], path: str) -> Any:
    """Helm's Values.PathValue: a non-table value at a dotted path, or _MISSING."""
    parts = path.split(".")
    if len(parts) == 1:
        value = values.get(parts[0], _MISSING)
        return _MISSING if isinstance(value, dict) else value
    parent = table(values, ".".join(parts[:-1]))
    if parent is _MISSING:
        return _MISSING
    value = parent.get(parts[-1], _MISSING)
    return _MISSING if isinstance(value, dict) else value


def _alias_copy(subcharts: list[Chart], dependency: Dependency) -> Chart | None:
    for sub in subcharts:
        if sub.name != dependency.name or not is_compatible_range(dependency.version, sub.metadata.version):
            continue
        clone = dataclasses.replace(sub, metadata=copy.deepcopy(sub.metadata), subcharts=[])
        for child in sub.subcharts:
            clone.add_subchart(dataclasses.replace(child))
        if dependency.alias:
            clone.metadata.name = dependency.alias
        return clone
    return None


def _apply_tags(dependencies: list[Dependency], values: dict[str, Any]) -> None:
    tags = table(values, "tags")
    if tags is _MISSING:
        return
    for dependency in dependencies:
        has_true = has_false = False
        for tag in dependency.tags:
            if tag in tags and isinstance(tags[tag], bool):
                has_true = has_true or tags[tag]
                has_false = has_false or not tags[tag]
        if not has_true and has_false:
            dependency.enabled = False
        elif has_true or not (has_true or has_false):
            dependency.enabled = True


def _apply_conditions(dependencies: list[Dependency], values: dict[str, Any], prefix: str) -> None:
    for dependency in dependencies:
        for condition in dependency.condition.strip().split(","):
            if not condition:
                continue
            value = path_value(values, prefix + condition)
            if isinstance(value, bool):
                dependency.enabled = value
                break


def _process_enabled(chart: Chart, values: dict[str, Any], prefix: str, warn: Warn) -> None:
    if not chart.metadata.dependencies:
        return
    wanted = chart.metadata.dependencies
    kept = [sub for sub in chart.subcharts
            if not any(sub.name == d.name and is_compatible_range(d.version, sub.metadata.version) for d in wanted)]
    for dependency in wanted:
        match = _alias_copy(chart.subcharts, dependency)
        if match is not None:
            kept.append(match)
        if dependency.alias:
            dependency.name = dependency.alias
    _set_subcharts(chart, kept)
    for dependency in wanted:
        dependency.enabled = True
    coalesced = coalesce_values(chart, values, warn)
    _apply_tags(wanted, coalesced)
    _apply_conditions(wanted, coalesced, prefix)
    disabled = {d.name for d in wanted if not d.enabled}
    enabled_charts = [sub for sub in chart.subcharts if sub.name not in disabled]
    chart.metadata.dependencies = [d for d in wanted if d.name not in disabled]
    for sub in enabled_charts:
        _process_enabled(sub, coalesced, prefix + sub.name + ".", warn)
    _set_subcharts(chart, enabled_charts)


def _set_subcharts(chart: Chart, subcharts: list[Chart]) -> None:
    chart.subcharts = []
    for sub in subcharts:
        chart.add_subchart(sub)


def _path_to_map(path: str, data: dict[str, Any]) -> dict[str, Any]:
    if path == ".":
        return data
    result: Any = data
    for part in reversed(path.split(".")):
        result = {part: result}
    return result


def _process_import_values(chart: Chart, warn: Warn) -> None:
    if not chart.metadata.dependencies:
        return
    values = coalesce_values(chart, None, warn, merge=True)
    imported: dict[str, Any] = {}
    for dependency in chart.metadata.dependencies:
        normalized = []
        for entry in dependency.import_values:
            if isinstance(entry, dict):
                child, parent = _go_string(entry.get("child")), _go_string(entry.get("parent"))
                normalized.append({"child": child, "parent": parent})
                source = table(values, dependency.name + "." + child)
                if source is not _MISSING:
                    imported = merge_tables(imported, _path_to_map(parent, copy_values(source)))
            elif isinstance(entry, str):
                child = "exports." + entry
                normalized.append({"child": child, "parent": "."})
                source = table(values, dependency.name + "." + child)
                if source is not _MISSING:
                    imported = merge_tables(imported, copy_values(source))
        dependency.import_values = normalized
    chart.values = merge_tables(copy_values(values), imported)


def _go_string(value: Any) -> str:
    from engine.gotemplate.gofmt import format_value

    return value if isinstance(value, str) else format_value(value)


def _process_imports_bottom_up(chart: Chart, warn: Warn) -> None:
    for sub in chart.subcharts:
        _process_imports_bottom_up(sub, warn)
    _process_import_values(chart, warn)


def process_dependencies(chart: Chart, user_values: dict[str, Any], warn: Warn = lambda message: None) -> None:
    """Mutate the chart tree as Helm does before rendering (work on a copy of the loaded chart); ``warn``
    hears the coalescing warnings of each pass, as Helm logs them."""
    _process_enabled(chart, user_values or {}, "", warn)
    _process_imports_bottom_up(chart, warn)


__all__ = ["process_dependencies", "coalesce_tables", "is_compatible_range"]

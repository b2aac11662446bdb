"""Running every lint rule over one or more charts (Helm's action.Lint)."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

from engine.chart.errors import ChartError
from engine.lint.chartfile import lint_chartfile
from engine.lint.messages import ERROR, INFO, WARNING, Linter, Message
from engine.lint.rules import lint_crds, lint_dependencies, lint_templates, lint_values


@dataclass
class ChartResult:
    path: str
    messages: list[Message] = field(default_factory=list)
    error: str | None = None  # the chart could not be linted at all


def lint_directory(chart_dir: str, values: dict[str, Any], namespace: str, kube_version: str | None = None,
                   skip_schema: bool = False) -> list[Message]:
    """All rules over one chart directory, in Helm's order."""
    linter = Linter(os.path.abspath(chart_dir))
    lint_chartfile(linter)
    lint_values(linter, values, skip_schema)
    lint_templates(linter, namespace, values, kube_version, skip_schema)
    lint_dependencies(linter)
    lint_crds(linter)
    return linter.messages


def lint_path(path: str, values: dict[str, Any], namespace: str, kube_version: str | None = None,
              skip_schema: bool = False) -> ChartResult:
    """Lint a chart directory or archive."""
    if path.endswith((".tgz", ".tar.gz")):
        with tempfile.TemporaryDirectory() as tmp:
            try:
                chart_dir = expand_archive(path, tmp)
            except ChartError as exc:
                return ChartResult(path, error=f"unable to extract tarball: {exc}")
            return ChartResult(path, lint_directory(chart_dir, values, namespace, kube_version, skip_schema))
    if not os.path.exists(os.path.join(path, "Chart.yaml")):
        return ChartResult(path, error="unable to check Chart.yaml file in chart: stat "
                                       f"{os.path.join(path, 'Chart.yaml')}: no such file or directory")
    return ChartResult(path, lint_directory(path, values, namespace, kube_version, skip_schema))


def expand_archive(path: str, directory: str) -> str:
    """Helm's chartutil.Expand: the archive's files, read with the loader's rules, written below
    ``directory``/<chart name>; returns that chart directory."""
    from engine.chart.archive import read_archive, write_files
    from engine.gotemplate.goyaml import YAMLError, load

    try:
        with open(path, "rb") as handle:
            files = read_archive(handle.read(), path)
    except OSError as exc:
        raise ChartError(f"open {path}: {(exc.strerror or str(exc)).lower()}") from None
    chart_name = ""
    for file in files:
        if file.name == "Chart.yaml":
            try:
                metadata = load(file.data.decode("utf-8", errors="replace"))
            except YAMLError as exc:
                raise ChartError(f"cannot load Chart.yaml: {exc}") from None
            chart_name = str(metadata.get("name") or "") if isinstance(metadata, dict) else ""
    if not chart_name:
        raise ChartError("chart name not specified")
    chart_dir = _inside(directory, chart_name)
    write_files(files, chart_dir, chart_name)  # member names are confined to the chart by read_archive
    return chart_dir


def _inside(root: str, name: str) -> str:
    """``root``/``name`` confined to ``root``, as securejoin confines it (``..`` stops at the root)."""
    parts: list[str] = []
    for part in name.replace("\\", "/").split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return os.path.join(root, *parts)


def subchart_paths(path: str) -> list[str]:
    """Charts found under ``path``/charts (``--with-subcharts``), in walk order."""
    found = []
    for root, dirs, files in os.walk(os.path.join(path, "charts")):
        dirs.sort()
        if "Chart.yaml" in files:
            found.append(root)
        found.extend(os.path.join(root, f) for f in sorted(files) if f.endswith((".tgz", ".tar.gz")))
    return found


def failed(result: ChartResult, strict: bool) -> bool:
    threshold = WARNING if strict else ERROR
    return result.error is not None or any(m.severity >= threshold for m in result.messages)


def has_warnings_or_errors(result: ChartResult) -> bool:
    return result.error is not None or any(m.severity > INFO for m in result.messages)


__all__ = ["lint_path", "subchart_paths", "failed", "has_warnings_or_errors", "ERROR"]

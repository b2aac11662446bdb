"""``dependency list``: each declared dependency's state in charts/ (Helm's dependencyStatus) and strays."""
from __future__ import annotations

import glob
import os
import re

from engine.chart.model import Chart, Dependency
from engine.repo import versions
from engine.repo.errors import RepoError

_STRICT_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


def _version_status(constraint: str, version: str) -> str:
    """'' when ``version`` meets ``constraint``, else ``invalid version`` or ``wrong version``."""
    if version == constraint:
        return ""
    try:
        versions.check_constraint(constraint)
    except RepoError:
        return "invalid version"
    if versions.parse_version(version) is None:
        return "invalid version"
    return "" if versions.satisfies(constraint, version) else "wrong version"


def _archive_status(archive: str, dependency: Dependency) -> str:
    from engine.chart.loader import load_chart

    try:
        chart = load_chart(archive)
    except Exception:  # noqa: BLE001 - an unreadable archive is reported, not raised
        return "corrupt"
    if chart.name != dependency.name:
        return "misnamed"
    return _version_status(dependency.version, chart.metadata.version) or "ok"


def dependency_status(chart_path: str, dependency: Dependency, chart: Chart) -> str:
    """ok, unpacked, missing, wrong version, … — what ``helm dependency list`` shows in STATUS."""
    archives = sorted(glob.glob(os.path.join(glob.escape(chart_path), "charts", f"{dependency.name}-*.tgz")))
    if len(archives) > 1:
        prefix = f"{dependency.name}-"
        archives = [a for a in archives
                    if _STRICT_SEMVER.match(os.path.basename(a)[len(prefix):-len(".tgz")])]
        if len(archives) > 1:
            return "too many matches"
    if len(archives) == 1:
        return _archive_status(archives[0], dependency)
    loaded = next((sub for sub in reversed(chart.subcharts) if sub.name == dependency.name), None)
    if loaded is None:
        return "missing"
    return _version_status(dependency.version, loaded.metadata.version) or "unpacked"


def stray_charts(chart_path: str, dependencies: list[Dependency]) -> list[str]:
    """Warnings for charts/ entries that are not charts or that Chart.yaml does not declare."""
    from engine.chart.loader import load_chart

    warnings = []
    declared = {d.name for d in dependencies}
    for path in sorted(glob.glob(os.path.join(glob.escape(chart_path), "charts", "*"))):
        if not os.path.isdir(path) and not path.endswith(".tgz"):
            continue
        try:
            chart = load_chart(path)
        except Exception:  # noqa: BLE001 - anything unloadable is "not a chart"
            warnings.append(f'WARNING: "{path}" is not a chart.')
            continue
        if chart.name not in declared:
            warnings.append(f'WARNING: "{path}" is not in Chart.yaml.')
    return warnings

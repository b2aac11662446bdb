"""Finding the chart a command names (a directory or an archive; repositories come with the repo layer)."""
from __future__ import annotations

import os

from engine.chart.model import Chart
from engine.cli.errors import CommandError


def locate_chart(reference: str) -> str:
    """The local path of the chart ``reference`` names, as Helm's LocateChart resolves local paths."""
    if os.path.exists(reference):
        return os.path.abspath(reference)
    if os.path.isabs(reference) or reference.startswith("."):
        raise CommandError(f'path "{reference}" not found')
    repository, slash, _name = reference.partition("/")
    if not slash:
        raise CommandError(f"non-absolute URLs should be in form of repo_name/path_to_chart, got: {reference}")
    raise CommandError(f"repo {repository} not found")


def load_installable_chart(reference: str, warn) -> Chart:
    """Load a chart for install/template: refuse library charts and missing dependencies as Helm does."""
    from engine.chart.loader import load_chart

    chart = load_chart(locate_chart(reference))
    chart_type = chart.metadata.type
    if chart_type not in ("", "application"):
        raise CommandError(f"{chart_type} charts are not installable")
    if chart.metadata.deprecated:
        warn("this chart is deprecated")
    vendored = {sub.name for sub in chart.subcharts}
    missing = [dep.name for dep in chart.metadata.dependencies if dep.name not in vendored]
    if missing:
        raise CommandError("an error occurred while checking for chart dependencies. You may need to run "
                           "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but "
                           f"missing in charts/ directory: {', '.join(missing)}")
    return chart

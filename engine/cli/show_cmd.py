"""``pyhelm show chart|values|readme|crds|all CHART``: print a chart's parts as ``helm show`` does."""
from __future__ import annotations

import click

from engine.chart.model import Chart
from engine.cli.chart_ref import chart_path_flags, locate
from engine.sources.locate import LocateOptions

README_NAMES = ("readme.md", "readme.txt", "readme")


def chart_yaml(chart: Chart) -> str:
    """Chart.yaml re-marshalled as Helm does (sorted keys, comments dropped)."""
    from engine.chart.metadata import metadata_to_dict
    from engine.gotemplate.goyaml import to_yaml

    return to_yaml(metadata_to_dict(chart.metadata)) + "\n"


def values_text(chart: Chart) -> str | None:
    """values.yaml exactly as written in the chart, or None when the chart has none."""
    if not chart.values_file_present:
        return None
    return chart.raw_values.decode("utf-8", errors="replace") + "\n"


def readme_text(chart: Chart) -> str | None:
    for file in chart.files:
        if file.name.lower() in README_NAMES:
            return file.data.decode("utf-8", errors="replace") + "\n"
    return None


def crds_text(chart: Chart) -> str:
    from engine.render.pipeline import crd_objects

    return "".join(("" if crd.text.startswith("---") else "---\n") + crd.text + "\n" for crd in crd_objects(chart))


def show_all(chart: Chart) -> str:
    parts = [chart_yaml(chart)]
    values = values_text(chart)
    if values is not None:
        parts.append("---\n" + values)
    readme = readme_text(chart)
    if readme is not None:
        parts.append("---\n" + readme)
    parts.append(crds_text(chart))
    return "".join(parts)


def _load(reference: str, chart_path: LocateOptions) -> Chart:
    from engine.chart.loader import load_chart

    return load_chart(locate(reference, chart_path))


@click.group(name="show")
def show() -> None:
    """Show information of a chart."""


@show.command(name="chart")
@click.argument("chart")
@chart_path_flags
def show_chart(chart: str, chart_path: LocateOptions) -> None:
    """Show the chart's definition."""
    click.echo(chart_yaml(_load(chart, chart_path)), nl=False)


@show.command(name="values")
@click.argument("chart")
@chart_path_flags
def show_values(chart: str, chart_path: LocateOptions) -> None:
    """Show the chart's values."""
    click.echo(values_text(_load(chart, chart_path)) or "", nl=False)


@show.command(name="readme")
@click.argument("chart")
@chart_path_flags
def show_readme(chart: str, chart_path: LocateOptions) -> None:
    """Show the chart's README."""
    click.echo(readme_text(_load(chart, chart_path)) or "", nl=False)


@show.command(name="crds")
@click.argument("chart")
@chart_path_flags
def show_crds(chart: str, chart_path: LocateOptions) -> None:
    """Show the chart's CRDs."""
    click.echo(crds_text(_load(chart, chart_path)), nl=False)


@show.command(name="all")
@click.argument("chart")
@chart_path_flags
def show_all_command(chart: str, chart_path: LocateOptions) -> None:
    """Show all information of the chart."""
    click.echo(show_all(_load(chart, chart_path)), nl=False)

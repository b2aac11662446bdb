"""``pyhelm create`` and ``pyhelm package``: make a new chart, build a chart archive."""
from __future__ import annotations

import os

import click


@click.command()
@click.argument("name")
@click.option("-p", "--starter", default="", help="the name or absolute path to Helm starter scaffold")
def create(name: str, starter: str) -> None:
    """Create a new chart with the given name."""
    from engine.chart.create import create_chart
    from engine.cli.errors import CommandError

    if starter:
        raise CommandError("starter scaffolds are not supported yet; create the chart without --starter")
    click.echo(f"Creating {name}")
    create_chart(os.path.basename(name), os.path.dirname(name) or ".")


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-d", "--destination", default=".", help="location to write the chart.")
@click.option("--version", "version", default=None, help="set the version on the chart to this semver version")
@click.option("--app-version", default=None, help="set the appVersion on the chart to this version")
def package(paths: tuple[str, ...], destination: str, version: str | None, app_version: str | None) -> None:
    """Package a chart directory into a chart archive."""
    from engine.chart.package import package_chart
    from engine.cli.errors import CommandError

    for path in paths:
        if not os.path.exists(path):
            raise CommandError(f"stat {path}: no such file or directory")
        if not os.path.isdir(path):
            raise CommandError(f"unable to detect chart at {path}/Chart.yaml: open {path}/Chart.yaml: not a directory")
        archive = package_chart(path, destination, version=version, app_version=app_version)
        click.echo(f"Successfully packaged chart and saved it to: {os.path.abspath(archive)}")

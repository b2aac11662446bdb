"""The chart-locating flags of install, upgrade, template, show and pull, over engine.sources.locate."""
from __future__ import annotations

import functools
from typing import Any, Callable

import click

from engine.chart.model import Chart
from engine.sources.locate import LocateOptions, load_installable, locate_chart

CHART_PATH_FLAGS = tuple(name for name in LocateOptions.__dataclass_fields__)


def chart_path_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add Helm's chart-locating flags; the command receives them as ``chart_path`` (LocateOptions)."""
    options = [
        click.option("--version", default="", help="specify a version constraint for the chart version to use"),
        click.option("--devel", is_flag=True, help="use development versions, too. Equivalent to version "
                                                   "'>0.0.0-0'. If --version is set, this is ignored"),
        click.option("--repo", "repo_url", default="", help="chart repository url where to locate the chart"),
        click.option("--username", default="", help="chart repository username"),
        click.option("--password", default="", help="chart repository password"),
        click.option("--pass-credentials", is_flag=True, help="pass credentials to all domains"),
        click.option("--ca-file", default="", help="verify certificates of HTTPS-enabled servers using this "
                                                   "CA bundle"),
        click.option("--cert-file", default="", help="identify HTTPS client using this SSL certificate file"),
        click.option("--key-file", default="", help="identify HTTPS client using this SSL key file"),
        click.option("--insecure-skip-tls-verify", is_flag=True, help="skip tls certificate checks for the "
                                                                      "chart download"),
        click.option("--plain-http", is_flag=True, help="use insecure HTTP connections for the chart download"),
        click.option("--verify", is_flag=True, help="verify the package (its provenance file) before using it"),
        click.option("--keyring", default="", help="location of public keys used for verification"),
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["chart_path"] = LocateOptions(**{name: kwargs.pop(name) for name in CHART_PATH_FLAGS})
        return command(*args, **kwargs)

    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), wrapper)


def warn_line(fields: str) -> None:
    """Print a repository-layer warning (``msg="…" key=value``) as Helm logs it."""
    click.echo(f"level=WARN {fields}", err=True)


def locate(reference: str, options: LocateOptions) -> str:
    """The local path of the chart a command names (engine.sources.locate), repository warnings logged."""
    return locate_chart(reference, options, warn_line)


def load_installable_chart(reference: str, warn, options: LocateOptions) -> Chart:
    """Locate and load a chart for install, upgrade or template (library charts and missing dependencies
    refused as Helm does)."""
    return load_installable(locate(reference, options), warn)

"""``pyhelm version``: print pyhelm's version (``--short``, or formatted with ``--template``)."""
from __future__ import annotations

import platform

import click

from engine.version import HELM_COMPAT_VERSION, __version__


def build_info() -> dict[str, str]:
    """What ``version`` reports, as a map usable from ``--template``."""
    return {"Version": f"v{__version__}", "HelmCompatible": HELM_COMPAT_VERSION,
            "PythonVersion": platform.python_version()}


@click.command()
@click.option("--short", is_flag=True, help="print the version number")
@click.option("--template", "template_text", default="", help="template for version string format")
def version(short: bool, template_text: str) -> None:
    """Print the version information."""
    info = build_info()
    if template_text:
        from engine.gotemplate.template_set import TemplateSet

        template_set = TemplateSet()
        template_set.parse("version", template_text)
        click.echo(template_set.execute("version", info))
        return
    if short:
        click.echo(info["Version"])
        return
    fields = ", ".join(f'{key}:"{value}"' for key, value in info.items())
    click.echo(f"version.BuildInfo{{{fields}}}")

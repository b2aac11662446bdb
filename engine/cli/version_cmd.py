"""``pyhelm version``: print pyhelm's version (``--short``, or formatted with ``--template``)."""
from __future__ import annotations

import click

from engine.version import build_info, version_line


@click.command()
@click.option("--short", is_flag=True, help="print the version number")
@click.option("--template", "template_text", default="", help="template for version string format")
def version(short: bool, template_text: str) -> None:
    """Print the version information."""
    if template_text:
        from engine.gotemplate.template_set import TemplateSet

        template_set = TemplateSet()
        template_set.parse("version", template_text)
        click.echo(template_set.execute("version", build_info()))
        return
    click.echo(version_line(short))

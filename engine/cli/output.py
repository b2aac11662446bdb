"""Small output helpers shared by commands: warnings on stderr."""
from __future__ import annotations

import click


def warn(message: str) -> None:
    """Print a warning as Helm v4 logs it."""
    click.echo(f"level=WARN msg=\"{message}\"", err=True)


def info(message: str) -> None:
    """Print a message Helm v4 logs at INFO (its values-coalescing "warning: …" lines among them)."""
    click.echo(f"level=INFO msg=\"{message}\"", err=True)

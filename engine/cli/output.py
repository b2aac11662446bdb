"""Small output helpers shared by commands: log lines on stderr, worded as Helm v4's slog text handler."""
from __future__ import annotations

import click

from engine.repo.logline import log_fields


def warn(message: str) -> None:
    """Print a warning as Helm v4 logs it."""
    click.echo(f"level=WARN {log_fields(message)}", err=True)


def info(message: str) -> None:
    """Print a message Helm v4 logs at INFO (its values-coalescing "warning: …" lines among them)."""
    click.echo(f"level=INFO {log_fields(message)}", err=True)

"""``pyhelm completion bash|zsh|fish``: print a shell completion script."""
from __future__ import annotations

import click


@click.command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
@click.pass_context
def completion(ctx: click.Context, shell: str) -> None:
    """Generate the autocompletion script for the specified shell."""
    from click.shell_completion import get_completion_class

    root = ctx.find_root().command
    completer = get_completion_class(shell)(root, {}, "pyhelm", "_PYHELM_COMPLETE")
    click.echo(completer.source())

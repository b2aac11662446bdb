"""Shell completion of the stack commands' -e (the stack's environments) and -l (its release names,
namespaces and labels), read from the stack file given with -f."""
from __future__ import annotations

import click
from click.shell_completion import CompletionItem


def _stack_file(ctx: click.Context) -> str:
    return ctx.params.get("stack_file") or "stack.yaml"


def complete_environments(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from engine.stack.loader import environment_names

    try:
        names = environment_names(_stack_file(ctx))
    except Exception:  # completion must never fail loudly: an unreadable file completes nothing
        return []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def complete_selectors(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    from engine.stack.loader import load_stack
    from engine.stack.validate import SECRET_PLACEHOLDER

    try:
        stack = load_stack(_stack_file(ctx), ctx.params.get("environment"), missing_secret=SECRET_PLACEHOLDER)
    except Exception:  # as above
        return []
    pairs = set()
    for release in stack.releases:
        pairs |= {f"name={release.name}", f"namespace={release.namespace}"}
        pairs |= {f"{key}={value}" for key, value in release.labels.items()}
    return [CompletionItem(pair) for pair in sorted(pairs) if pair.startswith(incomplete)]

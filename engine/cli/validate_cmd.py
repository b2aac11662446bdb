"""``pyhelm validate``: render and check a whole stack without a cluster (for CI)."""
from __future__ import annotations

import click

from engine.cli.env_override_flags import env_override_flags, env_overrides
from engine.cli.errors import CommandError
from engine.cli.stack_completion import complete_environments, complete_selectors
from engine.cli.output import warn


@click.command()
@click.option("-f", "--file", "stack_file", default="stack.yaml", help="the stack file (default ./stack.yaml)")
@click.option("-e", "--environment", default=None, help="the environment of the stack file to use",
              shell_complete=complete_environments)
@click.option("-l", "--selector", "selectors", multiple=True, shell_complete=complete_selectors,
              help="only releases matching key=value (and the releases they need); repeatable")
@click.option("--kube-version", default="1.36", show_default=True,
              help="the Kubernetes version whose schemas objects are checked against")
@click.option("--strict", is_flag=True, help="also refuse fields the schemas do not know, and kinds with no schema")
@env_override_flags
def validate(stack_file, environment, selectors, kube_version, strict) -> None:
    """Render every release offline and validate each object against its Kubernetes schema."""
    from engine.stack.errors import StackError
    from engine.stack.loader import load_stack
    from engine.stack.validate import SECRET_PLACEHOLDER, validate_stack

    try:
        stack = load_stack(stack_file, environment, missing_secret=SECRET_PLACEHOLDER, env_overrides=env_overrides())
        reports = validate_stack(stack, tuple(selectors), kube_version, strict, warn)
    except StackError as exc:
        raise CommandError(str(exc)) from None
    problems = [problem for report in reports for problem in report.problems]
    unchecked = [line for report in reports for line in report.unchecked]
    for report in reports:
        state = "ok" if not report.problems else f"{len(report.problems)} problem(s)"
        click.echo(f"{report.id}: {report.objects} object(s), {state}")
        for problem in report.problems:
            click.echo(f"  {problem}")
        for line in report.unchecked:
            click.echo(f"  {'error' if strict else 'warning'}: {line}")
    objects = sum(report.objects for report in reports)
    failed = len(problems) + (len(unchecked) if strict else 0)
    click.echo(f"\nValidated {len(reports)} release(s), {objects} object(s) against Kubernetes {kube_version}: "
               + (f"{failed} problem(s)." if failed else "no problems."))
    if failed:
        raise click.exceptions.Exit(1)

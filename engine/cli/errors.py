"""Turning failures into one ``Error:`` line and an exit status."""
from __future__ import annotations

import sys

import click


class CommandError(Exception):
    """A failure a command reports as ``Error: <message>`` (exit status 1)."""


def report_error(exc: BaseException, debug: bool) -> int:
    """Print ``exc`` as Helm prints errors and return the exit status."""
    if isinstance(exc, KeyboardInterrupt):
        return report_interruption()
    if isinstance(exc, SystemExit):
        return exc.code if isinstance(exc.code, int) else 1
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if _is_user_error(exc):
        click.echo(f"Error: {exc}", err=True)
    else:
        click.echo(f"Error: internal error: {type(exc).__name__}: {exc} (run with --debug for details and "
                   "report it)", err=True)
    return 1


def report_interruption() -> int:
    """The one line a cancelled command ends with (which signal, which releases it left marked failed) and
    its exit status, 128 + the signal's number as a shell reports a process killed by it (130 for Ctrl-C)."""
    import signal

    from engine import cancellation

    signum = cancellation.signal_number() or signal.SIGINT
    failed = cancellation.marked_failed()
    if failed:
        what = f"release{'s' if len(failed) > 1 else ''} {', '.join(failed)} marked failed"
    else:
        what = "no release was marked failed"
    click.echo(f"Interrupted: {signal.Signals(signum).name} received; {what}", err=True)
    return 128 + signum


def _is_user_error(exc: BaseException) -> bool:
    """Errors that describe bad input or a refused operation rather than a bug in pyhelm."""
    if isinstance(exc, (CommandError, OSError)):
        return True
    module = type(exc).__module__ or ""
    return module.startswith("engine.") and type(exc).__name__.endswith("Error")

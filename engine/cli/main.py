"""The ``pyhelm`` command: a thin client over the engine library.

Start-up is kept short: ``pyhelm version`` is answered here before the command framework loads, and the
click group (engine/cli/app.py) imports a subcommand's module only when that subcommand runs.
"""
from __future__ import annotations

import atexit
import gc
import os
import sys
from typing import NoReturn

from engine import cancellation
from engine.redaction import REDACTOR
from engine.redaction.streams import redacted_output

GLOBAL_VALUE_FLAGS = {"-n", "--namespace", "--kubeconfig", "--kube-context"}
GLOBAL_BOOL_FLAGS = {"--debug"}
# flags whose value is optional (pflag's NoOptDefVal): bare, they mean this value; a value needs "="
OPTIONAL_VALUE_FLAGS = {"--dry-run": "unset", "--wait": "watcher"}


def hoist_global_flags(argv: list[str]) -> list[str]:
    """Move Helm's global flags in front of the subcommand, so they work anywhere as in helm, and give
    bare optional-value flags their implied value."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name = arg.split("=", 1)[0]
        if arg in GLOBAL_BOOL_FLAGS:
            front.append(arg)
        elif name in GLOBAL_VALUE_FLAGS and "=" in arg:
            front.append(arg)
        elif arg in GLOBAL_VALUE_FLAGS and i + 1 < len(argv):
            front.extend(argv[i:i + 2])
            i += 1
        elif arg.startswith("-n") and len(arg) > 2 and not arg.startswith("--"):
            front.append(arg)
        elif arg in OPTIONAL_VALUE_FLAGS:
            rest.append(f"{arg}={OPTIONAL_VALUE_FLAGS[arg]}")
        else:
            rest.append(arg)
        i += 1
    return front + rest


# Go's limits allow data and templates nested 10000 deep; Python 3.11 keeps Python frames off the C stack
RECURSION_LIMIT = 60000


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pyhelm`` console script; returns the exit status."""
    gc.disable()  # a short-lived process: the cyclic collector only slows parsing of large template sets
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    argv = hoist_global_flags(list(argv if argv is not None else sys.argv[1:]))
    REDACTOR.clear()  # one command, one set of secrets
    with redacted_output(), _one_command_scope(), cancellation.signals_cancel():
        quick = _quick_answer(argv)
        if quick is not None:
            sys.stdout.write(quick)
            return 0
        return _run(argv, "--debug" in argv)


def run() -> NoReturn:
    """The console script: ``main()``, then an exit without the interpreter's teardown, which frees every
    object one by one (a tenth of a large render's run: 30 ms of kube-prometheus-stack's 0.2 s) although the
    process is ending anyway. What an ordinary exit does that anyone can see still happens: exit handlers run
    and the standard streams are flushed; while another thread runs, or a profiler or tracer watches (it
    reports once the program returns), the ordinary exit is taken."""
    status = main()
    threading = sys.modules.get("threading")
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is None or sys.getprofile() is not None or sys.gettrace() is not None or (
            threading is not None and any(thread is not threading.main_thread() and not thread.daemon
                                          for thread in threading.enumerate())):
        sys.exit(status)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (BrokenPipeError, ValueError):  # a reader that left early (| head), or a stream closed
            status = status or 1
    os._exit(status)


def _quick_answer(argv: list[str]) -> str | None:
    """The output of a command answered without click (the version, printed as its click command would)."""
    if argv == ["--version"]:
        from engine.version import flag_line

        return flag_line() + "\n"
    if argv in (["version"], ["version", "--short"]):
        from engine.version import version_line

        return version_line(short=len(argv) == 2) + "\n"
    return None


def _one_command_scope():
    """What one command shares between its parts: each repository index is read once per command."""
    from engine.repo.index_sharing import shared_indexes

    return shared_indexes()


def _run(argv: list[str], debug: bool) -> int:
    import click

    from engine.cli.app import cli

    try:
        status = cli.main(args=argv, prog_name="pyhelm", standalone_mode=False)
        if isinstance(status, int):  # click returns ctx.exit(N) codes instead of raising without standalone mode
            return status
    except click.exceptions.Exit as exc:
        return _interrupted() if exc.exit_code and cancellation.requested() else exc.exit_code
    except BaseException as exc:
        if cancellation.requested():  # whatever the command made of it, it ends as interrupted
            return _interrupted()
        return _report(exc, debug)
    return 0


def _interrupted() -> int:
    from engine.cli.errors import report_interruption

    return report_interruption()


def _report(exc: BaseException, debug: bool) -> int:
    """The message and exit status of a command that failed."""
    import click

    from engine.cli.errors import report_error

    if isinstance(exc, click.exceptions.Abort):
        if isinstance(exc.__cause__, EOFError) and not _from_prompt(exc.__cause__):
            return report_error(exc.__cause__, debug)  # click turns every EOFError into Abort
        click.echo("Aborted!", err=True)
        return 1
    if isinstance(exc, click.ClickException):  # usage errors exit 1, as helm's do
        click.echo(f"Error: {exc.format_message()}", err=True)
        return 1
    return report_error(exc, debug)  # every other failure becomes one clear line, never a traceback


def _from_prompt(exc: EOFError) -> bool:
    """Whether the end of input came from a question put to the user (click's prompts)."""
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename.endswith(os.path.join("click", "termui.py")):
            return True
        traceback = traceback.tb_next
    return False


if __name__ == "__main__":
    run()

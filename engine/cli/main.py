"""The ``pyhelm`` command: a thin client over the engine library.

Subcommands are imported only when they run, so ``pyhelm --help`` and ``pyhelm version`` start fast and
commands that do not talk to a cluster never import the kubernetes client.
"""
from __future__ import annotations

import gc
import importlib
import os
import sys

import click

from engine import cancellation
from engine.cli.errors import report_error, report_interruption
from engine.cli.settings import Settings
from engine.redaction import REDACTOR
from engine.redaction.streams import redacted_output

# command name → "module:attribute" of its click command
COMMANDS = {
    "template": "engine.cli.template_cmd:template",
    "show": "engine.cli.show_cmd:show",
    "create": "engine.cli.chart_cmds:create",
    "package": "engine.cli.chart_cmds:package",
    "lint": "engine.cli.lint_cmd:lint",
    "sandbox": "engine.cli.sandbox:sandbox",
    "install": "engine.cli.release_cmds:install",
    "upgrade": "engine.cli.release_cmds:upgrade",
    "uninstall": "engine.cli.release_cmds:uninstall",
    "rollback": "engine.cli.release_cmds:rollback",
    "list": "engine.cli.release_info_cmds:list_releases",
    "history": "engine.cli.release_info_cmds:history",
    "status": "engine.cli.release_info_cmds:status",
    "get": "engine.cli.release_info_cmds:get",
    "test": "engine.cli.release_cmds:test_release",
    "plan": "engine.cli.stack_cmds:plan",
    "apply": "engine.cli.stack_cmds:apply",
    "destroy": "engine.cli.stack_cmds:destroy",
    "graph": "engine.cli.stack_cmds:graph",
    "promote": "engine.cli.stack_cmds:promote",
    "validate": "engine.cli.validate_cmd:validate",
    "lock": "engine.cli.lock_cmd:lock",
    "push": "engine.cli.registry_cmds:push",
    "registry": "engine.cli.registry_cmds:registry",
    "verify": "engine.cli.chart_cmds:verify",
    "version": "engine.cli.version_cmd:version",
    "completion": "engine.cli.completion_cmd:completion",
    "repo": "engine.cli.repo_cmds:repo",
    "search": "engine.cli.repo_cmds:search",
    "pull": "engine.cli.repo_cmds:pull",
    "fetch": "engine.cli.repo_cmds:fetch",
    "dependency": "engine.cli.repo_cmds:dependency",
    "dep": "engine.cli.repo_cmds:dep",
    "dependencies": "engine.cli.repo_cmds:dependencies",
    "controller": "engine.cli.controller_cmds:controller",
    "stack": "engine.cli.controller_cmds:stack",
}
ALIASES = {"inspect": "show", "ls": "list", "un": "uninstall", "del": "uninstall", "delete": "uninstall",
           "hist": "history"}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(ALIASES.get(name, name))
        if target is None:
            return None
        module_name, attribute = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a command whose module is not part of this build yet
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attribute)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        """An unknown command is refused with the closest known ones (``pyhelm paln`` → did you mean plan?)."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, [*COMMANDS, *ALIASES], n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(close)}?" if close else "; run 'pyhelm --help' for the commands"
            raise click.UsageError(f'unknown command "{name}" for "pyhelm"{hint}')
        return super().resolve_command(ctx, args)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        from engine.version import __version__

        click.echo(f"pyhelm v{__version__}")
        ctx.exit(0)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="print pyhelm's version and exit")
@click.option("-n", "--namespace", default=None, help="namespace scope for this request")
@click.option("--kubeconfig", default=None, help="path to the kubeconfig file")
@click.option("--kube-context", default=None, help="name of the kubeconfig context to use")
@click.option("--debug", is_flag=True, help="enable verbose output")
@click.pass_context
def cli(ctx: click.Context, namespace: str | None, kubeconfig: str | None, kube_context: str | None,
        debug: bool) -> None:
    """pyhelm: Helm, the Kubernetes package manager, in Python, with a stack engine (plan/apply)."""
    ctx.obj = Settings.from_environment(namespace=namespace, kubeconfig=kubeconfig, kube_context=kube_context,
                                        debug=debug)


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
        return _run(argv, "--debug" in argv)


def _one_command_scope():
    """What one command shares between its parts: each repository index is read once per command."""
    from engine.repo.index_sharing import shared_indexes

    return shared_indexes()


def _run(argv: list[str], debug: bool) -> int:
    try:
        status = cli.main(args=argv, prog_name="pyhelm", standalone_mode=False)
        if isinstance(status, int):  # click returns ctx.exit(N) codes instead of raising without standalone mode
            return status
    except click.exceptions.Exit as exc:
        return report_interruption() if exc.exit_code and cancellation.requested() else exc.exit_code
    except BaseException as exc:
        if cancellation.requested():  # whatever the command made of it, it ends as interrupted
            return report_interruption()
        return _report(exc, debug)
    return 0


def _report(exc: BaseException, debug: bool) -> int:
    """The message and exit status of a command that failed."""
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
    sys.exit(main())

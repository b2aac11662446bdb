"""The ``pyhelm`` click group: global flags, and subcommands imported only when they run.

Each command's module is named in ``COMMANDS`` and imported on first use, so ``pyhelm --help`` and commands
that do not talk to a cluster never import the kubernetes client.
"""
from __future__ import annotations

import importlib

import click

from engine.cli.settings import Settings

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
        from engine.version import flag_line

        click.echo(flag_line())
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

"""The ``pyhelm`` click group: global flags, and subcommands imported only when they run.

Each command's module is named in ``COMMANDS`` and imported on first use, so ``pyhelm --help`` and commands
that do not talk to a cluster never import the kubernetes client.
"""
from __future__ import annotations

import importlib

import click

from engine.cli.settings import Settings

# command name → ("module:attribute" of its click command, its help as --help lists it; None: hidden there).
# The help is kept here so that ``pyhelm --help`` imports no command module (tests check it matches).
COMMANDS: dict[str, tuple[str, str | None]] = {
    "template": ("engine.cli.template_cmd:template", "Locally render templates: [NAME] CHART."),
    "show": ("engine.cli.show_cmd:show", "Show information of a chart."),
    "create": ("engine.cli.chart_cmds:create", "Create a new chart with the given name."),
    "package": ("engine.cli.chart_cmds:package",
                "Package a chart directory into a chart archive (and sign it with --sign)."),
    "lint": ("engine.cli.lint_cmd:lint", "Examine a chart for possible issues."),
    "sandbox": ("engine.cli.sandbox:sandbox",
                "A local Kubernetes API server for trying charts and stacks without a cluster."),
    "install": ("engine.cli.release_cmds:install", "Install a chart: [NAME] CHART."),
    "upgrade": ("engine.cli.release_cmds:upgrade", "Upgrade a release to a new version of a chart."),
    "uninstall": ("engine.cli.release_cmds:uninstall", "Uninstall releases."),
    "rollback": ("engine.cli.release_cmds:rollback",
                 "Roll back a release to a previous revision (default: the one before the last)."),
    "list": ("engine.cli.release_info_cmds:list_releases", "List releases (every state unless state flags narrow it)."),
    "history": ("engine.cli.release_info_cmds:history", "Fetch release history."),
    "status": ("engine.cli.release_info_cmds:status",
               "Display the status of the named release, with its live resources."),
    "get": ("engine.cli.release_info_cmds:get", "Download extended information of a named release."),
    "test": ("engine.cli.release_cmds:test_release", "Run the tests of a release (its test hooks)."),
    "plan": ("engine.cli.stack_cmds:plan", "Show what apply would change, release by release."),
    "apply": ("engine.cli.stack_cmds:apply",
              "Apply the stack (or exactly a plan saved with `pyhelm plan --out FILE`)."),
    "destroy": ("engine.cli.stack_cmds:destroy",
                "Uninstall the stack's releases (with -l, the selected ones and every release that needs them), "
                "dependents first; reads release records only, so it renders nothing and needs no secret."),
    "graph": ("engine.cli.stack_cmds:graph",
              "Print the stack's release graph (text in apply order, Graphviz DOT or Mermaid)."),
    "promote": ("engine.cli.stack_cmds:promote",
                "Copy an environment's pinned chart versions and chosen values to another environment."),
    "validate": ("engine.cli.validate_cmd:validate",
                 "Render every release offline and validate each object against its Kubernetes schema."),
    "lock": ("engine.cli.lock_cmd:lock",
             "Resolve each release's chart and record its version and digest in stack.lock."),
    "push": ("engine.cli.registry_cmds:push", "Push a chart archive to a registry: CHART.tgz oci://HOST/PATH."),
    "registry": ("engine.cli.registry_cmds:registry", "Log in to or out of a registry."),
    "verify": ("engine.cli.chart_cmds:verify",
               "Verify that a chart archive has a valid provenance file from a trusted key."),
    "version": ("engine.cli.version_cmd:version", "Print the version information."),
    "completion": ("engine.cli.completion_cmd:completion",
                   "Generate the autocompletion script for the specified shell."),
    "repo": ("engine.cli.repo_cmds:repo", "Add, list, remove, update, and index chart repositories."),
    "search": ("engine.cli.repo_cmds:search", "Search for a keyword in charts."),
    "pull": ("engine.cli.repo_cmds:pull",
             "Download a chart from a repository and (optionally) unpack it in local directory."),
    "fetch": ("engine.cli.repo_cmds:fetch", None),
    "dependency": ("engine.cli.repo_cmds:dependency", "Manage a chart's dependencies."),
    "dep": ("engine.cli.repo_cmds:dep", None),
    "dependencies": ("engine.cli.repo_cmds:dependencies", None),
    "controller": ("engine.cli.controller_cmds:controller",
                   "Run the controller: keep every Stack resource applied, with the same plan/verify/apply as "
                   "`pyhelm apply`."),
    "stack": ("engine.cli.controller_cmds:stack", "Stacks as OCI artifacts, for the controller."),
}
ALIASES = {"inspect": "show", "ls": "list", "un": "uninstall", "del": "uninstall", "delete": "uninstall",
           "hist": "history"}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(ALIASES.get(name, name))
        if entry is None:
            return None
        module_name, attribute = entry[0].split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a command whose module is not part of this build yet
            if exc.name == module_name:
                return None
            raise
        return getattr(module, attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``--help``, from the table's help texts: no command module is imported."""
        listing = {name: click.Command(name, help=help_text, hidden=help_text is None)
                   for name, (_target, help_text) in COMMANDS.items()}
        click.Group(commands=listing).format_commands(ctx, formatter)

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

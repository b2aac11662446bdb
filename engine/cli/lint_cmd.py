"""``pyhelm lint PATH...``: examine charts for possible issues, as ``helm lint`` does."""
from __future__ import annotations

import click

from engine.cli.errors import CommandError
from engine.cli.options import user_values_from, values_options


@click.command()
@click.argument("paths", nargs=-1, required=True)
@values_options
@click.option("--strict", is_flag=True, help="fail on lint warnings")
@click.option("--with-subcharts", is_flag=True, help="lint dependent charts")
@click.option("--quiet", is_flag=True, help="print only warnings and errors")
@click.option("--skip-schema-validation", is_flag=True, help="if set, disables JSON schema validation")
@click.option("--kube-version", default="", help="Kubernetes version used for capabilities and deprecation checks")
@click.pass_obj
def lint(settings, paths, strict, with_subcharts, quiet, skip_schema_validation, kube_version, **values_flags) -> None:
    """Examine a chart for possible issues."""
    from engine.lint.messages import INFO
    from engine.lint.runner import failed, has_warnings_or_errors, lint_path, subchart_paths
    from engine.render.capabilities import CapabilitiesError, parse_kube_version

    if kube_version:
        try:
            parse_kube_version(kube_version)
        except CapabilitiesError as exc:
            raise CommandError(f"invalid kube version '{kube_version}': {exc}") from exc
    targets = list(paths)
    if with_subcharts:
        for path in paths:
            targets.extend(subchart_paths(path))
    values = user_values_from(values_flags)
    out, failures, noisy = [], 0, 0
    for path in targets:
        result = lint_path(path, values, settings.release_namespace, kube_version or None, skip_schema_validation)
        if has_warnings_or_errors(result):
            noisy += 1
        if quiet and not has_warnings_or_errors(result):
            continue
        out.append(f"==> Linting {path}\n")
        if result.error is not None:
            out.append(f"Error {result.error}\n")
        for message in result.messages:
            if not quiet or message.severity > INFO:
                out.append(f"{message}\n")
        if failed(result, strict):
            failures += 1
        out.append("\n")
    click.echo("".join(out), nl=False)
    summary = f"{len(targets)} chart(s) linted, {failures} chart(s) failed"
    if failures:
        raise CommandError(summary)
    if not quiet or noisy:
        click.echo(summary)

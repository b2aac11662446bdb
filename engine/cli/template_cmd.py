"""``pyhelm template``: render a chart locally and print the manifests, as ``helm template`` does."""
from __future__ import annotations

import os
import re

import click

from engine.cli.chart_ref import chart_path_flags, load_installable_chart
from engine.cli.errors import CommandError
from engine.cli.options import user_values_from, values_options
from engine.cli.output import info, warn
from engine.cli.release_name import name_and_chart, validate_release_name
from engine.gomatch import go_path_match

_SOURCE_PATH = r"# Source: [^/]+/(.+)"  # compiled by --show-only only


@click.command(context_settings={"ignore_unknown_options": False})
@click.argument("args", nargs=-1, required=True)
@values_options
@click.option("-s", "--show-only", multiple=True, help="only show manifests rendered from the given templates")
@click.option("--output-dir", default="", help="writes the executed templates to files in output-dir")
@click.option("--release-name", "use_release_name", is_flag=True, help="use release name in the output-dir path")
@click.option("--include-crds", is_flag=True, help="include CRDs in the templated output")
@click.option("--skip-tests", is_flag=True, help="skip tests from templated output")
@click.option("--no-hooks", is_flag=True, help="prevent hooks from being rendered")
@click.option("--is-upgrade", is_flag=True, help="set .Release.IsUpgrade instead of .Release.IsInstall")
@click.option("--kube-version", default="", help="Kubernetes version used for Capabilities.KubeVersion")
@click.option("-a", "--api-versions", multiple=True, help="Kubernetes api versions used for Capabilities.APIVersions")
@click.option("--skip-schema-validation", is_flag=True, help="disable JSON schema validation")
@click.option("-g", "--generate-name", is_flag=True, help="generate the name (and omit the NAME parameter)")
@click.option("--name-template", default="", help="specify template used to name the release")
@click.option("--render-subchart-notes", is_flag=True, help="render subchart notes along with the parent")
@click.option("--enable-dns", is_flag=True, help="enable DNS lookups when rendering templates")
@click.option("--dry-run", default="client", help='must be "client" (server needs a cluster)')
@chart_path_flags
@click.pass_obj
def template(settings, args, chart_path, show_only, output_dir, use_release_name, include_crds, skip_tests, no_hooks,
             is_upgrade, kube_version, api_versions, skip_schema_validation, generate_name, name_template,
             render_subchart_notes, enable_dns, dry_run, **values_flags) -> None:
    """Locally render templates: [NAME] CHART."""
    from engine.render.capabilities import CapabilitiesError, parse_kube_version
    from engine.render.errors import RenderError
    from engine.render.pipeline import RenderOptions, render_release

    if kube_version:
        try:
            parse_kube_version(kube_version)
        except CapabilitiesError as exc:
            raise CommandError(f"invalid kube version '{kube_version}': {exc}") from exc
    name, chart_ref = name_and_chart(args, default_name="release-name", generate=generate_name,
                                     name_template=name_template)
    user_values = user_values_from(values_flags)
    chart = load_installable_chart(chart_ref, warn, chart_path)
    validate_release_name(name)
    options = RenderOptions(release_name=name, namespace=settings.release_namespace, is_upgrade=is_upgrade,
                            kube_version=kube_version or None,
                            api_versions=tuple(v for item in api_versions for v in item.split(",") if v),
                            skip_schema_validation=skip_schema_validation,
                            subchart_notes=render_subchart_notes, enable_dns=enable_dns, warn=info)
    try:
        rendered = render_release(chart, user_values, options)
    except RenderError as exc:
        if settings.debug:
            raise
        raise CommandError(f"{exc}\n\nUse --debug flag to render out invalid YAML") from exc
    hooks = [] if no_hooks else [h for h in rendered.hooks if not (skip_tests and "test" in h.events)]
    if output_dir:
        target = os.path.join(output_dir, name) if use_release_name else output_dir
        _write_output_dir(output_dir, target, rendered, hooks, include_crds)
        return
    pieces = _output_pieces(rendered, hooks, include_crds)
    if show_only:
        click.echo(_select("".join(pieces), show_only), nl=False)
        return
    for piece in pieces:
        click.echo(piece, nl=False)


def _output_pieces(rendered, hooks, include_crds: bool) -> list[str]:
    """helm template's output document by document: CRDs (with --include-crds) and manifests, trimmed at
    the end to one newline as Helm trims them, then the hooks. Each piece ends a line, so the redacting
    output stream never sees a line split between two writes."""
    body = [f"---\n# Source: {crd.path}\n{crd.text}\n" for crd in rendered.crds] if include_crds else []
    body += rendered.manifest_documents()
    if body:
        body[-1] = body[-1].rstrip() + "\n"  # every document starts with "---": trimming stays within the last
    else:
        body = ["\n"]
    return body + [f"---\n# Source: {h.path}\n{h.manifest}\n" for h in hooks]


def _select(text: str, patterns: tuple[str, ...]) -> str:
    """Keep the documents whose source path matches one of ``patterns`` (``--show-only``)."""
    from engine.render.manifests import split_manifests

    documents = split_manifests(text)
    selected = []
    for pattern in patterns:
        matches = [d for d in documents if (m := re.search(_SOURCE_PATH, d)) and go_path_match(pattern, m.group(1))]
        if not matches:
            raise CommandError(f"could not find template {pattern} in chart")
        selected.extend(matches)
    return "".join(f"---\n{d}\n" for d in selected)


def _write_output_dir(output_dir, target, rendered, hooks, include_crds) -> None:
    written: set[str] = set()

    def write(directory: str, path: str, text: str) -> None:
        file_name = os.path.join(directory, path)
        os.makedirs(os.path.dirname(file_name), exist_ok=True)
        append = path in written or (os.path.exists(file_name) and path in written)
        with open(file_name, "a" if append else "w", encoding="utf-8") as handle:
            handle.write(f"---\n# Source: {path}\n{text}\n")
        written.add(path)
        click.echo(f"wrote {file_name}")

    if include_crds:
        for crd in rendered.crds:
            write(output_dir, crd.path, crd.text)
    for manifest in rendered.manifests:
        write(target, manifest.path, manifest.content)
    for hook in hooks:
        write(target, hook.path, hook.manifest)

"""Chart repositories as helm handles them: ``repo add|list|update|remove|index``, ``search repo``, ``pull``
and ``dependency list|update|build``."""
from __future__ import annotations

import copy
import dataclasses
import functools
import os
import sys
from typing import TYPE_CHECKING, Any, Callable

import click

from engine.cli.chart_ref import chart_path_flags, warn_line
from engine.cli.errors import CommandError
from engine.repo.paths import HelmPaths

if TYPE_CHECKING:
    from engine.sources.dependencies import DependencyManager
    from engine.sources.locate import LocateOptions

DEPRECATED_REPOS = {"//kubernetes-charts.storage.googleapis.com": "https://charts.helm.sh/stable",
                    "//kubernetes-charts-incubator.storage.googleapis.com": "https://charts.helm.sh/incubator"}
OUTPUT = click.option("-o", "--output", type=click.Choice(["table", "json", "yaml"]), default="table",
                      help="prints the output in the specified format. Allowed values: table, json, yaml")
TIMEOUT = click.option("--timeout", default=None, help="time to wait for the index file download to complete "
                                                     "(default 2m0s, or PYHELM_DOWNLOAD_TIMEOUT)")


def _duration(text: str | None) -> float | None:
    """Seconds in a Go duration such as ``2m0s`` or ``90s``; None when the flag was not given."""
    from engine.goduration import parse_duration

    if text is None:
        return None
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise CommandError(f'invalid argument "{text}" for "--timeout" flag: {exc}') from None


def _structured(rows: list[dict[str, Any]], output: str) -> str:
    """Rows as ``-o json`` (one line, Go's encoder) or ``-o yaml`` print them."""
    from engine.repo.marshal import to_compact_json, to_yaml

    return to_compact_json(rows) + "\n" if output == "json" else to_yaml(rows)


def _truncate(text: str, width: int) -> str:
    """uitable's cell truncation: at most ``width`` characters, ending in ``...`` when cut."""
    return text if width <= 0 or len(text) <= width else text[:max(width - 3, 0)] + "..."


def helm_paths_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """Helm's --repository-config, --repository-cache and --content-cache (over HELM_* and the defaults);
    the command receives ``paths`` (HelmPaths)."""
    options = [
        click.option("--repository-config", default="", help="path to the file containing repository names and URLs"),
        click.option("--repository-cache", default="", help="path to the directory containing cached repository "
                                                            "indexes"),
        click.option("--content-cache", default="", help="path to the directory containing cached content (e.g. "
                                                         "charts)"),
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, repository_config: str, repository_cache: str, content_cache: str, **kwargs: Any) -> Any:
        given = {"repository_config": repository_config, "repository_cache": repository_cache,
                 "content_cache": content_cache}
        kwargs["paths"] = dataclasses.replace(HelmPaths.from_environment(), **{k: v for k, v in given.items() if v})
        return command(*args, **kwargs)

    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), wrapper)


class _AliasedGroup(click.Group):
    """A command group whose subcommands also answer to Helm's short aliases."""

    aliases = {"ls": "list", "up": "update", "rm": "remove"}  # shared by repo and dependency

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return super().get_command(ctx, self.aliases.get(name, name))


@click.group(cls=_AliasedGroup)
def repo() -> None:
    """Add, list, remove, update, and index chart repositories."""


@repo.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--username", default="", help="chart repository username")
@click.option("--password", default="", help="chart repository password")
@click.option("--password-stdin", is_flag=True, help="read chart repository password from stdin")
@click.option("--pass-credentials", is_flag=True, help="pass credentials to all domains")
@click.option("--force-update", is_flag=True, help="replace (overwrite) the repo if it already exists")
@click.option("--allow-deprecated-repos", is_flag=True, help="allow adding official repos that have been "
                                                             "permanently deleted")
@click.option("--cert-file", default="", help="identify HTTPS client using this SSL certificate file")
@click.option("--key-file", default="", help="identify HTTPS client using this SSL key file")
@click.option("--ca-file", default="", help="verify certificates of HTTPS-enabled servers using this CA bundle")
@click.option("--insecure-skip-tls-verify", is_flag=True, help="skip tls certificate checks for the repository")
@TIMEOUT
@helm_paths_flags
def repo_add(name: str, url: str, username: str, password: str, password_stdin: bool, pass_credentials: bool,
             force_update: bool, allow_deprecated_repos: bool, cert_file: str, key_file: str, ca_file: str,
             insecure_skip_tls_verify: bool, timeout: str, paths: HelmPaths) -> None:
    """Add a chart repository."""
    from engine.repo.chartrepo import download_index, not_valid_repository
    from engine.repo.errors import RepoError
    from engine.repo.repositories import Entry, load_repo_file_or_empty, locked, write_repo_file

    if not allow_deprecated_repos:
        for old, new in DEPRECATED_REPOS.items():
            if old in url:
                raise CommandError(f'repo "{url}" is no longer available; try "{new}" instead')
    seconds = _duration(timeout)
    with locked(paths.repository_config):
        config = load_repo_file_or_empty(paths.repository_config)
        if username and not password:
            if password_stdin:
                password = sys.stdin.read().removesuffix("\n").removesuffix("\r")
            else:
                password = click.prompt("Password", hide_input=True, default="", show_default=False)
        entry = Entry(name=name, url=url, username=username, password=password, cert_file=cert_file,
                      key_file=key_file, ca_file=ca_file, insecure_skip_tls_verify=insecure_skip_tls_verify,
                      pass_credentials_all=pass_credentials)
        if "/" in name:
            raise CommandError(f"repository name ({name}) contains '/', please specify a different name without '/'")
        existing = config.get(name)
        if existing is not None and not force_update:
            if existing != entry:
                raise CommandError(f"repository name ({name}) already exists, please specify a different name")
            click.echo(f'"{name}" already exists with the same configuration, skipping')
            return
        try:
            download_index(entry, paths.repository_cache, seconds, warn_line)
        except RepoError as exc:
            raise not_valid_repository(url, exc) from None
        config.update(entry)
        write_repo_file(config, paths.repository_config)
    click.echo(f'"{name}" has been added to your repositories')


@repo.command("list")
@OUTPUT
@click.option("--no-headers", is_flag=True, help="suppress headers in the output")
@helm_paths_flags
def repo_list(output: str, no_headers: bool, paths: HelmPaths) -> None:
    """List chart repositories."""
    from engine.cli.tables import table
    from engine.repo.errors import RepoError
    from engine.repo.repositories import load_repo_file_or_empty

    try:  # as in helm, an unreadable file lists as no repositories
        entries = load_repo_file_or_empty(paths.repository_config).repositories
    except (OSError, RepoError):
        entries = []
    if output != "table":
        click.echo(_structured([{"name": e.name, "url": e.url} for e in entries], output), nl=False)
        return
    if not entries:
        click.echo("no repositories to show", err=True)
        return
    rows = ([] if no_headers else [["NAME", "URL"]]) + [[e.name, e.url] for e in entries]
    click.echo(table(rows), nl=False)


@repo.command("update")
@click.argument("names", nargs=-1)
@TIMEOUT
@helm_paths_flags
def repo_update(names: tuple[str, ...], timeout: str, paths: HelmPaths) -> None:
    """Update information of available charts locally from chart repositories."""
    from engine.repo.chartrepo import update_indexes, update_report
    from engine.repo.errors import RepoError
    from engine.repo.repositories import load_repo_file

    seconds = _duration(timeout)
    try:
        config = load_repo_file(paths.repository_config)
    except FileNotFoundError:
        raise CommandError("no repositories found. You must add one before updating") from None
    except (OSError, RepoError) as exc:
        raise CommandError(f"failed loading file: {paths.repository_config}: {exc}") from None
    if not config.repositories:
        raise CommandError("no repositories found. You must add one before updating")
    known = {entry.name for entry in config.repositories}
    for name in names:
        if name not in known:
            raise CommandError(f"no repositories found matching '{name}'.  Nothing will be updated")
    chosen = [entry for entry in config.repositories if not names or entry.name in names]
    click.echo("Hang tight while we grab the latest from your chart repositories...")
    failed = []
    for entry, error in update_indexes(chosen, paths.repository_cache, seconds, warn_line):
        click.echo(update_report(entry, error))
        if error is not None:
            failed.append(entry.url)
    if failed:
        raise CommandError(f"failed to update the following repositories: [{' '.join(failed)}]")
    click.echo("Update Complete. ⎈Happy Helming!⎈")


@repo.command("remove")
@click.argument("names", nargs=-1, required=True)
@helm_paths_flags
def repo_remove(names: tuple[str, ...], paths: HelmPaths) -> None:
    """Remove one or more chart repositories."""
    from engine.repo.repositories import load_repo_file_or_empty, locked, write_repo_file

    with locked(paths.repository_config):
        config = load_repo_file_or_empty(paths.repository_config)
        if not config.repositories:
            raise CommandError("no repositories configured")
        for name in names:
            if not config.remove(name):
                raise CommandError(f'no repo named "{name}" found')
            write_repo_file(config, paths.repository_config)
            for path in (paths.charts_path(name), paths.index_path(name)):
                if os.path.exists(path):
                    os.remove(path)
            click.echo(f'"{name}" has been removed from your repositories')


@repo.command("index")
@click.argument("directory")
@click.option("--url", default="", help="url of chart repository")
@click.option("--merge", default="", help="merge the generated index into the given index")
@click.option("--json", "as_json", is_flag=True, help="output in JSON format")
def repo_index(directory: str, url: str, merge: str, as_json: bool) -> None:
    """Generate an index file given a directory containing packaged charts."""
    from engine.repo.errors import RepoError
    from engine.repo.index import IndexFile, index_directory
    from engine.repo.index_load import load_index_file

    directory = os.path.abspath(directory)
    if not os.path.isdir(directory):
        raise CommandError(f"open {os.path.join(directory, 'index.yaml')}: no such file or directory")
    index = index_directory(directory, url)
    if merge:
        if not os.path.exists(merge):
            existing = IndexFile()
            existing.write(merge, as_json)
        else:
            try:
                existing = load_index_file(merge, warn_line)
            except RepoError as exc:
                raise CommandError(f"merge failed: {exc}") from None
        index.merge(existing)
    index.sort_entries()
    index.write(os.path.join(directory, "index.yaml"), as_json)


@click.group()
def search() -> None:
    """Search for a keyword in charts."""


@search.command("repo")
@click.argument("keywords", nargs=-1)
@click.option("-r", "--regexp", is_flag=True, help="use regular expressions for searching repositories you have "
                                                   "added")
@click.option("-l", "--versions", "all_versions", is_flag=True, help="show the long listing, with each version of "
                                                                      "each chart on its own line")
@click.option("--devel", is_flag=True, help="use development versions (alpha, beta, and release candidate "
                                            "releases), too. Equivalent to version '>0.0.0-0'")
@click.option("--version", default="", help="search using semantic versioning constraints on repositories you "
                                            "have added")
@click.option("--max-col-width", default=50, type=int, help="maximum column width for output table")
@click.option("--fail-on-no-result", is_flag=True, help="search fails if no results are found")
@OUTPUT
@helm_paths_flags
def search_repo(keywords: tuple[str, ...], regexp: bool, all_versions: bool, devel: bool, version: str,
                max_col_width: int, fail_on_no_result: bool, output: str, paths: HelmPaths) -> None:
    """Search repositories for a keyword in charts."""
    from engine.cli.tables import table
    from engine.repo.errors import RepoError
    from engine.repo.index_load import load_index_file
    from engine.repo.logline import log_fields
    from engine.repo.repositories import load_repo_file_or_empty
    from engine.repo.search import SearchIndex, apply_constraint, sort_results
    from engine.repo.versions import DEVEL, STABLE

    entries = load_repo_file_or_empty(paths.repository_config).repositories
    if not entries:
        raise CommandError("no repositories configured")
    index = SearchIndex()
    for entry in entries:
        try:
            index.add_repo(entry.name, load_index_file(paths.index_path(entry.name)), all_versions=True)
        except (OSError, RepoError) as exc:
            warn_line(log_fields("repo is corrupt or missing", repo=entry.name, error=exc))
    results = index.search(" ".join(keywords), regexp) if keywords else index.all()
    results = apply_constraint(sort_results(results), version or (DEVEL if devel else STABLE), all_versions)
    if not results and fail_on_no_result:
        raise CommandError("no results found")
    if output != "table":
        rows = [{"name": r.name, "version": r.chart.version, "app_version": r.chart.metadata.app_version,
                 "description": r.chart.metadata.description} for r in results]
        click.echo(_structured(rows, output), nl=False)
        return
    if not results:
        click.echo("No results found")
        return
    rows = [["NAME", "CHART VERSION", "APP VERSION", "DESCRIPTION"]]
    rows += [[r.name, r.chart.version, r.chart.metadata.app_version, r.chart.metadata.description]
             for r in results]
    click.echo(table([[_truncate(cell, max_col_width) for cell in row] for row in rows]), nl=False)


@click.command()
@click.argument("charts", nargs=-1, required=True)
@click.option("--untar", is_flag=True, help="if set to true, will untar the chart after downloading it")
@click.option("--untardir", default=".", help="if untar is specified, this flag specifies the name of the "
                                              "directory into which the chart is expanded")
@click.option("-d", "--destination", default=".", help="location to write the chart. If this and untardir are "
                                                       "specified, untardir is appended to this")
@click.option("--prov", is_flag=True, help="fetch the provenance file, but don't perform verification")
@chart_path_flags
@helm_paths_flags
def pull(charts: tuple[str, ...], untar: bool, untardir: str, destination: str, prov: bool,
         chart_path: "LocateOptions", paths: HelmPaths) -> None:
    """Download a chart from a repository and (optionally) unpack it in local directory."""
    from engine.repo.cache import ContentCache
    from engine.repo.downloader import download_provenance, resolve_chart
    from engine.repo.errors import RepoError
    from engine.repo.pull import pull as pull_chart

    cache = ContentCache(paths.content_cache)
    for reference in charts:
        if reference.startswith("oci://"):
            _pull_oci(reference, chart_path, destination, untar, untardir, prov, paths)
            continue
        source = resolve_chart(reference, chart_path.version_constraint, paths, chart_path.client_options(),
                               repo_url=chart_path.repo_url, warn=warn_line)
        if chart_path.verify:
            _verified_pull(source, cache, destination, chart_path.keyring)
            continue
        saved = pull_chart(source, cache, destination, untar, untardir)
        if prov and not untar:  # helm fetches it into the scratch directory of --untar, then drops it
            try:
                download_provenance(source, saved)
            except RepoError as exc:
                click.echo(f"WARNING: Verification not found for {reference}: {exc}")


def _verified_pull(source, cache, destination: str, keyring: str) -> None:
    """``pull --verify``: the archive and its .prov are kept only when the signature and digest check out."""
    from engine.sources.locate import read_bytes, verify_chart
    from engine.provenance.errors import ProvenanceError
    from engine.repo.downloader import download_provenance
    from engine.repo.errors import RepoError
    from engine.repo.pull import pull as pull_chart

    saved = pull_chart(source, cache, destination, False, ".")
    try:
        download_provenance(source, saved)
        report = verify_chart(saved, lambda: read_bytes(saved + ".prov"), keyring)
    except (ProvenanceError, RepoError) as exc:
        for path in (saved, saved + ".prov"):
            if os.path.exists(path):
                os.unlink(path)
        raise CommandError(f"failed to verify {os.path.basename(saved)}: {exc}") from None
    click.echo(report, nl=False)


def _pull_oci(reference: str, chart_path: "LocateOptions", destination: str, untar: bool, untardir: str,
              prov: bool, paths: HelmPaths) -> None:
    """``pull oci://…``: the archive into ``destination`` (or unpacked), as helm reports it; with ``--verify``
    nothing is written unless the provenance layer checks out."""
    from engine.sources.locate import read_bytes, verify_provenance
    from engine.registry.charts import pull_chart
    from engine.registry.errors import RegistryError
    from engine.registry.fetch import clients
    from engine.registry.reference import version_of
    from engine.repo.cache import ContentCache
    from engine.repo.files import atomic_copy, atomic_write

    client_for = clients(chart_path.plain_http, chart_path.insecure_skip_tls_verify, chart_path.username,
                         chart_path.password)
    try:
        pulled = pull_chart(reference, chart_path.version.strip(), client_for, ContentCache(paths.content_cache),
                            with_prov=chart_path.verify or prov)
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    if not os.path.isdir(destination):
        raise CommandError(f"failed to untar: a file or directory with the name {destination} already exists"
                           if os.path.exists(destination) else f"stat {destination}: no such file or directory")
    filename = f"{pulled.reference.name}-{version_of(pulled.reference.tag)}.tgz"
    report = (verify_provenance(read_bytes(pulled.chart_path), filename, pulled.prov, chart_path.keyring)
              if chart_path.verify else "")
    archive = os.path.join(destination, filename)
    if not untar:
        atomic_copy(pulled.chart_path, archive)
        if pulled.prov is not None:
            atomic_write(archive + ".prov", pulled.prov)
    click.echo(f"Pulled: {pulled.reference}\nDigest: {pulled.manifest_digest}")
    click.echo(report, nl=False)
    if untar:
        from engine.repo.pull import expand_archive

        target = untardir if os.path.isabs(untardir) else os.path.join(destination, untardir)
        expand_archive(pulled.chart_path, target)


@click.group(cls=_AliasedGroup)
def dependency() -> None:
    """Manage a chart's dependencies."""


@dependency.command("list")
@click.argument("chart", default=".")
@click.option("--max-col-width", default=80, type=int, help="maximum column width for output table")
def dependency_list(chart: str, max_col_width: int) -> None:
    """List the dependencies for the given chart."""
    from engine.chart.loader import load_chart
    from engine.cli.tables import table
    from engine.repo.dependency_list import dependency_status, stray_charts

    chart_path = os.path.normpath(chart)
    loaded = load_chart(chart_path)
    declared = loaded.metadata.dependencies
    if not declared:
        click.echo(f"WARNING: no dependencies at {os.path.join(chart_path, 'charts')}")
        return
    rows = [["NAME", "VERSION", "REPOSITORY", "STATUS"]]
    rows += [[d.name, d.version, d.repository, dependency_status(chart_path, d, loaded)] for d in declared]
    click.echo(table([[_truncate(cell, max_col_width) for cell in row] for row in rows]))
    for line in stray_charts(chart_path, declared):
        click.echo(line)


def _dependency_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """The flags ``dependency update`` and ``build`` share."""
    options = [
        click.option("--skip-refresh", is_flag=True, help="do not refresh the local repository cache"),
        click.option("--username", default="", help="chart repository username where to locate the requested chart"),
        click.option("--password", default="", help="chart repository password where to locate the requested chart"),
        click.option("--cert-file", default="", help="identify HTTPS client using this SSL certificate file"),
        click.option("--key-file", default="", help="identify HTTPS client using this SSL key file"),
        click.option("--ca-file", default="", help="verify certificates of HTTPS-enabled servers using this CA "
                                                   "bundle"),
        click.option("--insecure-skip-tls-verify", is_flag=True, help="skip tls certificate checks for the chart "
                                                                      "download"),
        click.option("--plain-http", is_flag=True, help="use insecure HTTP connections for oci:// dependencies"),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _manager(chart: str, paths: HelmPaths, skip_refresh: bool, plain_http: bool = False,
             **tls: Any) -> "DependencyManager":
    from engine.sources.dependencies import DependencyManager
    from engine.repo.http import ClientOptions

    return DependencyManager(os.path.normpath(chart), paths, click.echo, skip_refresh, ClientOptions(**tls),
                             plain_http)


@dependency.command("update")
@click.argument("chart", default=".")
@_dependency_flags
@helm_paths_flags
def dependency_update(chart: str, paths: HelmPaths, skip_refresh: bool, **tls: Any) -> None:
    """Update charts/ based on the contents of Chart.yaml."""
    _manager(chart, paths, skip_refresh, **tls).update()


@dependency.command("build")
@click.argument("chart", default=".")
@_dependency_flags
@helm_paths_flags
def dependency_build(chart: str, paths: HelmPaths, skip_refresh: bool, **tls: Any) -> None:
    """Rebuild the charts/ directory based on the Chart.lock file."""
    _manager(chart, paths, skip_refresh, **tls).build()


def _hidden_alias(command: click.Command) -> click.Command:
    """The same command under another name, left out of the help listing (Helm's command aliases)."""
    alias = copy.copy(command)
    alias.hidden = True
    return alias


fetch = _hidden_alias(pull)
dep = _hidden_alias(dependency)
dependencies = _hidden_alias(dependency)

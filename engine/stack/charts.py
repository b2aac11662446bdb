"""Finding a stack release's chart: a path beside the stack file, ``repo/name`` from the stack's own
repositories (or helm's repositories.yaml), an archive URL or an ``oci://`` reference."""
from __future__ import annotations

import os

from engine.chart.model import Chart
from engine.stack.errors import StackError
from engine.stack.model import ReleaseSpec, Repository, Stack


def _client_options(repository: Repository):
    from engine.repo.http import ClientOptions

    return ClientOptions(username=os.environ.get(repository.username_env or "", ""),
                         password=os.environ.get(repository.password_env or "", ""),
                         ca_file=repository.ca_file or "", cert_file=repository.cert_file or "",
                         key_file=repository.key_file or "",
                         insecure_skip_tls_verify=repository.insecure_skip_tls_verify)


def chart_path(stack: Stack, release: ReleaseSpec) -> str:
    """The local directory or archive of the release's chart (downloads land in helm's content cache)."""
    from engine.repo.cache import ContentCache
    from engine.repo.downloader import fetch_archive, resolve_chart
    from engine.repo.errors import RepoError
    from engine.repo.paths import HelmPaths

    reference = release.chart
    local = os.path.join(stack.base_dir, reference)
    if not reference.startswith(("oci://", "http://", "https://")) and (
            reference.startswith((".", "/")) or os.path.exists(local)):
        if not os.path.exists(local):
            raise StackError(f"{stack.path}:{release.source_line}: release {release.id}: chart path "
                             f'"{reference}" not found')
        return local
    paths = HelmPaths.from_environment()
    repo_name, _, chart_name = reference.partition("/")
    repository = next((r for r in stack.repositories if r.name == repo_name), None)
    if repository is not None and repository.is_oci:
        reference = f"{repository.url.rstrip('/')}/{chart_name}"
    if reference.startswith("oci://"):  # a stack repository's settings apply to references below its URL
        repository = repository or next((r for r in stack.repositories if r.is_oci and reference.startswith(
            r.url.rstrip("/") + "/")), None)
        return _from_registry(stack, release, reference, repository, paths.content_cache)
    try:
        if repository is not None:
            source = resolve_chart(chart_name, release.version, paths, _client_options(repository),
                                   repo_url=repository.url)
        else:
            source = resolve_chart(reference, release.version, paths)
        return fetch_archive(source, ContentCache(paths.content_cache))
    except RepoError as exc:
        raise StackError(f"{stack.path}:{release.source_line}: release {release.id}: chart {release.chart}: "
                         f"{exc}") from None


def _from_registry(stack: Stack, release: ReleaseSpec, reference: str, repository: Repository | None,
                   content_cache: str) -> str:
    from engine.registry.errors import RegistryError
    from engine.registry.fetch import clients, fetch_to_cache

    options = _client_options(repository) if repository is not None else None
    client_for = clients(bool(repository and repository.plain_http),
                         bool(repository and repository.insecure_skip_tls_verify),
                         options.username if options else "", options.password if options else "")
    try:
        return fetch_to_cache(reference, release.version, client_for, content_cache)[0]
    except RegistryError as exc:
        raise StackError(f"{stack.path}:{release.source_line}: release {release.id}: chart {release.chart}: "
                         f"{exc}") from None


def load_release_chart(stack: Stack, release: ReleaseSpec) -> Chart:
    """Load the release's chart, as install would (library charts refused)."""
    from engine.chart.errors import ChartError
    from engine.chart.loader import load_chart

    try:
        chart = load_chart(chart_path(stack, release))
    except ChartError as exc:
        raise StackError(f"{stack.path}:{release.source_line}: release {release.id}: {exc}") from None
    if chart.metadata.type not in ("", "application"):
        raise StackError(f"{stack.path}:{release.source_line}: release {release.id}: {chart.metadata.type} "
                         "charts are not installable")
    return chart

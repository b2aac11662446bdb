"""Finding a stack release's chart: a path beside the stack file, ``repo/name`` from the stack's own
repositories (or helm's repositories.yaml), an archive URL or an ``oci://`` reference — located and, with
``verify: true`` on the release or its repository, provenance-checked by engine.sources.locate as the CLI's
charts are."""
from __future__ import annotations

import os

from engine.chart.model import Chart
from engine.sources.locate import ChartSourceError, LocateOptions, load_installable, locate_chart
from engine.stack.errors import StackError
from engine.stack.model import ReleaseSpec, Repository, Stack


def _repository_for(stack: Stack, reference: str) -> tuple[str, Repository | None]:
    """The reference to locate and the stack repository whose settings apply to it, if any: ``repo/name``
    of a stack repository, or an ``oci://`` reference below a stack registry's URL."""
    repo_name, _, chart_name = reference.partition("/")
    repository = next((r for r in stack.repositories if r.name == repo_name), None)
    if repository is not None and repository.is_oci:
        return f"{repository.url.rstrip('/')}/{chart_name}", repository
    if repository is not None:
        return chart_name, repository
    if reference.startswith("oci://"):
        return reference, next((r for r in stack.repositories
                                if r.is_oci and reference.startswith(r.url.rstrip("/") + "/")), None)
    return reference, None


def _keyring(stack: Stack, path: str) -> str:
    return os.path.join(stack.base_dir, os.path.expanduser(path)) if path else ""


def _options(stack: Stack, release: ReleaseSpec, repository: Repository | None) -> LocateOptions:
    """The release's chart-locating options: its version, its repository's connection settings (secrets from
    the environment), and provenance checking from the release, else from its repository."""
    verify = release.verify if release.verify is not None else bool(repository and repository.verify)
    keyring = _keyring(stack, release.keyring or (repository.keyring if repository else "") or "")
    if repository is None:
        return LocateOptions(version=release.version, verify=verify, keyring=keyring)
    return LocateOptions(
        version=release.version, repo_url="" if repository.is_oci else repository.url,
        username=os.environ.get(repository.username_env or "", ""),
        password=os.environ.get(repository.password_env or "", ""),
        ca_file=repository.ca_file or "", cert_file=repository.cert_file or "", key_file=repository.key_file or "",
        insecure_skip_tls_verify=repository.insecure_skip_tls_verify, plain_http=repository.plain_http,
        verify=verify, keyring=keyring)


def _is_local(stack: Stack, reference: str) -> bool:
    if reference.startswith(("oci://", "http://", "https://")):
        return False
    return reference.startswith((".", "/")) or os.path.exists(os.path.join(stack.base_dir, reference))


def chart_path(stack: Stack, release: ReleaseSpec) -> str:
    """The local directory or archive of the release's chart (downloads land in helm's content cache)."""
    reference, repository = (release.chart, None) if _is_local(stack, release.chart) else \
        _repository_for(stack, release.chart)
    try:
        return locate_chart(reference, _options(stack, release, repository), base_dir=stack.base_dir)
    except ChartSourceError as exc:
        raise StackError(f"{release.where}: release {release.id}: chart {release.chart}: "
                         f"{exc}") from None


def load_release_chart(stack: Stack, release: ReleaseSpec) -> Chart:
    """Load the release's chart, as install would (library charts and missing dependencies refused)."""
    from engine.chart.errors import ChartError

    path = chart_path(stack, release)
    try:
        return load_installable(path)
    except (ChartError, ChartSourceError) as exc:
        raise StackError(f"{release.where}: release {release.id}: {exc}") from None

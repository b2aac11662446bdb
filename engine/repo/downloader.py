"""Turning a chart reference (``repo/name``, ``--repo URL``, an archive URL) into a verified archive file.

Helm's ChartDownloader: the reference is resolved to a URL and, where an index names it, a digest; the
content cache answers for known digests; downloads stream into the cache and are kept only once they match
the digest, so a bad download leaves nothing behind.
"""
from __future__ import annotations

import dataclasses
import os
import posixpath
from dataclasses import dataclass
from urllib.parse import urlsplit

from engine.repo.cache import ContentCache
from engine.repo.chartrepo import check_scheme, fetch_index, not_valid_repository, resolve_reference_url, url_equal
from engine.repo.errors import RepoError
from engine.repo.files import atomic_copy, atomic_write
from engine.repo.http import CHART_ACCEPT, ClientOptions, fetch, fetch_into
from engine.repo.index import IndexFile, Warn, ignore_warning
from engine.repo.index_load import load_index_file
from engine.repo.index_sharing import shared_or_fetched
from engine.repo.paths import HelmPaths
from engine.repo.repositories import Entry, load_repo_file_or_empty


@dataclass(frozen=True)
class ChartSource:
    """Where a chart archive comes from: its URL, the digest the index gives (hex, or ''), how to fetch it."""

    url: str
    digest: str
    options: ClientOptions
    credentials_url: str

    @property
    def hex_digest(self) -> str:
        """The digest without an algorithm prefix such as ``sha256:``, lower case."""
        return self.digest.rpartition(":")[2].lower()

    @property
    def filename(self) -> str:
        return posixpath.basename(urlsplit(self.url).path)


def is_url(reference: str) -> bool:
    parts = urlsplit(reference)
    return bool(parts.scheme and parts.netloc and parts.path)


def _with_entry(options: ClientOptions, entry: Entry) -> ClientOptions:
    """The command's options with the repository's own TLS settings and credentials laid over them."""
    changes: dict[str, object] = {}
    if entry.cert_file or entry.key_file or entry.ca_file:
        changes.update(cert_file=entry.cert_file, key_file=entry.key_file, ca_file=entry.ca_file)
    if entry.insecure_skip_tls_verify:
        changes["insecure_skip_tls_verify"] = True
    if entry.username and entry.password:
        changes.update(username=entry.username, password=entry.password,
                       pass_credentials_all=entry.pass_credentials_all)
    return dataclasses.replace(options, **changes)


def _cached_index(paths: HelmPaths, entry: Entry) -> IndexFile:
    try:
        return load_index_file(paths.index_path(entry.name))
    except (OSError, RepoError) as exc:
        detail = f"open {exc.filename}: {(exc.strerror or str(exc)).lower()}" if isinstance(exc, OSError) else str(exc)
        raise RepoError(f"no cached repo found. (try 'helm repo update'): {detail}") from None


def _owner_of(url: str, paths: HelmPaths) -> Entry | None:
    """The configured repository whose cached index lists ``url`` (for its TLS settings and credentials)."""
    for entry in load_repo_file_or_empty(paths.repository_config).repositories:
        index = _cached_index(paths, entry)
        if any(url_equal(url, listed) for versions in index.entries.values() for cv in versions
               for listed in cv.urls):
            return entry
    return None


def _from_repository(reference: str, version: str, paths: HelmPaths, options: ClientOptions,
                     warn: Warn) -> ChartSource:
    repo_name, slash, chart_name = reference.partition("/")
    if not slash:
        raise RepoError(f"non-absolute URLs should be in form of repo_name/path_to_chart, got: {reference}")
    entry = load_repo_file_or_empty(paths.repository_config).get(repo_name)
    if entry is None:
        raise RepoError(f"repo {repo_name} not found")
    if not entry.url:
        raise RepoError(f"no URL found for repository {repo_name}")
    index = _cached_index(paths, entry)
    try:
        chart = index.get(chart_name, version, warn)
    except RepoError as exc:
        raise RepoError(f'chart "{chart_name}" matching {version} not found in {repo_name} index. '
                        f"(try 'helm repo update'): {exc}") from None
    if not chart.urls:
        raise RepoError(f'chart "{reference}" has no downloadable URLs')
    return ChartSource(resolve_reference_url(entry.url, chart.urls[0]), chart.digest,
                       _with_entry(options, entry), entry.url)


def _shared_index(entry: Entry, options: ClientOptions):
    key = (entry.url, entry.username, entry.password, entry.cert_file, entry.key_file, entry.ca_file,
           entry.insecure_skip_tls_verify)
    return shared_or_fetched(key, lambda: fetch_index(entry, options.timeout))


def find_in_repository_url(repo_url: str, chart_name: str, version: str, options: ClientOptions,
                           warn: Warn = ignore_warning) -> ChartSource:
    """``--repo URL``: look the chart up in that repository's index without adding the repository."""
    entry = Entry(name="", url=repo_url, username=options.username, password=options.password,
                  cert_file=options.cert_file, key_file=options.key_file, ca_file=options.ca_file,
                  insecure_skip_tls_verify=options.insecure_skip_tls_verify,
                  pass_credentials_all=options.pass_credentials_all)
    try:
        index = _shared_index(entry, options)
    except RepoError as exc:
        raise not_valid_repository(repo_url, exc) from None
    wanted = f'chart "{chart_name}"' + (f' version "{version}"' if version else "")
    try:
        chart = index.get(chart_name, version, warn)
    except RepoError:
        raise RepoError(f"{wanted} not found in {repo_url} repository") from None
    if not chart.urls:
        raise RepoError(f"{wanted} has no downloadable URLs")
    url = resolve_reference_url(repo_url, chart.urls[0])
    return ChartSource(url, chart.digest, options, repo_url)


def resolve_chart(reference: str, version: str, paths: HelmPaths, options: ClientOptions = ClientOptions(),
                  repo_url: str = "", warn: Warn = ignore_warning) -> ChartSource:
    """Helm's ResolveChartVersion (plus ``--repo``): the URL and digest a chart reference names."""
    if repo_url:
        return find_in_repository_url(repo_url, reference, version, options, warn)
    if is_url(reference):
        check_scheme(reference)
        owner = _owner_of(reference, paths)
        if owner is None:
            return ChartSource(reference, "", options, reference)
        return ChartSource(reference, "", _with_entry(options, owner), owner.url)
    return _from_repository(reference, version, paths, options, warn)


def fetch_archive(source: ChartSource, cache: ContentCache) -> str:
    """The content-cache path of the archive: a cache hit by digest skips the network; a download is streamed
    into the cache and kept only when it matches the digest the index gives."""
    expected = source.hex_digest
    if len(expected) not in (0, 64):
        raise RepoError(f"invalid digest length: {len(expected) // 2}")
    cached = cache.get(expected) if expected else None
    if cached:
        return cached
    with cache.stage() as staged:
        actual = fetch_into(staged.handle, source.url, source.options, credentials_url=source.credentials_url,
                            accept=CHART_ACCEPT).digest.removeprefix("sha256:")
        if expected and actual != expected:
            raise RepoError(f"digest mismatch for {source.url}: the index lists sha256:{expected}, "
                            f"the download has sha256:{actual}")
        return staged.commit(cache.path(actual))


def download_to(source: ChartSource, cache: ContentCache, destination: str) -> str:
    """Copy the archive (from the cache or the network) to ``destination``/<file name of the URL>."""
    if not os.path.isdir(destination):
        raise RepoError(f"open {destination}: no such file or directory")
    target = os.path.join(destination, source.filename)
    atomic_copy(fetch_archive(source, cache), target)
    return target


def provenance_of(source: ChartSource) -> bytes:
    """The ``<url>.prov`` file of a chart archive."""
    return fetch(source.url + ".prov", source.options, credentials_url=source.credentials_url)


def download_provenance(source: ChartSource, archive_path: str) -> None:
    """Fetch ``<url>.prov`` beside the saved archive (``pull --prov``: fetched, not verified)."""
    atomic_write(archive_path + ".prov", provenance_of(source), 0o644)

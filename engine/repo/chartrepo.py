"""One chart repository: resolving its URLs and downloading its index into the repository cache."""
from __future__ import annotations

import os
import posixpath
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO
from urllib.parse import urljoin, urlsplit, urlunsplit

from engine.net.limits import INDEX
from engine.repo.errors import RepoError
from engine.repo.files import StagedFile, atomic_write
from engine.repo.http import ClientOptions, fetch_into
from engine.repo.index import IndexFile, Warn, ignore_warning
from engine.repo.index_load import load_index
from engine.repo.paths import cache_charts_file, cache_index_file
from engine.repo.repositories import Entry


def resolve_reference_url(base_url: str, reference: str) -> str:
    """Helm's ResolveReferenceURL: ``reference`` relative to the repository URL (which keeps its query)."""
    if urlsplit(reference).scheme:
        return reference
    base = urlsplit(base_url)
    directory = base._replace(path=base.path.rstrip("/") + "/", query="", fragment="")
    resolved = urlsplit(urljoin(urlunsplit(directory), reference))
    return urlunsplit(resolved._replace(query=base.query))


def url_equal(a: str, b: str) -> bool:
    """Go's urlutil.Equal: URLs equal once their paths are cleaned (so a trailing slash does not matter)."""
    def normal(url: str) -> tuple[str, ...]:
        parts = urlsplit(url)
        return parts.scheme, parts.netloc, posixpath.normpath(parts.path or "/"), parts.query, parts.fragment

    return normal(a) == normal(b)


def client_options(entry: Entry, timeout: float | None = None) -> ClientOptions:
    """The credentials and TLS settings a repositories.yaml entry carries."""
    return ClientOptions(username=entry.username, password=entry.password,
                         pass_credentials_all=entry.pass_credentials_all, cert_file=entry.cert_file,
                         key_file=entry.key_file, ca_file=entry.ca_file,
                         insecure_skip_tls_verify=entry.insecure_skip_tls_verify, timeout=timeout or 0.0)


OCI_UNSUPPORTED = ("{} is an OCI registry, not a chart repository: use oci:// references directly "
                   "(pyhelm pull/install oci://…, pyhelm registry login)")


def check_scheme(url: str) -> None:
    """Refuse URLs no getter handles (OCI references get a message of their own)."""
    scheme = urlsplit(url).scheme
    if scheme == "oci":
        raise RepoError(OCI_UNSUPPORTED.format(url))
    if scheme not in ("http", "https"):
        raise RepoError(f"could not find protocol handler for: {scheme}")


def _fetch_index_into(sink: BinaryIO, entry: Entry, timeout: float | None) -> None:
    check_scheme(entry.url)
    url = resolve_reference_url(entry.url, "index.yaml")
    fetch_into(sink, url, client_options(entry, timeout), credentials_url=entry.url, cap=INDEX)


def fetch_index(entry: Entry, timeout: float | None = None, warn: Warn = ignore_warning) -> IndexFile:
    """Download and parse ``<url>/index.yaml`` of a repository (nothing is kept)."""
    with tempfile.TemporaryFile() as sink:
        _fetch_index_into(sink, entry, timeout)
        sink.seek(0)
        return load_index(sink.read(), entry.url, warn)


def download_index(entry: Entry, cache_dir: str, timeout: float | None = None,
                   warn: Warn = ignore_warning) -> IndexFile:
    """Fetch a repository's index into the cache and keep it, with its chart names, only when it is valid."""
    with StagedFile(os.path.join(cache_dir, cache_index_file(entry.name))) as staged:
        _fetch_index_into(staged.handle, entry, timeout)
        staged.handle.seek(0)
        index = load_index(staged.handle.read(), entry.url, warn)
        names = "".join(f"{name}\n" for name in index.entries)
        atomic_write(os.path.join(cache_dir, cache_charts_file(entry.name)), names.encode(), 0o644)
        staged.commit()
    return index


def update_indexes(entries: list[Entry], cache_dir: str, timeout: float | None = None,
                   warn: Warn = ignore_warning) -> list[tuple[Entry, RepoError | None]]:
    """Refresh the cached indexes of ``entries`` in parallel; each entry with the error it met, or None."""
    def update(entry: Entry) -> tuple[Entry, RepoError | None]:
        try:
            download_index(entry, cache_dir, timeout, warn)
        except RepoError as exc:
            return entry, exc
        return entry, None

    with ThreadPoolExecutor(max_workers=max(1, min(len(entries), 16))) as pool:
        return list(pool.map(update, entries))


def update_report(entry: Entry, error: RepoError | None, by_url: bool = False) -> str:
    """Helm's line for one refreshed repository (``by_url`` for repositories known only by their URL)."""
    label = entry.url if by_url else entry.name
    if error is None:
        return f'...Successfully got an update from the "{label}" chart repository'
    where = "" if by_url else f" ({entry.url})"
    return f'...Unable to get an update from the "{label}" chart repository{where}:\n\t{error}'


def not_valid_repository(url: str, exc: Exception) -> RepoError:
    return RepoError(f'looks like "{url}" is not a valid chart repository or cannot be reached: {exc}')

"""Finding the chart a reference names, as Helm's LocateChart does, and checking its provenance on request.

A reference is a directory or archive (used in place), ``repo/name`` (through helm's cached index), a name
with ``repo_url`` (``--repo``), an archive URL, or ``oci://host/path/name``; downloads land in helm's
content cache, checked against their digest. With ``verify`` the archive must match a provenance file
signed by a key of the keyring (the ``.prov`` beside a local archive, beside a downloaded one, or the
provenance layer of an OCI artifact).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from engine.chart.model import Chart
    from engine.repo.http import ClientOptions

Warn = Callable[[str], None]


class ChartSourceError(Exception):
    """A chart that cannot be found, fetched, verified or installed; ``str()`` is helm's message."""


def _ignore(_message: str) -> None:
    pass


@dataclass(frozen=True)
class LocateOptions:
    """How to find a chart: Helm's chart-locating flags (``--version``, ``--devel``, ``--repo``, credentials,
    TLS, ``--plain-http`` for registries, ``--verify`` and ``--keyring``)."""

    version: str = ""
    devel: bool = False
    repo_url: str = ""
    username: str = ""
    password: str = ""
    pass_credentials: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    insecure_skip_tls_verify: bool = False
    plain_http: bool = False
    verify: bool = False
    keyring: str = ""

    @property
    def version_constraint(self) -> str:
        """``version``, or ``>0.0.0-0`` for ``devel`` without one (empty: the newest stable)."""
        from engine.repo.versions import DEVEL

        return self.version.strip() or (DEVEL if self.devel else "")

    def client_options(self) -> "ClientOptions":
        from engine.repo.http import ClientOptions

        return ClientOptions(username=self.username, password=self.password,
                             pass_credentials_all=self.pass_credentials, cert_file=self.cert_file,
                             key_file=self.key_file, ca_file=self.ca_file,
                             insecure_skip_tls_verify=self.insecure_skip_tls_verify)


def locate_chart(reference: str, options: LocateOptions = LocateOptions(), warn: Warn = _ignore,
                 base_dir: str = "") -> str:
    """The local path of the chart ``reference`` names (relative paths are taken from ``base_dir``, by
    default the working directory); ``warn`` receives repository warnings (``msg="…" key=value``)."""
    reference = reference.strip()
    if reference.startswith("oci://"):
        return _from_registry(reference, options)
    if not options.repo_url:
        local = os.path.abspath(os.path.join(base_dir, reference))
        if os.path.exists(local):
            if options.verify:
                _verify_local(local, options)
            return local
        if os.path.isabs(reference) or reference.startswith("."):
            raise ChartSourceError(f'path "{reference}" not found')
    return _from_repository(reference, options, warn)


def _verify_local(archive_path: str, options: LocateOptions) -> None:
    """A local archive is checked against the ``.prov`` beside it (a directory cannot be)."""
    if os.path.isdir(archive_path):
        raise ChartSourceError("unpacked charts cannot be verified")
    provenance = archive_path + ".prov"
    if not os.path.isfile(provenance):
        raise ChartSourceError(f"could not load provenance file {provenance}: stat {provenance}: no such file or "
                               "directory")
    _verify(archive_path, lambda: read_bytes(provenance), options)


def _from_repository(reference: str, options: LocateOptions, warn: Warn) -> str:
    """``repo/name``, ``--repo URL name`` or an archive URL, downloaded into the content cache."""
    from engine.repo.cache import ContentCache
    from engine.repo.downloader import fetch_archive, provenance_of, resolve_chart
    from engine.repo.errors import RepoError
    from engine.repo.paths import HelmPaths

    paths = HelmPaths.from_environment()
    try:
        source = resolve_chart(reference, options.version_constraint, paths, options.client_options(),
                               repo_url=options.repo_url, warn=warn)
        path = os.path.abspath(fetch_archive(source, ContentCache(paths.content_cache)))
    except RepoError as exc:
        raise ChartSourceError(str(exc)) from None
    if options.verify:
        _verify(path, lambda: provenance_of(source), options, source.filename)
    return path


def _from_registry(reference: str, options: LocateOptions) -> str:
    """An ``oci://`` chart pulled into the content cache (with its provenance layer to verify it)."""
    from engine.registry.errors import RegistryError
    from engine.registry.fetch import clients, fetch_to_cache
    from engine.registry.reference import version_of
    from engine.repo.paths import HelmPaths

    client_for = clients(options.plain_http, options.insecure_skip_tls_verify, options.username, options.password)
    try:
        path, pulled = fetch_to_cache(reference, options.version.strip(), client_for,
                                      HelmPaths.from_environment().content_cache, with_prov=options.verify)
    except RegistryError as exc:
        raise ChartSourceError(str(exc)) from None
    if options.verify:
        if pulled.prov is None:
            raise ChartSourceError(f"failed to load provenance: {pulled.reference} has no provenance layer")
        prov = pulled.prov
        _verify(path, lambda: prov, options, f"{pulled.reference.name}-{version_of(pulled.reference.tag)}.tgz")
    return os.path.abspath(path)


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def verify_chart(archive_path: str, provenance: Callable[[], bytes], keyring: str, filename: str = "") -> str:
    """Check an archive file against its provenance (``provenance()`` gives its bytes) with the keyring
    (default: ~/.gnupg/pubring.gpg); returns the report ``helm verify`` prints. Raises ProvenanceError (and
    OSError for a missing file) for the caller to word."""
    from engine.provenance.prov import default_keyring, verification_report, verify_archive

    signature, digest = verify_archive(read_bytes(archive_path), filename or os.path.basename(archive_path),
                                       provenance(), keyring or default_keyring())
    return verification_report(signature, digest)


def verify_provenance(archive: bytes, filename: str, provenance: bytes | None, keyring: str) -> str:
    """``--verify`` of an archive held in memory: helm's report, or a ChartSourceError naming the archive."""
    from engine.provenance.errors import ProvenanceError
    from engine.provenance.prov import default_keyring, verification_report, verify_archive
    from engine.repo.errors import RepoError

    if provenance is None:
        raise ChartSourceError(f"failed to load provenance: {filename} has no provenance file")
    try:
        signature, digest = verify_archive(archive, filename, provenance, keyring or default_keyring())
    except (ProvenanceError, RepoError) as exc:
        raise ChartSourceError(f"verification of {filename} failed: {exc}") from None
    return verification_report(signature, digest)


def _verify(archive_path: str, provenance: Callable[[], bytes], options: LocateOptions, filename: str = "") -> None:
    """Refuse a chart whose provenance (``provenance()`` fetches it) does not check out, in helm's words."""
    from engine.repo.errors import RepoError

    name = filename or os.path.basename(archive_path)
    try:
        signed = provenance()
    except RepoError as exc:
        raise ChartSourceError(f"verification of {name} failed: {exc}") from None
    verify_provenance(read_bytes(archive_path), name, signed, options.keyring)


def load_installable(path: str, warn: Warn = _ignore) -> "Chart":
    """Load a located chart for install or template, refusing what helm refuses: library charts and
    dependencies missing from charts/ (a deprecated chart only warns)."""
    from engine.chart.loader import load_chart

    chart = load_chart(path)
    chart_type = chart.metadata.type
    if chart_type not in ("", "application"):
        raise ChartSourceError(f"{chart_type} charts are not installable")
    if chart.metadata.deprecated:
        warn("this chart is deprecated")
    vendored = {sub.name for sub in chart.subcharts}
    missing = [dep.name for dep in chart.metadata.dependencies if dep.name not in vendored]
    if missing:
        raise ChartSourceError("an error occurred while checking for chart dependencies. You may need to run "
                               "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but "
                               f"missing in charts/ directory: {', '.join(missing)}")
    return chart


def resolve_only(reference: str, options: LocateOptions) -> tuple[str, str]:
    """What ``reference`` with ``options.version`` would resolve to now, without downloading the chart:
    (what to call it — the archive's file name or the version —, its ``sha256:`` digest when the repository's
    index gives one, else '')."""
    if reference.startswith("oci://"):
        from engine.registry.charts import resolve_tag
        from engine.registry.errors import RegistryError
        from engine.registry.fetch import clients
        from engine.registry.reference import parse_reference, version_of

        parsed = parse_reference(reference)
        client = clients(options.plain_http, options.insecure_skip_tls_verify, options.username,
                         options.password)(parsed.host)
        try:
            return version_of(resolve_tag(client, parsed, options.version.strip())), ""
        except RegistryError as exc:
            raise ChartSourceError(str(exc)) from None
    from engine.repo.downloader import resolve_chart
    from engine.repo.errors import RepoError
    from engine.repo.paths import HelmPaths

    try:
        source = resolve_chart(reference, options.version_constraint, HelmPaths.from_environment(),
                               options.client_options(), repo_url=options.repo_url)
    except RepoError as exc:
        raise ChartSourceError(str(exc)) from None
    return source.filename, f"sha256:{source.hex_digest}" if source.hex_digest else ""

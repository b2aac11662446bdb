"""Finding the chart a command names: a directory, an archive, ``repo/name``, ``--repo URL name`` or an URL."""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import click

from engine.chart.model import Chart
from engine.cli.errors import CommandError

if TYPE_CHECKING:
    from engine.repo.http import ClientOptions


@dataclass(frozen=True)
class ChartPathOptions:
    """Helm's chart-locating flags (``--version``, ``--devel``, ``--repo``, credentials, TLS)."""

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
        """``--version``, or ``>0.0.0-0`` for ``--devel`` without one (empty: the newest stable)."""
        from engine.repo.versions import DEVEL

        return self.version.strip() or (DEVEL if self.devel else "")

    def client_options(self) -> "ClientOptions":
        from engine.repo.http import ClientOptions

        return ClientOptions(username=self.username, password=self.password,
                             pass_credentials_all=self.pass_credentials, cert_file=self.cert_file,
                             key_file=self.key_file, ca_file=self.ca_file,
                             insecure_skip_tls_verify=self.insecure_skip_tls_verify)


CHART_PATH_FLAGS = tuple(name for name in ChartPathOptions.__dataclass_fields__)


def chart_path_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add Helm's chart-locating flags; the command receives them as ``chart_path`` (ChartPathOptions)."""
    options = [
        click.option("--version", default="", help="specify a version constraint for the chart version to use"),
        click.option("--devel", is_flag=True, help="use development versions, too. Equivalent to version "
                                                   "'>0.0.0-0'. If --version is set, this is ignored"),
        click.option("--repo", "repo_url", default="", help="chart repository url where to locate the chart"),
        click.option("--username", default="", help="chart repository username"),
        click.option("--password", default="", help="chart repository password"),
        click.option("--pass-credentials", is_flag=True, help="pass credentials to all domains"),
        click.option("--ca-file", default="", help="verify certificates of HTTPS-enabled servers using this "
                                                   "CA bundle"),
        click.option("--cert-file", default="", help="identify HTTPS client using this SSL certificate file"),
        click.option("--key-file", default="", help="identify HTTPS client using this SSL key file"),
        click.option("--insecure-skip-tls-verify", is_flag=True, help="skip tls certificate checks for the "
                                                                      "chart download"),
        click.option("--plain-http", is_flag=True, help="use insecure HTTP connections for the chart download"),
        click.option("--verify", is_flag=True, help="verify the package (its provenance file) before using it"),
        click.option("--keyring", default="", help="location of public keys used for verification"),
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["chart_path"] = ChartPathOptions(**{name: kwargs.pop(name) for name in CHART_PATH_FLAGS})
        return command(*args, **kwargs)

    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), wrapper)


def warn_line(fields: str) -> None:
    """Print a repository-layer warning (``msg="…" key=value``) as Helm logs it."""
    click.echo(f"level=WARN {fields}", err=True)


def locate_chart(reference: str, options: ChartPathOptions | None = None) -> str:
    """The local path of the chart ``reference`` names, as Helm's LocateChart resolves it.

    Local directories and archives are used in place; ``repo/name`` (through the cached index), ``--repo``
    and archive URLs are downloaded into the content cache (by digest, verified) and that path returned.
    """
    options = options or ChartPathOptions()
    reference = reference.strip()
    if reference.startswith("oci://"):
        return _locate_oci(reference, options)
    if not options.repo_url:
        if os.path.exists(reference):
            if options.verify:
                _verify(reference, lambda: read_bytes(reference + ".prov"), options)
            return os.path.abspath(reference)
        if os.path.isabs(reference) or reference.startswith("."):
            raise CommandError(f'path "{reference}" not found')
    from engine.repo.cache import ContentCache
    from engine.repo.downloader import fetch_archive, provenance_of, resolve_chart
    from engine.repo.paths import HelmPaths

    paths = HelmPaths.from_environment()
    source = resolve_chart(reference, options.version_constraint, paths, options.client_options(),
                           repo_url=options.repo_url, warn=warn_line)
    path = os.path.abspath(fetch_archive(source, ContentCache(paths.content_cache)))
    if options.verify:
        _verify(path, lambda: provenance_of(source), options, source.filename)
    return path


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def verify_chart(archive_path: str, provenance, keyring: str, filename: str = "") -> str:
    """Check an archive against its provenance (``provenance()`` gives its bytes); returns helm's report."""
    from engine.provenance.prov import default_keyring, verification_report, verify_archive

    signature, digest = verify_archive(read_bytes(archive_path), filename or os.path.basename(archive_path),
                                       provenance(), keyring or default_keyring())
    return verification_report(signature, digest)


def verify_provenance(archive: bytes, filename: str, provenance: bytes | None, keyring: str) -> str:
    """``--verify`` of an archive held in memory: helm's report, or a CommandError naming the archive."""
    from engine.provenance.errors import ProvenanceError
    from engine.provenance.prov import default_keyring, verification_report, verify_archive
    from engine.repo.errors import RepoError

    if provenance is None:
        raise CommandError(f"failed to load provenance: {filename} has no provenance file")
    try:
        signature, digest = verify_archive(archive, filename, provenance, keyring or default_keyring())
    except (ProvenanceError, RepoError) as exc:
        raise CommandError(f"verification of {filename} failed: {exc}") from None
    return verification_report(signature, digest)


def _verify(archive_path: str, provenance, options: ChartPathOptions, filename: str = "") -> None:
    """``--verify``: refuse a chart whose provenance does not check out."""
    from engine.repo.errors import RepoError

    name = filename or os.path.basename(archive_path)
    try:
        signed = provenance()
    except FileNotFoundError as exc:
        raise CommandError(f"failed to load provenance: open {exc.filename}: no such file or directory") from None
    except RepoError as exc:
        raise CommandError(f"verification of {name} failed: {exc}") from None
    verify_provenance(read_bytes(archive_path), name, signed, options.keyring)


def _locate_oci(reference: str, options: ChartPathOptions) -> str:
    """Pull an ``oci://`` chart into the content cache."""
    from engine.registry.errors import RegistryError
    from engine.registry.fetch import clients, fetch_to_cache
    from engine.repo.paths import HelmPaths

    client_for = clients(options.plain_http, options.insecure_skip_tls_verify, options.username, options.password)
    try:
        path, pulled = fetch_to_cache(reference, options.version.strip(), client_for,
                                      HelmPaths.from_environment().content_cache, with_prov=options.verify)
    except RegistryError as exc:
        raise CommandError(str(exc)) from None
    if options.verify:
        from engine.registry.reference import version_of

        if pulled.prov is None:
            raise CommandError(f"failed to load provenance: {pulled.reference} has no provenance layer")
        _verify(path, lambda: pulled.prov, options, f"{pulled.reference.name}-{version_of(pulled.reference.tag)}.tgz")
    return os.path.abspath(path)


def load_installable_chart(reference: str, warn, options: ChartPathOptions | None = None) -> Chart:
    """Load a chart for install/template: refuse library charts and missing dependencies as Helm does."""
    from engine.chart.loader import load_chart

    chart = load_chart(locate_chart(reference, options))
    chart_type = chart.metadata.type
    if chart_type not in ("", "application"):
        raise CommandError(f"{chart_type} charts are not installable")
    if chart.metadata.deprecated:
        warn("this chart is deprecated")
    vendored = {sub.name for sub in chart.subcharts}
    missing = [dep.name for dep in chart.metadata.dependencies if dep.name not in vendored]
    if missing:
        raise CommandError("an error occurred while checking for chart dependencies. You may need to run "
                           "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but "
                           f"missing in charts/ directory: {', '.join(missing)}")
    return chart

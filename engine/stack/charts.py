"""Finding a stack release's chart: a path beside the stack file, ``repo/name`` from the stack's own
repositories (or helm's repositories.yaml), an archive URL or an ``oci://`` reference — located and, with
``verify: true`` on the release or its repository, provenance-checked by engine.sources.locate as the CLI's
charts are."""
from __future__ import annotations

import dataclasses
import os

from engine.chart.model import Chart
from engine.sources.locate import ChartSourceError, LocateOptions, load_installable, locate_chart, resolve_only
from engine.stack.errors import StackError
from engine.stack.lockfile import LOCK_FILE, LockedChart, archive_digest, check_locked_digest, locked_chart
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


def local_chart_path(stack: Stack, release: ReleaseSpec) -> str | None:
    """The directory or archive of a chart the release takes from a local path (None for any other chart)."""
    return os.path.abspath(os.path.join(stack.base_dir, release.chart)) if _is_local(stack, release.chart) else None


def _reference(stack: Stack, release: ReleaseSpec) -> tuple[str, Repository | None, bool]:
    """(reference to locate, the stack repository that serves it, whether it is a local path)."""
    if _is_local(stack, release.chart):
        return release.chart, None, True
    return (*_repository_for(stack, release.chart), False)


def _check_known_repository(stack: Stack, release: ReleaseSpec, repository: Repository | None) -> None:
    """``name/chart`` must name a repository (the stack's or helm's) when it is not a path: say which it is not."""
    import difflib

    from engine.repo.paths import HelmPaths
    from engine.repo.repositories import load_repo_file_or_empty

    repo_name, slash, _chart = release.chart.partition("/")
    if repository is not None or not slash or release.chart.startswith(("oci://", "http://", "https://")):
        return
    helm_repositories = [entry.name for entry in
                         load_repo_file_or_empty(HelmPaths.from_environment().repository_config).repositories]
    if repo_name in helm_repositories:
        return
    ours = [r.name for r in stack.repositories]
    close = difflib.get_close_matches(repo_name, ours + helm_repositories, n=1)
    raise StackError(f"{release.where}: release {release.id}: chart {release.chart}: there is no path "
                     f"{os.path.join(stack.base_dir, release.chart)}, and {repo_name!r} is no repository of the "
                     f"stack ({', '.join(ours) or 'none'}) or of helm ({', '.join(helm_repositories) or 'none'})"
                     + (f"; did you mean {close[0]}/{_chart}?" if close else ""))


def chart_path(stack: Stack, release: ReleaseSpec, use_lock: bool = True) -> str:
    """The local directory or archive of the release's chart (downloads land in helm's content cache); a chart
    the stack's lock file locks is taken at its locked version and must have its locked digest."""
    reference, repository, local = _reference(stack, release)
    if not local:
        _check_known_repository(stack, release, repository)
    options = _options(stack, release, repository)
    locked = locked_chart(stack, release) if use_lock and not local else None
    if locked is not None:
        options = dataclasses.replace(options, version=locked.version)
    try:
        path = locate_chart(reference, options, base_dir=stack.base_dir)
    except ChartSourceError as exc:
        raise StackError(f"{release.where}: release {release.id}: chart {release.chart}: "
                         f"{exc}") from None
    if locked is not None:
        check_locked_digest(release, locked, path)
    return path


def lock_release(stack: Stack, release: ReleaseSpec) -> LockedChart | None:
    """What the release's chart resolves to now, ignoring the lock (None for a chart from a local path)."""
    if _reference(stack, release)[2]:
        return None
    path = chart_path(stack, release, use_lock=False)
    version = load_chart(release, path).metadata.version
    return LockedChart(release.chart, version, archive_digest(path))


def lock_note(stack: Stack, release: ReleaseSpec) -> str:
    """A word when the lock keeps a version the release's constraint would no longer pick ('' otherwise)."""
    reference, repository, local = _reference(stack, release)
    locked = None if local else locked_chart(stack, release)
    if locked is None:
        return ""
    try:
        label, digest = resolve_only(reference, _options(stack, release, repository))
    except ChartSourceError:
        return ""  # the locked chart was found: not being able to look further is no reason to stop
    if (digest and digest == locked.digest) or (not digest and label == locked.version):
        return ""
    return (f"{LOCK_FILE} keeps {locked.version}; {release.version or 'the newest version'} would now resolve to "
            f"{label} (`pyhelm lock` or --update-lock moves it)")


def load_chart(release: ReleaseSpec, path: str) -> Chart:
    """Load the chart at ``path`` (found by chart_path) for ``release``, as install would."""
    from engine.chart.errors import ChartError

    try:
        return load_installable(path)
    except (ChartError, ChartSourceError) as exc:
        raise StackError(f"{release.where}: release {release.id}: {exc}") from None


def load_release_chart(stack: Stack, release: ReleaseSpec, loaded: dict[str, Chart] | None = None) -> Chart:
    """Load the release's chart, as install would (library charts and missing dependencies refused);
    ``loaded``: the charts a command loaded so far, by path, so releases of one chart share it (rendering
    copies what it changes)."""
    path = chart_path(stack, release)
    if loaded is None:
        return load_chart(release, path)
    if path not in loaded:
        loaded[path] = load_chart(release, path)
    return loaded[path]


def lock_stack(stack: Stack, releases: list[ReleaseSpec] | None = None) -> tuple[str, dict[str, LockedChart]]:
    """Resolve the charts of ``releases`` (default: all) afresh and record them in the lock file, keeping the
    locks of the environment's other releases; returns (lock file path, what was locked)."""
    from engine.stack.lockfile import read_lock, write_lock

    chosen = stack.releases if releases is None else releases
    ids = {release.id for release in stack.releases}
    kept = {rid: entry for rid, entry in read_lock(stack).get(stack.environment or "default", {}).items()
            if rid in ids and rid not in {release.id for release in chosen}}
    locked = {release.id: entry for release in chosen if (entry := lock_release(stack, release)) is not None}
    return write_lock(stack, {**kept, **locked}), locked

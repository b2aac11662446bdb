"""Chart dependencies (Helm's downloader.Manager and resolver): resolving versions, Chart.lock, charts/.

``update`` resolves Chart.yaml's constraints against cached indexes (``@name``/``alias:`` naming a configured
repository, ``file://`` directories, repository URLs helm was never told about), downloads into a temporary
``tmpcharts-<pid>`` directory, moves the archives into ``charts/`` and rewrites Chart.lock when its digest
changed. ``build`` downloads exactly what Chart.lock lists, refusing a lock out of sync with Chart.yaml.
apiVersion v1 charts keep theirs in requirements.yaml and requirements.lock (whose Helm 2 digest is accepted).
"""
from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

from engine.chart.metadata import dependency_to_dict, parse_metadata
from engine.chart.model import Chart, Dependency
from engine.repo import versions
from engine.repo.cache import ContentCache
from engine.repo.chartrepo import (client_options, resolve_reference_url, update_indexes,
                                   update_report, url_equal)
from engine.repo.downloader import ChartSource, download_to, find_in_repository_url
from engine.repo.errors import RepoError
from engine.repo.files import atomic_copy, atomic_write
from engine.repo.http import ClientOptions
from engine.repo.index import IndexFile
from engine.repo.index_load import load_index_file
from engine.repo.marshal import now_rfc3339nano, to_compact_json, to_yaml
from engine.repo.paths import HelmPaths
from engine.repo.repositories import Entry, load_repo_file_or_empty

MANAGER_PREFIX = "helm-manager-"
OUT_OF_SYNC = "the lock file ({}) is out of sync with the dependencies file ({}). Please update the dependencies"
NON_URL_NOTE = ('\nNote that repositories must be URLs or aliases. For example, to refer to the "example"\n'
                'repository, use "https://charts.example.com/" or "@example" instead of\n'
                "\"example\". Don't forget to add the repo, too ('helm repo add').")


def _hash_form(dependency: Dependency) -> dict[str, Any]:
    """A dependency as Go's json.Marshal writes it (struct order, map keys sorted)."""
    out = {"name": dependency.name, **dependency_to_dict(dependency)}
    if "import-values" in out:
        out["import-values"] = [dict(sorted(v.items())) if isinstance(v, dict) else v for v in out["import-values"]]
    return out


def lock_digest(requested: list[Dependency], locked: list[Dependency]) -> str:
    """Helm's HashReq: ``sha256:`` + SHA-256 of the JSON pair [Chart.yaml dependencies, locked dependencies]."""
    data = to_compact_json([[_hash_form(d) for d in requested], [_hash_form(d) for d in locked]])
    return "sha256:" + hashlib.sha256(data.encode()).hexdigest()


def legacy_lock_digest(requested: list[Dependency]) -> str:
    """Helm 2's requirements.lock digest (HashV2Req): SHA-256 of ``{"dependencies": [...]}``."""
    data = to_compact_json({"dependencies": [_hash_form(d) for d in requested]})
    return "sha256:" + hashlib.sha256(data.encode()).hexdigest()


def local_path(repository: str, chart_path: str) -> str:
    """Helm's GetLocalPath: a ``file://`` repository as a path (relative to the chart) that must exist."""
    path = repository.removeprefix("file://")
    path = os.path.abspath(path) if path.startswith("/") else os.path.join(chart_path, path)
    if not os.path.exists(path):
        raise RepoError(f"directory {path} not found")
    return path


def _is_request_uri(text: str) -> bool:
    """Go's url.ParseRequestURI succeeds: an absolute URL or an absolute path."""
    parts = urlsplit(text)
    return bool(parts.scheme) or text.startswith("/")


def _check_constraint(name: str, constraint: str) -> None:
    try:
        versions.check_constraint(constraint)
    except RepoError as exc:
        raise RepoError(f'dependency "{name}" has an invalid version/constraint format: {exc}') from None


def _same_version(wanted: str, listed: str) -> bool:
    """Helm's versionEquals: equal as semantic versions (or as text when ``wanted`` is not one); '' is any."""
    if not wanted:
        return True
    left = versions.parse_version(wanted)
    if left is None:
        return wanted == listed
    right = versions.parse_version(listed)
    return right is not None and versions.compare(left, right) == 0


def _alias(repository: str) -> str | None:
    """The repository name in ``@name`` or ``alias:name``, else None."""
    for prefix in ("@", "alias:"):
        if repository.startswith(prefix):
            return repository[len(prefix):]
    return None


def _manager_name(url: str) -> str:
    return MANAGER_PREFIX + hashlib.sha256(url.encode()).hexdigest()


def _load_archive(path: str) -> tuple[Chart | None, str]:
    """The chart in the archive at ``path``, or None and why the chart loader refuses it."""
    from engine.chart.loader import load_chart

    try:
        return load_chart(path), ""
    except Exception as exc:  # whatever the loader refuses is reported as Helm reports it
        return None, str(exc)


@dataclass
class DependencyManager:
    """Dependencies of the unpacked chart at ``chart_path``; ``out`` prints a line of progress."""

    chart_path: str
    paths: HelmPaths
    out: Callable[[str], None]
    skip_refresh: bool = False
    options: ClientOptions = field(default_factory=ClientOptions)
    plain_http: bool = False  # for oci:// repositories

    def _registry(self):
        from engine.registry.fetch import clients

        return clients(self.plain_http, self.options.insecure_skip_tls_verify, self.options.username,
                       self.options.password)

    def _load(self) -> Chart:
        from engine.chart.loader import load_chart

        if not os.path.exists(self.chart_path):
            raise RepoError(f"could not find {self.chart_path}: stat {self.chart_path}: no such file or directory")
        if not os.path.isdir(self.chart_path):
            raise RepoError("only unpacked charts can be updated")
        return load_chart(self.chart_path)

    def _entries(self) -> list[Entry]:
        return load_repo_file_or_empty(self.paths.repository_config).repositories

    # -- repositories ------------------------------------------------------------------------------

    def _resolve_repo_names(self, dependencies: list[Dependency]) -> dict[str, str]:
        """Dependency name → configured repository name; ``@name``/``alias:name`` become that repository's URL."""
        entries = self._entries()
        names: dict[str, str] = {}
        missing: list[str] = []
        for dependency in dependencies:
            repository = dependency.repository
            if not repository:
                continue
            if repository.startswith("file://"):
                local_path(repository, self.chart_path)
                names[dependency.name] = repository
                continue
            if repository.startswith("oci://"):  # registries have no index to refresh
                names[dependency.name] = repository
                continue
            alias = _alias(repository)
            entry = next((e for e in entries if e.name == alias or (alias is None and url_equal(e.url, repository))),
                         None)
            if entry is not None:
                if alias is not None:
                    dependency.repository = entry.url
                names[dependency.name] = entry.name
            elif not _is_request_uri(repository):
                missing.append(repository)
        if missing:
            message = f"no repository definition for {', '.join(missing)}. Please add them via 'helm repo add'"
            if any("//" not in r and not r.startswith(("@", "alias:")) for r in missing):
                message += NON_URL_NOTE
            raise RepoError(message)
        return names

    def _ensure_missing_repos(self, names: dict[str, str], dependencies: list[Dependency]) -> None:
        """Repositories named only by URL get a cache under ``helm-manager-<sha256 of the URL>``."""
        unmanaged = []
        for dependency in dependencies:
            if dependency.repository and dependency.name not in names:
                names[dependency.name] = _manager_name(dependency.repository)
                unmanaged.append(Entry(name=names[dependency.name], url=dependency.repository))
        if unmanaged and not self.skip_refresh:
            self.out("Getting updates for unmanaged Helm repositories...")
            self._parallel_update(unmanaged)

    def _update_repositories(self) -> None:
        entries = self._entries()
        if entries:
            self.out("Hang tight while we grab the latest from your chart repositories...")
            self._parallel_update(entries)
            self.out("Update Complete. ⎈Happy Helming!⎈")

    def _parallel_update(self, entries: list[Entry]) -> None:
        """Refresh each repository's cached index once per URL; failures are reported, not fatal (as in Helm)."""
        unique = list({entry.url.rstrip("/"): entry for entry in entries}.values())
        for entry, error in update_indexes(unique, self.paths.repository_cache):
            self.out(update_report(entry, error, by_url=entry.name.startswith(MANAGER_PREFIX)))

    def _cached_index(self, repo_name: str) -> IndexFile:
        return load_index_file(self.paths.index_path(repo_name))

    # -- resolving ---------------------------------------------------------------------------------

    def _resolve(self, requested: list[Dependency], names: dict[str, str]) -> list[Dependency]:
        """Helm's resolver: the exact version each constraint selects."""
        from engine.chart.loader import load_chart

        locked: list[Dependency] = []
        missing: list[str] = []
        for dependency in requested:
            _check_constraint(dependency.name, dependency.version)
            unmet = f'"{dependency.name}" (repository "{dependency.repository}", version "{dependency.version}")'
            if not dependency.repository:
                local_path(os.path.join("charts", dependency.name), self.chart_path)
                locked.append(Dependency(name=dependency.name, version=dependency.version))
                continue
            if dependency.repository.startswith("file://"):
                chart = load_chart(local_path(dependency.repository, self.chart_path))
                if versions.parse_version(chart.metadata.version) is None:
                    continue
                if not versions.satisfies(dependency.version, chart.metadata.version):
                    missing.append(unmet)
                    continue
                locked.append(Dependency(name=dependency.name, repository=dependency.repository,
                                         version=chart.metadata.version))
                continue
            if dependency.repository.startswith("oci://"):
                chosen_version = self._registry_version(dependency)
                if chosen_version is None:
                    missing.append(unmet)
                else:
                    locked.append(Dependency(name=dependency.name, repository=dependency.repository,
                                             version=chosen_version))
                continue
            try:
                index = self._cached_index(names[dependency.name])
            except (OSError, RepoError) as exc:
                raise RepoError(f"no cached repository for {names[dependency.name]} found. "
                                f"(try 'helm repo update'): {exc}") from None
            if dependency.name not in index.entries:
                raise RepoError(f"{dependency.name} chart not found in repo {dependency.repository}")
            chosen = next((cv for cv in index.entries[dependency.name]
                           if cv.urls and versions.satisfies(dependency.version, cv.version)), None)
            if chosen is None:
                missing.append(unmet)
                continue
            locked.append(Dependency(name=dependency.name, repository=dependency.repository, version=chosen.version))
        if missing:
            raise RepoError(f"can't get a valid version for {len(missing)} subchart(s): {', '.join(missing)}. Make "
                            "sure a matching chart version exists in the repo, or change the version constraint in "
                            "Chart.yaml")
        return locked

    def _registry_version(self, dependency: Dependency) -> str | None:
        """The newest version among the registry's tags that satisfies the dependency's constraint."""
        from engine.registry.errors import RegistryError
        from engine.registry.reference import parse_reference, version_of

        reference = parse_reference(f"{dependency.repository.rstrip('/')}/{dependency.name}")
        try:
            tags = self._registry()(reference.host).tags(reference.repository)
        except RegistryError as exc:
            raise RepoError(str(exc)) from None
        candidates = [version_of(t) for t in tags if versions.parse_version(version_of(t))]
        return next((v for v in versions.newest_first(candidates, lambda v: v)
                     if versions.satisfies(dependency.version, v)), None)

    def _pull_from_registry(self, dependency: Dependency, scratch: str, cache: ContentCache) -> None:
        from engine.registry.charts import pull_chart
        from engine.registry.errors import RegistryError

        try:
            pulled = pull_chart(f"{dependency.repository.rstrip('/')}/{dependency.name}", dependency.version,
                                self._registry(), cache)
        except RegistryError as exc:
            raise RepoError(str(exc)) from None
        self.out(f"Pulled: {pulled.reference}\nDigest: {pulled.manifest_digest}")
        atomic_copy(pulled.chart_path, os.path.join(scratch, f"{dependency.name}-{dependency.version}.tgz"))

    # -- downloading -------------------------------------------------------------------------------

    def _source(self, dependency: Dependency, indexes: dict[str, tuple[Entry, IndexFile]]) -> ChartSource:
        """Helm's findChartURL: the archive of exactly ``dependency.version`` in its repository."""
        for entry, index in indexes.values():
            if not url_equal(dependency.repository, entry.url):
                continue
            if dependency.name not in index.entries:
                raise RepoError("could not find : entry not found")
            chosen = next((cv for cv in index.entries[dependency.name]
                           if cv.urls and _same_version(dependency.version, cv.version)), None)
            if chosen is None:
                raise RepoError("could not find : no matching version")
            url = resolve_reference_url(dependency.repository, chosen.urls[0])
            return ChartSource(url, chosen.digest, client_options(entry), entry.url)
        try:
            return find_in_repository_url(dependency.repository, dependency.name, dependency.version, self.options)
        except RepoError as exc:
            raise RepoError(f"could not find : chart {dependency.name} not found in {dependency.repository}: "
                            f"{exc}") from None

    def _pack_local(self, dependency: Dependency, directory: str) -> str:
        """A ``file://`` dependency packaged into ``directory``; returns its version."""
        from engine.chart.loader import load_chart
        from engine.chart.package import save_chart

        chart = load_chart(local_path(dependency.repository, self.chart_path))
        _check_constraint(dependency.name, dependency.version)
        if not versions.satisfies(dependency.version, chart.metadata.version):
            raise RepoError(f"can't get a valid version for dependency {dependency.name}")
        save_chart(chart, directory)
        return chart.metadata.version

    def _check_vendored(self, dependency: Dependency, charts_dir: str) -> None:
        from engine.chart.loader import load_chart

        path = os.path.join(charts_dir, dependency.name)
        try:
            chart = load_chart(path)
        except Exception as exc:  # any load failure is reported as Helm reports it
            raise RepoError(f"unable to load chart '{path}': {exc}") from None
        _check_constraint(dependency.name, dependency.version)
        if not versions.satisfies(dependency.version, chart.metadata.version):
            raise RepoError(f"dependency {dependency.name} at version {chart.metadata.version} does not satisfy the "
                            f"constraint {dependency.version}")

    def _download_all(self, dependencies: list[Dependency]) -> None:
        """Fetch every dependency into a scratch directory, then replace the archives in charts/ with them."""
        indexes = {}
        for entry in self._entries():
            indexes[entry.name] = (entry, self._cached_index(entry.name))
        charts_dir = os.path.join(self.chart_path, "charts")
        if os.path.exists(charts_dir) and not os.path.isdir(charts_dir):
            raise RepoError(f'"{charts_dir}" is not a directory')
        os.makedirs(charts_dir, exist_ok=True)
        scratch = os.path.join(self.chart_path, f"tmpcharts-{os.getpid()}")
        os.makedirs(scratch, exist_ok=True)
        cache = ContentCache(self.paths.content_cache)
        try:
            self.out(f"Saving {len(dependencies)} charts")
            fetched: set[str] = set()
            for dependency in dependencies:
                try:
                    self._fetch(dependency, charts_dir, scratch, indexes, cache, fetched)
                except RepoError as exc:
                    self.out(f"Save error occurred:  {exc}")
                    raise
            self._move_into(dependencies, scratch, charts_dir)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _fetch(self, dependency: Dependency, charts_dir: str, scratch: str,
               indexes: dict[str, tuple[Entry, IndexFile]], cache: ContentCache, fetched: set[str]) -> None:
        """Put one dependency's archive in ``scratch`` (a vendored one is only checked in place)."""
        if not dependency.repository:
            self.out(f"Dependency {dependency.name} did not declare a repository. Assuming it exists in the "
                     "charts directory")
            self._check_vendored(dependency, charts_dir)
        elif dependency.repository.startswith("file://"):
            dependency.version = self._pack_local(dependency, scratch)
        elif dependency.repository.startswith("oci://"):
            self.out(f"Downloading {dependency.name} from repo {dependency.repository}")
            self._pull_from_registry(dependency, scratch, cache)
        else:
            source = self._source(dependency, indexes)
            if source.url in fetched:
                self.out(f"Already downloaded {dependency.name} from repo {dependency.repository}")
                return
            self.out(f"Downloading {dependency.name} from repo {dependency.repository}")
            try:
                download_to(source, cache, scratch)
            except RepoError as exc:
                raise RepoError(f"could not download {source.url}: {exc}") from None
            fetched.add(source.url)

    def _move_into(self, dependencies: list[Dependency], scratch: str, charts_dir: str) -> None:
        """Helm's safeMoveDeps: move in each new archive the chart loader accepts (one it refuses is skipped
        with a note, and an archive of that name already in charts/ stays), then delete archives no
        dependency needs any more."""
        local = {d.name for d in dependencies if not d.repository}
        before = [name for name in os.listdir(charts_dir) if os.path.isfile(os.path.join(charts_dir, name))]
        arrived = sorted(name for name in os.listdir(scratch) if os.path.isfile(os.path.join(scratch, name)))
        for name in arrived:
            source = os.path.join(scratch, name)
            _chart, problem = _load_archive(source)
            if problem:
                self.out(f"Could not verify {source} for moving: {problem} (Skipping)")
                continue
            os.replace(source, os.path.join(charts_dir, name))
        self.out("Deleting outdated charts")
        for name in before:
            if name in arrived:
                continue
            path = os.path.join(charts_dir, name)
            chart, problem = _load_archive(path)
            if chart is None:  # Helm skips what it cannot read, with a note
                self.out(f"Could not verify {path} for deletion: {problem} (Skipping)")
                continue
            if chart.name not in local:
                os.remove(path)

    def _write_lock(self, chart: Chart, dependencies: list[Dependency], digest: str) -> None:
        """Chart.lock (requirements.lock for apiVersion v1 charts), never through a symlink."""
        name = "requirements.lock" if chart.metadata.api_version == "v1" else "Chart.lock"
        path = os.path.join(self.chart_path, name)
        if os.path.islink(path):
            raise RepoError(f'the {name} file is a symlink to "{os.readlink(path)}"')
        lock = {"dependencies": [{"name": d.name, **dependency_to_dict(d)} for d in dependencies],
                "digest": digest, "generated": now_rfc3339nano()}
        atomic_write(path, to_yaml(lock).encode(), 0o644)

    # -- commands ----------------------------------------------------------------------------------

    def update(self) -> None:
        """``dependency update``: resolve, download, and write Chart.lock when it changed."""
        chart = self._load()
        requested = chart.metadata.dependencies
        if not requested:
            return
        names = self._resolve_repo_names(requested)
        self._ensure_missing_repos(names, requested)
        if not self.skip_refresh:
            self._update_repositories()
        locked = self._resolve(requested, names)
        self._download_all(locked)
        digest = lock_digest(requested, locked)
        if chart.lock is None or chart.lock.get("digest") != digest:
            self._write_lock(chart, locked, digest)

    def build(self) -> None:
        """``dependency build``: download what Chart.lock lists (``update`` when there is no lock)."""
        chart = self._load()
        if chart.lock is None:
            self.update()
            return
        requested = chart.metadata.dependencies
        locked = parse_metadata({"dependencies": chart.lock.get("dependencies") or []}).dependencies
        legacy = chart.metadata.api_version == "v1"
        legacy_digest = legacy_lock_digest(requested) if legacy else ""  # before aliases become URLs, as in Helm
        self._resolve_repo_names(requested)
        if lock_digest(requested, locked) != chart.lock.get("digest"):
            files = ("requirements.lock", "requirements.yaml") if legacy else ("Chart.lock", "Chart.yaml")
            if not legacy or legacy_digest != chart.lock.get("digest"):
                raise RepoError(OUT_OF_SYNC.format(*files))
        entries = self._entries()
        unknown = [d.repository for d in locked if d.repository and not d.repository.startswith(("file://", "oci://"))
                   and not any(url_equal(e.url, d.repository.rstrip("/")) for e in entries)]
        if unknown:
            raise RepoError(f"no repository definition for {', '.join(unknown)}")
        if not self.skip_refresh:
            self._update_repositories()
        self._download_all(locked)


"""index.yaml: the model, version lookup, merging, indexing a directory of archives, writing Helm's format.

Reading index files is engine.repo.index_load's job.
"""
from __future__ import annotations

import glob
import hashlib
import os
import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote, urlsplit, urlunsplit

from engine.chart.errors import ChartError
from engine.chart.metadata import metadata_to_dict, validate
from engine.chart.model import Metadata
from engine.repo import versions
from engine.repo.errors import RepoError
from engine.repo.files import atomic_write
from engine.repo.logline import log_fields
from engine.repo.marshal import ZERO_TIME, now_rfc3339nano, to_indented_json, to_yaml

Warn = Callable[[str], None]  # receives ``msg="…" key=value`` (engine.repo.logline) to print after level=WARN
LEGACY_KEYS = ("checksum", "engine", "tillerVersion", "url")  # Helm 2 fields, tolerated and kept


def ignore_warning(_message: str) -> None:
    """The default ``warn`` callback: drop the message."""


@dataclass
class ChartVersion:
    """One version of a chart in an index: its Chart.yaml metadata, download URLs, digest and time."""

    metadata: Metadata
    urls: list[str] = field(default_factory=list)
    created: str = ZERO_TIME
    digest: str = ""
    removed: bool = False
    legacy: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def version(self) -> str:
        return self.metadata.version

    def to_dict(self) -> dict[str, Any]:
        """Helm's JSON of a ChartVersion: metadata fields in struct order, then urls, created, …"""
        out = metadata_to_dict(self.metadata)
        out["urls"] = self.urls
        out["created"] = self.created
        if self.removed:
            out["removed"] = True
        if self.digest:
            out["digest"] = self.digest
        out.update((k, v) for k, v in self.legacy.items() if v)
        return out


@dataclass
class IndexFile:
    """A repository index (Helm's repo.IndexFile)."""

    api_version: str = "v1"
    generated: str = field(default_factory=now_rfc3339nano)
    entries: dict[str, list[ChartVersion]] = field(default_factory=dict)
    public_keys: list[str] = field(default_factory=list)
    annotations: dict[str, str] = field(default_factory=dict)

    def add(self, metadata: Metadata, filename: str, base_url: str, digest: str) -> None:
        """Helm's MustAdd: validate the metadata and append a version whose URL is ``base_url``/file."""
        if not metadata.api_version:
            metadata.api_version = "v1"
        try:
            validate(metadata)
        except ChartError as exc:
            raise RepoError(f"validate failed for {filename}: {exc}") from None
        url = url_join(base_url, posixpath.basename(filename)) if base_url else filename
        entry = ChartVersion(metadata, urls=[url], created=now_rfc3339nano(), digest=digest)
        self.entries.setdefault(metadata.name, []).append(entry)

    def sort_entries(self) -> None:
        """Order every chart's versions newest first (unparsable versions last)."""
        for name, entries in self.entries.items():
            self.entries[name] = versions.newest_first(entries, lambda cv: cv.version)

    def has(self, name: str, version: str) -> bool:
        return any(cv.version == version for cv in self.entries.get(name, ()))

    def merge(self, other: "IndexFile") -> None:
        """Add the versions of ``other`` this index lacks (by name and version); existing ones win."""
        for entries in other.entries.values():
            for cv in entries:
                if not self.has(cv.name, cv.version):
                    self.entries.setdefault(cv.name, []).append(cv)

    def get(self, name: str, version: str = "", warn: Warn = ignore_warning) -> ChartVersion:
        """The version ``version`` selects (exact match first, then the newest meeting it as a constraint).

        An empty ``version`` means the newest stable release, as in Helm.
        """
        entries = self.entries.get(name)
        if entries is None:
            raise RepoError("no chart name found")
        if not entries:
            raise RepoError("no chart version found")
        constraint = version or "*"
        versions.check_constraint(constraint)
        if version:
            for cv in entries:
                if cv.version == version:
                    return cv
        for cv in entries:
            if versions.satisfies(constraint, cv.version):
                if version:
                    warn(log_fields("unable to find exact version requested; falling back to closest available "
                                    "version", chart=name, requested=version, selected=cv.version))
                return cv
        raise RepoError(f"no chart version found for {name}-{version}")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"apiVersion": self.api_version, "generated": self.generated,
                               "entries": {name: [cv.to_dict() for cv in entries]
                                           for name, entries in sorted(self.entries.items())}}
        if self.public_keys:
            out["publicKeys"] = self.public_keys
        if self.annotations:
            out["annotations"] = self.annotations
        return out

    def write(self, path: str, as_json: bool = False) -> None:
        """Write atomically, as YAML (sorted keys) or indented JSON (struct order), mode 0644."""
        text = to_indented_json(self.to_dict()) if as_json else to_yaml(self.to_dict())
        atomic_write(path, text.encode(), 0o644)


def url_join(base_url: str, *paths: str) -> str:
    """Go's urlutil.URLJoin: the paths joined onto the URL's path (cleaned, ``/`` separators)."""
    parts = urlsplit(base_url)
    joined = posixpath.join(parts.path, *paths)
    cleaned = posixpath.normpath(joined) if joined else ""
    if cleaned == ".":
        cleaned = ""
    path = quote(cleaned, safe="/:@!$&'()*+,;=-._~%")
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


def digest_file(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file (Helm's provenance.DigestFile)."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def index_directory(directory: str, base_url: str) -> IndexFile:
    """Helm's IndexDirectory: every loadable ``*.tgz`` in ``directory`` and its direct subdirectories."""
    from engine.chart.loader import load_chart

    archives = sorted(glob.glob(os.path.join(glob.escape(directory), "*.tgz")))
    archives += sorted(glob.glob(os.path.join(glob.escape(directory), "*", "*.tgz")))
    index = IndexFile()
    for archive in archives:
        parent, filename = os.path.split(os.path.relpath(archive, directory))
        parent_url = url_join(base_url, parent.replace(os.sep, "/"))
        try:
            chart = load_chart(archive)
        except (ChartError, OSError, ValueError):
            continue  # not a chart
        index.add(chart.metadata, filename, parent_url, digest_file(archive))
    return index

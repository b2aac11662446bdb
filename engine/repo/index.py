"""index.yaml: loading (JSON or strict YAML), version lookup, merging, and writing in Helm's format."""
from __future__ import annotations

import glob
import hashlib
import json
import os
import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import quote, urlsplit, urlunsplit

from engine.chart.errors import ChartError
from engine.chart.metadata import FIELDS, metadata_to_dict, parse_metadata, validate
from engine.chart.model import Metadata
from engine.gotemplate.gojson import json_kind
from engine.repo import versions
from engine.repo.decoded_cache import cached_decode
from engine.repo.errors import RepoError
from engine.repo.files import atomic_write
from engine.repo.logline import log_fields
from engine.repo.marshal import ZERO_TIME, load_yaml, now_rfc3339nano, to_indented_json, to_yaml

Warn = Callable[[str], None]  # receives ``msg="…" key=value`` (engine.repo.logline) to print after level=WARN
LEGACY_KEYS = ("checksum", "engine", "tillerVersion", "url")  # Helm 2 fields, tolerated and kept
INDEX_KEYS = {"serverInfo", "apiVersion", "generated", "entries", "publicKeys", "annotations"}
ENTRY_KEYS = {key for key, _attr, _go in FIELDS} | {"urls", "created", "removed", "digest", *LEGACY_KEYS}
NESTED_KEYS = {"maintainers": {"name", "email", "url"},
               "dependencies": {"name", "version", "repository", "condition", "tags", "enabled",
                                "import-values", "alias"}}
STRING_KEYS = ("name", "home", "version", "description", "icon", "apiVersion", "condition", "tags", "appVersion",
               "kubeVersion", "type", "created", "digest", *LEGACY_KEYS)


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


# -- loading --------------------------------------------------------------------------------------------


def _decode(data: bytes) -> Any:
    """JSON when the bytes are valid JSON, otherwise YAML."""
    if not data:
        raise RepoError("empty index.yaml file")
    try:
        return json.loads(data)
    except ValueError:
        return load_yaml(data)


def _unmarshal_error(detail: str) -> RepoError:
    return RepoError(f"error unmarshaling JSON: while decoding JSON: json: {detail}")


def _check_keys(raw: dict[str, Any], allowed: set[str]) -> None:
    for key in raw:
        if key not in allowed:
            raise _unmarshal_error(f'unknown field "{key}"')


def _check_type(value: Any, expected: type, where: str) -> None:
    """Go's decoder refuses a JSON value of another kind (null is allowed everywhere)."""
    if value is not None and not isinstance(value, expected):
        go_type = {str: "string", bool: "bool", list: "[]string"}[expected]
        raise _unmarshal_error(f"cannot unmarshal {json_kind(value)} into Go struct field {where} of type {go_type}")


def _strict_entry(raw: dict[str, Any]) -> None:
    """Refuse what Go's strict decoding refuses: unknown fields and scalars of the wrong kind."""
    _check_keys(raw, ENTRY_KEYS)
    for key, allowed in NESTED_KEYS.items():
        for item in raw.get(key) or []:
            if isinstance(item, dict):
                _check_keys(item, allowed)
    for key in STRING_KEYS:
        _check_type(raw.get(key), str, f"ChartVersion.entries.Metadata.{key}")
    for key in ("urls", "sources", "keywords"):
        _check_type(raw.get(key), list, f"ChartVersion.entries.{key}")
        for item in raw.get(key) or []:
            _check_type(item, str, f"ChartVersion.entries.{key}")
    for key in ("deprecated", "removed"):
        _check_type(raw.get(key), bool, f"ChartVersion.entries.{key}")


def _chart_version(raw: dict[str, Any]) -> ChartVersion:
    metadata = parse_metadata(raw)
    if not metadata.api_version:
        metadata.api_version = "v1"
    return ChartVersion(metadata, urls=list(raw.get("urls") or []), created=raw.get("created") or ZERO_TIME,
                        digest=raw.get("digest") or "", removed=bool(raw.get("removed")),
                        legacy={k: raw[k] for k in LEGACY_KEYS if raw.get(k)})


def _valid(cv: ChartVersion) -> str:
    """'' when the entry is usable, else why not (duplicate dependency names are tolerated, as in Helm)."""
    try:
        validate(cv.metadata)
    except ChartError as exc:
        if not str(exc).startswith("validation: more than one dependency with name or alias"):
            return str(exc)
    return ""


def load_index(data: bytes, source: str, warn: Warn = ignore_warning) -> IndexFile:
    """Parse an index; invalid entries are skipped with a warning, versions sorted newest first."""
    return _index_from(_decode(data), source, warn)


def _index_from(raw: Any, source: str, warn: Warn) -> IndexFile:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise _unmarshal_error(f"cannot unmarshal {json_kind(raw)} into Go value of type repo.IndexFile")
    _check_keys(raw, INDEX_KEYS)
    entries = raw.get("entries") or {}
    if not isinstance(entries, dict):
        raise _unmarshal_error(f"cannot unmarshal {json_kind(entries)} into Go struct field IndexFile.entries of "
                               "type map[string]repo.ChartVersions")
    for key in ("apiVersion", "generated"):
        _check_type(raw.get(key), str, f"IndexFile.{key}")
    index = IndexFile(api_version=raw.get("apiVersion") or "", generated=raw.get("generated") or ZERO_TIME,
                      public_keys=[str(k) for k in raw.get("publicKeys") or []],
                      annotations={str(k): str(v) for k, v in (raw.get("annotations") or {}).items()})
    for items in entries.values():
        if items is not None and not isinstance(items, list):
            raise _unmarshal_error(f"cannot unmarshal {json_kind(items)} into Go struct field IndexFile.entries of "
                                   "type repo.ChartVersions")
        for item in items or []:
            if item is not None and not isinstance(item, dict):
                raise _unmarshal_error(f"cannot unmarshal {json_kind(item)} into Go value of type repo.ChartVersion")
            if item is not None:
                _strict_entry(item)
    for name, items in entries.items():
        kept: list[ChartVersion] = []
        for item in items or []:
            if item is None:
                warn(log_fields(f'skipping loading invalid entry for chart "{name}" from {source}: empty entry'))
                continue
            cv = _chart_version(item)
            problem = _valid(cv)
            if problem:
                warn(log_fields(f'skipping loading invalid entry for chart "{name}" "{cv.version}" from {source}: '
                                f"{problem}"))
                continue
            kept.append(cv)
        index.entries[str(name)] = kept
    index.sort_entries()
    if not index.api_version:
        raise RepoError("no API version specified")
    return index


def load_index_file(path: str, warn: Warn = ignore_warning) -> IndexFile:
    """Helm's LoadIndexFile: errors read ``error loading PATH: …``."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        return _index_from(cached_decode(path, data, _decode), path, warn)
    except RepoError as exc:
        raise RepoError(f"error loading {path}: {exc}") from None

"""Reading index files as Helm does: JSON or strict YAML, Helm's errors, invalid entries skipped with a warning."""
from __future__ import annotations

import json
from typing import Any

from engine.chart.errors import ChartError
from engine.chart.metadata import FIELDS, parse_metadata, validate
from engine.gotemplate.gojson import json_kind
from engine.repo.decoded_cache import cached_decode
from engine.repo.errors import RepoError
from engine.repo.index import LEGACY_KEYS, ChartVersion, IndexFile, Warn, ignore_warning
from engine.repo.logline import log_fields
from engine.repo.marshal import ZERO_TIME, load_yaml

INDEX_KEYS = {"serverInfo", "apiVersion", "generated", "entries", "publicKeys", "annotations"}
ENTRY_KEYS = {key for key, _attr, _go in FIELDS} | {"urls", "created", "removed", "digest", *LEGACY_KEYS}
NESTED_KEYS = {"maintainers": {"name", "email", "url"},
               "dependencies": {"name", "version", "repository", "condition", "tags", "enabled",
                                "import-values", "alias"}}
STRING_KEYS = ("name", "home", "version", "description", "icon", "apiVersion", "condition", "tags", "appVersion",
               "kubeVersion", "type", "created", "digest", *LEGACY_KEYS)


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

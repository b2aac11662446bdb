"""A disk cache of parse trees, so a template text is parsed once per machine rather than once per run.

Entries are keyed by the SHA-256 of the parser version, the function names known at parse time, the
template name and its text. The cache stays under ``MAX_BYTES``: a hit marks its entry as recently used
(its mtime), and a process that adds entries to a cache near its bound deletes the least recently used
ones. Entries are written to a temporary file and renamed into place, so concurrent writers never expose
half an entry; a damaged or unreadable entry is removed and parsing happens as usual.
``PYHELM_NO_TEMPLATE_CACHE=1`` turns the cache off; ``PYHELM_CACHE_HOME`` or ``XDG_CACHE_HOME`` move it.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

PARSER_VERSION = "1"
MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRY_BYTES = MAX_BYTES // 16  # a tree bigger than this is not worth a sixteenth of the cache
PRUNE_TO = 0.75  # pruning leaves the cache at this share of MAX_BYTES
_SHARDS = 256  # entries are spread over 256 subdirectories by their first two hex digits
_STALE_TEMP_SECONDS = 3600  # a temporary file this old belongs to a writer that died
_TEMP_PREFIX = "tmp-"


@lru_cache(maxsize=1)
def cache_dir() -> Path | None:
    if os.environ.get("PYHELM_NO_TEMPLATE_CACHE"):
        return None
    base = os.environ.get("PYHELM_CACHE_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "pyhelm")
    return Path(base) / "templates" / PARSER_VERSION


@lru_cache(maxsize=64)
def _functions_digest(functions: frozenset[str]) -> bytes:
    return hashlib.sha256("\0".join(sorted(functions)).encode()).digest()


def cached_parse(name: str, text: str, functions: frozenset[str], parse: Callable[[], Any]) -> Any:
    """The trees of ``text``: from the cache when present, else ``parse()`` (stored for next time)."""
    directory = cache_dir()
    if directory is None:
        return parse()
    digest = hashlib.sha256(_functions_digest(functions) + name.encode() + b"\0" + text.encode()).hexdigest()
    path = directory / digest[:2] / digest
    trees = _read(path)
    if trees is not None:
        return trees
    trees = parse()  # parse errors propagate and are never cached
    if _write(path, trees):
        _prune_if_full(directory, path.parent)
    return trees


def _read(path: Path) -> dict | None:
    try:
        with open(path, "rb") as handle:
            trees = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception:  # truncated, from another pyhelm, or not a pickle at all: drop it and parse again
        _remove(path)
        return None
    if not isinstance(trees, dict):
        _remove(path)
        return None
    try:
        os.utime(path)  # recently used: pruning keeps it
    except OSError:
        pass
    return trees


def _write(path: Path, trees: Any) -> bool:
    """Store ``trees`` atomically; False when they cannot or should not be stored."""
    try:
        data = pickle.dumps(trees, protocol=pickle.HIGHEST_PROTOCOL)
    except (RecursionError, pickle.PicklingError, TypeError, AttributeError):  # a tree nested too deep to pickle
        return False
    if len(data) > MAX_ENTRY_BYTES:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=_TEMP_PREFIX, delete=False) as handle:
            handle.write(data)
        os.replace(handle.name, path)
    except OSError:
        return False
    return True


def _prune_if_full(directory: Path, shard: Path) -> None:
    """Prune when the shard just written to, scaled to all shards, suggests the cache is near its bound."""
    if _size(shard) * _SHARDS > MAX_BYTES * 0.9:
        prune(directory)


def _size(folder: Path) -> int:
    try:
        with os.scandir(folder) as entries:
            return sum(entry.stat().st_size for entry in entries if entry.is_file())
    except OSError:
        return 0


def prune(directory: Path, limit: int | None = None) -> None:
    """Delete least recently used entries until the cache holds at most PRUNE_TO × ``limit`` (default
    MAX_BYTES) bytes, and temporary files left by writers that died. Entries another process deletes
    meanwhile are skipped."""
    entries: list[tuple[float, int, str]] = []
    now = time.time()
    try:
        shards = list(os.scandir(directory))
    except OSError:
        return
    for shard in shards:
        try:
            with os.scandir(shard.path) as files:
                for entry in files:
                    info = entry.stat()
                    if entry.name.startswith(_TEMP_PREFIX):
                        if now - info.st_mtime > _STALE_TEMP_SECONDS:
                            _remove(Path(entry.path))
                        continue
                    entries.append((info.st_mtime, info.st_size, entry.path))
        except OSError:
            continue
    total = sum(size for _, size, _ in entries)
    target = (MAX_BYTES if limit is None else limit) * PRUNE_TO
    for _, size, path in sorted(entries):
        if total <= target:
            break
        _remove(Path(path))
        total -= size


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass

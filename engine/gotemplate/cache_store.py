"""A bounded on-disk store of ``marshal``-ed values keyed by digests, for data derived from text that a warm
run should not derive again (compiled templates, parsed YAML).

Each entry starts with a header naming the store, Python's bytecode magic number and the deriving code's
version: marshal data is specific to a Python version, and an entry another version wrote is treated as
damaged. An entry is written to a temporary file and renamed into place, so concurrent writers never expose
half of one; a damaged or unreadable entry is removed and the value derived as usual. The store stays under
its bound: a hit marks its entry as recently used (its mtime), and a process that adds entries to a store
near its bound deletes the least recently used ones.
``PYHELM_NO_TEMPLATE_CACHE=1`` turns every render cache off; ``PYHELM_CACHE_HOME`` or ``XDG_CACHE_HOME``
move them.
"""
from __future__ import annotations

import importlib.util
import marshal
import os
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

try:
    from _blake2 import blake2b  # hashlib's blake2b without hashlib itself, whose import loads OpenSSL
except ImportError:  # a Python built without it
    from hashlib import blake2b

MISSING = object()  # what ``load`` answers for an absent or damaged entry
_SHARDS = 256  # entries are spread over 256 subdirectories by their first two hex digits
_STALE_TEMP_SECONDS = 3600  # a temporary file this old belongs to a writer that died
_TEMP_PREFIX = "tmp-"
PRUNE_TO = 0.75  # pruning leaves the store at this share of its bound


class CacheStore:
    """One kind of cached value under ``<cache home>/pyhelm/<folder>``."""

    def __init__(self, folder: str, tag: bytes, version: Callable[[], str], max_bytes: int) -> None:
        self.folder, self.tag, self.version, self.max_bytes = folder, tag, version, max_bytes
        self._directory: Path | None | bool = False  # False: not looked up yet
        self._header: bytes | None = None

    def reset(self) -> None:
        """Look up the directory and version again (after the environment changed)."""
        self._directory, self._header = False, None

    def directory(self) -> Path | None:
        """Where entries live; None when the render caches are turned off."""
        if self._directory is False:
            if os.environ.get("PYHELM_NO_TEMPLATE_CACHE"):
                self._directory = None
            else:
                base = os.environ.get("PYHELM_CACHE_HOME") or os.path.join(
                    os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "pyhelm")
                self._directory = Path(base) / self.folder
        return self._directory  # type: ignore[return-value]

    def header(self) -> bytes:
        if self._header is None:
            self._header = (self.tag + b" " + importlib.util.MAGIC_NUMBER.hex().encode() + b" "
                            + self.version().encode() + b"\n")
        return self._header

    def digest(self, *parts: bytes) -> str:
        """The key of a value derived from ``parts`` by this version of the deriving code."""
        return blake2b(self.header() + b"\0".join(parts), digest_size=32).hexdigest()

    def path(self, digest: str) -> str | None:
        """The entry's file (a plain string: pathlib's joins cost more than reading a small entry)."""
        directory = self.directory()
        return f"{directory}{os.sep}{digest[:2]}{os.sep}{digest}" if directory is not None else None

    def load(self, digest: str, valid: Callable[[Any], bool]) -> Any:
        """The stored value, or MISSING when there is none or it fails ``valid`` (then it is removed)."""
        path = self.path(digest)
        if path is None:
            return MISSING
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return MISSING
        except OSError:
            _remove(path)
            return MISSING
        header = self.header()
        value = MISSING
        if data.startswith(header):
            try:
                value = marshal.loads(memoryview(data)[len(header):])
            except (EOFError, ValueError, TypeError):  # truncated or not marshal data
                value = MISSING
        if value is MISSING or not valid(value):  # from another Python or version, truncated, or garbage
            _remove(path)
            return MISSING
        try:
            os.utime(path)  # recently used: pruning keeps it
        except OSError:
            pass
        return value

    def save(self, digest: str, value: Any) -> None:
        """Store ``value`` atomically; an entry over a sixteenth of the bound, or a failing disk, stores nothing."""
        path = self.path(digest)
        if path is None:
            return
        try:
            data = self.header() + marshal.dumps(value)
        except ValueError:  # nested deeper than marshal goes (YAML may nest 10000 levels)
            return
        if len(data) > self.max_bytes // 16:
            return
        try:
            shard = os.path.dirname(path)
            os.makedirs(shard, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=shard, prefix=_TEMP_PREFIX, delete=False) as handle:
                handle.write(data)
            os.replace(handle.name, path)
        except OSError:
            return
        if _size(shard) * _SHARDS > self.max_bytes * 0.9:  # this shard, scaled to all, nears the bound
            self.prune()

    def prune(self, limit: int | None = None) -> None:
        """Delete least recently used entries until the store holds at most PRUNE_TO × ``limit`` (default: its
        bound) bytes, and temporary files left by writers that died. Entries another process deletes meanwhile
        are skipped."""
        directory = self.directory()
        if directory is None:
            return
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
                                _remove(entry.path)
                            continue
                        entries.append((info.st_mtime, info.st_size, entry.path))
            except OSError:
                continue
        total = sum(size for _, size, _ in entries)
        target = (self.max_bytes if limit is None else limit) * PRUNE_TO
        for _, size, path in sorted(entries):
            if total <= target:
                break
            _remove(path)
            total -= size


def content_digest(data: bytes) -> bytes:
    """A 32-byte digest of ``data`` (cache keys: a warm run hashes every template it loads)."""
    return blake2b(data, digest_size=32).digest()


def source_digest(*paths: Path) -> str:
    """A digest of source files: it changes whenever the code deriving cached values may."""
    digest = blake2b(digest_size=32)
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _size(folder: str) -> int:
    try:
        with os.scandir(folder) as entries:
            return sum(entry.stat().st_size for entry in entries if entry.is_file())
    except OSError:
        return 0


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass

"""A disk cache of compiled template code, so a template text is parsed and compiled once per machine.

An entry is the ``marshal``-ed code object of the module codegen generated for one template text (with the
constants that module unpacks), keyed
by the SHA-256 of the engine version (a digest of the generator's own source, so any change to it
misses), Python's bytecode magic number, the signatures of the template functions, the template name and
its text. Each entry starts with a header naming the magic number and engine version it was made by;
marshal data is specific to a Python version, so an entry with another header is treated as damaged.

The cache stays under ``MAX_BYTES``: a hit marks its entry as recently used (its mtime), and a process
that adds entries to a cache near its bound deletes the least recently used ones. Entries are written to
a temporary file and renamed into place, so concurrent writers never expose half an entry; a damaged or
unreadable entry is removed and the code is built as usual. A process also keeps the code it loaded in
memory (Helm's tpl renders the same small texts over and over).
``PYHELM_NO_TEMPLATE_CACHE=1`` turns the disk cache off; ``PYHELM_CACHE_HOME`` or ``XDG_CACHE_HOME`` move it.
"""
from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import Callable

MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRY_BYTES = MAX_BYTES // 16  # code bigger than this is not worth a sixteenth of the cache
PRUNE_TO = 0.75  # pruning leaves the cache at this share of MAX_BYTES
MEMORY_ENTRIES = 2048  # code objects a process keeps in memory
_SHARDS = 256  # entries are spread over 256 subdirectories by their first two hex digits
_STALE_TEMP_SECONDS = 3600  # a temporary file this old belongs to a writer that died
_TEMP_PREFIX = "tmp-"
# the modules whose source decides the generated code
_GENERATOR_SOURCES = ("codegen.py", "codegen_runtime.py", "parser.py", "lexer.py", "nodes.py")

Compiled = tuple[CodeType, tuple]  # codegen's CompiledModule
_memory: dict[str, Compiled] = {}


@lru_cache(maxsize=1)
def cache_dir() -> Path | None:
    if os.environ.get("PYHELM_NO_TEMPLATE_CACHE"):
        return None
    base = os.environ.get("PYHELM_CACHE_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "pyhelm")
    return Path(base) / "templates" / "code"


@lru_cache(maxsize=1)
def engine_version() -> str:
    """A digest of the parser's and generator's source: it changes whenever the generated code may."""
    digest = hashlib.sha256()
    for name in _GENERATOR_SOURCES:
        digest.update((Path(__file__).with_name(name)).read_bytes())
    return digest.hexdigest()[:16]


def _header() -> bytes:
    return b"pyhelm-code " + importlib.util.MAGIC_NUMBER.hex().encode() + b" " + engine_version().encode() + b"\n"


def cached_code(name: str, text: str, signature: bytes, build: Callable[[], Compiled]) -> Compiled:
    """The compiled module of ``text``: from memory or disk when present, else ``build()`` (then stored).

    ``signature`` is a digest of the function map the code was generated for."""
    header = _header()
    digest = hashlib.sha256(header + signature + name.encode() + b"\0" + text.encode()).hexdigest()
    code = _memory.get(digest)
    if code is not None:
        return code
    directory = cache_dir()
    path = directory / digest[:2] / digest if directory is not None else None
    if path is not None:
        code = _read(path, header)
    if code is None:
        code = build()  # parse errors propagate and are never cached
        if path is not None and _write(path, header, code):
            _prune_if_full(directory, path.parent)
    if len(_memory) >= MEMORY_ENTRIES:
        del _memory[next(iter(_memory))]
    _memory[digest] = code
    return code


def _read(path: Path, header: bytes) -> Compiled | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return None
    except OSError:
        _remove(path)
        return None
    code = None
    if data.startswith(header):
        try:
            code = marshal.loads(memoryview(data)[len(header):])
        except (EOFError, ValueError, TypeError):  # truncated or not marshal data
            code = None
    if not (isinstance(code, tuple) and len(code) == 2 and isinstance(code[0], CodeType)
            and isinstance(code[1], tuple)):  # from another Python or engine, truncated, or garbage
        _remove(path)
        return None
    try:
        os.utime(path)  # recently used: pruning keeps it
    except OSError:
        pass
    return code


def _write(path: Path, header: bytes, code: Compiled) -> bool:
    """Store ``code`` atomically; False when it cannot or should not be stored."""
    data = header + marshal.dumps(code)
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

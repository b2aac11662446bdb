"""A cache of decoded index files: large YAML indexes are parsed once per content, then read back as JSON.

Helm's repository cache holds the YAML exactly as served; parsing megabytes of YAML in Python takes
seconds, so the decoded form is kept under pyhelm's own cache (``PYHELM_CACHE_HOME``, else
``$XDG_CACHE_HOME/pyhelm`` or ``~/.cache/pyhelm``), one file per index path, valid while the bytes match.
"""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Callable

from engine.repo.files import atomic_write

MIN_SIZE = 64 * 1024  # smaller files parse faster than the cache reads


def _cache_dir() -> str:
    base = os.environ.get("PYHELM_CACHE_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "pyhelm")
    return os.path.join(base, "indexes")


def cached_decode(path: str, data: bytes, decode: Callable[[bytes], Any]) -> Any:
    """``decode(data)``, answered from the cache when the file at ``path`` was decoded with these bytes."""
    if len(data) < MIN_SIZE:
        return decode(data)
    digest = hashlib.sha256(data).hexdigest()
    entry = os.path.join(_cache_dir(), hashlib.sha256(os.path.abspath(path).encode()).hexdigest() + ".json")
    try:
        with open(entry, encoding="utf-8") as handle:
            stored = json.load(handle)
        if stored.get("digest") == digest:
            return stored["data"]
    except (OSError, ValueError, AttributeError):
        pass
    decoded = decode(data)
    try:
        atomic_write(entry, json.dumps({"digest": digest, "data": decoded}).encode(), 0o644)
    except (OSError, TypeError, ValueError):
        pass  # a value JSON cannot hold, or an unwritable cache: just not cached
    return decoded

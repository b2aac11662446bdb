"""A disk cache of parse trees, so a template text is parsed once per machine rather than once per run.

Entries are keyed by the SHA-256 of the parser version, the function names known at parse time, the
template name and its text; a damaged or unreadable entry is ignored and parsing happens as usual.
``PYHELM_NO_TEMPLATE_CACHE=1`` turns the cache off; ``PYHELM_CACHE_HOME`` or ``XDG_CACHE_HOME`` move it.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

PARSER_VERSION = "1"


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
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError):
        pass
    trees = parse()  # parse errors propagate and are never cached
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(trees, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError:
        pass
    return trees

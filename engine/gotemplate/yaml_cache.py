"""A disk cache of parsed YAML, so a chart's own Chart.yaml and values.yaml are parsed once per text.

A large chart's values.yaml is one of the largest costs of rendering it once templates are compiled
(libyaml's events are turned into values one by one in Python). Only a chart's own files are kept: values a
user supplies, and manifests rendered from them, may hold secrets, and secrets never leave the process (no
entry, and no digest of one, is written for them). An entry is the ``marshal``-ed list of documents read
from one text, keyed by the text and the reader's version: a digest of the reading modules' source and of
the installed PyYAML's files. Texts that fail to parse are never stored; their errors come
from parsing them again. The store (engine/gotemplate/cache_store.py) is bounded, safe for concurrent
writers and drops damaged entries.
"""
from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from engine.gotemplate.cache_store import MISSING, CacheStore, source_digest

MAX_BYTES = 32 * 1024 * 1024  # charts' own Chart.yaml and values.yaml only
_READER_SOURCES = ("goyaml_read.py", "yaml_events.py", "yaml_scalars.py")


@lru_cache(maxsize=1)
def reader_version() -> str:
    """A digest of the reading modules' source and the installed PyYAML's identity (its path, size and
    modification time: an upgrade rewrites its files), found without importing it."""
    spec = importlib.util.find_spec("yaml")
    origin = Path(spec.origin) if spec is not None and spec.origin else None
    pyyaml = ""
    if origin is not None:
        info = os.stat(origin)
        pyyaml = f"{origin}:{info.st_size}:{info.st_mtime_ns}"
    here = Path(__file__)
    return source_digest(*(here.with_name(name) for name in _READER_SOURCES)) + ":" + pyyaml


STORE = CacheStore("yaml", b"pyhelm-yaml", lambda: reader_version(), MAX_BYTES)


def chart_file_documents(text: str) -> list[Any]:
    """The first document of a chart's own file, as goyaml_read.read reads it (numbers float64), from the
    cache when it was read before."""
    digest = STORE.digest(text.encode("utf-8", "surrogatepass"))
    found = STORE.load(digest, lambda value: isinstance(value, list))
    if found is MISSING:
        from engine.gotemplate.goyaml_read import read

        found = read(text, typed=False, first_only=True)  # a YAMLError propagates and nothing is stored
        STORE.save(digest, found)
    return found

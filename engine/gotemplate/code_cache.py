"""A disk cache of compiled template code, so a template text is parsed and compiled once per machine.

An entry is the ``marshal``-ed code object of the module codegen generated for one of a chart's template
files (with the constants that module unpacks), keyed by the engine version (a digest of the generator's own
source, so any change to it misses), Python's bytecode magic number, the signatures of the template
functions, the template name and its text. The store (engine/gotemplate/cache_store.py) is bounded, safe
for concurrent writers and drops damaged entries. A process also keeps the code it loaded in memory (Helm's
tpl renders the same small texts over and over); other text than a chart's files is kept only there.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from types import CodeType
from typing import Any, Callable

from engine.gotemplate.cache_store import MISSING, CacheStore, source_digest

MAX_BYTES = 64 * 1024 * 1024
MEMORY_ENTRIES = 2048  # code objects a process keeps in memory
# the modules whose source decides the generated code
_GENERATOR_SOURCES = ("codegen.py", "codegen_runtime.py", "parser.py", "lexer.py", "nodes.py")

Compiled = tuple[CodeType, tuple]  # codegen's CompiledModule
_memory: dict[str, Compiled] = {}


@lru_cache(maxsize=1)
def engine_version() -> str:
    """A digest of the parser's and generator's source: it changes whenever the generated code may."""
    return source_digest(*(Path(__file__).with_name(name) for name in _GENERATOR_SOURCES))


STORE = CacheStore("templates/code", b"pyhelm-code", lambda: engine_version(), MAX_BYTES)  # looked up late


def cached_code(name: str, text: str, signature: bytes, build: Callable[[], Compiled], on_disk: bool
                ) -> Compiled:
    """The compiled module of ``text``: from memory or disk when present, else ``build()`` (then stored).

    ``signature`` is a digest of the function map the code was generated for. Without ``on_disk`` the code
    is kept in memory only: a text that is not a chart's own file (Helm's tpl renders text from values, a flag
    gives a name template) may hold secrets, which never leave the process."""
    digest = _digest(name, text, signature)
    code = _memory.get(digest)
    if code is not None:
        return code
    code = STORE.load(digest, _is_compiled) if on_disk else MISSING
    if code is MISSING:
        code = build()  # parse errors propagate and are never cached
        if on_disk:
            STORE.save(digest, code)
    if len(_memory) >= MEMORY_ENTRIES:
        del _memory[next(iter(_memory))]
    _memory[digest] = code
    return code


def is_cached(name: str, text: str, signature: bytes) -> bool:
    """Whether the code of ``text`` is in memory or on disk (without reading it)."""
    digest = _digest(name, text, signature)
    path = STORE.path(digest)
    return digest in _memory or (path is not None and os.path.exists(path))


def _digest(name: str, text: str, signature: bytes) -> str:
    return _digest_for(STORE.header(), name, text, signature)


@lru_cache(maxsize=4096)  # a first run asks twice for each template: is it cached, then its code
def _digest_for(header: bytes, name: str, text: str, signature: bytes) -> str:
    """The key under the store's ``header`` (part of the memo's key: the engine version may change)."""
    return STORE.digest(signature + name.encode(), text.encode())


def _is_compiled(value: Any) -> bool:
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], CodeType)
            and isinstance(value[1], tuple))

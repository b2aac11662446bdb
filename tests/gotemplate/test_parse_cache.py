"""The parse-tree cache on disk: bounded in size (least recently used entries go first), survives damaged
entries and concurrent writers."""
from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from engine.gotemplate import parse_cache
from engine.gotemplate.parser import parse

FUNCTIONS = frozenset({"include", "quote", "default"})


def _template(index: int) -> str:
    return "".join(f'{{{{ if .Values.k{index}_{j} }}}}{{{{ .Values.x | quote }}}}{{{{ end }}}}\n' for j in range(40))


def _cached(index: int):
    text = _template(index)
    return parse_cache.cached_parse(f"t{index}", text, FUNCTIONS, lambda: parse(f"t{index}", text, FUNCTIONS))


def _entries(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PYHELM_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PYHELM_NO_TEMPLATE_CACHE", raising=False)
    parse_cache.cache_dir.cache_clear()
    yield parse_cache.cache_dir()
    parse_cache.cache_dir.cache_clear()


def test_cache_stays_under_its_bound_and_keeps_recently_used_entries(cache, monkeypatch):
    _cached(0)
    entry_size = sum(p.stat().st_size for p in _entries(cache))
    monkeypatch.setattr(parse_cache, "MAX_BYTES", entry_size * 40)
    for index in range(1, 200):
        _cached(index)
        if index % 20 == 0:
            _cached(0)  # entry 0 keeps being used
    total = sum(p.stat().st_size for p in _entries(cache))
    assert total <= parse_cache.MAX_BYTES
    assert len(_entries(cache)) < 100
    assert _cached(0) == parse("t0", _template(0), FUNCTIONS)
    names = {p.name for p in _entries(cache)}
    first_digest = _digest(0)
    assert first_digest in names, "the entry used throughout was pruned"
    assert _digest(1) not in names, "the oldest unused entry survived pruning"


def _digest(index: int) -> str:
    import hashlib

    text = _template(index)
    return hashlib.sha256(parse_cache._functions_digest(FUNCTIONS) + f"t{index}".encode() + b"\0"
                          + text.encode()).hexdigest()


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05\x95garbage", b"\x80\x04N."])
def test_damaged_entry_is_ignored_and_replaced(cache, damage):
    expected = _cached(3)
    (entry,) = _entries(cache)
    entry.write_bytes(damage)
    assert _cached(3) == expected
    assert _cached(3) == expected  # the second read comes from a good entry again
    assert entry.read_bytes() not in (damage,)


def _writer(directory: str, rounds: int) -> None:
    os.environ["PYHELM_CACHE_HOME"] = directory
    parse_cache.cache_dir.cache_clear()
    for _ in range(rounds):
        for index in range(30):
            assert _cached(index) == parse(f"t{index}", _template(index), FUNCTIONS)


def test_concurrent_writers_leave_only_whole_entries(tmp_path):
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(tmp_path), 3)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    import pickle

    entries = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(entries) == 30  # no temporary files left, one entry per template
    for path in entries:
        assert isinstance(pickle.loads(path.read_bytes()), dict)

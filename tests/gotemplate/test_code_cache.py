"""The compiled-template cache on disk: a warm run loads code instead of parsing and generating; the cache is
bounded (least recently used entries go first), survives damaged or foreign entries and concurrent writers,
and misses when the engine changes."""
from __future__ import annotations

import importlib.util
import marshal
import os
import subprocess
import sys
from pathlib import Path
from types import CodeType

import pytest

from engine.gotemplate import code_cache, codegen, parser
from engine.gotemplate.errors import ParseError
from engine.gotemplate.funcs import GoFunc
from engine.gotemplate.template_set import TemplateSet

ROOT = Path(__file__).resolve().parents[2]
HELPERS = '{{ define "greet" }}hello {{ . | quote }}{{ end }}'
DATA = {"Values": {"names": ["a", "b"], "x": "y"}}


def _template(index: int) -> str:
    return "".join(f'{{{{ if .Values.k{index}_{j} }}}}{{{{ .Values.x | quote }}}}{{{{ end }}}}\n' for j in range(40))


def _render(index: int = 0) -> str:
    templates = _templates()
    templates.parse("helpers", HELPERS, chart_file=True)
    templates.parse(f"t{index}", _template(index) + '{{ range .Values.names }}{{ template "greet" . }}{{ end }}',
                    chart_file=True)
    return templates.execute(f"t{index}", DATA)


def _templates() -> TemplateSet:
    quote = GoFunc("quote", lambda *args: " ".join(f'"{a}"' for a in args), ("...any",))
    return TemplateSet({"quote": quote})


def _stored(entry: Path) -> tuple:
    """An entry's value, read as this Python and engine read it."""
    header = code_cache.STORE.header()
    data = entry.read_bytes()
    assert data.startswith(header)
    return marshal.loads(data[len(header):])


def _entries(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PYHELM_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PYHELM_NO_TEMPLATE_CACHE", raising=False)
    code_cache.STORE.reset()
    code_cache._memory.clear()
    yield code_cache.STORE.directory()
    code_cache.STORE.reset()
    code_cache._memory.clear()


def _forbid_building(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a warm run parsed or generated code")

    monkeypatch.setattr(parser, "parse", refuse)
    monkeypatch.setattr(codegen, "compile_module", refuse)


def test_a_warm_run_neither_parses_nor_generates(cache, monkeypatch):
    expected = _render()
    assert expected.count('hello "a"') == 1
    code_cache._memory.clear()  # as a new process: only the disk cache is warm
    _forbid_building(monkeypatch)
    assert _render() == expected


def test_only_a_charts_own_templates_are_written(cache):
    """A template given any other way (a flag's name template, say) may hold secrets: it stays in memory."""
    _templates().parse("name-template", "{{ printf \"%s\" \"secret-Qm2\" }}")
    assert not cache.exists() or _entries(cache) == []


def test_tpl_texts_are_compiled_once_per_process_and_never_written(cache, monkeypatch):
    """tpl renders text from values, which may hold secrets: its code stays in memory."""
    templates = _templates()
    text = "{{ range . }}[{{ . }}]{{ end }}secret-in-values-Zr7"
    expected = templates.execute_text("tpl", text, [1, 2])
    assert expected == "[1][2]secret-in-values-Zr7"
    with monkeypatch.context() as patched:
        _forbid_building(patched)
        assert _templates().execute_text("tpl", text, [1, 2]) == expected
    code_cache._memory.clear()  # as a new process: compiled again
    assert _templates().execute_text("tpl", text, [1, 2]) == expected
    assert not cache.exists() or _entries(cache) == []


def test_a_parse_error_is_never_cached(cache):
    with pytest.raises(ParseError):
        _templates().parse("bad", "{{ if }}", chart_file=True)
    assert not cache.exists() or _entries(cache) == []
    code_cache._memory.clear()
    with pytest.raises(ParseError):
        _templates().parse("bad", "{{ if }}", chart_file=True)


def test_the_cache_can_be_turned_off(cache, monkeypatch):
    monkeypatch.setenv("PYHELM_NO_TEMPLATE_CACHE", "1")
    code_cache.STORE.reset()
    _render()
    assert not cache.exists() or _entries(cache) == []


def test_a_change_of_engine_version_misses(cache, monkeypatch):
    expected = _render()
    before = set(_entries(cache))
    code_cache._memory.clear()
    monkeypatch.setattr(code_cache, "engine_version", lambda: "another-engine")
    code_cache.STORE.reset()
    parsed = []
    real_parse = parser.parse
    monkeypatch.setattr(parser, "parse", lambda *args: parsed.append(args[0]) or real_parse(*args))
    assert _render() == expected
    assert sorted(parsed) == ["helpers", "t0"]
    assert len(set(_entries(cache)) - before) == 2


def _good_entry(cache: Path) -> bytes:
    (entry,) = [p for p in _entries(cache) if b"greet" in p.read_bytes()]
    return entry


def _foreign_python(good: bytes) -> bytes:
    magic = importlib.util.MAGIC_NUMBER.hex().encode()
    other = bytes(importlib.util.MAGIC_NUMBER[:1]) + bytes([importlib.util.MAGIC_NUMBER[1] ^ 1])
    return good.replace(magic, other.hex().encode() + magic[4:], 1)


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "foreign-python", "not-code"])
def test_damaged_or_foreign_entry_is_ignored_and_rewritten(cache, monkeypatch, damage):
    _templates().parse("helpers", HELPERS, chart_file=True)
    entry = _good_entry(cache)
    good = entry.read_bytes()
    header = good[:good.index(b"\n") + 1]
    entry.write_bytes({"empty": b"", "garbage": b"not marshal data at all", "truncated": good[:len(good) // 2],
                       "foreign-python": _foreign_python(good),
                       "not-code": header + marshal.dumps((1, ()))}[damage])
    code_cache._memory.clear()
    templates = _templates()
    templates.parse("helpers", HELPERS, chart_file=True)
    assert templates.execute("greet", "x") == 'hello "x"'
    assert entry.read_bytes().startswith(header)  # rewritten whole, by this Python and engine
    assert isinstance(_stored(entry)[0], CodeType)
    code_cache._memory.clear()
    _forbid_building(monkeypatch)
    warm = _templates()
    warm.parse("helpers", HELPERS, chart_file=True)
    assert warm.execute("greet", "x") == 'hello "x"'


def test_cache_stays_under_its_bound_and_keeps_recently_used_entries(cache, monkeypatch):
    def cached(index: int) -> None:
        code_cache._memory.clear()
        _templates().parse(f"t{index}", _template(index), chart_file=True)

    cached(0)
    entry_size = sum(p.stat().st_size for p in _entries(cache))
    monkeypatch.setattr(code_cache.STORE, "max_bytes", entry_size * 40)
    for index in range(1, 200):
        cached(index)
        if index % 20 == 0:
            cached(0)  # entry 0 keeps being used
    total = sum(p.stat().st_size for p in _entries(cache))
    assert total <= code_cache.STORE.max_bytes
    assert len(_entries(cache)) < 100
    names = {p.name for p in _entries(cache)}
    assert _digest(0) in names, "the entry used throughout was pruned"
    assert _digest(1) not in names, "the oldest unused entry survived pruning"


def _digest(index: int) -> str:
    return code_cache._digest(f"t{index}", _template(index), _templates().signature())


def test_concurrent_renders_against_an_empty_cache_agree_and_leave_a_readable_cache(tmp_path):
    chart = ROOT / "tests" / "render" / "charts" / "parent"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYHELM_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("PYHELM_NO_TEMPLATE_CACHE", None)
    argv = [sys.executable, "-m", "engine.cli.main", "template", "rel", str(chart), "--namespace", "ns"]
    runs = [subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    results = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in results]
    uncached = subprocess.run(argv, env={**env, "PYHELM_NO_TEMPLATE_CACHE": "1"}, capture_output=True, timeout=300)
    assert {out for out, _ in results} == {uncached.stdout}
    entries = [p for p in (tmp_path / "cache" / "templates" / "code").rglob("*") if p.is_file()]
    assert entries and not [p for p in entries if p.name.startswith("tmp-")]
    assert all(isinstance(_stored(p)[0], CodeType) for p in entries)

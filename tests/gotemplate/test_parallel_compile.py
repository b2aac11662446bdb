"""A large template set's first compile is shared among forked workers that fill the code cache; what
renders is exactly what a compile in one process renders, and forking is skipped where it is unsafe."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from engine.gotemplate import code_cache, parallel_compile, parser
from engine.gotemplate.errors import ParseError
from engine.gotemplate.funcs import GoFunc
from engine.gotemplate.template_set import TemplateSet


def _sources(count: int = 12) -> list[tuple[str, str]]:
    helpers = [("_helpers.tpl", '{{ define "item" }}<{{ . }}>{{ end }}')]
    return helpers + [(f"t{i}.yaml", "".join(f'{{{{ if .a{j} }}}}{{{{ template "item" .a{j} }}}}{{{{ end }}}}{i}\n'
                                             for j in range(60))) for i in range(count)]


def _templates() -> TemplateSet:
    return TemplateSet({"quote": GoFunc("quote", lambda *args: " ".join(f'"{a}"' for a in args), ("...any",))})


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PYHELM_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PYHELM_NO_TEMPLATE_CACHE", raising=False)
    monkeypatch.setattr(parallel_compile, "MIN_PARALLEL_BYTES", 1)
    monkeypatch.setattr(parallel_compile, "_cpus", lambda: 3)
    code_cache.STORE.reset()
    code_cache._memory.clear()
    yield tmp_path
    code_cache.STORE.reset()
    code_cache._memory.clear()


def _record_compiling_processes(monkeypatch, log: Path) -> None:
    """Every compile appends its process id to ``log`` (forked workers inherit the patch)."""
    real = TemplateSet._compile

    def compile_and_log(self, name, text):
        with open(log, "a") as handle:
            handle.write(f"{os.getpid()}\n")
        return real(self, name, text)

    monkeypatch.setattr(TemplateSet, "_compile", compile_and_log)


def _render_all(templates: TemplateSet, sources) -> list[str]:
    for name, text in sources:
        templates.parse(name, text, chart_file=True)
    data = {f"a{j}": j for j in range(0, 60, 7)}
    return [templates.execute(name, data) for name, _ in sources[1:]]


def _rerun_alone_when_threads_run(test: str) -> bool:
    """Forking is (rightly) skipped while other threads run, which earlier tests of a long run may leave
    behind: then the test runs in a pytest process of its own, and True says it passed there."""
    if threading.active_count() == 1:
        return False
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{__file__}::{test}"],
                          capture_output=True, text=True, timeout=600, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stdout + done.stderr
    return True


def test_workers_compile_shares_into_the_cache_and_the_parse_then_compiles_nothing(cache, monkeypatch, tmp_path):
    if _rerun_alone_when_threads_run("test_workers_compile_shares_into_the_cache_and_the_parse_then_compiles_nothing"):
        return
    sources = _sources()
    monkeypatch.setenv("PYHELM_NO_TEMPLATE_CACHE", "1")
    code_cache.STORE.reset()
    expected = _render_all(_templates(), sources)  # compiled in this process alone, nothing cached
    monkeypatch.delenv("PYHELM_NO_TEMPLATE_CACHE")
    code_cache.STORE.reset()
    code_cache._memory.clear()
    log = tmp_path / "compiles.log"
    _record_compiling_processes(monkeypatch, log)
    templates = _templates()
    assert parallel_compile.precompile(templates, sources) == 2
    compilers = log.read_text().split()
    assert len(compilers) == len(sources) and len(set(compilers)) == 3  # each source once, in three processes
    monkeypatch.setattr(parser, "parse", lambda *args: pytest.fail("parsed after the precompile"))
    assert _render_all(templates, sources) == expected


def test_a_template_that_fails_to_parse_is_left_to_the_ordinary_parse(cache):
    sources = _sources() + [("broken.yaml", "{{ if }}")]
    templates = _templates()
    parallel_compile.precompile(templates, sources)
    with pytest.raises(ParseError, match="missing value for if"):
        templates.parse("broken.yaml", "{{ if }}", chart_file=True)
    assert _render_all(templates, sources[:-1])


def test_nothing_is_forked_while_other_threads_run(cache, monkeypatch, tmp_path):
    log = tmp_path / "compiles.log"
    _record_compiling_processes(monkeypatch, log)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel_compile.precompile(_templates(), _sources()) == 0
    finally:
        stop.set()
        thread.join()
    assert not log.exists()


def test_nothing_is_forked_for_cached_code_or_by_a_pool_worker(cache, monkeypatch):
    sources = _sources()
    templates = _templates()
    _render_all(templates, sources)  # all cached now
    assert parallel_compile.precompile(_templates(), sources) == 0
    code_cache.STORE.reset()
    monkeypatch.setenv("PYHELM_CACHE_HOME", str(cache / "other"))
    code_cache._memory.clear()
    monkeypatch.setattr(parallel_compile, "_allowed", [True])
    parallel_compile.compile_in_this_process_only()
    assert parallel_compile.precompile(_templates(), sources) == 0

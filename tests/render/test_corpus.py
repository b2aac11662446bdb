"""The conformance corpus (../shared/corpus/A: real charts with helm's goldens) rendered by `pyhelm template`
as a user runs it, each case judged by ../shared/tools/check-corpus's own comparison: byte-identical, or
identical once parsed document by document, with the lines helm renders randomly (the case's .nondet
file) masked; a case helm rejects must exit the same and print the same ``Error:`` line.

Without the corpus the tests skip with the reason, or fail under CI.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import reference_tools
from helm_reference import ROOT, SHARED

CASES_FILE = SHARED / "corpus" / "A" / "cases.tsv"
PYHELM = [sys.executable, "-m", "engine.cli.main"]


def _cases() -> list[dict[str, str]]:
    if not CASES_FILE.exists():
        return [{"chart_dir": "corpus", "case": "unavailable"}]  # one test that says why (skips, or fails in CI)
    lines = CASES_FILE.read_text().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"))) for line in lines[1:] if line.strip()]


CASES = _cases()


def _load_judge(path: Path):
    """check-corpus as a module (it is a script without .py), for its compare()."""
    loader = importlib.machinery.SourceFileLoader("check_corpus", str(path))
    spec = importlib.util.spec_from_loader("check_corpus", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _render(corpus: Path, case: dict[str, str]) -> subprocess.CompletedProcess:
    argv = shlex.split(case["command"])
    assert argv[0] == "helm", case
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([*PYHELM, *argv[1:]], cwd=corpus, capture_output=True, env=env)


@pytest.fixture(scope="module")
def judge(corpus):
    return _load_judge(reference_tools.shared_path("tools/check-corpus"))


@pytest.fixture(scope="module")
def rendered(corpus) -> dict[str, subprocess.CompletedProcess]:
    """Every case rendered once, two at a time (the charts are large; each render is its own process)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda case: _render(corpus, case), CASES)
        return {_case_id(case): result for case, result in zip(CASES, results)}


def _case_id(case: dict[str, str]) -> str:
    return f"{case['chart_dir']}-{case['case']}"


def _first_error_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.startswith("Error:")), "")


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_corpus_case_renders_as_helm(corpus, judge, rendered, case) -> None:
    result = rendered[_case_id(case)]
    golden = (corpus / case["golden_file"]).read_text(encoding="utf-8")
    stderr = result.stderr.decode(errors="replace")
    assert "Traceback" not in stderr, stderr
    assert str(result.returncode) == case["expected_rc"], stderr[-2000:]
    if case["expected_rc"] != "0":
        assert _first_error_line(stderr) == _first_error_line(golden)
        return
    masked = set()
    if case["nondet_mask"] != "-":
        masked = {int(n) - 1 for n in (corpus / case["nondet_mask"]).read_text().split() if n.isdigit()}
    verdict, why = judge.compare(result.stdout.decode(errors="replace"), golden, masked)
    assert verdict in ("byte", "semantic"), why

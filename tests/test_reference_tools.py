"""A missing reference tool skips a parity test locally and fails it under CI, before anything is built."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import reference_tools

ROOT = Path(__file__).resolve().parent.parent


def pytest_run(*args: str, ci: bool) -> subprocess.CompletedProcess:
    """Run pytest on this checkout with the reference helm hidden."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PYHELM_REFERENCE_HELM=str(ROOT / "no-such-helm"), **({"CI": "true"} if ci else {}))
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_a_missing_helm_fails_under_ci_naming_it() -> None:
    result = pytest_run("tests/gotemplate/test_engine_cases.py", "-k", "still_match_helm", ci=True)
    assert result.returncode == 1, result.stdout
    assert "helm unavailable: PYHELM_REFERENCE_HELM=" in result.stdout and "1 error" in result.stdout


def test_a_missing_helm_skips_locally_with_the_reason() -> None:
    result = pytest_run("tests/gotemplate/test_engine_cases.py", "-k", "still_match_helm", ci=False)
    assert result.returncode == 0, result.stdout
    assert "SKIPPED" in result.stdout and "helm unavailable: PYHELM_REFERENCE_HELM=" in result.stdout


def test_tests_needing_helm_stop_before_building_their_releases() -> None:
    result = pytest_run("tests/release/test_release_queries.py", "-k", "agree_with_helm", "--setup-show", ci=False)
    assert result.returncode == 0 and "SETUP    S helm" in result.stdout, result.stdout
    assert "mixed_releases" not in result.stdout and "cluster" not in result.stdout


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_program_missing_from_path_fails_only_under_ci(monkeypatch, tmp_path, ci, outcome) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="docker-registry unavailable: not on PATH"):
        reference_tools.program("docker-registry", "apt-get install docker-registry")


def test_a_missing_shared_folder_is_named(monkeypatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"\.\./shared/corpus/Z unavailable"):
        reference_tools.shared_path("corpus/Z")

"""`pyhelm lint` against `helm lint` on good, broken and corpus charts (same messages, same exit status).

Expected outputs live in expected/<case>.out (first line: exit status), made by helm v4.1.4;
``python3 tests/lint/test_lint_cases.py --regen`` rewrites them and ``test_fixture_matches_helm`` re-derives
them when the reference helm binary is available.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from helm_reference import SHARED, helm_binary  # noqa: E402

CORPUS = SHARED / "corpus" / "A"
CASES = {
    "good": ["lint", "charts/good"],
    "good-strict-quiet": ["lint", "charts/good", "--strict", "--quiet"],
    "badmeta": ["lint", "charts/badmeta"],
    "badtemplates": ["lint", "charts/badtemplates"],
    "schema": ["lint", "charts/schema"],
    "schema-set": ["lint", "charts/schema", "--set", "port=80,name=x"],
    "schema-skip": ["lint", "charts/schema", "--skip-schema-validation"],
    "nodeps": ["lint", "charts/nodeps"],
    "nodir-strict": ["lint", "charts/nodir", "--strict"],
    "crds": ["lint", "charts/crds"],
    "several": ["lint", "charts/good", "charts/nodir", "charts/missing"],
}
CORPUS_CASES = {f"corpus-{name}": ["lint", str(CORPUS / name)] for name in
                ("grafana", "bitnami-redis", "external-dns", "kube-state-metrics")}


def run(argv: list[str], program: list[str]) -> tuple[int, str]:
    result = subprocess.run([*program, *argv], cwd=HERE, capture_output=True, text=True)
    errors = "\n".join(l for l in result.stderr.splitlines() if not l.startswith("level="))
    return result.returncode, result.stdout + errors


def expected(case: str) -> tuple[int, str]:
    status, _, body = (HERE / "expected" / f"{case}.out").read_text().partition("\n")
    return int(status), body


@pytest.mark.parametrize("case", sorted(CASES))
def test_pyhelm_lint_matches_helm(case: str) -> None:
    assert run(CASES[case], [sys.executable, "-m", "engine.cli.main"]) == expected(case)


@pytest.mark.parametrize("case", sorted(CORPUS_CASES))
def test_pyhelm_lint_matches_helm_on_corpus_charts(case: str, corpus, helm) -> None:
    assert run(CORPUS_CASES[case], [sys.executable, "-m", "engine.cli.main"]) == run(CORPUS_CASES[case], [helm])


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_matches_helm(case: str, helm) -> None:
    assert run(CASES[case], [helm]) == expected(case)


def regenerate() -> None:
    (HERE / "expected").mkdir(exist_ok=True)
    for case, argv in CASES.items():
        status, body = run(argv, [helm_binary()])
        (HERE / "expected" / f"{case}.out").write_text(f"{status}\n{body}")


if __name__ == "__main__" and "--regen" in sys.argv:
    regenerate()

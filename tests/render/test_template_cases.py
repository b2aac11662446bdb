"""`pyhelm template` against helm's own output on hand-made edge charts (subcharts, aliases, globals,
import-values, tags, conditions, hooks, CRDs, kind order, --set forms, --show-only, errors).

Expected outputs live in expected/<case>.out (first line: exit status). They were produced by helm v4.1.4;
``test_fixture_matches_helm`` re-derives them whenever the reference helm binary is available, and
``python3 tests/render/test_template_cases.py --regen`` rewrites them.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from helm_reference import helm_binary  # noqa: E402

CASES = {
    "parent-default": ["template", "rel", "charts/parent", "-n", "ns"],
    "parent-values-2": ["template", "rel", "charts/parent", "-n", "ns", "-f", "charts/values-2.yaml"],
    "parent-set-forms": ["template", "rel", "charts/parent", "--set", "replicas=7,tags.extra=true",
                         "--set-string", "port=010", "--set", "list[1]=x", "--set-json", 'nested={"j":[1,2]}',
                         "--set-literal", "child.message=a,b=c", "--set", "global.env=null"],
    "parent-show-only": ["template", "rel", "charts/parent", "-s", "templates/cm.yaml",
                         "-s", "charts/child/templates/*.yaml"],
    "parent-crds-skip-tests": ["template", "charts/parent", "--include-crds", "--skip-tests"],
    "parent-upgrade-caps": ["template", "rel", "charts/parent", "--is-upgrade", "--kube-version", "1.29.3",
                            "-a", "custom/v1", "--no-hooks"],
    "parent-condition-off": ["template", "rel", "charts/parent", "--set", "conditional.enabled=false",
                             "--set", "global.conditionalOn=true"],
    "error-kube-version": ["template", "rel", "charts/parent", "--kube-version", "1.19.0"],
    "error-show-only-missing": ["template", "rel", "charts/parent", "-s", "templates/nope.yaml"],
    "error-bad-set": ["template", "rel", "charts/parent", "--set", "a.b"],
    "error-bad-name": ["template", "Bad_Name", "charts/parent"],
    "error-missing-chart": ["template", "rel", "charts/nothing-here"],
}
CASES.update({chart: ["template", "x", f"charts/{chart}"] for chart in (
    "err-include-nil", "err-nested-fail", "err-index-range", "err-tpl-nil", "err-parse", "err-undefined-func",
    "err-required", "err-missing-template", "err-yaml", "err-method-arg", "err-deep-nesting")})


def run(argv: list[str], program: list[str]) -> tuple[int, str]:
    result = subprocess.run([*program, *argv], cwd=HERE, capture_output=True, text=True)
    if result.returncode == 0:
        return 0, result.stdout
    # the error text, without log lines (level=WARN …) that helm and pyhelm may word differently
    return result.returncode, "\n".join(l for l in result.stderr.splitlines() if not l.startswith("level="))


def expected(case: str) -> tuple[int, str]:
    text = (HERE / "expected" / f"{case}.out").read_text()
    status, _, body = text.partition("\n")
    return int(status), body


@pytest.mark.parametrize("case", sorted(CASES))
def test_pyhelm_matches_helm_output(case: str) -> None:
    got = run(CASES[case], [sys.executable, "-m", "engine.cli.main"])
    want_status, want_body = expected(case)
    assert (got[0] != 0) == (want_status != 0)
    assert got[1] == want_body


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_matches_helm(case: str, helm) -> None:
    assert run(CASES[case], [helm]) == expected(case)


def regenerate() -> None:
    helm = helm_binary()
    (HERE / "expected").mkdir(exist_ok=True)
    for case, argv in CASES.items():
        status, body = run(argv, [helm])
        (HERE / "expected" / f"{case}.out").write_text(f"{status}\n{body}")


if __name__ == "__main__" and "--regen" in sys.argv:
    regenerate()

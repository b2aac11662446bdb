"""The template engine against helm v4.1.4 on edge cases of the language, fmt, Sprig and Helm's functions.

Expected results are stored in engine_cases.json (made by helm); ``python3 tests/gotemplate/test_engine_cases.py
--regen`` rewrites them and ``test_expectations_still_match_helm`` re-derives them when helm is available.
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from cases import CASES  # noqa: E402
from helm_reference import BEGIN, END, helm_render_notes  # noqa: E402

EXPECTED_FILE = HERE / "engine_cases.json"
FILES = {"files/a.txt": "line1\nline2\n", "files/b.txt": "b"}


def render_with_pyhelm(template: str, values: dict, set_args: tuple[str, ...]) -> tuple[int, str]:
    """Render like tests/helm_reference.helm_render_notes does, through pyhelm's library."""
    from engine.chart.loader import load_chart
    from engine.render.pipeline import RenderOptions, render_release
    from engine.values.user_values import build_user_values

    with tempfile.TemporaryDirectory() as tmp:
        chart_dir = Path(tmp) / "c"
        (chart_dir / "templates").mkdir(parents=True)
        (chart_dir / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
        (chart_dir / "values.yaml").write_text(yaml.safe_dump(values))
        (chart_dir / "templates" / "NOTES.txt").write_text(BEGIN + template + END)
        for rel, text in FILES.items():
            (chart_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            (chart_dir / rel).write_text(text)
        try:
            chart = load_chart(chart_dir)
            user = build_user_values([], [], list(set_args), [], [], [])
            rendered = render_release(chart, user, RenderOptions(release_name="x", namespace="default"))
        except Exception as exc:  # every failure is compared by its message
            return 1, f"Error: INSTALLATION FAILED: {exc}"
    notes = rendered.notes
    return 0, notes[notes.index(BEGIN) + len(BEGIN):notes.rindex(END)]


def expectations() -> dict:
    return json.loads(EXPECTED_FILE.read_text())


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_pyhelm_renders_as_helm(case) -> None:
    case_id, template, values, set_args = case
    want = expectations()[case_id]
    assert render_with_pyhelm(template, values, set_args) == (want["status"], want["output"])


def test_expectations_still_match_helm(helm) -> None:
    stored = expectations()
    for case_id, template, values, set_args in CASES:
        status, text = helm_render_notes(template, values, set_args, FILES)
        assert {"status": status, "output": text} == stored[case_id], case_id


def regenerate() -> None:
    results = {}
    for case_id, template, values, set_args in CASES:
        status, text = helm_render_notes(template, values, set_args, FILES)
        results[case_id] = {"status": status, "output": text}
    EXPECTED_FILE.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__" and "--regen" in sys.argv:
    regenerate()

"""Coalescing a parent's values, globals and a subchart's defaults: the values and the warnings helm v4.1.4
logs when a table meets a non-table (``level=INFO msg="warning: …"`` lines on stderr), compared as the set
of lines (helm logs a warning again on each of its passes over the values: enabling subcharts, importing,
rendering, so its order and repeats follow those passes).

Expected results are stored in coalesce_cases.json (made by helm);
``python3 tests/values/test_coalesce_warnings.py --regen`` rewrites them.
"""
from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from helm_reference import helm_binary  # noqa: E402

PARENT_DEFAULTS = {"table": {"x": 1}, "scalar": "s", "global": {"g": {"a": 1}, "flat": 1},
                   "sub": {"dropped": None}}  # a null in the parent deletes the subchart's default
SUB_DEFAULTS = {"global": {"g": 1}, "t2": {"y": 1}, "dropped": "sub default"}
# the parent imports the subchart's t2 (importing coalesces the parent's values with its subcharts' first)
DEPENDENCIES = "dependencies:\n- {name: sub, version: 0.1.0, import-values: [{child: t2, parent: imported}]}\n"
TEMPLATE = "out: '{{ toJson .Values }}'\n"
CASES = {
    "defaults": [],  # the subchart's global.g (a value) under the parent's global.g (a table)
    "value-over-table": ["--set", "scalar.x=1"],
    "table-over-value": ["--set", "global.g=1"],
    "value-over-global-table": ["--set", "global.flat.x=1"],
    "parent-global-not-a-table": ["--set", "global=1"],
    "subchart-global-not-a-table": ["--set", "sub.global=1"],
    "null-deletes-a-subchart-default": ["--set", "sub.t2=null"],
}


def _chart(tmp: Path) -> Path:
    chart = tmp / "c"
    for path, name, defaults, extra in ((chart, "c", PARENT_DEFAULTS, DEPENDENCIES),
                                        (chart / "charts" / "sub", "sub", SUB_DEFAULTS, "")):
        (path / "templates").mkdir(parents=True)
        (path / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n{extra}")
        (path / "values.yaml").write_text(yaml.safe_dump(defaults))
        (path / "templates" / "out.yaml").write_text(TEMPLATE)
    return chart


def _result(status: int, stdout: str, stderr: str) -> dict:
    """The exit status, the output (or the error) and the log lines (sorted, each once)."""
    lines = stderr.splitlines()
    error = "\n".join(line for line in lines if not line.startswith("level="))
    return {"status": 1 if status else 0, "output": error if status else stdout,
            "log": sorted({line for line in lines if line.startswith("level=")})}


def run_pyhelm(flags: list[str]) -> dict:
    from engine.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as tmp, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["template", "x", str(_chart(Path(tmp))), *flags])
    return _result(status, out.getvalue(), err.getvalue())


def run_helm(helm: str, flags: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([helm, "template", "x", str(_chart(Path(tmp))), *flags], capture_output=True, text=True)
    return _result(done.returncode, done.stdout, done.stderr)


def stored() -> dict:
    return json.loads((HERE / "coalesce_cases.json").read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_and_warnings_as_helm_coalesces_them(case: str) -> None:
    assert run_pyhelm(CASES[case]) == stored()[case]


def test_stored_coalesce_results_still_match_helm(helm) -> None:
    results = stored()
    for case, flags in CASES.items():
        assert run_helm(helm, flags) == results[case], case


if __name__ == "__main__" and "--regen" in sys.argv:
    out = {case: run_helm(helm_binary(), flags) for case, flags in CASES.items()}
    (HERE / "coalesce_cases.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")

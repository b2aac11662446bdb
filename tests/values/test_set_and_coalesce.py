"""--set grammar, typing and precedence, and coalescing with chart defaults, against helm v4.1.4.

Each case renders ``{{ toJson .Values }}`` (plus types) for a chart whose defaults are DEFAULTS, with the
given flags. Expected outputs are stored in values_cases.json (made by helm); ``--regen`` rewrites them.
"""
from __future__ import annotations

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

DEFAULTS = {"keep": 1, "drop": 2, "list": [1, 2], "nested": {"a": 1, "b": {"c": 3}}, "nullDefault": None,
            "table": {"x": 1}, "scalar": "s"}
TEMPLATE = '{{ toJson .Values }}|{{ typeOf .Values.n }}|{{ typeOf .Values.keep }}'
CASES = {
    "types": ["--set", "n=1,s=007,f=1.5,t=TRUE,nul=null,z=0,neg=-5,big=9999999999999999999"],
    "lists": ["--set", "l={a,1,true},list[1]=9,list[3]=x"],
    "escapes": ["--set", "a\\.b=1,v=a\\,b,empty="],
    "nested-index": ["--set", "m.a[0].b=1,m.a[0].c=2,m.a[2]=z"],
    "string-flag": ["--set-string", "n=5,t=true,nul=null"],
    "precedence": ["--set", "k=1", "--set-string", "k=2", "--set", "k=3", "--set-json", "k=4"],
    "json": ["--set-json", 'n={"a":[1,2]}', "--set-json", '{"top":true}'],
    "literal": ["--set-literal", "lit=a,b=c{d}"],
    "null-deletes": ["--set", "keep=null,nested.a=null,unknown=null"],
    "table-clash": ["--set", "table=flat,scalar.x=1"],
    "values-file": ["-f", "FILE"],
    "values-file-and-set": ["-f", "FILE", "--set", "list[0]=first,nested.b.c=30"],
    "escape-ends-the-input": ["--set", "a=bc\\"],
    "list-then-a-key": ["--set", "a={x}b=1"],
}
FILE_VALUES = "nested:\n  b:\n    d: 4\nlist: [x]\nnullDefault: given\n"
ERRORS = {
    "no-value": ["--set", "a.b"],
    "ends-with-comma": ["--set", "a=1,b"],
    "negative-index": ["--set", "a[-1]=1"],
    "bad-json": ["--set-json", "a={"],
    "bad-list": ["--set", "a={1,2"],
}


def run(program: list[str], flags: list[str]) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "c"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
        (chart / "values.yaml").write_text(yaml.safe_dump(DEFAULTS))
        (chart / "templates" / "out.yaml").write_text("out: '" + TEMPLATE + "'\n")
        (Path(tmp) / "extra.yaml").write_text(FILE_VALUES)
        flags = [str(Path(tmp) / "extra.yaml") if f == "FILE" else f for f in flags]
        result = subprocess.run([*program, "template", "x", str(chart), *flags], capture_output=True, text=True)
    if result.returncode:
        return 1, next((l for l in result.stderr.splitlines() if l.startswith("Error:")), result.stderr)
    return 0, result.stdout.split("out: '", 1)[1].rstrip("\n'")


def stored() -> dict:
    return json.loads((HERE / "values_cases.json").read_text())


PYHELM = [sys.executable, "-m", "engine.cli.main"]


@pytest.mark.parametrize("case", sorted({**CASES, **ERRORS}))
def test_values_as_helm_computes_them(case: str) -> None:
    flags = {**CASES, **ERRORS}[case]
    status, text = run(PYHELM, flags)
    want = stored()[case]
    assert status == want["status"]
    if status == 0:
        assert text == want["output"]
    else:
        assert text.split(": ", 1)[0] == want["output"].split(": ", 1)[0] and text == want["output"]


def test_stored_results_still_match_helm(helm) -> None:
    results = stored()
    for case, flags in {**CASES, **ERRORS}.items():
        status, text = run([helm], flags)
        assert {"status": status, "output": text} == results[case], case


if __name__ == "__main__" and "--regen" in sys.argv:
    out = {case: dict(zip(("status", "output"), run([helm_binary()], flags)))
           for case, flags in {**CASES, **ERRORS}.items()}
    (HERE / "values_cases.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")

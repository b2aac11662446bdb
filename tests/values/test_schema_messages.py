"""values.schema.json violations reported as helm v4.1.4 reports them, keyword by keyword, and schemas whose
regexes Go cannot compile refused with helm's metaschema report.

Each case renders a chart with the given flags; one violation per case (helm lists the errors of sibling
properties in Go's random map order). Expected outputs are stored in schema_cases.json (made by helm);
``python3 tests/values/test_schema_messages.py --regen`` rewrites them.
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

DEFAULTS = {"name": "nm", "port": 80, "ratio": 0.5, "size": "small", "kind": "fixed", "code": "ab", "tags": ["a"],
            "labels": {"a": "x"}, "strict": {"known": 1}, "nullable": None, "choice": 1, "word": "aaa",
            "anything": 1, "mail": "a@b.c"}
SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["name", "port"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 5},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535, "not": {"const": 22}},
        "ratio": {"type": ["number", "null"], "exclusiveMinimum": 0, "exclusiveMaximum": 1000.5, "multipleOf": 0.25},
        "size": {"enum": ["small", "large", 3]},
        "kind": {"const": "fixed"},
        "code": {"type": "string", "pattern": "^[a-z]+\\d*$"},
        "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 3, "uniqueItems": True},
        "labels": {"type": "object", "minProperties": 1, "maxProperties": 2},
        "strict": {"type": "object", "properties": {"known": {"type": "integer"}}, "additionalProperties": False,
                   "required": ["known"]},
        "nullable": {"type": "null"},
        "choice": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
        "any": {"anyOf": [{"type": "integer"}, {"type": "boolean"}]},
        "all": {"allOf": [{"type": "integer"}, {"minimum": 5}]},
        "word": {"pattern": "^(a+)+$"},  # catastrophic for a backtracking matcher, linear for Go's
        "anything": True,
        "mail": {"type": "string", "format": "email"},
        "pair": {"type": "object", "required": ["a", "b", "c"]},
    },
}
# patterns Go's regexp refuses (one a schema: helm lists several in Go's random map order)
BAD_REGEX_SCHEMAS = {
    "bad-regex-top": {"type": "object", "pattern": "a(?=b)", "properties": {"ok": {"pattern": "^fine$"}}},
    "bad-regex-nested": {"allOf": [{"properties": {"y/z": {"items": {"pattern": "[z-a]"}}}}]},
    "bad-regex-property-name": {"properties": {"x": {"patternProperties": {"(?=x)": {"type": "string"}}}}},
}
CASES = {
    "valid": [],
    "type": ["--set", "port=x"],
    "type-several": ["--set", "ratio=abc"],
    "type-null": ["--set", "nullable=1"],
    "type-of-an-integer": ["--set", "tags[0]=1"],
    "type-of-a-fraction": ["--set-json", "port=1.5"],
    "required-one": ["--set", "name=null"],
    "required-several": ["--set", "name=null,port=null"],
    "required-nested": ["--set", "pair.a=1"],
    "min-length": ["--set", "name="],
    "max-length": ["--set", "name=toolong"],
    "minimum": ["--set", "port=0"],
    "maximum-thousands": ["--set", "port=70000"],
    "exclusive-minimum": ["--set", "ratio=0"],
    "exclusive-maximum-fraction": ["--set-json", "ratio=2000.25"],
    "multiple-of": ["--set-json", "ratio=0.3"],
    "enum": ["--set", "size=medium"],
    "const": ["--set", "kind=other"],
    "pattern": ["--set", "code=A1"],
    "pattern-linear-time": ["--set", "word=" + "a" * 40 + "b"],
    "unique-items": ["--set", "tags={a,a}"],
    "max-items": ["--set", "tags={a,b,c,d}"],
    "min-properties": ["--set", "labels.a=null"],
    "max-properties": ["--set", "labels.b=1,labels.c=2"],
    "additional-property": ["--set", "strict.extra=1"],
    "not": ["--set", "port=22"],
    "one-of": ["--set", "choice=true"],
    "any-of": ["--set", "any=x"],
    "all-of": ["--set", "all=2"],
    **{name: [f"SCHEMA={name}"] for name in BAD_REGEX_SCHEMAS},
    "lint-null-deletes-a-default": ["LINT", "--set", "name=null"],  # lint checks the defaults with the flags
    "not-json": ["SCHEMA=not-json"],
}
SCHEMAS = {"": json.dumps(SCHEMA), "not-json": "{not json",
           **{name: json.dumps(schema) for name, schema in BAD_REGEX_SCHEMAS.items()}}


def _chart(tmp: Path, schema: str) -> Path:
    chart = tmp / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(yaml.safe_dump(DEFAULTS))
    (chart / "values.schema.json").write_text(schema)
    (chart / "templates" / "out.yaml").write_text("out: ok\n")
    return chart


def _command(tmp: Path, flags: list[str]) -> list[str]:
    """The arguments of a case, run in ``tmp``: ``template`` (``lint`` for a LINT case) of its chart, then its
    flags."""
    schema = next((f.removeprefix("SCHEMA=") for f in flags if f.startswith("SCHEMA=")), "")
    chart = _chart(tmp, SCHEMAS[schema]).name
    command = ["lint", chart] if "LINT" in flags else ["template", "x", chart]
    return [*command, *(f for f in flags if f != "LINT" and not f.startswith("SCHEMA="))]


def _result(status: int, stdout: str, stderr: str) -> tuple[int, str]:
    """(exit status, what the user reads: the output, and on failure the error without log lines)."""
    if status == 0:
        return 0, stdout
    return 1, stdout + "\n".join(line for line in stderr.splitlines() if not line.startswith("level="))


def run_pyhelm(flags: list[str]) -> tuple[int, str]:
    from engine.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        status = main(_command(Path(tmp), flags))
    return _result(status, out.getvalue(), err.getvalue())


def run_helm(helm: str, flags: list[str]) -> tuple[int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([helm, *_command(Path(tmp), flags)], cwd=tmp, capture_output=True, text=True)
    return _result(done.returncode, done.stdout, done.stderr)


def stored() -> dict:
    return json.loads((HERE / "schema_cases.json").read_text())


@pytest.mark.parametrize("case", sorted(CASES))
def test_schema_violations_are_reported_as_helm_reports_them(case: str) -> None:
    want = stored()[case]
    assert run_pyhelm(CASES[case]) == (want["status"], want["output"])


def test_stored_schema_results_still_match_helm(helm) -> None:
    results = stored()
    for case, flags in CASES.items():
        status, output = run_helm(helm, flags)
        assert {"status": status, "output": output} == results[case], case


if __name__ == "__main__" and "--regen" in sys.argv:
    out = {case: dict(zip(("status", "output"), run_helm(helm_binary(), flags))) for case, flags in CASES.items()}
    (HERE / "schema_cases.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")

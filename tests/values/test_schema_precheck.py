"""The quick schema check answers "valid" only where jsonschema (our validator) finds no error, and does
answer it for the corpus charts' own values, so that their renders skip importing jsonschema."""
from __future__ import annotations

import copy
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from engine.chart.loader import load_chart
from engine.values import schema as schema_module
from engine.values import schema_precheck
from engine.values.schema import validate_single
from engine.values.schema_precheck import certainly_valid

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "A"
SCHEMAS = sorted(CORPUS.glob("*/values.schema.json")) + sorted(CORPUS.glob("*/charts/*/values.schema.json"))
POOL = [None, True, False, 0.0, 1.0, 1.5, -3.0, "", "x", "1", [], [1.0, 1.0], ["a", "b"], {}, {"a": 1.0}]


def _jsonschema_errors(values, schema_bytes: bytes, monkeypatch) -> str:
    """What validate_single answers without the quick check."""
    with monkeypatch.context() as patched:
        patched.setattr(schema_precheck, "certainly_valid", lambda schema, values: False)
        return validate_single(values, schema_bytes)


def _mutated(values: dict, rng: random.Random) -> dict:
    """``values`` with a few values anywhere replaced, removed or added."""
    result = copy.deepcopy(values)
    for _ in range(rng.randint(1, 3)):
        node, path = result, []
        while isinstance(node, dict) and node and rng.random() < 0.7:
            key = rng.choice(sorted(node))
            if not isinstance(node[key], dict):
                break
            node, path = node[key], [*path, key]
        if not isinstance(node, dict):
            continue
        action = rng.choice(["replace", "remove", "add"]) if node else "add"
        if action == "add":
            node[rng.choice(["extra", "enabled", "image", "replicaCount"])] = rng.choice(POOL)
        else:
            key = rng.choice(sorted(node))
            if action == "remove":
                del node[key]
            else:
                node[key] = copy.deepcopy(rng.choice(POOL))
    return result


@pytest.mark.skipif(not SCHEMAS, reason="needs ../shared/corpus")
@pytest.mark.parametrize("schema_file", SCHEMAS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_valid_only_where_jsonschema_finds_no_error(schema_file, monkeypatch):
    chart = load_chart(schema_file.parent, any_api_version=True)
    schema_bytes = schema_file.read_bytes()
    schema = json.loads(schema_bytes)
    rng = random.Random(str(schema_file.relative_to(CORPUS)))
    for values in [chart.values] + [_mutated(chart.values, rng) for _ in range(12)]:
        if certainly_valid(schema, values):
            assert _jsonschema_errors(values, schema_bytes, monkeypatch) == ""


@pytest.mark.skipif(not SCHEMAS, reason="needs ../shared/corpus")
def test_most_corpus_charts_defaults_are_proved_valid(monkeypatch):
    proved = [f for f in SCHEMAS if certainly_valid(json.loads(f.read_bytes()),
                                                    load_chart(f.parent, any_api_version=True).values)]
    assert len(proved) >= len(SCHEMAS) * 0.8, sorted(set(map(str, SCHEMAS)) - set(map(str, proved)))


DRAFT7 = "http://json-schema.org/draft-07/schema#"
IDENTIFIED = {"$id": "https://example.com/s.json", "$defs": {"s": {"type": "string"}},
              "properties": {"x": {"$ref": "#/$defs/s"}}}


@pytest.mark.parametrize("schema, values, expected", [
    ({"$schema": DRAFT7, "properties": {"n": {"type": "integer"}}}, {"n": 3.0}, True),  # integral float
    ({"$schema": DRAFT7, "properties": {"n": {"type": "integer"}}}, {"n": 3.5}, False),
    ({"$schema": "http://json-schema.org/draft-04/schema#", "properties": {"n": {"type": "integer"}}}, {"n": 3.0},
     False),  # draft 4: not proved, jsonschema decides
    ({"properties": {"n": {"type": "number"}}}, {"n": True}, False),  # a boolean is no number
    ({"properties": {"n": {"enum": [1, "a"]}}}, {"n": 1.0}, True),
    ({"properties": {"n": {"enum": [1]}}}, {"n": True}, False),
    ({"properties": {"l": {"uniqueItems": True}}}, {"l": [1.0, 1]}, False),
    ({"properties": {"l": {"uniqueItems": True}}}, {"l": [1.0, True]}, True),
    ({"properties": {"x": {"oneOf": [{"type": "string"}, {"type": "number"}]}}}, {"x": "s"}, True),
    ({"properties": {"x": {"oneOf": [{"type": "number"}, {"minimum": 0}]}}}, {"x": 3.0}, False),  # two match
    ({"$schema": DRAFT7, "definitions": {"s": {"type": "string"}},
      "properties": {"x": {"$ref": "#/definitions/s", "maxLength": 1}}}, {"x": "long"}, True),  # siblings ignored
    ({"$defs": {"s": {"type": "string"}}, "properties": {"x": {"$ref": "#/$defs/s", "maxLength": 1}}},
     {"x": "long"}, False),  # 2020-12 applies them
    ({"properties": {"x": {"type": "string", "format": "email"}}}, {"x": "not-an-email"}, True),
    ({"additionalProperties": False, "properties": {"a": {}}}, {"a": 1.0, "b": 2.0}, False),
    ({"properties": {"a": {"if": {"type": "string"}, "then": {"minLength": 2}}}}, {"a": "x"}, False),
    ({"properties": {"a": {"$ref": "other.json#/x"}}}, {"a": 1.0}, False),
    ({"required": ["a", "b"]}, {"a": 1.0}, False),
    ({"properties": {"a": {"type": "frobnicated"}}}, {"a": 1.0}, False),  # jsonschema's error to report
    ({"properties": {"s": {"pattern": "^a+$"}}}, {"s": "aaa"}, True),
    ({"properties": {"s": {"pattern": "^a+$"}}}, {"s": "ab"}, False),
    ({"properties": {"s": {"pattern": "b"}}}, {"s": "abc"}, True),  # a search, not a full match
    ({"properties": {"s": {"pattern": "^\\pL+$"}}}, {"s": "\u00e9t\u00e9"}, True),  # Go's syntax, RE2's matching
    ({"properties": {"s": {"pattern": "^a+$"}}}, {"s": 1.0}, True),  # only strings are matched
    ({"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False}, {"x-a": "s"}, True),
    ({"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False}, {"x-a": 1.0}, False),
    ({"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False}, {"y": "s"}, False),
    ({"patternProperties": {"^x-": {"type": "string"}, "-b$": {"minLength": 2}}}, {"x-b": "s"}, False),  # both
    # jsonschema finds additional properties with one alternation of the patterns, so (?i) reaches ^y too
    ({"patternProperties": {"(?i)^x": {}, "^y": {}}, "additionalProperties": False}, {"Y": 1.0}, True),
    (IDENTIFIED, {"x": "a"}, True),  # the root's $id leaves local references where they were
    (IDENTIFIED, {"x": 1.0}, False),
    ({"properties": {"x": {"$id": "https://example.com/other.json", "type": "string"}}}, {"x": "a"}, False),
])
def test_keywords(schema, values, expected, monkeypatch):
    assert certainly_valid(schema, values) is expected
    if expected:
        assert _jsonschema_errors(values, json.dumps(schema).encode(), monkeypatch) == ""


def test_a_bad_regex_anywhere_is_left_to_the_full_check():
    schema = {"definitions": {"unused": {"type": "string", "pattern": "(unclosed"}}, "properties": {}}
    assert "is not valid regex" in validate_single({}, json.dumps(schema).encode())


def test_errors_still_come_from_jsonschema():
    schema = {"properties": {"replicas": {"type": "integer", "minimum": 1}}}
    assert validate_single({"replicas": 0.0}, json.dumps(schema).encode()) == \
        "- at '/replicas': minimum: got 0, want 1\n"


def test_a_render_with_valid_values_does_not_import_jsonschema(tmp_path):
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("replicas: 2\nname: web\n")
    (chart / "values.schema.json").write_text(json.dumps(
        {"$schema": DRAFT7, "type": "object", "properties": {"replicas": {"type": "integer", "minimum": 1},
                                                             "name": {"type": "string", "pattern": "^[a-z]+$"}}}))
    (chart / "templates" / "cm.yaml").write_text("kind: ConfigMap\ndata:\n  n: {{ .Values.replicas | quote }}\n")
    probe = ("import sys, io, contextlib\nfrom engine.cli.main import main\nout = io.StringIO()\n"
             "with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):\n"
             "    status = main(sys.argv[1:])\nprint(status, 'jsonschema' in sys.modules, repr(out.getvalue()))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = {}
    for replicas in ("3", "0"):
        done = subprocess.run([sys.executable, "-c", probe, "template", "x", str(chart), "--set",
                               f"replicas={replicas}"], capture_output=True, text=True, env=env, timeout=120)
        runs[replicas] = done.stdout.split(" ", 2)
    assert runs["3"][:2] == ["0", "False"] and 'n: "3"' in runs["3"][2]
    assert runs["0"][:2] == ["1", "True"] and "minimum: got 0, want 1" in runs["0"][2]
    assert schema_module.HEADER.strip() in runs["0"][2]

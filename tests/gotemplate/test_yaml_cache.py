"""The parsed-YAML cache: a warm run reads a chart's own Chart.yaml and values.yaml without parsing them,
reads exactly what a parse reads, never stores a failure or anything a user supplied or a render produced
(those may hold secrets), and survives damaged entries."""
from __future__ import annotations

import base64
import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.gotemplate import goyaml, goyaml_read, yaml_cache

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = """\
replicas: 3
ratio: 0.5
octal: 0755
hex: 0x1F
big: 18446744073709551615
yes_no: [yes, no, on, off]
nothing: ~
blob: !!binary aGVsbG8=
base: &base {image: nginx, ports: [80, 443]}
copy: *base
merged: {<<: *base, image: redis}
text: |
  line one
  line two
"""


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("PYHELM_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("PYHELM_NO_TEMPLATE_CACHE", raising=False)
    yaml_cache.STORE.reset()
    yield yaml_cache.STORE.directory()
    yaml_cache.STORE.reset()


def _entries(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()] if directory.exists() else []


def _forbid_parsing(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("a warm read parsed YAML")

    monkeypatch.setattr(goyaml_read, "read", refuse)


def _same(a, b) -> bool:
    """Equal data with the same types and key order (1.0 and 1 differ)."""
    return json.dumps(a, default=repr) == json.dumps(b, default=repr)


def _chart_file(text: str):
    return goyaml.load(text, chart_file=True)


def test_a_warm_read_of_a_chart_file_answers_what_a_parse_answers_without_parsing(cache, monkeypatch):
    (expected,) = goyaml_read.read(SAMPLE, False, True)
    first = _chart_file(SAMPLE)
    assert _entries(cache)
    _forbid_parsing(monkeypatch)
    warm = _chart_file(SAMPLE)
    assert _same(first, expected) and _same(warm, expected)
    assert warm["blob"] == b"hello" and warm["nothing"] is None and isinstance(warm["replicas"], float)


@pytest.mark.parametrize("reader", [goyaml.load, goyaml.load_all, goyaml.load_manifests])
def test_nothing_but_a_chart_file_is_stored(cache, reader):
    reader(SAMPLE)
    assert _entries(cache) == []


def test_aliased_values_stay_separate_copies_after_the_cache(cache, monkeypatch):
    _chart_file(SAMPLE)
    _forbid_parsing(monkeypatch)
    data = _chart_file(SAMPLE)
    data["copy"]["ports"].append(8080)  # a template that changes one copy changes only that one
    assert data["base"]["ports"] == [80, 443] and data["merged"]["ports"] == [80, 443]
    assert _chart_file(SAMPLE)["copy"]["ports"] == [80, 443]  # nor what the next read returns


def test_only_the_first_document_of_a_chart_file_is_read(cache):
    for _ in range(2):  # parsed, then from the cache
        assert _chart_file("a: 1\n---\nb: [\n") == {"a": 1.0}


@pytest.mark.parametrize("text", ["a: [1, 2\n", "a: b: c\n", "key: !!int nope\n", "x: !!binary '@@@'\n"])
def test_a_failure_is_never_stored_and_is_reported_alike_each_time(cache, text):
    messages = []
    for _ in range(2):
        with pytest.raises(goyaml.YAMLError) as failure:
            _chart_file(text)
        messages.append(str(failure.value))
    assert messages[0] == messages[1] and messages[0].startswith("error ")
    assert _entries(cache) == []


def test_a_document_nested_deeper_than_marshal_goes_is_read_and_not_stored(cache):
    data = _chart_file("[" * 3000 + "]" * 3000)
    depth = 0
    while isinstance(data, list) and data:
        data, depth = data[0], depth + 1
    assert depth == 2999
    assert _entries(cache) == []


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "not-a-list"])
def test_a_damaged_entry_is_read_again_and_rewritten(cache, damage):
    expected = _chart_file(SAMPLE)
    (entry,) = _entries(cache)
    good = entry.read_bytes()
    header = good[:good.index(b"\n") + 1]
    entry.write_bytes({"empty": b"", "garbage": b"no marshal data", "truncated": good[:len(good) // 2],
                       "not-a-list": header + marshal.dumps({"a": 1})}[damage])
    assert _same(_chart_file(SAMPLE), expected)
    assert entry.read_bytes() == good


def test_another_reader_version_misses(cache, monkeypatch):
    _chart_file(SAMPLE)
    monkeypatch.setattr(yaml_cache, "reader_version", lambda: "another-reader")
    yaml_cache.STORE.reset()
    read = []
    real = goyaml_read.read
    monkeypatch.setattr(goyaml_read, "read", lambda *args, **kwargs: read.append(args) or real(*args, **kwargs))
    _chart_file(SAMPLE)
    assert len(read) == 1 and len(_entries(cache)) == 2


def test_the_cache_can_be_turned_off(cache, monkeypatch):
    monkeypatch.setenv("PYHELM_NO_TEMPLATE_CACHE", "1")
    yaml_cache.STORE.reset()
    _chart_file(SAMPLE)
    assert _entries(cache) == []


def _render(chart: Path, cache_home: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYHELM_CACHE_HOME": str(cache_home)}
    env.pop("PYHELM_NO_TEMPLATE_CACHE", None)
    done = subprocess.run([sys.executable, "-m", "engine.cli.main", "template", "rel", str(chart), *args], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_render_keeps_the_charts_own_files_and_no_secret(tmp_path):
    """Values given with -f and --set, text from values rendered with tpl, and the Secret rendered from them
    are written nowhere, in no form; the chart's own files are, and a warm render reads them from the cache."""
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("replicas: 2\n")
    (chart / "templates" / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {{ .Values.password | b64enc }}\n"
        "  token: {{ .Values.token | b64enc }}\n  replicas: {{ .Values.replicas | quote }}\n"
        "  config: {{ tpl .Values.config . | b64enc }}\n")
    user_values = tmp_path / "secret-values.yaml"
    user_values.write_text("token: file-secret-Tq8WzXv\nconfig: 'user={{ .Release.Name }} pass=tpl-secret-Wd4Ns'\n")
    args = ("-f", str(user_values), "--set", "password=flag-secret-Hk3PmR9")
    cache_home = tmp_path / "cache"
    cold = _render(chart, cache_home, *args)
    assert base64.b64encode(b"flag-secret-Hk3PmR9").decode() in cold
    kept = b"".join(p.read_bytes() for p in cache_home.rglob("*") if p.is_file())
    for secret in (b"flag-secret-Hk3PmR9", b"file-secret-Tq8WzXv", b"tpl-secret-Wd4Ns"):
        for form in (secret, base64.b64encode(secret), secret.hex().encode()):
            assert form not in kept
    assert len(_entries(cache_home / "yaml")) == 2  # Chart.yaml and values.yaml
    assert _render(chart, cache_home, *args) == cold

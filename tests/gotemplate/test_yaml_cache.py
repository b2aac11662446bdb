"""The parsed-YAML cache: a warm run reads values and manifests without parsing them (nor importing PyYAML),
reads exactly what a parse reads, never stores a failure, and survives damaged entries."""
from __future__ import annotations

import json
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


@pytest.mark.parametrize("reader", [goyaml.load, goyaml.load_all, goyaml.load_manifests])
def test_a_warm_read_answers_what_a_parse_answers_without_parsing(cache, monkeypatch, reader):
    parsed = goyaml_read.read(SAMPLE, reader is goyaml.load_manifests, reader is goyaml.load)
    first = reader(SAMPLE)
    assert _entries(cache)
    _forbid_parsing(monkeypatch)
    warm = reader(SAMPLE)
    expected = parsed[0] if reader is goyaml.load else parsed
    assert _same(first, expected) and _same(warm, expected)
    document = warm if reader is goyaml.load else warm[0]
    assert document["blob"] == b"hello" and document["nothing"] is None
    assert isinstance(document["replicas"], int if reader is goyaml.load_manifests else float)


def test_aliased_values_stay_separate_copies_after_the_cache(cache, monkeypatch):
    goyaml.load(SAMPLE)
    _forbid_parsing(monkeypatch)
    data = goyaml.load(SAMPLE)
    data["copy"]["ports"].append(8080)  # a template that changes one copy changes only that one
    assert data["base"]["ports"] == [80, 443] and data["merged"]["ports"] == [80, 443]
    assert goyaml.load(SAMPLE)["copy"]["ports"] == [80, 443]  # nor what the next read returns


def test_typed_and_untyped_reads_of_one_text_are_kept_apart(cache):
    for _ in range(2):  # parsed, then from the cache
        assert isinstance(goyaml.load_all("a: 1\n")[0]["a"], float)
        assert isinstance(goyaml.load_manifests("a: 1\n")[0]["a"], int)
    assert goyaml.load("a: 1\n---\nb: 2\n") == {"a": 1.0}
    assert goyaml.load_all("a: 1\n---\nb: 2\n") == [{"a": 1.0}, {"b": 2.0}]


@pytest.mark.parametrize("text", ["a: [1, 2\n", "a: b: c\n", "key: !!int nope\n", "x: !!binary '@@@'\n"])
def test_a_failure_is_never_stored_and_is_reported_alike_each_time(cache, text):
    messages = []
    for _ in range(2):
        with pytest.raises(goyaml.YAMLError) as failure:
            goyaml.load(text)
        messages.append(str(failure.value))
    assert messages[0] == messages[1] and messages[0].startswith("error ")
    assert _entries(cache) == []


def test_a_document_nested_deeper_than_marshal_goes_is_read_and_not_stored(cache):
    text = "[" * 3000 + "]" * 3000
    data = goyaml.load(text)
    depth = 0
    while isinstance(data, list) and data:
        data, depth = data[0], depth + 1
    assert depth == 2999
    assert _entries(cache) == []


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "not-a-list"])
def test_a_damaged_entry_is_read_again_and_rewritten(cache, damage):
    expected = goyaml.load(SAMPLE)
    (entry,) = _entries(cache)
    good = entry.read_bytes()
    header = good[:good.index(b"\n") + 1]
    import marshal

    entry.write_bytes({"empty": b"", "garbage": b"no marshal data", "truncated": good[:len(good) // 2],
                       "not-a-list": header + marshal.dumps({"a": 1})}[damage])
    assert _same(goyaml.load(SAMPLE), expected)
    assert entry.read_bytes() == good


def test_another_reader_version_misses(cache, monkeypatch):
    goyaml.load(SAMPLE)
    monkeypatch.setattr(yaml_cache, "reader_version", lambda: "another-reader")
    yaml_cache.STORE.reset()
    read = []
    real = goyaml_read.read
    monkeypatch.setattr(goyaml_read, "read", lambda *args: read.append(args) or real(*args))
    goyaml.load(SAMPLE)
    assert len(read) == 1 and len(_entries(cache)) == 2


def test_the_cache_can_be_turned_off(cache, monkeypatch):
    monkeypatch.setenv("PYHELM_NO_TEMPLATE_CACHE", "1")
    yaml_cache.STORE.reset()
    goyaml.load(SAMPLE)
    assert _entries(cache) == []


PROBE = ("import sys, io, contextlib\nfrom engine.cli.main import main\nout = io.StringIO()\n"
         "with contextlib.redirect_stdout(out):\n    status = main(sys.argv[1:])\n"
         "sys.stderr.write(repr((status, out.getvalue(), 'yaml' in sys.modules)))")


def test_a_warm_render_of_a_chart_does_not_import_pyyaml(tmp_path):
    """The second render of a chart with the same values finds its values and manifests in the cache."""
    chart = ROOT / "tests" / "render" / "charts" / "parent"
    values = tmp_path / "values.yaml"
    values.write_text("extra: {a: 1}\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYHELM_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("PYHELM_NO_TEMPLATE_CACHE", None)
    argv = [sys.executable, "-c", PROBE, "template", "rel", str(chart), "-f", str(values), "--namespace", "ns"]
    runs = [eval(subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300).stderr)
            for _ in range(2)]
    uncached = subprocess.run(argv, env={**env, "PYHELM_NO_TEMPLATE_CACHE": "1"}, capture_output=True, text=True,
                              timeout=300)
    cold, warm = runs
    assert cold[0] == warm[0] == 0 and cold[1] == warm[1] == eval(uncached.stderr)[1]
    assert cold[2] and not warm[2]

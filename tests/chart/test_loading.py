"""Loading charts: classification of files, .helmignore quirks, archive safety, metadata validation."""
from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from engine.chart.errors import ChartError
from engine.chart.helmignore import parse_helmignore
from engine.chart.loader import load_chart
from engine.chart.metadata import chart_value_for_templates


def make_chart(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


BASIC = {"Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n", "values.yaml": "a: 1\n---\nb: yes\n",
         "templates/cm.yaml": "x", "templates/_h.tpl": "y", "crds/c.yaml": "z", "README.md": "r",
         "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 1.0.0\n", "charts/_skip/Chart.yaml": "bad"}


def test_files_are_classified_as_helm_does(tmp_path: Path) -> None:
    chart = load_chart(make_chart(tmp_path / "demo", BASIC))
    assert [t.name for t in chart.templates] == ["templates/_h.tpl", "templates/cm.yaml"]
    assert sorted(f.name for f in chart.files) == ["README.md", "crds/c.yaml"]
    assert chart.values == {"a": 1.0, "b": True}  # documents merged, numbers float64, YAML 1.1 booleans
    assert [s.name for s in chart.subcharts] == ["sub"] and chart.subcharts[0].chart_path == "demo/charts/sub"


def test_chart_object_for_templates_has_go_field_names(tmp_path: Path) -> None:
    chart = load_chart(make_chart(tmp_path / "demo", BASIC))
    value = chart_value_for_templates(chart)
    assert value["Name"] == "demo" and value["IsRoot"] is True and value["Dependencies"] == []


@pytest.mark.parametrize("chart_yaml, message", [
    ("name: x\nversion: 1.0.0\n", None),  # apiVersion defaults to v1
    ("apiVersion: v2\nversion: 1.0.0\n", "validation: chart.metadata.name is required"),
    ("apiVersion: v2\nname: x\n", "validation: chart.metadata.version is required"),
    ("apiVersion: v2\nname: x\nversion: abc\n", 'validation: chart.metadata.version "abc" is invalid'),
    ("apiVersion: v2\nname: x\nversion: 1.0.0\ntype: plugin\n",
     "validation: chart.metadata.type must be application or library"),
    ("apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n- name: a\n- name: b\n  alias: a\n",
     'validation: more than one dependency with name or alias "a"'),
    ("apiVersion: v2\nname: x\nversion: [\n", "cannot load Chart.yaml: error converting YAML to JSON: yaml: line 3:"),
])
def test_chart_yaml_validation(tmp_path: Path, chart_yaml: str, message: str | None) -> None:
    root = make_chart(tmp_path / "x", {"Chart.yaml": chart_yaml})
    if message is None:
        assert load_chart(root).metadata.api_version == "v1"
        return
    with pytest.raises(ChartError) as info:
        load_chart(root)
    assert str(info.value).startswith(message)


def test_missing_chart_yaml(tmp_path: Path) -> None:
    with pytest.raises(ChartError, match="^Chart.yaml file is missing$"):
        load_chart(make_chart(tmp_path / "x", {"values.yaml": "a: 1\n"}))


def test_helmignore_negation_quirk_ignores_everything_else(tmp_path: Path) -> None:
    files = dict(BASIC, **{".helmignore": "*.txt\n!keep.txt\n", "keep.txt": "k"})
    with pytest.raises(ChartError, match="Chart.yaml file is missing"):  # as helm: the ! rule hides Chart.yaml
        load_chart(make_chart(tmp_path / "demo", files))


def test_helmignore_rules() -> None:
    rules = parse_helmignore("# comment\n*.bak\n/secret\ndocs/\ntemplates/*.tmp\n")
    assert rules.ignored("a/b.bak", False) and rules.ignored("secret", False) and not rules.ignored("x/secret", False)
    assert rules.ignored("docs", True) and not rules.ignored("docs", False)
    assert rules.ignored("templates/x.tmp", False) and not rules.ignored("templates/a/x.tmp", False)
    with pytest.raises(ChartError, match=r"double-star \(\*\*\) syntax is not supported"):
        parse_helmignore("**/x\n")


def archive(tmp_path: Path, entries: list[tuple[str, bytes, bytes]]) -> Path:
    """entries: (name, data, type) with tarfile type codes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data, kind in entries:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            if kind == tarfile.SYMTYPE:
                info.linkname = "/etc/passwd"
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
    path = tmp_path / "c.tgz"
    path.write_bytes(buffer.getvalue())
    return path


CHART = b"apiVersion: v2\nname: c\nversion: 0.1.0\n"


@pytest.mark.parametrize("entries, message", [
    ([("c/Chart.yaml", CHART, tarfile.REGTYPE), ("c/../../evil", b"x", tarfile.REGTYPE)],
     "chart illegally references parent directory"),
    ([("c/Chart.yaml", CHART, tarfile.REGTYPE), ("c//etc/passwd", b"x", tarfile.REGTYPE)],
     "chart illegally contains absolute paths"),
    ([("Chart.yaml", CHART, tarfile.REGTYPE)], 'chart illegally contains content outside the base directory: '
                                                '"Chart.yaml"'),
    ([("c/Chart.yaml", CHART, tarfile.REGTYPE), ("c/link", b"", tarfile.SYMTYPE)],
     'chart illegally contains a link or special file: "c/link"'),
])
def test_unsafe_archives_are_refused(tmp_path: Path, entries, message: str) -> None:
    with pytest.raises(ChartError) as info:
        load_chart(archive(tmp_path, entries))
    assert str(info.value) == message


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    big = b"x" * (5 * 1024 * 1024 + 1)
    with pytest.raises(ChartError, match="is larger than the maximum file size 5242880"):
        load_chart(archive(tmp_path, [("c/Chart.yaml", CHART, tarfile.REGTYPE), ("c/big", big, tarfile.REGTYPE)]))


def test_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "x.tgz"
    path.write_text("hello")
    with pytest.raises(ChartError, match="does not appear to be a gzipped archive"):
        load_chart(path)

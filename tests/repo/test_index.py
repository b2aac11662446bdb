"""index.yaml: loading rules and errors, version selection, and ``repo index`` output equal to helm's."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from engine.repo.errors import RepoError
from engine.repo.index import IndexFile, index_directory
from engine.repo.index_load import load_index, load_index_file
from repo_support import DEMO_VERSIONS, package_demo, pyhelm, run_helm

TIMES = re.compile(r'^(\s*(?:- )?(?:created|generated)): .*$', re.M)


def entry(version: str, **extra: object) -> dict:
    return {"apiVersion": "v2", "name": "demo", "version": version, "urls": [f"demo-{version}.tgz"], **extra}


def index_bytes(*entries: object, **top: object) -> bytes:
    return yaml.safe_dump({"apiVersion": "v1", "entries": {"demo": list(entries)}, **top}).encode()


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty index.yaml file"),
    (b"entries: {}\n", "no API version specified"),
    (b"apiVersion: v1\nfoo: 1\n", 'json: unknown field "foo"'),
    (b"apiVersion: v1\nentries: [\n", "error converting YAML to JSON: yaml: line"),
    (b"- a\n", "cannot unmarshal array into Go value of type repo.IndexFile"),
    (b"apiVersion: v1\nentries:\n  x:\n  - name: x\n    version: 1.0\n",
     "cannot unmarshal number into Go struct field ChartVersion.entries.Metadata.version of type string"),
])
def test_malformed_indexes_are_refused_with_helms_words(data: bytes, message: str) -> None:
    with pytest.raises(RepoError, match=re.escape(message)):
        load_index(data, "test")


def test_invalid_entries_are_skipped_with_a_warning_and_versions_sorted_newest_first() -> None:
    warnings: list[str] = []
    data = index_bytes(entry("0.1.0"), None, entry("not-semver"), entry("1.10.0"), entry("1.9.0"),
                       entry("2.0.0-rc.1"))
    index = load_index(data, "src", warnings.append)
    assert [cv.version for cv in index.entries["demo"]] == ["2.0.0-rc.1", "1.10.0", "1.9.0", "0.1.0"]
    assert warnings == ['msg="skipping loading invalid entry for chart \\"demo\\" from src: empty entry"',
                        'msg="skipping loading invalid entry for chart \\"demo\\" \\"not-semver\\" from src: '
                        'validation: chart.metadata.version \\"not-semver\\" is invalid"']


def test_json_index_loads_like_yaml() -> None:
    data = json.dumps({"apiVersion": "v1", "entries": {"demo": [entry("1.0.0")]}}).encode()
    assert load_index(data, "json").entries["demo"][0].urls == ["demo-1.0.0.tgz"]


@pytest.mark.parametrize(("constraint", "expected"), [
    ("", "1.10.0"), ("1.9.0", "1.9.0"), ("^1.9", "1.10.0"), ("~1.9.0", "1.9.0"), (">=0.1 <1", "0.1.0"),
    ("0.1.x || 2.x", "0.1.0"), (">0.0.0-0", "2.0.0-rc.1"), ("2.0.0-rc.1", "2.0.0-rc.1")])
def test_get_selects_versions_with_helms_semver_rules(constraint: str, expected: str) -> None:
    index = load_index(index_bytes(*(entry(v) for v in ("0.1.0", "1.9.0", "1.10.0", "2.0.0-rc.1"))), "t")
    assert index.get("demo", constraint).version == expected


def test_get_reports_missing_charts_and_versions() -> None:
    index = load_index(index_bytes(entry("1.0.0")), "t")
    with pytest.raises(RepoError, match="no chart name found"):
        index.get("other")
    with pytest.raises(RepoError, match=re.escape("no chart version found for demo-^2")):
        index.get("demo", "^2")
    with pytest.raises(RepoError, match="improper constraint: nonsense"):
        index.get("demo", "nonsense")


def test_index_directory_urls_digests_and_merge(tmp_path: Path) -> None:
    package_demo(tmp_path, "0.1.0")
    package_demo(tmp_path / "sub", "0.2.0")
    (tmp_path / "broken.tgz").write_bytes(b"not a chart")
    index = index_directory(str(tmp_path), "https://charts.example.com/stable")
    urls = sorted(cv.urls[0] for cv in index.entries["demo"])
    assert urls == ["https://charts.example.com/stable/demo-0.1.0.tgz",
                    "https://charts.example.com/stable/sub/demo-0.2.0.tgz"]
    old = IndexFile()
    old.add(index.entries["demo"][0].metadata, "demo-0.1.0.tgz", "https://old", "ff" * 32)
    index.merge(old)  # the same name and version: the new entry wins
    assert len(index.entries["demo"]) == 2 and all(cv.digest != "ff" * 32 for cv in index.entries["demo"])


def test_repo_index_refuses_a_missing_directory(tmp_path: Path) -> None:
    result = pyhelm("repo", "index", str(tmp_path / "absent"))
    assert result.stderr == f"Error: open {tmp_path / 'absent' / 'index.yaml'}: no such file or directory\n"
    assert not (tmp_path / "absent").exists()


def test_repo_index_cli_merges_into_an_existing_index(tmp_path: Path) -> None:
    package_demo(tmp_path / "old", "0.1.0")
    assert pyhelm("repo", "index", str(tmp_path / "old"), "--url", "https://old.example.com").returncode == 0
    package_demo(tmp_path / "new", "0.2.0")
    result = pyhelm("repo", "index", str(tmp_path / "new"), "--merge", str(tmp_path / "old" / "index.yaml"))
    assert result.returncode == 0, result.stderr
    merged = yaml.safe_load((tmp_path / "new" / "index.yaml").read_text())
    assert [(e["version"], e["urls"]) for e in merged["entries"]["demo"]] == [
        ("0.2.0", ["demo-0.2.0.tgz"]), ("0.1.0", ["https://old.example.com/demo-0.1.0.tgz"])]


@pytest.mark.parametrize("as_json", [False, True])
def test_repo_index_writes_what_helm_writes(tmp_path: Path, helm: str, as_json: bool) -> None:
    for version in DEMO_VERSIONS:
        package_demo(tmp_path / "charts", version)
    package_demo(tmp_path / "charts" / "nested", "9.0.0")
    shutil.copytree(tmp_path / "charts", tmp_path / "theirs")
    flags = ["--url", "https://example.com/charts"] + (["--json"] if as_json else [])
    assert pyhelm("repo", "index", str(tmp_path / "charts"), *flags).returncode == 0
    assert run_helm(helm, "repo", "index", str(tmp_path / "theirs"), *flags).returncode == 0
    ours = (tmp_path / "charts" / "index.yaml").read_text()
    theirs = (tmp_path / "theirs" / "index.yaml").read_text()
    if as_json:
        ours, theirs = (re.sub(r'"(created|generated)": "[^"]*"', "", text) for text in (ours, theirs))
    assert TIMES.sub(r"\1", ours) == TIMES.sub(r"\1", theirs)


def test_large_cached_indexes_are_reread_when_their_bytes_change(tmp_path: Path, helm_home: Path) -> None:
    padding = "x" * 200_000  # large enough for the decoded-index cache
    path = tmp_path / "stable-index.yaml"
    path.write_bytes(index_bytes(entry("1.0.0", description=padding)))
    assert [cv.version for cv in load_index_file(str(path)).entries["demo"]] == ["1.0.0"]
    assert [cv.version for cv in load_index_file(str(path)).entries["demo"]] == ["1.0.0"]  # from the cache
    path.write_bytes(index_bytes(entry("1.0.0", description=padding), entry("2.0.0")))
    assert [cv.version for cv in load_index_file(str(path)).entries["demo"]] == ["2.0.0", "1.0.0"]
    path.write_bytes(b"")
    with pytest.raises(RepoError, match="empty index.yaml file"):
        load_index_file(str(path))


def test_repo_index_merge_writes_what_helm_writes(tmp_path: Path, helm: str) -> None:
    package_demo(tmp_path / "old", "0.1.0")
    package_demo(tmp_path / "old", "0.2.0")
    assert pyhelm("repo", "index", str(tmp_path / "old"), "--url", "https://old.example.com").returncode == 0
    for side in ("ours", "theirs"):
        package_demo(tmp_path / side, "0.2.0")
        package_demo(tmp_path / side, "0.3.0")
    merge = ["--merge", str(tmp_path / "old" / "index.yaml"), "--url", "https://new.example.com"]
    assert pyhelm("repo", "index", str(tmp_path / "ours"), *merge).returncode == 0
    assert run_helm(helm, "repo", "index", str(tmp_path / "theirs"), *merge).returncode == 0
    ours, theirs = ((tmp_path / side / "index.yaml").read_text() for side in ("ours", "theirs"))
    assert TIMES.sub(r"\1", ours) == TIMES.sub(r"\1", theirs)
    missing = ["--merge", str(tmp_path / "absent-ours.yaml")]
    assert pyhelm("repo", "index", str(tmp_path / "ours"), *missing).returncode == 0
    assert run_helm(helm, "repo", "index", str(tmp_path / "theirs"), "--merge",
                    str(tmp_path / "absent-theirs.yaml")).returncode == 0
    created = [TIMES.sub(r"\1", (tmp_path / f"absent-{side}.yaml").read_text()) for side in ("ours", "theirs")]
    assert created[0] == created[1] == "apiVersion: v1\nentries: {}\ngenerated\n"

"""helm and pyhelm share one configuration: each reads the index, repositories.yaml and caches of the other."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from repo_server import RepoServer
from repo_support import pyhelm, run_helm


def test_helm_adds_searches_and_pulls_from_an_index_pyhelm_wrote(tmp_path: Path, helm_home: Path,
                                                                 demo_repo: RepoServer, helm: str) -> None:
    assert run_helm(helm, "repo", "add", "stable", demo_repo.url).returncode == 0
    theirs = run_helm(helm, "search", "repo", "demo", "-l", "--devel", "-o", "json")
    ours = pyhelm("search", "repo", "demo", "-l", "--devel", "-o", "json")
    assert theirs.returncode == 0 and ours.stdout == theirs.stdout
    assert [row["version"] for row in json.loads(ours.stdout)] == ["1.0.0-rc.1", "0.3.0", "0.2.0", "0.1.0"]
    pulled = run_helm(helm, "pull", "stable/demo", "--version", "^0.2", "-d", str(tmp_path))
    assert pulled.returncode == 0, pulled.stderr
    assert (tmp_path / "demo-0.2.0.tgz").read_bytes() == (demo_repo.root / "demo-0.2.0.tgz").read_bytes()


def test_pyhelm_uses_the_configuration_and_cache_helm_wrote(tmp_path: Path, helm_home: Path,
                                                            demo_repo: RepoServer, helm: str) -> None:
    assert run_helm(helm, "repo", "add", "stable", demo_repo.url).returncode == 0
    listed = pyhelm("repo", "list", "-o", "json")
    assert json.loads(listed.stdout) == [{"name": "stable", "url": demo_repo.url}]
    assert pyhelm("search", "repo", "demo").stdout == run_helm(helm, "search", "repo", "demo").stdout
    assert pyhelm("pull", "stable/demo", "--version", "0.1.0", "-d", str(tmp_path)).returncode == 0
    assert (tmp_path / "demo-0.1.0.tgz").exists()
    # helm template puts the chart in the shared content cache; pyhelm finds it there without downloading
    assert run_helm(helm, "template", "web", "stable/demo").returncode == 0
    served = len(demo_repo.requests)
    shown = pyhelm("show", "chart", "stable/demo")
    assert shown.returncode == 0 and len(demo_repo.requests) == served
    assert pyhelm("repo", "remove", "stable").returncode == 0
    assert run_helm(helm, "repo", "list").stderr == "no repositories to show\n"


def test_repositories_yaml_is_written_as_helm_writes_it(helm_home: Path, demo_repo: RepoServer, helm: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    args = ("repo", "add", "stable", demo_repo.url, "--username", "u", "--password", "p", "--pass-credentials")
    assert pyhelm(*args).returncode == 0
    ours = (helm_home / "config" / "repositories.yaml").read_text()
    monkeypatch.setenv("HELM_CONFIG_HOME", str(helm_home / "helm-config"))
    assert run_helm(helm, *args).returncode == 0
    theirs = (helm_home / "helm-config" / "repositories.yaml").read_text()
    assert ours == theirs
    assert oct(os.stat(helm_home / "config" / "repositories.yaml").st_mode & 0o777) == "0o600"


def test_errors_match_helms(helm_home: Path, demo_repo: RepoServer, helm: str) -> None:
    (demo_repo.root / "empty").mkdir()
    (demo_repo.root / "empty" / "index.yaml").write_text("")
    for args in (("repo", "add", "x", demo_repo.url + "/empty"), ("repo", "add", "x", demo_repo.url + "/none"),
                 ("repo", "remove", "x"), ("search", "repo", "x"), ("pull", "x/demo"),
                 ("repo", "add", "old", "https://kubernetes-charts.storage.googleapis.com"),
                 ("repo", "update", "x"), ("repo", "add", "a/b", demo_repo.url)):
        assert pyhelm(*args).stderr == run_helm(helm, *args).stderr, args
    assert pyhelm("repo", "add", "x", demo_repo.url).returncode == 0
    (demo_repo.root / "elsewhere").mkdir()
    for args in (("pull", "x/demo", "--version", "<0.3", "-d", str(demo_repo.root / "elsewhere")),
                 ("pull", "x/demo", "--version", "nonsense")):
        assert pyhelm(*args).stderr == run_helm(helm, *args).stderr, args


def test_search_ranks_and_filters_as_helm_does(tmp_path: Path, helm_home: Path, demo_repo: RepoServer,
                                               helm: str) -> None:
    from engine.chart.package import package_chart
    from repo_support import ROOT, package_demo

    other = demo_repo.root / "other"
    package_demo(other, "0.3.0")
    package_demo(other, "2.0.0")
    package_chart(ROOT / "tests" / "render" / "charts" / "parent", other)
    assert pyhelm("repo", "index", str(other)).returncode == 0
    assert pyhelm("repo", "add", "a", demo_repo.url).returncode == 0
    assert pyhelm("repo", "add", "b", demo_repo.url + "/other").returncode == 0
    searches = [(), ("demo",), ("chart",), ("-r", "^p"), ("-r", "sub.*s"), ("-l",), ("--devel",),
                ("--version", ">=0.2 <2"), ("-l", "--version", "~0.3"), ("edge-case",), ("--max-col-width", "20")]
    for args in searches:
        for output in ("table", "json", "yaml"):
            ours = pyhelm("search", "repo", *args, "-o", output)
            theirs = run_helm(helm, "search", "repo", *args, "-o", output)
            assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout), args
    for args in ((), ("--no-headers",), ("-o", "json"), ("-o", "yaml")):
        assert pyhelm("repo", "list", *args).stdout == run_helm(helm, "repo", "list", *args).stdout, args


def test_a_corrupt_cache_is_skipped_with_helms_warning(helm_home: Path, demo_repo: RepoServer, helm: str) -> None:
    assert pyhelm("repo", "add", "good", demo_repo.url).returncode == 0
    assert pyhelm("repo", "add", "broken", demo_repo.url).returncode == 0
    (helm_home / "cache" / "repository" / "broken-index.yaml").write_text("apiVersion: v1\nentries: [\n")
    ours, theirs = pyhelm("search", "repo", "demo"), run_helm(helm, "search", "repo", "demo")
    assert (ours.stdout, ours.stderr) == (theirs.stdout, theirs.stderr)
    assert "good/demo" in ours.stdout and 'msg="repo is corrupt or missing" repo=broken' in ours.stderr


def test_helm_uses_the_content_cache_pyhelm_filled(helm_home: Path, demo_repo: RepoServer, helm: str) -> None:
    assert pyhelm("repo", "add", "stable", demo_repo.url).returncode == 0
    ours = pyhelm("template", "web", "stable/demo")
    assert ours.returncode == 0, ours.stderr
    served = list(demo_repo.requests)
    theirs = run_helm(helm, "template", "web", "stable/demo")
    assert theirs.returncode == 0, theirs.stderr
    assert demo_repo.requests == served  # helm found the archive under its digest and fetched nothing
    assert theirs.stdout == ours.stdout

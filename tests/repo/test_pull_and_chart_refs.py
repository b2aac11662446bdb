"""pull and chart references (repo/name, --repo, archive URLs): versions, digests, the content cache."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from repo_server import RepoServer
from engine.repo.index_load import load_index_file
from repo_support import package_demo, pyhelm


@pytest.fixture
def added(helm_home: Path, demo_repo: RepoServer) -> RepoServer:
    assert pyhelm("repo", "add", "stable", demo_repo.url).returncode == 0
    return demo_repo


def content_cache(home: Path) -> list[str]:
    root = home / "cache" / "content"
    return sorted(p.name for p in root.rglob("*.chart")) if root.exists() else []


@pytest.mark.parametrize(("flags", "expected"), [
    ((), "demo-0.3.0.tgz"), (("--version", "0.2.0"), "demo-0.2.0.tgz"), (("--version", "<0.3"), "demo-0.2.0.tgz"),
    (("--devel",), "demo-1.0.0-rc.1.tgz"), (("--version", "~0.1"), "demo-0.1.0.tgz")])
def test_pull_selects_the_version_helm_selects(tmp_path: Path, added: RepoServer, flags: tuple[str, ...],
                                               expected: str) -> None:
    dest = tmp_path / "dest"
    dest.mkdir()
    result = pyhelm("pull", "stable/demo", "-d", str(dest), *flags)
    assert (result.returncode, result.stdout) == (0, ""), result.stderr
    assert [p.name for p in dest.iterdir()] == [expected]
    assert (dest / expected).read_bytes() == (added.root / expected).read_bytes()


def test_pull_untar_repo_url_and_archive_url(tmp_path: Path, added: RepoServer,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    assert pyhelm("pull", "stable/demo", "--untar", "--untardir", "unpacked").returncode == 0
    assert (tmp_path / "unpacked" / "demo" / "Chart.yaml").read_text().count("version: 0.3.0") == 1
    again = pyhelm("pull", "stable/demo", "--untar", "--untardir", "unpacked")
    assert again.stderr.startswith("Error: failed to untar: a file or directory with the name ")
    assert [p.name for p in (tmp_path / "unpacked").iterdir()] == ["demo"]  # no staging leftovers
    assert pyhelm("pull", "demo", "--repo", added.url, "--version", "0.1.0").returncode == 0
    assert pyhelm("fetch", f"{added.url}/demo-0.2.0.tgz").returncode == 0
    assert sorted(p.name for p in tmp_path.glob("*.tgz")) == ["demo-0.1.0.tgz", "demo-0.2.0.tgz"]


def test_pull_errors_are_one_clear_line(tmp_path: Path, added: RepoServer,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    monkeypatch.chdir(tmp_path)
    cases = {
        ("stable/demo", "--version", "9.9.9"): 'Error: chart "demo" matching 9.9.9 not found in stable index. '
                                               "(try 'helm repo update'): no chart version found for demo-9.9.9",
        ("stable/nothing",): 'Error: chart "nothing" matching  not found in stable index. '
                             "(try 'helm repo update'): no chart name found",
        ("other/demo",): "Error: repo other not found",
        ("demo", "--repo", added.url, "--version", "7"): f'Error: chart "demo" version "7" not found in '
                                                          f"{added.url} repository",
        (f"{added.url}/missing-1.0.0.tgz",): f"Error: failed to fetch {added.url}/missing-1.0.0.tgz : "
                                             "404 File not found",
        ("stable/demo", "-d", "no-such-dir"): "Error: open no-such-dir: no such file or directory",
    }
    for args, message in cases.items():
        result = pyhelm("pull", *args)
        assert (result.returncode, result.stderr) == (1, message + "\n"), args
    unreachable = pyhelm("pull", "oci://127.0.0.1:9/charts/demo", "--plain-http")
    assert unreachable.returncode == 1 and unreachable.stderr.startswith("Error: 127.0.0.1:9: registry unreachable")
    assert list(tmp_path.iterdir()) == []


def test_archives_are_saved_as_served_even_with_a_gzip_content_encoding(tmp_path: Path,
                                                                       added: RepoServer) -> None:
    added.headers["Content-Encoding"] = "gzip"  # as some object stores label .tgz files
    result = pyhelm("pull", "stable/demo", "-d", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo-0.3.0.tgz").read_bytes() == (added.root / "demo-0.3.0.tgz").read_bytes()


def test_digest_mismatch_is_refused_and_nothing_is_kept(tmp_path: Path, helm_home: Path,
                                                        added: RepoServer) -> None:
    package_demo(added.root / "rebuilt", "0.3.0")
    (added.root / "demo-0.3.0.tgz").write_bytes((added.root / "rebuilt" / "demo-0.3.0.tgz").read_bytes() + b"x")
    dest = tmp_path / "dest"
    dest.mkdir()
    result = pyhelm("pull", "stable/demo", "-d", str(dest))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: digest mismatch for {added.url}/demo-0.3.0.tgz: the index lists "
                                    "sha256:")
    assert list(dest.iterdir()) == [] and content_cache(helm_home) == []


def test_template_and_show_take_repository_references_through_the_content_cache(
        helm_home: Path, added: RepoServer) -> None:
    rendered = pyhelm("template", "web", "stable/demo")
    assert rendered.returncode == 0, rendered.stderr
    assert "name: web-demo" in rendered.stdout
    digest = load_index_file(str(helm_home / "cache" / "repository" / "stable-index.yaml")).get("demo").digest
    assert content_cache(helm_home) == [f"{digest}.chart"]
    assert hashlib.sha256((added.root / "demo-0.3.0.tgz").read_bytes()).hexdigest() == digest
    served = len(added.requests)
    shown = pyhelm("show", "chart", "stable/demo")  # a cache hit: no download
    assert shown.returncode == 0 and "version: 0.3.0" in shown.stdout
    assert len(added.requests) == served
    by_url = pyhelm("template", "web", f"{added.url}/demo-0.1.0.tgz")
    assert by_url.returncode == 0 and "demo-0.1.0" in by_url.stdout


def test_locate_chart_takes_version_devel_and_repo_options(helm_home: Path, added: RepoServer) -> None:
    from engine.chart.loader import load_chart
    from engine.sources.locate import LocateOptions, locate_chart

    def version(reference: str, **options: object) -> str:
        path = locate_chart(reference, LocateOptions(**options))
        assert path.startswith(str(helm_home / "cache" / "content")) and path.endswith(".chart")
        return load_chart(path).metadata.version

    assert version("stable/demo") == "0.3.0"
    assert version("stable/demo", version="~0.1") == "0.1.0"
    assert version("stable/demo", devel=True) == "1.0.0-rc.1"
    assert version("demo", repo_url=added.url, version="0.2.0") == "0.2.0"
    assert locate_chart(str(added.root / "demo-0.1.0.tgz")) == str(added.root / "demo-0.1.0.tgz")  # local archive


def test_pull_prov_fetches_the_provenance_file_without_verifying(tmp_path: Path, added: RepoServer) -> None:
    (added.root / "demo-0.2.0.tgz.prov").write_text("-----BEGIN PGP SIGNED MESSAGE-----\n")
    dest = tmp_path / "dest"
    dest.mkdir()
    assert pyhelm("pull", "stable/demo", "--version", "0.2.0", "--prov", "-d", str(dest)).returncode == 0
    assert (dest / "demo-0.2.0.tgz.prov").read_text() == "-----BEGIN PGP SIGNED MESSAGE-----\n"
    missing = pyhelm("pull", "stable/demo", "--prov", "-d", str(dest))
    assert missing.returncode == 0
    assert missing.stdout == (f"WARNING: Verification not found for stable/demo: failed to fetch "
                              f"{added.url}/demo-0.3.0.tgz.prov : 404 File not found\n")
    assert sorted(p.name for p in dest.iterdir()) == ["demo-0.2.0.tgz", "demo-0.2.0.tgz.prov", "demo-0.3.0.tgz"]


@pytest.mark.parametrize(("base", "reference", "expected"), [
    ("https://h/charts", "demo-1.0.0.tgz", "https://h/charts/demo-1.0.0.tgz"),
    ("https://h/charts/", "demo-1.0.0.tgz", "https://h/charts/demo-1.0.0.tgz"),
    ("https://h/charts?token=abc", "demo-1.0.0.tgz", "https://h/charts/demo-1.0.0.tgz?token=abc"),
    ("https://h/charts", "../other/demo.tgz", "https://h/other/demo.tgz"),
    ("https://h/charts", "/abs/demo.tgz", "https://h/abs/demo.tgz"),
    ("https://h/charts", "https://cdn/demo.tgz", "https://cdn/demo.tgz"),
])
def test_chart_urls_resolve_against_the_repository_url(base: str, reference: str, expected: str) -> None:
    from engine.repo.chartrepo import resolve_reference_url

    assert resolve_reference_url(base, reference) == expected

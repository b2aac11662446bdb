"""dependency update|build|list: resolution, Chart.lock with Helm's digest, charts/ upkeep, refusals."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from repo_server import RepoServer
from engine.chart.create import create_chart
from repo_support import pyhelm, run_helm


def make_chart(root: Path, dependencies: list[dict]) -> Path:
    """``app`` depending on ``dependencies``, with a local ``child`` chart beside it."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / "child").exists():
        create_chart("child", root)
    chart = create_chart("app", root)
    metadata = yaml.safe_load((chart / "Chart.yaml").read_text())
    metadata["dependencies"] = dependencies
    (chart / "Chart.yaml").write_text(yaml.safe_dump(metadata))
    return chart


def set_dependencies(chart: Path, dependencies: list[dict]) -> None:
    metadata = yaml.safe_load((chart / "Chart.yaml").read_text())
    metadata["dependencies"] = dependencies
    (chart / "Chart.yaml").write_text(yaml.safe_dump(metadata))


def archives(chart: Path) -> list[str]:
    return sorted(p.name for p in (chart / "charts").iterdir())


@pytest.fixture
def stable(helm_home: Path, demo_repo: RepoServer) -> RepoServer:
    assert pyhelm("repo", "add", "stable", demo_repo.url).returncode == 0
    return demo_repo


DEPS = [{"name": "demo", "version": "~0.2.0", "repository": "@stable"},
        {"name": "child", "version": ">=0.1.0", "repository": "file://../child"}]


def test_update_resolves_locks_and_prunes_outdated_archives(tmp_path: Path, stable: RepoServer) -> None:
    chart = make_chart(tmp_path, DEPS)
    result = pyhelm("dependency", "update", str(chart))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[3:] == ["Saving 2 charts", f"Downloading demo from repo {stable.url}",
                                              "Deleting outdated charts"]
    assert archives(chart) == ["child-0.1.0.tgz", "demo-0.2.0.tgz"]
    lock = yaml.safe_load((chart / "Chart.lock").read_text())
    assert lock["dependencies"] == [{"name": "demo", "repository": stable.url, "version": "0.2.0"},
                                    {"name": "child", "repository": "file://../child", "version": "0.1.0"}]
    assert lock["digest"].startswith("sha256:")
    set_dependencies(chart, [{**DEPS[0], "version": "^0.3"}, DEPS[1]])
    assert pyhelm("dep", "up", str(chart), "--skip-refresh").returncode == 0
    assert archives(chart) == ["child-0.1.0.tgz", "demo-0.3.0.tgz"]
    assert not list(chart.glob("tmpcharts-*"))


def test_vendored_dependencies_are_checked_in_place(tmp_path: Path, stable: RepoServer) -> None:
    chart = make_chart(tmp_path, [{"name": "child", "version": "0.1.x"}])
    shutil.copytree(tmp_path / "child", chart / "charts" / "child")
    result = pyhelm("dependency", "update", str(chart))
    assert result.returncode == 0, result.stderr
    assert ("Dependency child did not declare a repository. Assuming it exists in the charts directory\n"
            in result.stdout)
    set_dependencies(chart, [{"name": "child", "version": "^2"}])
    refused = pyhelm("dependency", "update", str(chart))
    reason = "dependency child at version 0.1.0 does not satisfy the constraint ^2"
    assert refused.stdout.endswith(f"Save error occurred:  {reason}\n") and refused.stderr == f"Error: {reason}\n"


def test_build_follows_the_lock_and_refuses_one_out_of_sync(tmp_path: Path, stable: RepoServer) -> None:
    chart = make_chart(tmp_path, DEPS)
    assert pyhelm("dependency", "update", str(chart)).returncode == 0
    shutil.rmtree(chart / "charts")
    built = pyhelm("dependency", "build", str(chart), "--skip-refresh")
    assert built.returncode == 0, built.stderr
    assert archives(chart) == ["child-0.1.0.tgz", "demo-0.2.0.tgz"]
    set_dependencies(chart, [{**DEPS[0], "version": "^0.3"}, DEPS[1]])
    refused = pyhelm("dependency", "build", str(chart))
    assert (refused.returncode, refused.stderr) == (1, "Error: the lock file (Chart.lock) is out of sync with the "
                                                       "dependencies file (Chart.yaml). Please update the "
                                                       "dependencies\n")


def test_unmanaged_repository_urls_are_cached_under_a_manager_name(tmp_path: Path, helm_home: Path,
                                                                   demo_repo: RepoServer) -> None:
    chart = make_chart(tmp_path, [{"name": "demo", "version": "0.1.0", "repository": demo_repo.url}])
    result = pyhelm("dependency", "update", str(chart))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Getting updates for unmanaged Helm repositories...\n"
                                    f'...Successfully got an update from the "{demo_repo.url}" chart repository\n')
    assert archives(chart) == ["demo-0.1.0.tgz"]
    cached = [p.name for p in (helm_home / "cache" / "repository").iterdir()]
    assert any(name.startswith("helm-manager-") and name.endswith("-index.yaml") for name in cached)


@pytest.mark.parametrize(("dependencies", "message"), [
    ([{"name": "demo", "version": "1.0", "repository": "@nope"}],
     "Error: no repository definition for @nope. Please add them via 'helm repo add'\n"),
    ([{"name": "demo", "version": "1.0", "repository": "stable"}],
     "Error: no repository definition for stable. Please add them via 'helm repo add'\nNote that repositories "
     'must be URLs or aliases. For example, to refer to the "example"\nrepository, use '
     '"https://charts.example.com/" or "@example" instead of\n"example". Don\'t forget to add the repo, too '
     "('helm repo add').\n"),
    ([{"name": "demo", "version": "^5", "repository": "@stable"}],
     'Error: can\'t get a valid version for 1 subchart(s): "demo" (repository "{url}", version "^5"). Make sure '
     "a matching chart version exists in the repo, or change the version constraint in Chart.yaml\n"),
    ([{"name": "demo", "version": "1.0", "repository": "oci://127.0.0.1:9/charts"}],
     "Error: 127.0.0.1:9: registry unreachable: {unreachable}\n"),
    ([{"name": "child", "version": "9.x", "repository": "file://../nowhere"}],
     "Error: directory {chart}/../nowhere not found\n"),
])
def test_failed_updates_write_nothing(tmp_path: Path, stable: RepoServer, dependencies: list[dict],
                                      message: str) -> None:
    chart = make_chart(tmp_path, dependencies)
    result = pyhelm("dependency", "update", str(chart), "--skip-refresh")
    assert result.returncode == 1
    if "{unreachable}" in message:  # the socket error's wording belongs to the operating system
        assert result.stderr.startswith(message.split("{unreachable}")[0])
    else:
        assert result.stderr == message.format(url=stable.url, chart=chart)
    assert not (chart / "Chart.lock").exists() and archives(chart) == []


def test_lock_and_list_agree_with_helm(tmp_path: Path, stable: RepoServer, helm: str) -> None:
    deps = [*DEPS, {"name": "demo", "alias": "other", "version": "0.1.0", "repository": stable.url + "/",
                    "import-values": [{"parent": "b", "child": "a"}]}]
    ours = make_chart(tmp_path / "ours", deps)
    theirs = make_chart(tmp_path / "theirs", deps)
    assert pyhelm("dependency", "update", str(ours)).returncode == 0
    assert run_helm(helm, "dependency", "update", str(theirs)).returncode == 0
    lock = yaml.safe_load((ours / "Chart.lock").read_text())
    their_lock = yaml.safe_load((theirs / "Chart.lock").read_text())
    assert (lock["dependencies"], lock["digest"]) == (their_lock["dependencies"], their_lock["digest"])
    shutil.rmtree(ours / "charts")
    assert run_helm(helm, "dependency", "build", str(ours), "--skip-refresh").returncode == 0  # helm accepts it
    shutil.rmtree(theirs / "charts")
    built = pyhelm("dependency", "build", str(theirs), "--skip-refresh")  # and pyhelm accepts helm's
    assert built.returncode == 0, built.stderr
    assert archives(theirs) == ["child-0.1.0.tgz", "demo-0.1.0.tgz", "demo-0.2.0.tgz"]
    (ours / "charts" / "stray").mkdir()
    (ours / "charts" / "stray" / "Chart.yaml").write_text("apiVersion: v2\nname: stray\nversion: 1.0.0\n")
    set_dependencies(ours, [*deps, {"name": "gone", "version": "1", "repository": "@stable"}])
    assert pyhelm("dependency", "list", str(ours)).stdout == run_helm(helm, "dependency", "list", str(ours)).stdout


def test_apiversion_v1_charts_use_requirements_files(tmp_path: Path, stable: RepoServer, helm: str) -> None:
    for side in ("ours", "theirs"):
        chart = tmp_path / side / "legacy"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v1\nname: legacy\nversion: 1.0.0\n")
        (chart / "requirements.yaml").write_text(f"dependencies:\n- name: demo\n  version: ~0.2\n"
                                                 f"  repository: '@stable'\n")
    ours, theirs = tmp_path / "ours" / "legacy", tmp_path / "theirs" / "legacy"
    assert pyhelm("dependency", "update", str(ours)).returncode == 0
    assert run_helm(helm, "dependency", "update", str(theirs)).returncode == 0
    lock, their_lock = (yaml.safe_load((c / "requirements.lock").read_text()) for c in (ours, theirs))
    assert (lock["dependencies"], lock["digest"]) == (their_lock["dependencies"], their_lock["digest"])
    assert not (ours / "Chart.lock").exists()
    shutil.rmtree(ours / "charts")
    assert pyhelm("dependency", "build", str(ours), "--skip-refresh").returncode == 0
    assert archives(ours) == ["demo-0.2.0.tgz"]
    (ours / "requirements.yaml").write_text("dependencies:\n- name: demo\n  version: ~0.3\n  repository: '@stable'\n")
    refused = pyhelm("dependency", "build", str(ours))
    assert refused.stderr == ("Error: the lock file (requirements.lock) is out of sync with the dependencies file "
                              "(requirements.yaml). Please update the dependencies\n")

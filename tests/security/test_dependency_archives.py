"""``dependency update`` and ``build`` load each downloaded archive before it enters charts/: one the chart
loader refuses is skipped with helm's note, and the archive of that name already in charts/ stays as it was."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from repo.repo_support import pyhelm
from security.hostile import body, chart_yaml, index_of, index_yaml, registry_routes, serving, tgz

MIB = 1024 * 1024
INVALID = {
    "a member outside the chart": ([("sub/Chart.yaml", chart_yaml("sub")), ("sub/../../evil.yaml", b"x: 1\n")],
                                   "chart illegally references parent directory"),
    "a gzip bomb": ([("sub/Chart.yaml", chart_yaml("sub"))]
                    + [(f"sub/files/f{i}", b"\0" * (4 * MIB)) for i in range(27)],
                    "decompressed chart is larger than the maximum size 104857600"),
    "a chart named ..": ([("sub/Chart.yaml", chart_yaml(".."))],
                         'validation: chart.metadata.name ".." is not allowed'),
    "a Chart.yaml without a version": ([("sub/Chart.yaml", b"apiVersion: v2\nname: sub\n")],
                                       "validation: chart.metadata.version is required"),
}
OLD = tgz([("sub/Chart.yaml", chart_yaml("sub") + b"description: the archive that was there\n")])


def _parent(workdir: Path, repository: str) -> Path:
    """``workdir/parent``, needing sub 0.1.0 from ``repository``, with an older archive of it in charts/."""
    chart = workdir / "parent"
    (chart / "charts").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n- name: sub\n"
                                      f"  version: 0.1.0\n  repository: {repository}\n")
    (chart / "charts" / "sub-0.1.0.tgz").write_bytes(OLD)
    return chart


def _charts(chart: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (chart / "charts").iterdir()}


def _normal(output: str) -> str:
    """Output with the scratch directory's pid elided; helm's skip note lacks its newline."""
    return re.sub(r"tmpcharts-\d+", "tmpcharts-PID", output).replace("(Skipping)Deleting", "(Skipping)\nDeleting")


def _both(helm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repository: str, *flags: str
          ) -> list[tuple[int, str, Path]]:
    """Run ``dependency update`` then ``build`` with pyhelm and helm, each on its own copy of the parent."""
    outcomes = []
    for tool in ("pyhelm", "helm"):
        workdir = tmp_path / tool
        chart = _parent(workdir, repository)
        monkeypatch.chdir(workdir)
        for command in ("update", "build"):
            if tool == "pyhelm":
                result = pyhelm("dependency", command, "parent", *flags)
            else:
                result = subprocess.run([helm, "dependency", command, "parent", *flags], capture_output=True,
                                        text=True)
            outcomes.append((result.returncode, _normal(result.stdout), chart))
            assert "Error" not in result.stderr, result.stderr
    return outcomes


@pytest.mark.parametrize("kind", INVALID)
def test_an_archive_the_loader_refuses_never_enters_charts(helm_home: Path, helm: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    members, problem = INVALID[kind]
    archive = tgz(members)
    with serving({}) as server:
        server.routes.update({"/index.yaml": body(index_yaml("sub", "0.1.0", archive, "sub-0.1.0.tgz")),
                              "/sub-0.1.0.tgz": body(archive)})
        assert pyhelm("repo", "add", "hostile", server.url).returncode == 0  # build wants it configured
        outcomes = _both(helm, tmp_path, monkeypatch, server.url)
    note = f"Could not verify parent/tmpcharts-PID/sub-0.1.0.tgz for moving: {problem} (Skipping)\n"
    (update, update_out, ours), (build, build_out, _), (helm_update, helm_update_out, theirs), \
        (helm_build, helm_build_out, _) = outcomes
    assert (update, build) == (helm_update, helm_build) == (0, 0)
    assert note in update_out and note in build_out
    assert (update_out, build_out) == (helm_update_out, helm_build_out)
    assert _charts(ours) == _charts(theirs) == {"sub-0.1.0.tgz": OLD}
    assert (ours / "Chart.lock").exists() and (theirs / "Chart.lock").exists()
    assert sorted(p.name for p in ours.iterdir()) == ["Chart.lock", "Chart.yaml", "charts"]


def test_an_archive_from_a_registry_the_loader_refuses_never_enters_charts(
        helm_home: Path, helm: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    members, problem = INVALID["a member outside the chart"]
    with serving(registry_routes("charts/sub", "0.1.0", tgz(members))) as server:
        outcomes = _both(helm, tmp_path, monkeypatch, f"oci://{server.host}/charts", "--plain-http")
    note = f"Could not verify parent/tmpcharts-PID/sub-0.1.0.tgz for moving: {problem} (Skipping)\n"
    assert [status for status, _out, _chart in outcomes] == [0, 0, 0, 0]
    assert all(note in out for _status, out, _chart in outcomes)
    assert all(_charts(chart) == {"sub-0.1.0.tgz": OLD} for _status, _out, chart in outcomes)



def test_a_failed_download_leaves_charts_as_it_was_as_in_helm(helm_home: Path, helm: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The first dependency arrives, the second is missing: nothing of the first enters charts/, and the
    archives already there stay, in both commands."""
    fresh, old = {}, {}
    for name in ("a", "b"):
        fresh[name] = tgz([(f"{name}/Chart.yaml", chart_yaml(name))])
        old[f"{name}-0.0.9.tgz"] = tgz([(f"{name}/Chart.yaml", chart_yaml(name, "0.0.9"))])
    index = index_of([(name, "0.1.0", archive, f"{name}-0.1.0.tgz") for name, archive in fresh.items()])
    routes = {"/index.yaml": body(index), "/a-0.1.0.tgz": body(fresh["a"]), "/b-0.1.0.tgz": body(b"gone", 404)}
    outcomes = []
    with serving(routes) as server:
        for tool in ("pyhelm", "helm"):
            chart = tmp_path / tool / "parent"
            (chart / "charts").mkdir(parents=True)
            (chart / "Chart.yaml").write_text(
                "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n"
                + "".join(f"- name: {name}\n  version: 0.1.0\n  repository: {server.url}\n" for name in fresh))
            for name, data in old.items():
                (chart / "charts" / name).write_bytes(data)
            for command in ("update", "build"):
                result = (pyhelm("dependency", command, str(chart)) if tool == "pyhelm" else
                          subprocess.run([helm, "dependency", command, str(chart)], capture_output=True, text=True))
                outcomes.append((result.returncode, result.stdout.replace(str(tmp_path / tool), "TMP"),
                                 result.stderr.replace(str(tmp_path / tool), "TMP")))
            assert _charts(chart) == old
            assert sorted(p.name for p in chart.iterdir()) == ["Chart.yaml", "charts"]
    ours, theirs = outcomes[:2], outcomes[2:]
    assert ours == theirs
    assert [status for status, _out, _err in ours] == [1, 1]
    assert ours[0][2] == (f"Error: could not download {server.url}/b-0.1.0.tgz: failed to fetch "
                          f"{server.url}/b-0.1.0.tgz : 404 Not Found\n")

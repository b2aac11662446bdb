"""``pull --untar`` of an archive that cannot be laid out on disk: one clear line naming the member, and
nothing written (helm refuses it too, with a bare mkdir/open error and a half-written directory)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from repo.repo_support import pyhelm
from security.hostile import body, chart_yaml, serving, tgz

CONFLICTS = {
    "the file first": [("c/Chart.yaml", chart_yaml("c")), ("c/templates", b"x"),
                       ("c/templates/x.yaml", b"kind: ConfigMap\n")],
    "the directory first": [("c/Chart.yaml", chart_yaml("c")), ("c/templates/x.yaml", b"kind: ConfigMap\n"),
                            ("c/templates", b"x")],
}


@pytest.mark.parametrize("order", CONFLICTS)
def test_a_file_where_a_member_needs_a_directory_is_one_clear_error(helm_home: Path, helm: str, tmp_path: Path,
                                                                   order: str) -> None:
    with serving({"/c-0.1.0.tgz": body(tgz(CONFLICTS[order]))}) as server:
        result = pyhelm("pull", f"{server.url}/c-0.1.0.tgz", "--untar", "--untardir", str(tmp_path / "ours"))
        theirs = subprocess.run([helm, "pull", f"{server.url}/c-0.1.0.tgz", "--untar", "--untardir",
                                 str(tmp_path / "theirs")], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (
        1, 'Error: failed to untar: archive member "c/templates/x.yaml" is inside "c/templates", which the archive '
           "also has as a file\n")
    assert not (tmp_path / "ours").exists()
    assert theirs.returncode == 1


LONG_NAME = [("c/Chart.yaml", chart_yaml("c")), ("c/templates/" + "x" * 300 + ".yaml", b"kind: ConfigMap\n")]


def test_a_member_the_file_system_cannot_hold_is_one_clear_error(helm_home: Path, helm: str, tmp_path: Path) -> None:
    with serving({"/c-0.1.0.tgz": body(tgz(LONG_NAME))}) as server:
        result = pyhelm("pull", f"{server.url}/c-0.1.0.tgz", "--untar", "--untardir", str(tmp_path / "ours"))
        theirs = subprocess.run([helm, "pull", f"{server.url}/c-0.1.0.tgz", "--untar", "--untardir",
                                 str(tmp_path / "theirs")], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (
        1, f'Error: failed to untar: cannot write archive member "c/templates/{"x" * 300}.yaml": file name too long\n')
    assert theirs.returncode == 1 and "file name too long" in theirs.stderr
    assert list((tmp_path / "ours").iterdir()) == []  # the half-written chart is gone


@pytest.mark.parametrize("members", [CONFLICTS["the file first"], LONG_NAME], ids=["conflict", "long name"])
def test_lint_of_an_archive_that_cannot_be_laid_out_fails_that_chart_as_helm_does(
        helm: str, tmp_path: Path, members: list[tuple[str, bytes]]) -> None:
    archive = tmp_path / "c-0.1.0.tgz"
    archive.write_bytes(tgz(members))
    result = pyhelm("lint", str(archive))
    theirs = subprocess.run([helm, "lint", str(archive)], capture_output=True, text=True)
    assert (result.returncode, theirs.returncode) == (1, 1)
    lines = result.stdout.splitlines()
    assert lines[:2] == theirs.stdout.splitlines()[:1] + [lines[1]]
    assert lines[1].startswith('Error unable to extract tarball: ') and '"c/templates/' in lines[1]
    assert theirs.stdout.splitlines()[1].startswith("Error unable to extract tarball: ")
    assert result.stderr == theirs.stderr == "Error: 1 chart(s) linted, 1 chart(s) failed\n"

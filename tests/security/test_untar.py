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

"""Forged provenance layers in an OCI registry: `pull oci:// --verify` and `template oci:// --verify` trust only
the signed text, as the HTTP-repository and local-archive commands do (tests/provenance)."""
from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess

import pytest

from provenance.test_forged_provenance import ARCHIVE, DEMO, FORGERIES, GENUINE, material  # noqa: F401
from repo.repo_support import pyhelm

CASES = ["unsigned text before the signed block", "a stranger's signed block before the trusted one",
         "digest edited inside the signed block", "genuine"]


def _tampered_archive(tmp_path) -> bytes:
    """The demo chart with an extra template: a loadable chart that is not the one that was signed."""
    chart = tmp_path / "tampered-src" / "demo"
    shutil.copytree(DEMO, chart)
    (chart / "templates" / "injected.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                                       "  name: injected\n")
    assert pyhelm("package", str(chart), "-d", str(tmp_path / "tampered")).returncode == 0
    return (tmp_path / "tampered" / ARCHIVE).read_bytes()


@pytest.mark.parametrize("case", CASES)
def test_oci_verify_trusts_only_the_signed_text(case, material, registry, helm_home, helm,  # noqa: F811
                                                tmp_path) -> None:
    forged = dataclasses.replace(material, tampered=_tampered_archive(tmp_path))
    archive, provenance, keyring = {**FORGERIES, **GENUINE}[case](forged)
    pushed = tmp_path / "push"
    pushed.mkdir()
    (pushed / ARCHIVE).write_bytes(archive)
    (pushed / f"{ARCHIVE}.prov").write_bytes(provenance)
    assert pyhelm("push", str(pushed / ARCHIVE), f"oci://{registry}/forged", "--plain-http").returncode == 0
    reference = f"oci://{registry}/forged/demo"
    ring = ["--version", "0.3.0", "--plain-http", "--verify", "--keyring", str(keyring)]
    accepted = case in GENUINE
    for tool in ("pyhelm", "helm"):
        (tmp_path / f"pulled-{tool}").mkdir()
    for verb in ("template", "pull"):
        def command(tool: str) -> list[str]:
            return ["template", "x", reference, *ring] if verb == "template" else \
                ["pull", reference, *ring, "-d", str(tmp_path / f"pulled-{tool}")]

        ours = pyhelm(*command("pyhelm"))
        theirs = subprocess.run([helm, *command("helm")], capture_output=True, text=True, env=os.environ)
        assert (theirs.returncode == 0) is accepted, theirs.stderr
        assert (ours.returncode == 0) is accepted, ours.stdout + ours.stderr
        if not accepted:
            assert "injected" not in ours.stdout and ours.stderr.startswith("Error:")
    if not accepted:
        assert os.listdir(tmp_path / "pulled-pyhelm") == []

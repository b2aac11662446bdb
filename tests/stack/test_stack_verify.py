"""``verify: true`` on a stack repository or release checks each chart against its provenance file before
anything is planned or applied, with the same check (and words) as ``--verify``."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from provenance.test_signing import DEMO, _keypair
from repo.repo_server import RepoServer, serving
from repo.repo_support import pyhelm as run_pyhelm
from test_plan_apply import pyhelm

from engine.sandbox import Sandbox

REPOSITORY_STACK = """apiVersion: pyhelm/v1
name: signed
repositories:
  - name: shop
    url: {url}
    verify: true
    keyring: {keyring}
releases:
  - name: web
    chart: shop/demo
{extra}"""

LOCAL_STACK = """apiVersion: pyhelm/v1
name: signed
defaults: {{verify: true, keyring: keys/pubring.gpg}}
releases:
  - name: web
    chart: {chart}
"""


@pytest.fixture
def signed(gpg, tmp_path, monkeypatch) -> dict[str, Path]:
    """A signed demo-0.3.0.tgz served from a chart repository, the signer's and a stranger's keyrings, a
    sandbox cluster, and helm's homes in tmp_path."""
    public, secret = _keypair(tmp_path, "Signer")
    stranger, _ = _keypair(tmp_path, "Stranger")
    served = tmp_path / "served"
    served.mkdir()
    assert run_pyhelm("package", str(DEMO), "-d", str(served), "--sign", "--key", "Signer", "--keyring",
                      str(secret)).returncode == 0
    assert run_pyhelm("repo", "index", str(served)).returncode == 0
    (tmp_path / "keys").mkdir()
    shutil.copy(public, tmp_path / "keys" / "pubring.gpg")
    shutil.copy(stranger, tmp_path / "keys" / "stranger.gpg")
    for name in ("HOME", "HELM_CACHE_HOME", "HELM_CONFIG_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    return {"served": served, "stack": tmp_path / "stack.yaml"}


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    with Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        yield sandbox


def test_a_repository_with_verify_installs_only_charts_its_keyring_signed(signed, cluster) -> None:
    stack = signed["stack"]
    with serving(RepoServer(signed["served"])) as repo:
        stack.write_text(REPOSITORY_STACK.format(url=repo.url, keyring="keys/stranger.gpg", extra=""))
        status, out, err = pyhelm("plan", "-f", str(stack))
        assert status == 1 and out == ""
        assert err == (f"Error: {stack}:9: release default/web: chart shop/demo: verification of demo-0.3.0.tgz "
                       "failed: openpgp: signature made by unknown entity\n")
        stack.write_text(REPOSITORY_STACK.format(url=repo.url, keyring="keys/pubring.gpg", extra=""))
        status, out, err = pyhelm("apply", "-f", str(stack), "--auto-approve")
        assert status == 0, out + err
    assert cluster.store.get(("", "secrets"), "default", "sh.helm.release.v1.web.v1") is not None


def test_a_release_can_opt_out_of_its_repositorys_verify(signed, cluster) -> None:
    stack = signed["stack"]
    (signed["served"] / "demo-0.3.0.tgz.prov").unlink()
    with serving(RepoServer(signed["served"])) as repo:
        stack.write_text(REPOSITORY_STACK.format(url=repo.url, keyring="keys/pubring.gpg", extra=""))
        status, _out, err = pyhelm("plan", "-f", str(stack))
        assert status == 1 and "release default/web: chart shop/demo: verification of demo-0.3.0.tgz failed:" in err
        stack.write_text(REPOSITORY_STACK.format(url=repo.url, keyring="keys/pubring.gpg", extra="    verify: false\n"))
        status, out, err = pyhelm("plan", "-f", str(stack))
        assert status == 0 and "install" in out, err


def test_local_archives_are_verified_against_the_prov_beside_them(signed, cluster, tmp_path) -> None:
    stack = signed["stack"]
    shutil.copy(signed["served"] / "demo-0.3.0.tgz", tmp_path / "demo-0.3.0.tgz")
    stack.write_text(LOCAL_STACK.format(chart="./demo-0.3.0.tgz"))
    status, _out, err = pyhelm("plan", "-f", str(stack))
    prov = tmp_path / "demo-0.3.0.tgz.prov"
    assert status == 1 and err == (f"Error: {stack}:5: release default/web: chart ./demo-0.3.0.tgz: could not load "
                                   f"provenance file {prov}: stat {prov}: no such file or directory\n")
    shutil.copy(signed["served"] / "demo-0.3.0.tgz.prov", tmp_path / "demo-0.3.0.tgz.prov")
    status, out, err = pyhelm("plan", "-f", str(stack))
    assert status == 0 and "install" in out, err
    stack.write_text(LOCAL_STACK.format(chart=str(DEMO)))
    status, _out, err = pyhelm("plan", "-f", str(stack))
    assert status == 1 and err.endswith(": unpacked charts cannot be verified\n")

"""Provenance: pyhelm signs what helm verifies, verifies what helm signs, and refuses tampering."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from repo.repo_server import RepoServer, serving
from repo.repo_support import pyhelm

DEMO = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"


def _keypair(root: Path, name: str) -> tuple[Path, Path]:
    """(public keyring, secret keyring) of a new RSA key, in GnuPG's legacy export format (what helm reads).

    Callers take the ``gpg`` fixture, which skips (or fails under CI) where GnuPG is missing."""
    home = root / f"gnupg-{name}"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", f"{name} <{name}@example.com>",
                    "rsa2048", "sign", "never"], env=env, check=True, capture_output=True)
    public, secret = root / f"{name}-pub.gpg", root / f"{name}-sec.gpg"
    public.write_bytes(subprocess.run(["gpg", "--export"], env=env, check=True, capture_output=True).stdout)
    secret.write_bytes(subprocess.run(["gpg", "--export-secret-keys"], env=env, check=True,
                                      capture_output=True).stdout)
    return public, secret


@pytest.fixture
def keys(gpg, tmp_path) -> tuple[Path, Path]:
    return _keypair(tmp_path, "Signer")


def _helm(helm: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([helm, *args], capture_output=True, text=True)


def test_helm_verifies_what_pyhelm_signed_and_back(tmp_path, keys, helm) -> None:
    public, secret = keys
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    theirs.mkdir()
    signed = pyhelm("package", str(DEMO), "-d", str(ours), "--sign", "--key", "Signer", "--keyring", str(secret))
    assert signed.returncode == 0, signed.stderr
    assert _helm(helm, "package", str(DEMO), "-d", str(theirs), "--sign", "--key", "Signer", "--keyring",
                 str(secret)).returncode == 0
    for archive in (ours / "demo-0.3.0.tgz", theirs / "demo-0.3.0.tgz"):
        by_helm = _helm(helm, "verify", str(archive), "--keyring", str(public))
        by_pyhelm = pyhelm("verify", str(archive), "--keyring", str(public))
        assert by_helm.returncode == by_pyhelm.returncode == 0, by_helm.stderr + by_pyhelm.stderr
        assert by_pyhelm.stdout == by_helm.stdout
        assert by_pyhelm.stdout.startswith("Signed by: Signer <Signer@example.com>\n")


def test_tampering_and_strangers_are_refused(tmp_path, keys) -> None:
    public, secret = keys
    stranger, _ = _keypair(tmp_path, "Stranger")
    assert pyhelm("package", str(DEMO), "-d", str(tmp_path), "--sign", "--key", "Signer", "--keyring",
                  str(secret)).returncode == 0
    archive = tmp_path / "demo-0.3.0.tgz"
    unknown = pyhelm("verify", str(archive), "--keyring", str(stranger))
    assert unknown.returncode == 1 and "signature made by unknown entity" in unknown.stderr
    archive.write_bytes(archive.read_bytes() + b"\0")
    tampered = pyhelm("verify", str(archive), "--keyring", str(public))
    assert tampered.returncode == 1 and "sha256 sum does not match for demo-0.3.0.tgz" in tampered.stderr
    no_key = pyhelm("package", str(DEMO), "-d", str(tmp_path / "x"), "--sign", "--key", "Nobody", "--keyring",
                    str(secret))
    assert no_key.returncode == 1 and not (tmp_path / "x" / "demo-0.3.0.tgz").exists()


def test_pull_verify_keeps_only_verified_charts(tmp_path, keys, monkeypatch) -> None:
    public, secret = keys
    served = tmp_path / "served"
    served.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("HELM_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HELM_CONFIG_HOME", str(tmp_path / "config"))
    assert pyhelm("package", str(DEMO), "-d", str(served), "--sign", "--key", "Signer", "--keyring",
                  str(secret)).returncode == 0
    assert pyhelm("repo", "index", str(served)).returncode == 0
    with serving(RepoServer(served)) as repo:
        good = tmp_path / "good"
        good.mkdir()
        pulled = pyhelm("pull", "demo", "--repo", repo.url, "--verify", "--keyring", str(public), "-d", str(good))
        assert pulled.returncode == 0, pulled.stderr
        assert "Chart Hash Verified: sha256:" in pulled.stdout
        assert sorted(p.name for p in good.iterdir()) == ["demo-0.3.0.tgz", "demo-0.3.0.tgz.prov"]
        stranger, _ = _keypair(tmp_path, "Stranger")
        bad = tmp_path / "bad"
        bad.mkdir()
        refused = pyhelm("pull", "demo", "--repo", repo.url, "--verify", "--keyring", str(stranger), "-d", str(bad))
        assert refused.returncode == 1 and "failed to verify demo-0.3.0.tgz" in refused.stderr
        assert list(bad.iterdir()) == []


def test_install_verify_refuses_an_unverified_chart(tmp_path, keys, monkeypatch) -> None:
    from engine.sandbox import Sandbox

    public, secret = keys
    assert pyhelm("package", str(DEMO), "-d", str(tmp_path), "--sign", "--key", "Signer", "--keyring",
                  str(secret)).returncode == 0
    archive = tmp_path / "demo-0.3.0.tgz"
    with Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        installed = pyhelm("install", "web", str(archive), "--verify", "--keyring", str(public))
        assert installed.returncode == 0, installed.stderr
        (tmp_path / "demo-0.3.0.tgz.prov").unlink()
        refused = pyhelm("install", "api", str(archive), "--verify", "--keyring", str(public))
        prov = tmp_path / "demo-0.3.0.tgz.prov"
        assert (refused.returncode, refused.stderr) == (1, f"Error: could not load provenance file {prov}: stat {prov}: "
                                                           "no such file or directory\n")  # helm's words
        assert sandbox.store.get(("", "secrets"), "default", "sh.helm.release.v1.api.v1") is None

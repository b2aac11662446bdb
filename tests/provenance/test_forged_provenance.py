"""Forged provenance files, run through every command that verifies, with pyhelm and helm side by side.

A provenance file is trusted only for the text its signature covers. Each forgery below pairs an archive with
a ``.prov`` built from genuine signed material; every verifying command must refuse it exactly when helm
does, and a refusal must leave nothing behind (no render, no pulled file, no release)."""
from __future__ import annotations

import hashlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from repo.repo_server import RepoServer, serving
from repo.repo_support import pyhelm

DEMO = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"
ARCHIVE = "demo-0.3.0.tgz"
SIGNED_BEGIN = b"-----BEGIN PGP SIGNED MESSAGE-----"
SIGNATURE_BEGIN = b"\n-----BEGIN PGP SIGNATURE-----"


@dataclass
class Keys:
    home: Path
    public: Path
    secret: Path


def _gpg(home: Path, *args: str, data: bytes = b"") -> bytes:
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--passphrase", "", *args], input=data,
                          check=True, capture_output=True).stdout


def _key(root: Path, name: str, *, expires: str = "never", faked_time: str = "") -> Keys:
    home = root / f"gnupg-{name}"
    home.mkdir(mode=0o700)
    when = ["--faked-system-time", faked_time] if faked_time else []
    _gpg(home, *when, "--quick-gen-key", f"{name} <{name.lower()}@example.com>", "rsa2048", "sign", expires)
    keys = Keys(home, root / f"{name}-pub.gpg", root / f"{name}-sec.gpg")
    keys.secret.write_bytes(_gpg(home, "--export-secret-keys"))
    keys.public.write_bytes(_gpg(home, "--export"))
    return keys


def _clear_sign(keys: Keys, message: bytes, faked_time: str = "") -> bytes:
    when = ["--faked-system-time", faked_time] if faked_time else []
    return _gpg(keys.home, *when, "--digest-algo", "SHA512", "--clearsign", data=message)


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _message(metadata: bytes, digest: str) -> bytes:
    """Helm's provenance message for the demo archive with the given digest."""
    return metadata + b"\n...\nfiles:\n  " + ARCHIVE.encode() + b": " + digest.encode() + b"\n"


@dataclass
class Material:
    """Genuine signed material to forge from: the archive, a tampered copy, and their provenance pieces."""
    archive: bytes
    tampered: bytes
    genuine_prov: bytes
    metadata: bytes
    trusted: Keys
    stranger: Keys
    expired: Keys
    revoked: Keys
    other_version_prov: bytes


@pytest.fixture(scope="module")
def material(gpg, tmp_path_factory) -> Material:
    root = tmp_path_factory.mktemp("forge")
    trusted, stranger = _key(root, "Signer"), _key(root, "Stranger")
    expired = _key(root, "Old", expires="2020-01-10", faked_time="20200101T000000")
    revoked = _key(root, "Gone")
    built = root / "built"
    assert pyhelm("package", str(DEMO), "-d", str(built), "--sign", "--key", "Signer", "--keyring",
                  str(trusted.secret)).returncode == 0
    other = root / "other"
    assert pyhelm("package", str(DEMO), "-d", str(other), "--version", "0.2.0", "--sign", "--key", "Signer",
                  "--keyring", str(trusted.secret)).returncode == 0
    archive = (built / ARCHIVE).read_bytes()
    genuine = (built / f"{ARCHIVE}.prov").read_bytes()
    metadata = genuine.split(b"\n\n", 1)[1].split(b"\n...\n", 1)[0]
    material = Material(archive, archive + b"\0", genuine, metadata, trusted, stranger, expired, revoked,
                        (other / "demo-0.2.0.tgz.prov").read_bytes())
    # Revoke "Gone" after it signed: its public keyring then carries the revocation.
    material.revoked_prov = _clear_sign(revoked, _message(metadata, _digest(archive)))
    revocation = next((revoked.home / "openpgp-revocs.d").iterdir())
    _gpg(revoked.home, "--import", data=revocation.read_bytes().replace(b":-----", b"-----"))
    revoked.public.write_bytes(_gpg(revoked.home, "--export"))
    material.expired_prov = _clear_sign(expired, _message(metadata, _digest(archive)), "20200102T000000")
    return material


def _unsigned_copy(m: Material) -> bytes:
    """An unsigned look-alike of the message, claiming the tampered archive's digest."""
    return b"Hash: SHA512\n\n" + _message(m.metadata, _digest(m.tampered)) + b"...\n"


# name -> (archive, provenance, keyring) built from the genuine material
FORGERIES: dict[str, Callable[[Material], tuple[bytes, bytes, Path]]] = {
    "unsigned text before the signed block": lambda m: (
        m.tampered, _unsigned_copy(m) + m.genuine_prov, m.trusted.public),
    "unsigned block after the signed block": lambda m: (
        m.tampered, m.genuine_prov + b"\n" + SIGNED_BEGIN + b"\n" + _unsigned_copy(m), m.trusted.public),
    "a stranger's signed block before the trusted one": lambda m: (
        m.tampered, _clear_sign(m.stranger, _message(m.metadata, _digest(m.tampered))) + m.genuine_prov,
        m.trusted.public),
    "two signed blocks by the trusted key": lambda m: (
        m.tampered, m.other_version_prov + m.genuine_prov, m.trusted.public),
    "signed block of another chart version": lambda m: (m.archive, m.other_version_prov, m.trusted.public),
    "digest edited inside the signed block": lambda m: (
        m.tampered, m.genuine_prov.replace(_digest(m.archive).encode(), _digest(m.tampered).encode()),
        m.trusted.public),
    "dash-escaping undone": lambda m: (
        m.tampered, m.genuine_prov.replace(b"\n\napiVersion", b"\n\n-----BEGIN PGP SIGNATURE-----\napiVersion"),
        m.trusted.public),
    "valid signature by an untrusted key": lambda m: (
        m.archive, _clear_sign(m.stranger, _message(m.metadata, _digest(m.archive))), m.trusted.public),
    "signature by an expired key": lambda m: (m.archive, m.expired_prov, m.expired.public),
    "signature by a revoked key": lambda m: (m.archive, m.revoked_prov, m.revoked.public),
}
GENUINE: dict[str, Callable[[Material], tuple[bytes, bytes, Path]]] = {
    "genuine": lambda m: (m.archive, m.genuine_prov, m.trusted.public),
    "genuine with Windows line endings": lambda m: (
        m.archive, m.genuine_prov.replace(b"\n", b"\r\n"), m.trusted.public),
    "genuine with blank lines around it": lambda m: (
        m.archive, b"\n\n" + m.genuine_prov + b"\n\n", m.trusted.public),
}
# What helm says where its words and ours are meant to be the same.
HELM_WORDS = {
    "signed block of another chart version": 'provenance does not contain a SHA for a file named "demo-0.3.0.tgz"',
    "valid signature by an untrusted key": "openpgp: signature made by unknown entity",
    "signature by an expired key": "openpgp: key expired",
    "signature by a revoked key": "openpgp: signature made by revoked key",
}


def _place(directory: Path, archive: bytes, provenance: bytes) -> Path:
    directory.mkdir(parents=True)
    (directory / ARCHIVE).write_bytes(archive)
    (directory / f"{ARCHIVE}.prov").write_bytes(provenance)
    return directory / ARCHIVE


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    from engine.sandbox import Sandbox

    with Sandbox() as sandbox:
        yield sandbox, str(sandbox.write_kubeconfig(tmp_path_factory.mktemp("kube") / "kubeconfig"))


STACK = """apiVersion: pyhelm/v1
name: {name}
repositories:
  - {{name: signed, url: "{url}", verify: true, keyring: "{keyring}"}}
releases:
  - {{name: {name}-local, chart: "{archive}", verify: true, keyring: "{keyring}"}}
  - {{name: {name}-repo, chart: signed/demo}}
"""


def _stack_apply(directory: Path, archive: Path, keyring: Path, repo_url: str, release: str) -> list[str]:
    """``apply`` of a stack whose two releases verify: a local archive and a chart from the repository."""
    directory.mkdir()
    stack = directory / "stack.yaml"
    stack.write_text(STACK.format(name=release, url=repo_url, keyring=keyring, archive=archive))
    return ["apply", "-f", str(stack), "--auto-approve"]


def _commands(archive: Path, keyring: Path, repo_url: str, pulled: Path, release: str) -> dict[str, list[str]]:
    ring = ["--verify", "--keyring", str(keyring)]
    return {
        "verify": ["verify", str(archive), "--keyring", str(keyring)],
        "template --verify": ["template", "x", str(archive), *ring],
        "show chart --verify": ["show", "chart", str(archive), *ring],
        "pull --verify": ["pull", "demo", "--repo", repo_url, *ring, "-d", str(pulled)],
        "install --verify": ["install", release, str(archive), *ring],
        "upgrade --install --verify": ["upgrade", "--install", f"{release}-u", str(archive), *ring],
    }


@pytest.mark.parametrize("case", [*FORGERIES, *GENUINE])
def test_every_verifying_command_trusts_only_the_signed_text(case, material, cluster, helm, tmp_path,
                                                             monkeypatch) -> None:
    sandbox, kubeconfig = cluster
    env = {"HOME": str(tmp_path), "KUBECONFIG": kubeconfig, "HELM_CACHE_HOME": str(tmp_path / "cache"),
           "HELM_CONFIG_HOME": str(tmp_path / "config"), "HELM_DATA_HOME": str(tmp_path / "data")}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    archive_bytes, provenance, keyring = {**FORGERIES, **GENUINE}[case](material)
    archive = _place(tmp_path / "chart", archive_bytes, provenance)
    served = _place(tmp_path / "served", archive_bytes, provenance).parent
    assert pyhelm("repo", "index", str(served)).returncode == 0
    expect_accepted = case in GENUINE
    release = "r" + hashlib.sha1(case.encode()).hexdigest()[:8]
    with serving(RepoServer(served)) as repo:
        for tool in ("pyhelm", "helm"):
            (tmp_path / f"pulled-{tool}").mkdir()
        ours_commands = _commands(archive, keyring, repo.url, tmp_path / "pulled-pyhelm", f"{release}-p")
        helm_commands = _commands(archive, keyring, repo.url, tmp_path / "pulled-helm", f"{release}-h")
        # helm has no stacks: a stack whose releases verify must decide as `helm install --verify` does
        ours_commands["stack apply (verify: true)"] = _stack_apply(tmp_path / "stack", archive, keyring, repo.url,
                                                                   f"{release}-s")
        helm_commands["stack apply (verify: true)"] = helm_commands["install --verify"][:1] + [
            f"{release}-s"] + helm_commands["install --verify"][2:]
        for command, args in ours_commands.items():
            ours = pyhelm(*args)
            theirs = subprocess.run([helm, *helm_commands[command]], capture_output=True, text=True,
                                    env={**os.environ, **env})
            ours_text, theirs_text = ours.stdout + ours.stderr, theirs.stdout + theirs.stderr
            assert (theirs.returncode == 0) is expect_accepted, f"helm {command} on {case}: {theirs_text}"
            assert (ours.returncode == 0) is expect_accepted, f"pyhelm {command} on {case}: {ours_text}"
            if expect_accepted:
                continue
            assert ours_text.startswith("Error:") and "Traceback" not in ours_text, ours_text
            assert "Chart Hash Verified" not in ours_text and "kind: Deployment" not in ours_text
            if case in HELM_WORDS:
                assert HELM_WORDS[case] in theirs_text and HELM_WORDS[case] in ours_text, ours_text
    if not expect_accepted:
        assert list((tmp_path / "pulled-pyhelm").iterdir()) == []
        assert [obj["metadata"]["name"] for obj in sandbox.store.items(("", "secrets"), "default")
                if release in obj["metadata"]["name"]] == []

"""HTTPS repositories: --ca-file, --insecure-skip-tls-verify and client certificates (--cert-file/--key-file)."""
from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from repo_server import RepoServer, serving
from repo_support import DEMO_VERSIONS, package_demo, pyhelm


def _certificate(directory: Path, name: str, issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
                 server: bool = False) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject)
               .issuer_name(issuer[0].subject if issuer else subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
               .not_valid_after(now + dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True))
    if server:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(
            "127.0.0.1"))]), critical=False)
    certificate = builder.sign(issuer[1] if issuer else key, hashes.SHA256())
    (directory / f"{name}.crt").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / f"{name}.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                              serialization.PrivateFormat.PKCS8,
                                                              serialization.NoEncryption()))
    return certificate, key


@pytest.fixture
def certs(tmp_path: Path) -> Path:
    directory = tmp_path / "certs"
    directory.mkdir()
    ca = _certificate(directory, "ca", None)
    _certificate(directory, "server", ca, server=True)
    _certificate(directory, "client", ca)
    return directory


def _serve(root: Path, certs: Path, require_client_cert: bool) -> Iterator[str]:
    for version in DEMO_VERSIONS:
        package_demo(root, version)
    assert pyhelm("repo", "index", str(root)).returncode == 0
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs / "server.crt", certs / "server.key")
    if require_client_cert:
        context.verify_mode = ssl.CERT_REQUIRED
        context.load_verify_locations(certs / "ca.crt")
    with serving(RepoServer(root), context) as server:
        yield server.url


@pytest.fixture
def https_repo(tmp_path: Path, certs: Path) -> Iterator[str]:
    yield from _serve(tmp_path / "https", certs, require_client_cert=False)


@pytest.fixture
def mtls_repo(tmp_path: Path, certs: Path) -> Iterator[str]:
    yield from _serve(tmp_path / "mtls", certs, require_client_cert=True)


def test_ca_file_and_insecure_skip_tls_verify(tmp_path: Path, helm_home: Path, certs: Path, https_repo: str) -> None:
    untrusted = pyhelm("repo", "add", "secure", https_repo)
    assert untrusted.returncode == 1 and "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr
    assert not (helm_home / "config" / "repositories.yaml").exists()
    trusted = pyhelm("repo", "add", "secure", https_repo, "--ca-file", str(certs / "ca.crt"))
    assert trusted.returncode == 0, trusted.stderr
    saved = yaml.safe_load((helm_home / "config" / "repositories.yaml").read_text())["repositories"][0]
    assert saved["caFile"] == str(certs / "ca.crt")
    assert pyhelm("pull", "secure/demo", "-d", str(tmp_path)).returncode == 0  # the entry's CA reaches downloads
    assert (tmp_path / "demo-0.3.0.tgz").exists()
    skipped = pyhelm("repo", "add", "unchecked", https_repo, "--insecure-skip-tls-verify")
    assert skipped.returncode == 0, skipped.stderr
    pulled = pyhelm("pull", "unchecked/demo", "--version", "0.1.0", "-d", str(tmp_path))  # the entry's setting
    assert pulled.returncode == 0, pulled.stderr
    missing = pyhelm("repo", "add", "x", https_repo, "--ca-file", str(certs / "nope.crt"))
    assert missing.stderr.endswith(f"can't create TLS config for client: open {certs / 'nope.crt'}: no such file "
                                   "or directory\n")


def test_client_certificates(helm_home: Path, certs: Path, mtls_repo: str) -> None:
    ca = str(certs / "ca.crt")
    refused = pyhelm("repo", "add", "mtls", mtls_repo, "--ca-file", ca)
    assert refused.returncode == 1 and "is not a valid chart repository or cannot be reached" in refused.stderr
    accepted = pyhelm("repo", "add", "mtls", mtls_repo, "--ca-file", ca, "--cert-file", str(certs / "client.crt"),
                      "--key-file", str(certs / "client.key"))
    assert accepted.returncode == 0, accepted.stderr
    assert pyhelm("search", "repo", "mtls/demo", "-o", "json").stdout.startswith('[{"name":"mtls/demo"')

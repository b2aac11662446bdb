"""Helm's provenance message: the chart's metadata as YAML, ``...``, then the archive's SHA-256 digest."""
from __future__ import annotations

import hashlib
import os

from engine.provenance.errors import ProvenanceError
from engine.provenance.gpg import Signature, clear_sign, verify_clear_signed


def default_keyring() -> str:
    return os.path.join(os.path.expanduser("~"), ".gnupg", "pubring.gpg")


def message_block(archive_path: str) -> bytes:
    """What helm signs for an archive: its metadata as sigs.k8s.io/yaml marshals it, then its digest."""
    from engine.chart.loader import load_chart
    from engine.gotemplate.goyaml import to_yaml
    from engine.release.chart_json import metadata_record

    with open(archive_path, "rb") as handle:
        digest = "sha256:" + hashlib.sha256(handle.read()).hexdigest()
    metadata = to_yaml(metadata_record(load_chart(archive_path)))
    return (metadata + "\n...\n" + to_yaml({"files": {os.path.basename(archive_path): digest}})).encode()


def sign_archive(archive_path: str, key: str, keyring: str, passphrase_file: str | None = None) -> str:
    """Write ``archive_path``.prov; returns its path."""
    from engine.repo.files import atomic_write

    signed = clear_sign(message_block(archive_path), keyring, key, passphrase_file)
    atomic_write(archive_path + ".prov", signed)
    return archive_path + ".prov"


_ARMOUR = ("-----BEGIN PGP SIGNED MESSAGE-----", "-----BEGIN PGP SIGNATURE-----", "-----END PGP SIGNATURE-----")


def _single_signed_block(document: bytes) -> bytes:
    """The document itself when it is one clear-signed block with nothing but whitespace around it.

    In a clear-signed block every text line starting with a dash is dash-escaped, so the only lines that
    start with ``-----`` are its three armour lines; any other such line, or any text before or after them,
    is something the signature does not cover, and the file is refused rather than partly trusted."""
    lines = document.strip().replace(b"\r\n", b"\n").split(b"\n")
    armour = [line.rstrip().decode(errors="replace") for line in lines if line.startswith(b"-----")]
    if not armour or armour[0] != _ARMOUR[0]:
        raise ProvenanceError("signature block not found")
    if tuple(armour) != _ARMOUR or not lines[0].startswith(b"-----") or not lines[-1].startswith(b"-----"):
        raise ProvenanceError("provenance file is not a single clear-signed block: "
                              "it holds text outside the signed message")
    return document


def verify_archive(archive: bytes, filename: str, provenance: bytes, keyring: str) -> tuple[Signature, str]:
    """Check the signature and that it covers exactly this archive; returns (signature, "sha256:…").

    The file digests are read from the text GnuPG reports as signed, never from the file itself."""
    from engine.gotemplate.goyaml import YAMLError, load

    verified = verify_clear_signed(_single_signed_block(provenance), keyring)
    signed_text = verified.plaintext.decode("utf-8", errors="replace").replace("\r\n", "\n")
    parts = signed_text.split("\n...\n")
    if len(parts) < 2:
        raise ProvenanceError("message block must have at least two parts")
    try:
        files = (load(parts[1]) or {}).get("files") or {}
    except (YAMLError, AttributeError) as exc:
        raise ProvenanceError(f"provenance: malformed file list: {exc}") from None
    digest = "sha256:" + hashlib.sha256(archive).hexdigest()
    if not isinstance(files, dict) or filename not in files:
        raise ProvenanceError(f'provenance does not contain a SHA for a file named "{filename}"')
    if files[filename] != digest:
        raise ProvenanceError(f'sha256 sum does not match for {filename}: "{files[filename]}" != "{digest}"')
    return verified.signature, digest


def verification_report(signature: Signature, digest: str) -> str:
    """What ``helm verify`` prints."""
    lines = [f"Signed by: {signer}" for signer in signature.signers]
    return "\n".join([*lines, f"Using Key With Fingerprint: {signature.fingerprint}",
                      f"Chart Hash Verified: {digest}"]) + "\n"

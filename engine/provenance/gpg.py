"""GnuPG run on helm's key files: legacy keyrings (``gpg --export[-secret-keys]`` output) imported into a
throwaway home, so the user's own GnuPG state is never touched."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from engine.provenance.errors import ProvenanceError


def _gpg() -> str:
    binary = shutil.which("gpg")
    if binary is None:
        raise ProvenanceError("signing and verifying need GnuPG: install the gpg program")
    return binary


def _run(home: str, args: list[str], data: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([_gpg(), "--homedir", home, "--batch", "--no-tty", *args], input=data,
                          capture_output=True)


def _with_keyring(keyring: str, passphrase_file: str | None = None):
    if not os.path.isfile(keyring):
        raise ProvenanceError(f"open {keyring}: no such file or directory")
    home = tempfile.mkdtemp(prefix="pyhelm-gpg-")
    os.chmod(home, 0o700)
    extra = ["--pinentry-mode", "loopback", "--passphrase-file", passphrase_file] if passphrase_file else []
    imported = _run(home, [*extra, "--import", keyring])
    if imported.returncode != 0:
        shutil.rmtree(home, ignore_errors=True)
        raise ProvenanceError(f"{keyring}: not a usable keyring: {imported.stderr.decode(errors='replace').strip()}")
    return home, extra


def clear_sign(message: bytes, keyring: str, key: str, passphrase_file: str | None = None) -> bytes:
    """``message`` clear-signed (SHA-512) by the secret key whose identity contains ``key``."""
    home, extra = _with_keyring(keyring, passphrase_file)
    try:
        listed = _run(home, ["--list-secret-keys", "--with-colons"])
        identities = [line.split(":")[9] for line in listed.stdout.decode().splitlines() if line.startswith("uid:")]
        matching = [uid for uid in identities if key in uid]
        if not matching:
            raise ProvenanceError("private key not found" if not identities else
                                  f'no key in {keyring} has an identity containing "{key}"')
        signed = _run(home, [*extra, "--digest-algo", "SHA512", "--local-user", key, "--clearsign"], message)
        if signed.returncode != 0:
            raise ProvenanceError(f"signing failed: {signed.stderr.decode(errors='replace').strip()}")
        return signed.stdout
    finally:
        shutil.rmtree(home, ignore_errors=True)


@dataclass
class Signature:
    signers: list[str]
    fingerprint: str


@dataclass
class VerifiedMessage:
    """A good signature and exactly the text it covers, as GnuPG reports them."""
    signature: Signature
    plaintext: bytes


def _refusal(status: list[str]) -> str:
    """Helm's words (go-crypto's) for why GnuPG did not accept a signature."""
    def seen(tag: str) -> bool:
        return any(line.startswith(f"[GNUPG:] {tag} ") or line == f"[GNUPG:] {tag}" for line in status)

    if seen("NO_PUBKEY"):
        return "openpgp: signature made by unknown entity"
    if seen("BADSIG"):
        return "openpgp: invalid signature: hash tag doesn't match"
    if seen("REVKEYSIG"):
        return "openpgp: signature made by revoked key"
    if seen("EXPKEYSIG"):
        return "openpgp: key expired"
    if seen("EXPSIG"):
        return "openpgp: signature expired"
    return "signature block not found"


def verify_clear_signed(document: bytes, keyring: str) -> VerifiedMessage:
    """Check a clear-signed document against the public keys of ``keyring``.

    The plaintext returned is GnuPG's own output of the signed data, so what the caller trusts is exactly
    what the signature covers; a document must hold exactly one good signature by a key that is neither
    expired nor revoked."""
    home, _extra = _with_keyring(keyring)
    try:
        plaintext_path = os.path.join(home, "signed-text")
        checked = _run(home, ["--status-fd", "1", "--output", plaintext_path, "--decrypt"], document)
        status = checked.stdout.decode(errors="replace").splitlines()
        good = [line for line in status if line.startswith("[GNUPG:] GOODSIG ")]
        valid = [line.split() for line in status if line.startswith("[GNUPG:] VALIDSIG ")]
        signatures = [line for line in status if line.startswith("[GNUPG:] NEWSIG")]
        if checked.returncode != 0 or len(good) != 1 or len(valid) != 1 or len(signatures) > 1:
            raise ProvenanceError(_refusal(status))
        with open(plaintext_path, "rb") as handle:
            plaintext = handle.read()
        fingerprint = valid[0][2]
        listed = _run(home, ["--list-keys", "--with-colons", fingerprint]).stdout.decode(errors="replace")
        signers = [line.split(":")[9] for line in listed.splitlines() if line.startswith("uid:")]
        return VerifiedMessage(Signature(signers, fingerprint), plaintext)
    finally:
        shutil.rmtree(home, ignore_errors=True)

"""Sprig's crypto and random functions, built on the cryptography and bcrypt packages."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import ipaddress
import os
import random
import re
import struct
from typing import Any

from engine.gotemplate import gobase
from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, gofunc
from engine.gotemplate.gotypes import GoStruct
from engine.gotemplate.sprig.conversion import strval

FUNCS: FuncMap = {}


class Certificate(GoStruct):
    """Sprig's certificate: PEM ``Cert`` and ``Key``."""

    go_type = "sprig.certificate"
    go_fields = ("Cert", "Key")

    def __init__(self, cert: str, key: str):
        self.Cert, self.Key = cert, key


def _new_rsa_key(bits: int = 2048):
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _key_pem(key) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        fmt = serialization.PrivateFormat.TraditionalOpenSSL
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        fmt = serialization.PrivateFormat.PKCS8
    else:
        fmt = serialization.PrivateFormat.PKCS8
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


_PEM_BLOCK = re.compile(r"(?:^|\n)-----BEGIN ([^\n]*)-----[ \t]*\r?\n(.*?)-----END \1-----", re.S)


def _decode_pem(text: str) -> tuple[str, bytes] | None:
    """pem.Decode: the first block's type and bytes (headers skipped), or None when there is none."""
    for match in _PEM_BLOCK.finditer(text):
        lines = match.group(2).split("\n")
        if any(":" in line for line in lines):  # RFC 1421 headers end at the first blank line
            lines = lines[lines.index("") + 1:] if "" in lines else []
        body = "".join(lines).replace(" ", "").replace("\t", "").replace("\r", "")
        try:
            return match.group(1), gobase.b64decode(body)
        except gobase.CorruptInput:
            continue
    return None


def _parse_private_key_pem(text: str):
    """Sprig's parsePrivateKeyPEM; ValueError worded as Sprig words it."""
    from cryptography.hazmat.primitives import serialization

    block = _decode_pem(text)
    if block is None:
        raise ValueError("no PEM data in input")
    kind, der = block
    if kind == "PRIVATE KEY":
        reading = "decoding PEM as PKCS#8"
    elif not kind.endswith(" PRIVATE KEY"):
        raise ValueError(f"no private key data in PEM block of type {kind}")
    elif kind[:-len(" PRIVATE KEY")] in ("RSA", "EC", "DSA"):
        reading = f"parsing {kind[:-len(' PRIVATE KEY')]} private key from PEM"
    else:
        raise ValueError(f"invalid private key type {kind}")
    try:
        return serialization.load_der_private_key(der, password=None)
    except ValueError as exc:  # the cause is worded by OpenSSL, not by Go's asn1 package
        raise ValueError(f"{reading}: {exc}") from None


def _load_key(pem: str):
    """A ``...WithKey`` function's key argument."""
    try:
        return _parse_private_key_pem(pem)
    except ValueError as exc:
        raise FuncError(f"parsing private key: {exc}") from None


def _parse_certificate_pem(text: str, field: str):
    from cryptography import x509

    block = _decode_pem(text)
    if block is None:
        raise FuncError("unable to decode certificate")
    try:
        return x509.load_der_x509_certificate(block[1])
    except ValueError as exc:
        raise FuncError(f"error parsing certificate: {field}: {exc}") from None


def _ca_key(pem: str):
    try:
        return _parse_private_key_pem(pem)
    except ValueError as exc:
        raise FuncError(f"error parsing private key: {exc}") from None


def _build_cert(cn: str, ips: Any, alternate_dns: Any, days: int, key, issuer_cert=None, issuer_key=None,
                is_ca: bool = False) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.timezone.utc)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]) if cn else x509.Name([])
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer_cert.subject if issuer_cert is not None else subject)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now)
               .not_valid_after(now + dt.timedelta(days=days)))
    if is_ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        builder = builder.add_extension(x509.KeyUsage(True, False, True, False, False, True, False, False, False),
                                        critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False),
                                        critical=True)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                               ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
    names: list = []
    for ip in ips or []:
        if not isinstance(ip, str):
            raise FuncError(f"error parsing ip: {strval(ip)} is not a string")
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(ip)))
        except ValueError as exc:
            raise FuncError(f"error parsing ip: {ip}") from exc
    for name in alternate_dns or []:
        if not isinstance(name, str):
            raise FuncError(f"error processing alternate dns name: {strval(name)} is not a string")
        names.append(x509.DNSName(name))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@gofunc(FUNCS, "genCA", "string", "int")
def _gen_ca(cn: str, days: int) -> Certificate:
    key = _new_rsa_key()
    return Certificate(_build_cert(cn, None, None, days, key, is_ca=True), _key_pem(key))


@gofunc(FUNCS, "genCAWithKey", "string", "int", "string")
def _gen_ca_with_key(cn: str, days: int, key_pem: str) -> Certificate:
    key = _load_key(key_pem)
    return Certificate(_build_cert(cn, None, None, days, key, is_ca=True), _key_pem(key))


@gofunc(FUNCS, "genSelfSignedCert", "string", "[]any", "[]any", "int")
def _gen_self_signed(cn: str, ips: list, alternate_dns: list, days: int) -> Certificate:
    key = _new_rsa_key()
    return Certificate(_build_cert(cn, ips, alternate_dns, days, key), _key_pem(key))


@gofunc(FUNCS, "genSelfSignedCertWithKey", "string", "[]any", "[]any", "int", "string")
def _gen_self_signed_with_key(cn: str, ips: list, alternate_dns: list, days: int, key_pem: str) -> Certificate:
    key = _load_key(key_pem)
    return Certificate(_build_cert(cn, ips, alternate_dns, days, key), _key_pem(key))


def _ca_parts(ca: Certificate):
    return _parse_certificate_pem(ca.Cert, "decodedSignerCert.Bytes"), _ca_key(ca.Key)


@gofunc(FUNCS, "genSignedCert", "string", "[]any", "[]any", "int", "sprig.certificate")
def _gen_signed(cn: str, ips: list, alternate_dns: list, days: int, ca: Certificate) -> Certificate:
    ca_cert, ca_key = _ca_parts(ca)
    key = _new_rsa_key()
    return Certificate(_build_cert(cn, ips, alternate_dns, days, key, ca_cert, ca_key), _key_pem(key))


@gofunc(FUNCS, "genSignedCertWithKey", "string", "[]any", "[]any", "int", "sprig.certificate", "string")
def _gen_signed_with_key(cn: str, ips: list, alternate_dns: list, days: int, ca: Certificate,
                         key_pem: str) -> Certificate:
    key = _load_key(key_pem)
    ca_cert, ca_key = _ca_parts(ca)
    return Certificate(_build_cert(cn, ips, alternate_dns, days, key, ca_cert, ca_key), _key_pem(key))


@gofunc(FUNCS, "buildCustomCert", "string", "string")
def _build_custom_cert(cert_b64: str, key_b64: str) -> Certificate:
    try:
        cert = gobase.b64decode(cert_b64)
    except gobase.CorruptInput:
        raise FuncError("unable to decode base64 certificate") from None
    try:
        key = gobase.b64decode(key_b64)
    except gobase.CorruptInput:
        raise FuncError("unable to decode base64 private key") from None
    _parse_certificate_pem(cert.decode(errors="replace"), "decodedCert.Bytes")
    try:
        _parse_private_key_pem(key.decode(errors="replace"))
    except ValueError as exc:
        raise FuncError(f"error parsing private key: {exc}") from None
    return Certificate(cert.decode(errors="replace"), key.decode(errors="replace"))


@gofunc(FUNCS, "genPrivateKey", "string")
def _gen_private_key(kind: str) -> str:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519

    if kind in ("", "rsa"):
        key = _new_rsa_key(4096)
    elif kind == "dsa":
        from cryptography.hazmat.primitives import serialization

        dsa_key = dsa.generate_private_key(key_size=2048)
        return dsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                     serialization.NoEncryption()).decode()
    elif kind == "ecdsa":
        key = ec.generate_private_key(ec.SECP256R1())
    elif kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        return "Unknown type " + kind
    return _key_pem(key)


@gofunc(FUNCS, "htpasswd", "string", "string")
def _htpasswd(user: str, password: str) -> str:
    if ":" in user:
        return "invalid username: " + user
    return f"{user}:{_bcrypt(password)}"


def _bcrypt(password: str) -> str:
    import bcrypt

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=10, prefix=b"2a")).decode()


@gofunc(FUNCS, "bcrypt", "string")
def _bcrypt_func(password: str) -> str:
    return _bcrypt(password)


_TEMPLATES = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": ["CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
             "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
             "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
             "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
             "CvccCvcvCvccno"],
    "medium": ["CvcnoCvc", "CvcCvcno"], "short": ["Cvcn"], "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}
_CLASSES = {"V": "AEIOU", "C": "BCDFGHJKLMNPQRSTVWXYZ", "v": "aeiou", "c": "bcdfghjklmnpqrstvwxyz",
            "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ", "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
            "n": "0123456789", "o": "@&%?,=[]_:-+*$#!'^~;()/.",
            "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()"}


@gofunc(FUNCS, "derivePassword", "uint32", "string", "string", "string", "string")
def _derive_password(counter: int, password_type: str, password: str, user: str, site: str) -> str:
    """The Masterpassword algorithm as Sprig implements it."""
    templates = _TEMPLATES.get(password_type)
    if templates is None:
        return f"cannot find password template {password_type}"
    import hashlib as _hashlib

    scope = b"com.lyndir.masterpassword"
    salt = scope + struct.pack(">I", len(user)) + user.encode()
    key = _hashlib.scrypt(password.encode(), salt=salt, n=32768, r=8, p=2, dklen=64, maxmem=64 * 1024 * 1024)
    seed_input = scope + struct.pack(">I", len(site)) + site.encode() + struct.pack(">I", counter)
    seed = hmac.new(key, seed_input, hashlib.sha256).digest()
    template = templates[seed[0] % len(templates)]
    return "".join(_CLASSES[c][seed[i + 1] % len(_CLASSES[c])] for i, c in enumerate(template))


@gofunc(FUNCS, "encryptAES", "string", "string")
def _encrypt_aes(password: str, plaintext: str) -> str:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = password.encode().ljust(32, b"\x00")[:32]
    data = plaintext.encode()
    pad = 16 - len(data) % 16
    data += bytes([pad]) * pad
    iv = os.urandom(16)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(data) + encryptor.finalize()).decode()


@gofunc(FUNCS, "decryptAES", "string", "string")
def _decrypt_aes(password: str, encoded: str) -> str:
    """Sprig's decryptAES: the first block is the IV and the last byte says how much padding to cut, unchecked
    (Go panics where the input is too short or not whole blocks; the template reports the panic)."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    try:
        raw = gobase.b64decode(encoded)
    except gobase.CorruptInput as exc:
        raise FuncError(str(exc)) from None
    if len(raw) < 16:
        raise FuncError(f"runtime error: slice bounds out of range [:16] with capacity {len(raw)}")
    if len(raw) % 16:
        raise FuncError("crypto/cipher: input not full blocks")
    if len(raw) == 16:
        raise FuncError("runtime error: index out of range [-1]")
    key = password.encode().ljust(32, b"\x00")[:32]
    decryptor = Cipher(algorithms.AES(key), modes.CBC(raw[:16])).decryptor()
    data = decryptor.update(raw[16:]) + decryptor.finalize()
    if data[-1] > len(data):
        raise FuncError(f"runtime error: slice bounds out of range [:{len(data) - data[-1]}]")
    return data[:len(data) - data[-1]].decode("utf-8", errors="replace")


@gofunc(FUNCS, "randBytes", "int")
def _rand_bytes(count: int) -> str:
    if count < 0:
        raise FuncError("runtime error: makeslice: len out of range")
    return base64.b64encode(os.urandom(count)).decode()


@gofunc(FUNCS, "randInt", "int", "int")
def _rand_int(low: int, high: int) -> int:
    if high <= low:
        raise FuncError("invalid argument to Intn")
    return random.SystemRandom().randrange(low, high)

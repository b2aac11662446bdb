"""No secret value leaves pyhelm in any form: every stream and file of plan, apply, destroy, drift, promote and
graph, on success and on every error path, is searched for every spelling of every canary.

The spellings are computed here, independently of the redactor, so a form the redactor forgets is a failure.
"""
from __future__ import annotations

import base64
import contextlib
import gc
import io
import json
import urllib.parse
from pathlib import Path

import pytest
import yaml

from engine.cli.main import main
from engine.sandbox import Sandbox

TOKEN = "S3cr3t: it's-XYZ\\q"  # a quote, a colon and a backslash: YAML and JSON both quote and escape it
ROTATED = 'N3w-"t0ken": ok\\n'
NAME = "s3cr3t-canary-xyz"  # becomes an object name
BAD_NAME = "S3cr3t-Canary-XYZ"  # an object name the API server refuses, quoting it in its error
PEM = "-----BEGIN TEST KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7x9\n-----END TEST KEY-----"

CHART = {
    "Chart.yaml": "apiVersion: v2\nname: leaky\nversion: 0.1.0\n",
    "values.yaml": "token: ''\npem: ''\nnameFromToken: false\nfailWith: false\nschemaFail: false\n",
    "values.schema.json": json.dumps({  # with schemaFail, the token breaks the schema and its error quotes it
        "if": {"properties": {"schemaFail": {"const": True}}},
        "then": {"properties": {"token": {"pattern": "^only-this$"}}}}),
    "templates/configmap.yaml": """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ if .Values.nameFromToken }}{{ .Values.token }}{{ else }}{{ .Release.Name }}-settings{{ end }}
  annotations:
    token: {{ .Values.token | quote }}
data:
  token: {{ .Values.token | quote }}
  encoded: {{ .Values.token | b64enc }}
  basic: {{ printf "user:%s" .Values.token | b64enc }}
  json: {{ dict "t" .Values.token | toJson | quote }}
  yaml: {{ dict "t" .Values.token | toYaml | quote }}
  url: {{ urlquery .Values.token }}
  pem: {{ .Values.pem | quote }}
  pemblock: |
{{ .Values.pem | indent 4 }}
""",
    "templates/secret.yaml": """apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-credentials
stringData:
  token: {{ .Values.token | quote }}
data:
  encoded: {{ .Values.token | b64enc }}
""",
    "templates/fail.yaml": """{{ if .Values.failWith }}{{ fail (printf "refusing token %s" .Values.token) }}{{ end }}
""",
}

STACK = """apiVersion: pyhelm/v1
name: leaky
defaults: {namespace: leaky, createNamespace: true}
environments:
  dev: {}
  prod: {}
releases:
  - name: app
    chart: ./chart
    secretValues:
      token: {env: LEAK_TOKEN}
      pem: {file: secrets/key.pem}
  - name: named
    chart: ./chart
    values: {nameFromToken: true}
    secretValues:
      token: {env: LEAK_NAME}
"""


def _quotings(text: str) -> set[str]:
    """``text`` inside YAML single and double quotes and a JSON string, without the quotes."""
    return {text.replace("'", "''"), yaml.safe_dump(text, default_style='"', width=10**6).strip()[1:-1],
            json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1], repr(text)[1:-1]}


def spellings(secret: str) -> set[str]:
    """Ways a value can appear in text: as is, quoted (also inside a quoted document), line by line, base64
    (also embedded after a prefix), URL-encoded."""
    found = {secret} | ({line for line in secret.split("\n") if len(line) >= 6} if "\n" in secret else set())
    for _depth in range(2):
        found |= {quoted for text in found for quoted in _quotings(text)}
    found |= {base64.b64encode(secret.encode()).decode(), base64.urlsafe_b64encode(secret.encode()).decode(),
              base64.b64encode(f"user:{secret}".encode()).decode()[8:-4], urllib.parse.quote(secret, safe=""),
              urllib.parse.quote_plus(secret)}
    return {text for text in found if len(text) >= 4}


CANARIES = {name: spellings(value) for name, value in
            {"token": TOKEN, "rotated": ROTATED, "name": NAME, "bad name": BAD_NAME, "pem": PEM}.items()}


def leaks(text: str) -> list[str]:
    return [f"{name}: {form!r}" for name, forms in CANARIES.items() for form in forms if form in text]


def pyhelm(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(args))
    gc.enable()
    return status, out.getvalue() + err.getvalue()


@pytest.fixture
def leaky(tmp_path, monkeypatch):
    """(sandbox, stack path, outputs seen) for the leaky stack, its secrets in the environment and a file."""
    for rel, text in CHART.items():
        (tmp_path / "chart" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "chart" / rel).write_text(text)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "key.pem").write_text(PEM + "\n")
    (tmp_path / "stack.yaml").write_text(STACK)
    with Sandbox(ready=True) as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("LEAK_TOKEN", TOKEN)
        monkeypatch.setenv("LEAK_NAME", NAME)
        yield sandbox, str(tmp_path / "stack.yaml")


def _run(seen: list[str], *args: str) -> tuple[int, str]:
    status, text = pyhelm(*args)
    seen.append(f"$ pyhelm {' '.join(args)}\n{text}")
    return status, text


def test_no_output_of_any_command_shows_a_secret(leaky, tmp_path, monkeypatch) -> None:
    sandbox, stack = leaky
    seen: list[str] = []
    saved = tmp_path / "plan.json"
    assert _run(seen, "plan", "-f", stack, "-e", "dev", "--out", str(saved))[0] == 0
    _run(seen, "plan", "-f", stack, "-e", "dev", "-o", "json")
    status, text = _run(seen, "apply", "-f", stack, "-e", "dev", "--auto-approve")
    assert status == 0, text
    monkeypatch.setenv("LEAK_TOKEN", ROTATED)  # a rotated secret: old and new value both in the diff
    status, text = _run(seen, "plan", "-f", stack, "-e", "dev")
    assert "leaky/app" in text and "upgrade" in text and "(sensitive value, changed)" in text
    _run(seen, "plan", "-f", stack, "-e", "dev", "-o", "json", "--debug")
    kube_cm = sandbox.store.get(("", "configmaps"), "leaky", "app-settings")
    kube_cm["data"]["extra"] = "drifted"
    sandbox.store.put(("", "configmaps"), "leaky", "app-settings", kube_cm, "MODIFIED")
    _run(seen, "plan", "-f", stack, "-e", "dev", "--detect-drift")
    assert _run(seen, "apply", "-f", stack, "-e", "dev", "--auto-approve")[0] == 0
    _run(seen, "graph", "-f", stack, "-e", "dev")
    _run(seen, "promote", "-f", stack, "--from", "dev", "--to", "prod")
    Path(stack).write_text(STACK.replace("values: {nameFromToken: true}",
                                         "values: {nameFromToken: true, failWith: true}"))
    assert _run(seen, "plan", "-f", stack, "-e", "dev", "--debug")[0] == 1  # the chart's fail message
    assert _run(seen, "apply", "-f", stack, "-e", "dev", "--auto-approve", "--debug")[0] == 1
    Path(stack).write_text(STACK.replace("values: {nameFromToken: true}",
                                         "values: {nameFromToken: true, schemaFail: true}"))
    status, text = _run(seen, "plan", "-f", stack, "-e", "dev", "--debug")  # values.schema.json's error
    assert status == 1 and "only-this" in text, text
    Path(stack).write_text(STACK)
    monkeypatch.setenv("LEAK_NAME", BAD_NAME)  # the API server refuses the name and quotes it
    status, text = _run(seen, "apply", "-f", stack, "-e", "dev", "--auto-approve", "--debug")
    assert status == 1, text
    assert _run(seen, "destroy", "-f", stack, "-e", "dev", "--auto-approve")[0] == 0
    everything = "\n".join(seen) + saved.read_text()
    assert leaks(everything) == [], everything


def test_a_short_secret_is_refused_with_its_source(leaky, monkeypatch) -> None:
    _sandbox, stack = leaky
    monkeypatch.setenv("LEAK_NAME", "abc")
    status, text = pyhelm("plan", "-f", stack, "-e", "dev")
    assert status == 1
    assert "secret value from environment variable LEAK_NAME: a secret value must be at least 4 characters" in text


def test_a_secret_only_change_is_an_upgrade_that_names_the_key(leaky, monkeypatch) -> None:
    _sandbox, stack = leaky
    assert pyhelm("apply", "-f", stack, "-e", "dev", "--auto-approve")[0] == 0
    monkeypatch.setenv("LEAK_TOKEN", ROTATED)
    status, text = pyhelm("plan", "-f", stack, "-e", "dev", "-o", "json")
    plan = {release["id"]: release for release in json.loads(text)["releases"]}
    assert plan["leaky/app"]["action"] == "upgrade" and "values changed" in plan["leaky/app"]["reasons"]
    assert "+token: (sensitive value, changed)" in plan["leaky/app"]["values_diff"]
    assert plan["leaky/named"]["action"] == "unchanged"
    secret_diffs = [c["diff"] for c in plan["leaky/app"]["changes"] if c["object"].startswith("Secret ")]
    assert secret_diffs and all("(sensitive value, changed)" in diff for diff in secret_diffs)
    config_map = next(c["diff"] for c in plan["leaky/app"]["changes"] if "ConfigMap" in c["object"])
    assert "-  token: '(sensitive value)'" in config_map or "-  token: (sensitive value)" in config_map
    assert "(sensitive value, changed)" in config_map
    assert leaks(text) == []


def test_reading_a_stack_release_masks_its_secrets_unless_asked(leaky, helm) -> None:
    import os
    import subprocess

    _sandbox, stack = leaky
    assert pyhelm("apply", "-f", stack, "-e", "dev", "--auto-approve")[0] == 0
    for args in (("get", "values", "app"), ("get", "values", "app", "-o", "json"), ("get", "all", "app"),
                 ("get", "manifest", "app"), ("status", "app", "-o", "yaml")):
        status, text = pyhelm(*args, "-n", "leaky")
        assert status == 0 and leaks(text) == [] and "(sensitive value)" in text, (args, text)
    status, text = pyhelm("get", "values", "app", "-n", "leaky", "-o", "json", "--show-secrets")
    assert status == 0 and json.loads(text) == {"pem": PEM, "token": TOKEN}
    by_helm = subprocess.run([helm, "get", "values", "app", "-n", "leaky", "-o", "json"], capture_output=True,
                             text=True, env=os.environ)
    assert json.loads(by_helm.stdout) == {"pem": PEM, "token": TOKEN}  # the record keeps the values, as helm's

"""Running the CLIs and reading the release records a sandbox stores."""
from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
from pathlib import Path

from engine.sandbox import Sandbox

DEMO = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"
PYHELM = [sys.executable, "-m", "engine.cli.main"]


def run(argv: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)


def record(sandbox: Sandbox, name: str, version: int, namespace: str = "default") -> tuple[dict, dict]:
    """(decoded release JSON, labels) of a stored release Secret."""
    secret = sandbox.store.get(("", "secrets"), namespace, f"sh.helm.release.v1.{name}.v{version}")
    assert secret is not None and secret["type"] == "helm.sh/release.v1"
    payload = gzip.decompress(base64.b64decode(base64.b64decode(secret["data"]["release"])))
    return json.loads(payload), secret["metadata"]["labels"]


def statuses(name: str, env: dict) -> list[tuple[int, str]]:
    """(revision, status) of every stored revision, through ``pyhelm history``."""
    listed = run([*PYHELM, "history", name, "-o", "json"], env)
    return [(h["revision"], h["status"]) for h in json.loads(listed.stdout)] if listed.returncode == 0 else []


def write_chart(root: Path, name: str, templates: dict[str, str], values: str = "") -> Path:
    """A minimal chart ``root``/``name`` (version 0.1.0) with the given template files and values.yaml."""
    chart = root / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    if values:
        (chart / "values.yaml").write_text(values)
    for file_name, text in templates.items():
        (chart / "templates" / file_name).write_text(text)
    return chart


def stored_statuses(sandbox: Sandbox, name: str, namespace: str = "default") -> list[tuple[int, str]]:
    """(revision, status) of every record the sandbox stores for release ``name``, oldest first (read from
    the store, so it works whatever state a killed or failed client left)."""
    records = [s["metadata"]["labels"] for s in sandbox.store.items(("", "secrets"), namespace)
               if s["metadata"]["labels"].get("name") == name]
    return sorted((int(labels["version"]), labels["status"]) for labels in records)


def write_round_chart(root: Path) -> Path:
    """Chart ``root``/note: one ConfigMap, named after the release, holding ``.Values.round``."""
    return write_chart(root, "note", {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                                 "  name: {{ .Release.Name }}\ndata:\n"
                                                 "  round: {{ .Values.round | quote }}\n"})

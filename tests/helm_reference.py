"""Access to the reference helm binary for tests that compare pyhelm with Helm v4.

``helm_binary()`` finds it (``PYHELM_REFERENCE_HELM`` when set, and then only that; otherwise
``.cache/reference-bin/helm``, fetched with ``../shared/tools/get-helm`` when that tool is present) or returns
None; tests take it through the ``helm`` fixture, which skips or, under CI, fails with the reason.
``helm_render_notes()`` renders one template snippet through Helm's real engine by placing it in the
NOTES.txt of a throw-away chart and running ``helm install --dry-run=client``.
"""
from __future__ import annotations

import functools
import os
import subprocess
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BEGIN, END = "<<<BEGIN>>>", "<<<END>>>"


@functools.cache
def _find_helm() -> tuple[str | None, str]:
    """(path of the reference helm, or None; why it is missing)."""
    chosen = os.environ.get("PYHELM_REFERENCE_HELM", "")
    if chosen:  # an explicit choice is final: no fallback to another binary
        if os.path.isfile(chosen) and os.access(chosen, os.X_OK):  # (a directory is "executable" too)
            return chosen, ""
        return None, f"PYHELM_REFERENCE_HELM={chosen} is not an executable"
    cached = ROOT / ".cache" / "reference-bin" / "helm"
    if os.access(cached, os.X_OK):
        return str(cached), ""
    get_helm = SHARED / "tools" / "get-helm"
    if not get_helm.exists():
        return None, (f"PYHELM_REFERENCE_HELM is not set, {cached} does not exist and {get_helm} is not beside "
                      "the checkout to fetch it")
    result = subprocess.run(["bash", str(get_helm), str(cached.parent)], capture_output=True, text=True)
    if result.returncode == 0 and os.access(cached, os.X_OK):
        return str(cached), ""
    return None, f"{get_helm} could not fetch it: {result.stderr.strip()[-300:]}"


def helm_binary() -> str | None:
    """Path of the reference helm binary, or None when it cannot be had here."""
    return _find_helm()[0]


def helm_unavailable_reason() -> str:
    """Why :func:`helm_binary` found nothing (empty when it found helm)."""
    return _find_helm()[1]


def helm_render_notes(template: str, values: dict | None = None, set_args: tuple[str, ...] = (),
                      files: dict[str, str] | None = None) -> tuple[int, str]:
    """Render ``template`` with helm; returns (exit status, rendered text or helm's error text).

    The template is rendered as ``c/templates/NOTES.txt`` of chart ``c`` (release ``x``, namespace
    ``default``); ``values`` become its values.yaml, ``files`` extra chart files (path → text).
    """
    helm = helm_binary()
    if helm is None:
        raise RuntimeError("reference helm binary not available")
    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "c"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
        (chart / "values.yaml").write_text(yaml.safe_dump(values or {}))
        (chart / "templates" / "NOTES.txt").write_text(BEGIN + template + END)
        for rel, text in (files or {}).items():
            (chart / rel).parent.mkdir(parents=True, exist_ok=True)
            (chart / rel).write_text(text)
        argv = [helm, "install", "x", str(chart), "--dry-run=client"]
        for item in set_args:
            argv += ["--set", item]
        result = subprocess.run(argv, capture_output=True, encoding="utf-8", errors="replace",  # Go may cut a
                                env={**os.environ, "HOME": tmp})  # character in two (substr, trunc)
    if result.returncode != 0:  # the error text, without helm's log lines
        return result.returncode, "\n".join(l for l in result.stderr.splitlines() if not l.startswith("level="))
    out = result.stdout
    return 0, out[out.index(BEGIN) + len(BEGIN):out.rindex(END)]

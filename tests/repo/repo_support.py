"""Helpers for repository tests: packaging the demo chart and running pyhelm and helm."""
from __future__ import annotations

import contextlib
import gc
import io
import subprocess
import sys
from pathlib import Path

from engine.chart.package import package_chart
from engine.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "charts" / "demo"
DEMO_VERSIONS = ("0.1.0", "0.2.0", "0.3.0", "1.0.0-rc.1")


def package_demo(dest: Path, version: str) -> Path:
    """The demo chart packaged at ``version`` into ``dest``."""
    return package_chart(DEMO, dest, version=version)


def pyhelm(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the pyhelm command in this process (as the console script does) and capture its output."""
    out, err = io.StringIO(), io.StringIO()
    saved_stdin, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(list(args))
    finally:
        sys.stdin = saved_stdin
        gc.enable()  # main() turns the collector off for its short-lived process
    return subprocess.CompletedProcess(["pyhelm", *args], status, out.getvalue(), err.getvalue())


def run_helm(helm: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([helm, *args], capture_output=True, text=True)

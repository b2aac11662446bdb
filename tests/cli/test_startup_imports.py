"""Commands that do not talk to a cluster or the network import none of the slow libraries."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLOW = ("kubernetes", "cryptography", "requests", "urllib3", "jsonschema", "deepdiff", "networkx", "jinja2")
PROBE = "import sys, io, contextlib\nfrom engine.cli.main import main\nwith contextlib.redirect_stdout(io.StringIO()):\n" \
        "    status = main(sys.argv[1:])\nprint(status, ' '.join(sorted(name.split('.')[0] for name in sys.modules)))"


@pytest.mark.parametrize("args", [("version",), ("--help",), ("template", "x", str(ROOT / "examples/charts/demo")),
                                  ("show", "chart", str(ROOT / "examples/charts/demo"))])
def test_offline_commands_import_no_slow_library(args) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PYTHONPATH": str(ROOT)})
    status, modules = done.stdout.strip().split(" ", 1)
    assert status == "0", done.stderr
    assert sorted(set(SLOW) & set(modules.split())) == []

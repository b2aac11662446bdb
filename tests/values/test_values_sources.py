"""Values files read from standard input (``-f -``) and from an http URL give the values helm v4.1.4 gives."""
from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VALUES = "from: source\nnested: {n: 1}\n"
TEMPLATE = "out: '{{ toJson .Values }}'\n"


@pytest.fixture
def chart(tmp_path: Path) -> Path:
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("default: kept\nnested: {d: 2}\n")
    (chart / "templates" / "out.yaml").write_text(TEMPLATE)
    return chart


@pytest.fixture
def values_url(tmp_path: Path):
    """The URL of a values file served over http on the loopback interface."""
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / "values.yaml").write_text(VALUES)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path / "served"), **kwargs)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/values.yaml"
    server.shutdown()
    thread.join()


def _template(program: list[str], chart: Path, flags: list[str], stdin: str = "") -> tuple[int, str]:
    done = subprocess.run([*program, "template", "x", str(chart), *flags], input=stdin, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return done.returncode, done.stdout


PYHELM = [sys.executable, "-m", "engine.cli.main"]


def test_values_from_standard_input_as_helm_reads_them(chart, helm) -> None:
    ours = _template(PYHELM, chart, ["-f", "-"], VALUES)
    assert ours == _template([helm], chart, ["-f", "-"], VALUES)
    assert '"from":"source"' in ours[1]


def test_values_from_a_url_as_helm_reads_them(chart, values_url, helm) -> None:
    ours = _template(PYHELM, chart, ["-f", values_url])
    assert ours == _template([helm], chart, ["-f", values_url])
    assert '"from":"source"' in ours[1]

"""The console script ends without the interpreter's teardown; everything an ordinary exit does that anyone
can see must still happen: output flushed, exit handlers run, the exit status kept, running threads waited for."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _console(script: str, *argv: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """``script`` runs first, then the console script's entry point with ``argv``."""
    code = f"import sys\n{script}\nsys.argv = ['pyhelm', *{list(argv)!r}]\nfrom engine.cli.main import run\nrun()\n"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # output buffered, as usual
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_output_exit_handlers_and_status_survive_the_quick_exit(tmp_path: Path) -> None:
    marker = tmp_path / "handler-ran"
    script = (f"import atexit, pathlib\natexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
              "atexit.register(sys.stdout.write, 'written by an exit handler\\n')")
    result = _console(script, "version", "--short")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("v") and result.stdout.endswith("\nwritten by an exit handler\n")
    assert marker.read_text() == "yes"
    failed = _console("", "template", "rel", str(tmp_path / "no-such-chart"))
    assert failed.returncode == 1 and "no-such-chart" in failed.stderr


def test_a_large_render_reaches_a_pipe_whole(tmp_path: Path) -> None:
    chart = tmp_path / "big"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: big\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "{{ range until 3000 }}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{{ . }}\n"
        "data:\n  filler: {{ repeat 200 \"x\" | quote }}\n{{ end }}")
    result = _console("", "template", "rel", str(chart))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("kind: ConfigMap") == 3000 and result.stdout.endswith('x"\n')


def test_a_thread_still_running_is_waited_for(tmp_path: Path) -> None:
    marker = tmp_path / "thread-finished"
    script = (f"import threading, time, pathlib\n"
              f"threading.Thread(target=lambda: (time.sleep(0.5), pathlib.Path({str(marker)!r}).write_text('done'))"
              f").start()")
    result = _console(script, "version")
    assert result.returncode == 0, result.stderr
    assert marker.read_text() == "done"


def test_a_profiled_run_still_writes_its_profile(tmp_path: Path) -> None:
    """``python -m cProfile -m engine.cli.main …`` (bench/stack_plan.py --profile) reports after main returns."""
    profile = tmp_path / "version.prof"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    result = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "engine.cli.main",
                             "version"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert profile.stat().st_size > 0

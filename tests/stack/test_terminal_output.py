"""How plans and runs look where they land: coloured on a terminal (unless --no-color, NO_COLOR or TERM=dumb;
FORCE_COLOR asks for colour anywhere), plain in pipes and CI logs; `--context N`; a failed run says failed."""
from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli.terminal import Progress, Style, detect_style
from stack.test_plan_apply import TOKEN, pyhelm, shop  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
GREEN_INSTALL = re.compile(r"\x1b\[32m  \+ shop/api +install")


def _run_pyhelm(args: list[str], env: dict[str, str], terminal: bool) -> str:
    """pyhelm as a separate process whose stdout is a pseudo-terminal or a pipe; what it printed."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    full_env = {**inherited, "PYTHONPATH": str(ROOT), **env}
    command = [sys.executable, "-m", "engine.cli.main", *args]
    if not terminal:
        done = subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout
    leader, follower = pty.openpty()
    process = subprocess.Popen(command, env=full_env, stdout=follower, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the process exits
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0, process.stderr.read()
    process.stderr.close()
    return b"".join(chunks).decode()


@pytest.mark.parametrize("terminal, env, flags, coloured", [
    (True, {"TERM": "xterm"}, [], True),
    (True, {"TERM": "xterm"}, ["--no-color"], False),
    (True, {"TERM": "xterm", "NO_COLOR": "1"}, [], False),
    (True, {"TERM": "dumb"}, [], False),
    (False, {"TERM": "xterm"}, [], False),
    (False, {"TERM": "xterm", "FORCE_COLOR": "1"}, [], True),
])
def test_a_plan_is_coloured_only_where_colour_is_wanted(shop, terminal, env, flags, coloured) -> None:  # noqa: F811
    _sandbox, stack = shop
    out = _run_pyhelm(["plan", "-f", stack, "-e", "staging", *flags], env, terminal)
    assert "shop/api" in out and "Plan: 4 to install" in out
    assert bool(GREEN_INSTALL.search(out)) is coloured, out
    if not coloured:
        assert not ANSI.search(out), out


def test_diff_lines_are_coloured_and_context_is_chosen(shop, monkeypatch) -> None:  # noqa: F811
    _sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    monkeypatch.setenv("FORCE_COLOR", "1")
    _status, out, _err = pyhelm("plan", "-f", stack, "-e", "prod")
    assert "\x1b[32m+replicaCount: 3" in out and "\x1b[31m-replicaCount: 1" in out
    assert "\x1b[1mPlan: 0 to install, 3 to upgrade" in out
    monkeypatch.delenv("FORCE_COLOR")
    _status, wide, _err = pyhelm("plan", "-f", stack, "-e", "prod", "--context", "8")
    _status, narrow, _err = pyhelm("plan", "-f", stack, "-e", "prod", "--context", "0")
    assert not ANSI.search(wide + narrow)

    def unchanged_lines(text: str) -> int:  # context lines of the diffs: indented, neither + nor -
        return sum(1 for line in text.splitlines() if line.startswith("         ") and line.strip())

    assert unchanged_lines(narrow) == 0 < unchanged_lines(out) < unchanged_lines(wide)
    assert "+replicaCount: 3" in narrow


def test_a_run_with_a_failure_says_it_failed(shop, monkeypatch) -> None:  # noqa: F811
    sandbox, stack = shop
    sandbox.fail_next("PATCH", r"/deployments/api-demo", status=422, count=1)
    monkeypatch.setenv("FORCE_COLOR", "1")
    status, out, _err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 1 and "complete" not in out.splitlines()[-3]
    assert "\x1b[31m\x1b[1mApply failed: 2 done, 1 failed, 1 skipped, 0 unchanged." in out
    assert re.search(r"\x1b\[31m\[ *[0-9.]+s\] shop/api: FAILED", out), out


def _log_of(quiet_seconds: float) -> list[str]:
    """The log lines of one upgrade that waits through three polls."""
    stdout = io.StringIO()
    sys_stdout, sys.stdout = sys.stdout, stdout
    try:
        with Progress(Style(color=False, live=False), quiet_seconds=quiet_seconds) as progress:
            progress.event("shop/api", "upgrade started")
            for ready in range(3):
                progress.event("shop/api", f"waiting: {ready}/3 ready")
            progress.event("shop/api", "upgraded to revision 2")
    finally:
        sys.stdout = sys_stdout
    lines = stdout.getvalue().splitlines()
    assert all(re.match(r"\[ *[0-9.]+s\] shop/api: ", line) for line in lines), lines
    return [line.split("] ", 1)[1] for line in lines]


def test_waiting_news_is_thinned_out_in_logs() -> None:
    """In a log, a release's "waiting" news is printed at most once per quiet period; every start and result
    is printed, timestamped."""
    assert _log_of(3600) == ["shop/api: upgrade started", "shop/api: upgraded to revision 2"]
    assert _log_of(0) == ["shop/api: upgrade started", *(f"shop/api: waiting: {n}/3 ready" for n in range(3)),
                          "shop/api: upgraded to revision 2"]


def test_style_follows_the_conventions(monkeypatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    assert detect_style(stream=Terminal()) == Style(color=True, live=True)
    assert detect_style(stream=io.StringIO()) == Style(color=False, live=False)
    assert detect_style(no_color=True, stream=Terminal()) == Style(color=False, live=True)
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: set and not empty, whatever its value
    assert detect_style(stream=Terminal()).color is True
    monkeypatch.setenv("NO_COLOR", "0")
    assert detect_style(stream=Terminal()).color is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert detect_style(stream=Terminal()) == Style(color=False, live=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert detect_style(stream=io.StringIO()).color is True


def test_an_apply_on_a_terminal_shows_each_result_above_its_live_progress(shop) -> None:  # noqa: F811
    sandbox, stack = shop
    out = _run_pyhelm(["apply", "-f", stack, "-e", "staging", "--auto-approve"], {"TERM": "xterm"}, True)
    plain = ANSI.sub("", out)
    for release in ("shop/cache", "shop/api", "shop/web", "ops/status"):
        assert re.search(rf"\[ *[0-9.]+s\] {release}: installed as revision 1", plain), plain
    assert "Apply complete: 4 done, 0 failed, 0 skipped, 0 unchanged." in plain
    assert sandbox.store.get(("", "secrets"), "shop", "sh.helm.release.v1.web.v1") is not None

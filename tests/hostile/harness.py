"""Running hostile inputs through pyhelm (bounded worker processes) and helm, and judging the outcomes.

A Case is a directory of files plus the pyhelm arguments to run in it (and helm's, where helm decides
the expected outcome). ``run_cases`` gives every case an Outcome; ``problems`` lists what the issue's
targets forbid: internal errors, tracebacks, crashes, runs over 20 s or 500 MB, files written outside the
case's directory, and (for chart and values inputs) accepting what helm refuses or the reverse.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# the checkout whose engine runs (another one's, to show what these tests catch there)
ENGINE_ROOT = Path(os.environ.get("PYHELM_UNDER_TEST") or ROOT)
TIME_LIMIT = 20.0
MEMORY_LIMIT_MB = 500.0
ESCAPE_MARK = "ESCAPED-BY-PYHELM"  # hostile archives and stacks try to create files with this name


@dataclass
class Case:
    name: str
    kind: str  # chart, values, set, stack, lint
    files: dict[str, bytes]
    argv: list[str]
    helm_argv: list[str] | None = None  # None: helm has no say (stack files)
    directory: Path | None = None


@dataclass
class Outcome:
    status: int | None
    stdout: str = ""
    stderr: str = ""
    seconds: float = 0.0
    peak_mb: float = 0.0
    timed_out: bool = False
    helm_status: int | None = None
    helm_stderr: str = ""
    escaped: list[str] = field(default_factory=list)


def materialize(case: Case, root: Path) -> None:
    case.directory = root / case.name
    for relative, data in case.files.items():
        target = case.directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    case.directory.mkdir(parents=True, exist_ok=True)


def sandbox_env(root: Path) -> dict[str, str]:
    """An environment whose home, temporary and cache folders are inside ``root``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HELM_", "PYHELM_", "XDG_"))}
    for name in ("home", "tmp", "cache", "config", "data"):
        (root / name).mkdir(exist_ok=True)
    env.update(HOME=str(root / "home"), TMPDIR=str(root / "tmp"), XDG_CACHE_HOME=str(root / "cache"),
               XDG_CONFIG_HOME=str(root / "config"), XDG_DATA_HOME=str(root / "data"),
               PYHELM_CACHE_HOME=str(root / "cache" / "pyhelm"), KUBECONFIG=str(root / "no-kubeconfig"),
               PYTHONPATH=str(ENGINE_ROOT), HELM_CACHE_HOME=str(root / "cache" / "helm"),
               HELM_CONFIG_HOME=str(root / "config" / "helm"), HELM_DATA_HOME=str(root / "data" / "helm"))
    return env


class _Worker:
    """One worker process; ``run`` answers a job or, past the time limit, kills the worker."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).with_name("worker.py"))],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                                        cwd=env["HOME"])

    def run(self, case: Case) -> Outcome:
        start = time.perf_counter()
        self.process.stdin.write(json.dumps({"cwd": str(case.directory), "argv": case.argv}) + "\n")
        self.process.stdin.flush()
        answer: list[str] = []
        reader = threading.Thread(target=lambda: answer.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(TIME_LIMIT * 1.5)
        if not answer or not answer[0]:
            self.process.kill()
            self.process.wait()
            crashed = self.process.returncode
            timed_out = not answer
            return Outcome(status=None, seconds=time.perf_counter() - start, timed_out=timed_out,
                           stderr=f"worker ended with status {crashed}")
        data = json.loads(answer[0])
        return Outcome(status=data["status"], stdout=data["stdout"], stderr=data["stderr"],
                       seconds=data["seconds"], peak_mb=data["peak_mb"])

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive():
            self.process.stdin.close()
            self.process.wait(timeout=30)


def _pyhelm_outcomes(cases: list[Case], env: dict[str, str]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    worker = _Worker(env)
    try:
        for case in cases:
            outcome = worker.run(case)
            outcomes.append(outcome)
            if not worker.alive() or outcome.peak_mb > MEMORY_LIMIT_MB:
                worker.close()
                worker = _Worker(env)  # a fresh process, so the next input's memory is its own
    finally:
        worker.close()
    return outcomes


def _helm_outcome(helm: str, case: Case, env: dict[str, str]) -> tuple[int | None, str]:
    try:
        result = subprocess.run([helm, *case.helm_argv], cwd=case.directory, env=env, capture_output=True,
                                text=True, errors="replace", timeout=TIME_LIMIT * 3)
    except subprocess.TimeoutExpired:
        return None, "helm timed out"
    return result.returncode, result.stderr


def run_cases(cases: list[Case], root: Path, helm: str | None) -> tuple[list[Outcome], list[str]]:
    """Every case's outcome with pyhelm and, where it has a say and is available, with helm; and what
    appeared beside ``root`` meanwhile (nothing should: every run stays inside its case's folder)."""
    root.mkdir(parents=True, exist_ok=True)
    for case in cases:
        materialize(case, root)
    env = sandbox_env(root)
    before = set(os.listdir(root.parent))
    with ThreadPoolExecutor(max_workers=2) as pool:
        helm_futures = [pool.submit(_helm_outcome, helm, case, env) if helm and case.helm_argv else None
                        for case in cases]
        outcomes = _pyhelm_outcomes(cases, env)
        for outcome, future in zip(outcomes, helm_futures):
            if future is not None:
                outcome.helm_status, outcome.helm_stderr = future.result()
    marks = _escape_marks(root)
    for case, outcome in zip(cases, outcomes):
        outcome.escaped = [str(path) for path in marks if case.name in path.name]
    return outcomes, sorted(set(os.listdir(root.parent)) - before)


def _escape_marks(root: Path) -> list[Path]:
    """Files named with the escape mark outside the case folders: beside them, in the shared home and
    temporary folders, in /tmp."""
    found = []
    for base in (root, root.parent, root / "home", root / "tmp", Path("/tmp")):
        try:
            found.extend(path for path in base.iterdir() if ESCAPE_MARK in path.name)
        except OSError:
            continue
    return found


def problems(case: Case, outcome: Outcome, compare_with_helm: bool = True) -> list[str]:
    """What is wrong with one outcome, per the issue's targets (empty when nothing is)."""
    found = []
    text = outcome.stdout + outcome.stderr
    if outcome.timed_out:
        found.append(f"no answer within {TIME_LIMIT * 1.5:.0f} s")
    elif outcome.status is None:
        found.append(f"crashed ({outcome.stderr})")
    elif outcome.status not in (0, 1):
        found.append(f"exit status {outcome.status}")
    if "internal error" in text:
        found.append("internal error: " + _line_with(text, "internal error"))
    if "Traceback (most recent call last)" in text:
        found.append("traceback")
    if "Aborted!" in text:
        found.append("Aborted!")
    if "re2.cc" in text or "absl::InitializeLog" in text:
        found.append("regex library log lines on stderr")
    if outcome.seconds > TIME_LIMIT:
        found.append(f"took {outcome.seconds:.1f} s")
    if outcome.peak_mb > MEMORY_LIMIT_MB:
        found.append(f"used {outcome.peak_mb:.0f} MB")
    if outcome.escaped:
        found.append(f"wrote outside its directory: {outcome.escaped}")
    if compare_with_helm and outcome.helm_status is not None and outcome.status is not None:
        if (outcome.status == 0) != (outcome.helm_status == 0):
            found.append(f"pyhelm exit {outcome.status}, helm exit {outcome.helm_status}: pyhelm said "
                         f"{_first_error(outcome.stderr)!r}, helm said {_first_error(outcome.helm_stderr)!r}")
    return found


def _line_with(text: str, needle: str) -> str:
    return next((line for line in text.splitlines() if needle in line), "")[:300]


def _first_error(text: str) -> str:
    return (_line_with(text, "Error") or text.strip()[:200])[:300]


def clean(root: Path) -> None:
    shutil.rmtree(root, ignore_errors=True)

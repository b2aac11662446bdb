#!/usr/bin/env python3
"""Time and memory of pyhelm and helm on the hostile inputs of issue 15 that used to hang or blow up.

usage: python3 bench/hostile_inputs.py [--before CHECKOUT] [--helm PATH] [--timeout SECONDS]
Runs each input once per tool as a subprocess and prints seconds and peak resident memory (GNU time). ``--before``
runs a second pyhelm checkout too (an older commit's tree), to show what changed; a run over the
timeout is killed and shown as such. The inputs are the fixed attacks of tests/hostile plus two archives
built here: one with a 2 GiB member and one with 30,000 members.
"""
from __future__ import annotations

import argparse
import gzip
import io
import os
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helm_reference import helm_binary  # noqa: E402
from hostile.harness import Case, materialize, sandbox_env  # noqa: E402
from hostile.inputs import CHART_YAML, fixed_attacks  # noqa: E402

CHOSEN = ("schema-backtracking-pattern", "values-alias-bomb", "template-fromyaml-alias-bomb", "template-shuffle-20m",
          "values-deep-nesting", "stack-billion-laughs", "stack-comments-20mb", "stack-100k-environments",
          "stack-jinja-nested-loops", "stack-deep-nesting")


class _Zeros:
    """A file-like source of ``size`` zero bytes, so a huge member streams into the archive."""

    def __init__(self, size: int):
        self.left = size

    def read(self, count: int = -1) -> bytes:
        count = self.left if count < 0 else min(count, self.left)
        self.left -= count
        return bytes(count)


def _archive(path: Path, members: list[tuple[str, int, bytes | None]]) -> None:
    with open(path, "wb") as out, gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as compressed:
        with tarfile.open(fileobj=compressed, mode="w|") as archive:
            for name, size, data in members:
                info = tarfile.TarInfo(name)
                info.size = size
                archive.addfile(info, _Zeros(size) if data is None else io.BytesIO(data))


def archive_cases(folder: Path) -> list[Case]:
    """A chart archive with a 2 GiB member, and one with 30,000 one-byte members."""
    folder.mkdir(parents=True, exist_ok=True)
    big, many = folder / "big.tgz", folder / "many.tgz"
    _archive(big, [("big/Chart.yaml", len(CHART_YAML), CHART_YAML), ("big/files/huge.bin", 2 * 1024 ** 3, None)])
    _archive(many, [("many/Chart.yaml", len(CHART_YAML), CHART_YAML)]
             + [(f"many/files/f{i}.txt", 1, b"x") for i in range(30000)])
    return [Case(f"archive-{path.stem}", "chart", {}, ["template", "x", str(path)], ["template", "x", str(path)])
            for path in (big, many)]


MEMORY_CAP = 4 * 1024 ** 3  # an input that would take more fails instead of taking the machine down


def _memory_cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def measure(argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[str, float]:
    """(seconds or 'killed', peak MB) of one run; GNU time reports the peak (a forked child's own counter
    would start at this process's size)."""
    start = time.perf_counter()
    process = subprocess.Popen(["/usr/bin/time", "-f", "%M", *argv], cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=_memory_cap)
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return f">{timeout:.0f} (killed)", float("nan")
    seconds = time.perf_counter() - start
    lines = err.strip().splitlines()
    kilobytes = float(lines[-1]) if lines and lines[-1].isdigit() else float("nan")
    return f"{seconds:.2f}", kilobytes / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="another pyhelm checkout to time as well")
    parser.add_argument("--helm", default=None)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    helm = args.helm or helm_binary()
    work = Path(tempfile.mkdtemp(prefix="hostile-bench-"))
    try:
        attacks = {attack.case.name: attack.case for attack in fixed_attacks()}
        cases = [attacks[name] for name in CHOSEN] + archive_cases(work / "archives")
        for case in cases:
            materialize(case, work / "cases")
        tools = [("pyhelm", ROOT)] + ([("before", Path(args.before))] if args.before else [])
        print(f"{'input':32} " + " ".join(f"{name + ' s':>16} {'MB':>6}" for name, _ in tools)
              + (f" {'helm s':>10} {'MB':>6}" if helm else ""))
        for case in cases:
            row = f"{case.name:32} "
            for _name, checkout in tools:
                env = {**sandbox_env(work), "PYTHONPATH": str(checkout)}
                seconds, megabytes = measure([sys.executable, "-m", "engine.cli.main", *case.argv], case.directory,
                                             env, args.timeout)
                row += f"{seconds:>16} {megabytes:6.0f} "
            if helm and case.helm_argv:
                seconds, megabytes = measure([helm, *case.helm_argv], case.directory, sandbox_env(work),
                                             args.timeout)
                row += f"{seconds:>10} {megabytes:6.0f}"
            print(row, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

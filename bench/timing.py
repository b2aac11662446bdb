"""Timing one command of a benchmark."""
from __future__ import annotations

import subprocess
import time


def timed(argv: list[str], env: dict) -> float:
    """Seconds one run of ``argv`` takes; a failure stops the benchmark with the command's output."""
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} failed ({result.returncode}): "
                         f"{(result.stdout + result.stderr)[-1500:]}")
    return time.perf_counter() - start

"""A worker process running pyhelm commands in-process, one JSON job per line on stdin.

Each job is ``{"cwd": ..., "argv": [...]}``; the answer line holds the exit status, the seconds taken, the
process's peak resident memory so far (MB) and what the command wrote to file descriptors 1 and 2 (so C
libraries' own writes are caught too). Running many inputs in one process keeps the fuzz test fast; the
parent's watchdog kills a worker whose job overruns and starts another.
"""
from __future__ import annotations

import gc
import json
import os
import resource
import sys
import tempfile
import time

MEMORY_CAP = 3 * 1024 ** 3  # address space, so a runaway input fails here instead of swapping the machine


def _run(job: dict, main) -> dict:
    os.chdir(job["cwd"])
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        saved = os.dup(1), os.dup(2)
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        start = time.perf_counter()
        try:
            status = main(job["argv"])
        except BaseException as exc:  # what escapes main() is what a user would see as a traceback
            import traceback

            traceback.print_exception(exc)
            status = 99
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            seconds = time.perf_counter() - start
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    gc.enable()
    gc.collect()
    return {"status": status, "seconds": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "stdout": _excerpt(stdout), "stderr": _excerpt(stderr)}


def _excerpt(data: bytes) -> str:
    """The start and the end of a command's output (enough for its Error line and any traceback)."""
    if len(data) > 12000:
        data = data[:8000] + b"\n[...]\n" + data[-4000:]
    return data.decode("utf-8", "replace")


def serve() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    from engine.cli.main import main

    answers = os.fdopen(os.dup(1), "w")
    sys.stdin.reconfigure(encoding="utf-8")
    for line in sys.stdin:
        answers.write(json.dumps(_run(json.loads(line), main)) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()

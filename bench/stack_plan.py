#!/usr/bin/env python3
"""Plan and apply synthetic stacks of N releases on the sandbox; print seconds and peak memory.

usage: python3 bench/stack_plan.py [--sizes 10,100,500] [--namespaces 10] [--latency-ms 3] [--runs 3]
                                   [--profile DIR] [--code DIR]
Each size: a stack of N releases of the demo chart (a chain of needs every 10 releases) spread over
namespaces; `pyhelm apply` installs them all, then a no-change `pyhelm plan` runs. Every command is one
pyhelm process. The sandbox answers every request after --latency-ms (a real API server's round trip; 0
by default). Printed: seconds of the apply and of the plan, the plan's peak memory (maximum resident set
size), and the requests the plan sent (in all, release-record lists, discovery). The plan's seconds are the
best of --runs runs. --profile DIR writes a cProfile of each size's plan to DIR/plan-N.prof. --code DIR times
the pyhelm of another checkout (e.g. an export of main, for before/after figures) on this bench's sandbox.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from timing import timed  # noqa: E402
DEMO = ROOT / "examples" / "charts" / "demo"


def write_stack(path: Path, size: int, namespaces: int) -> None:
    lines = ["apiVersion: pyhelm/v1", "name: bench", "defaults: {createNamespace: true}", "releases:"]
    for i in range(size):
        lines += [f"  - name: r{i}", f"    namespace: ns{i % namespaces}", f"    chart: {DEMO}",
                  f"    values: {{replicaCount: {1 + i % 3}, config: {{greeting: release {i}}}}}"]
        if i % 10:
            lines.append(f"    needs: [ns{(i - 1) % namespaces}/r{i - 1}]")
    path.write_text("\n".join(lines) + "\n")


def peak_mib(argv: list[str], env: dict) -> float:
    """Maximum resident set size of one run of ``argv`` (measured in a fresh parent)."""
    probe = subprocess.run([sys.executable, "-c", (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"), *argv],
        capture_output=True, text=True, env=env)
    return int(probe.stdout.strip() or 0) / 1024


def request_counts(requests: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(all, release-record lists, discovery) among the (method, path) requests a command sent."""
    from urllib.parse import urlsplit

    paths = [(method, urlsplit(path).path.rstrip("/")) for method, path in requests]
    lists = sum(1 for method, path in paths if method == "GET" and path.endswith("/secrets"))
    discovery = sum(1 for method, path in paths if method == "GET" and (
        path in ("/api", "/apis", "/version") or path.count("/") <= 3 and not path.startswith("/api/v1/")))
    return len(paths), lists, discovery


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--namespaces", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay of every API request")
    parser.add_argument("--runs", type=int, default=1, help="time the plan this many times, keep the best")
    parser.add_argument("--profile", default="", help="write a cProfile of each plan into this directory")
    parser.add_argument("--code", default=str(ROOT), help="the pyhelm checkout whose commands are timed")
    args = parser.parse_args()
    from engine.sandbox import Sandbox

    code = Path(args.code).resolve()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "engine")], capture_output=True)
    python = [sys.executable, "-P"]  # -P: the engine imported is --code's (PYTHONPATH), not the current directory's
    pyhelm = [*python, "-m", "engine.cli.main"]
    print(f"pyhelm of {code}")
    print(f"sandbox latency: {args.latency_ms:g} ms per request")
    print(f"{'releases':>8}  {'apply s':>8}  {'plan s':>7}  {'plan MiB':>8}  {'requests':>8}  {'lists':>5}  "
          f"{'discovery':>9}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp, \
                Sandbox(ready=True, latency=args.latency_ms / 1000, record_requests=True) as sandbox:
            env = {**os.environ, "KUBECONFIG": str(sandbox.write_kubeconfig(Path(tmp) / "kubeconfig")),
                   "HOME": tmp, "PYTHONPATH": str(code)}
            stack = Path(tmp) / "stack.yaml"
            write_stack(stack, size, args.namespaces)
            apply_seconds = timed([*pyhelm, "apply", "-f", str(stack), "--auto-approve", "--concurrency", "8"], env)
            sandbox.requests.clear()
            plan_seconds = timed([*pyhelm, "plan", "-f", str(stack), "--detailed-exitcode"], env)
            total, lists, discovery = request_counts(sandbox.requests.snapshot())
            for _run in range(args.runs - 1):
                plan_seconds = min(plan_seconds, timed([*pyhelm, "plan", "-f", str(stack)], env))
            memory = peak_mib([*pyhelm, "plan", "-f", str(stack)], env)
            if args.profile:
                Path(args.profile).mkdir(parents=True, exist_ok=True)
                timed([*python, "-m", "cProfile", "-o", str(Path(args.profile) / f"plan-{size}.prof"),
                       "-m", "engine.cli.main", "plan", "-f", str(stack)], env)
            print(f"{size:>8}  {apply_seconds:>8.1f}  {plan_seconds:>7.2f}  {memory:>8.0f}  {total:>8}  {lists:>5}  "
                  f"{discovery:>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

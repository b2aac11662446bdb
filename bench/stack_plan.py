#!/usr/bin/env python3
"""Plan and apply synthetic stacks of N releases on the sandbox; print seconds and peak memory.

usage: python3 bench/stack_plan.py [--sizes 10,100,500] [--namespaces 10]
Each size: a stack of N releases of the demo chart (a chain of needs every 10 releases) spread over
namespaces; `pyhelm apply` installs them all, then a no-change `pyhelm plan` runs. Every command is one
pyhelm process (rendering in process, one list of release records per namespace). Peak memory is the
plan process's maximum resident set size.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--namespaces", type=int, default=10)
    args = parser.parse_args()
    from engine.sandbox import Sandbox

    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "engine")], capture_output=True)
    pyhelm = [sys.executable, "-m", "engine.cli.main"]
    print(f"{'releases':>8}  {'apply s':>8}  {'plan s':>7}  {'plan MiB':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp, Sandbox(ready=True) as sandbox:
            env = {**os.environ, "KUBECONFIG": str(sandbox.write_kubeconfig(Path(tmp) / "kubeconfig")),
                   "HOME": tmp}
            stack = Path(tmp) / "stack.yaml"
            write_stack(stack, size, args.namespaces)
            apply_seconds = timed([*pyhelm, "apply", "-f", str(stack), "--auto-approve", "--concurrency", "8"], env)
            plan_seconds = timed([*pyhelm, "plan", "-f", str(stack), "--detailed-exitcode"], env)
            memory = peak_mib([*pyhelm, "plan", "-f", str(stack)], env)
            print(f"{size:>8}  {apply_seconds:>8.1f}  {plan_seconds:>7.2f}  {memory:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The controller at scale on the sandbox: STACKS Stacks of RELEASES releases each (demo chart), split over
SHARDS controller processes (one replica per shard).

usage: python3 bench/controller_scale.py [--stacks 20] [--releases 50] [--shards 2] [--concurrent 4]
Reports: seconds until every Stack is Ready (the first install); the mean seconds and the controllers' CPU
seconds of a no-change pass of one Stack (CPU time is the figure to compare on a shared machine); the wall
time until every Stack had two more no-change passes; peak memory (VmHWM) of each replica; and the API
requests per second the sandbox served during those passes.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "controller"))

from harness import Cluster, stack_file, wait_for  # noqa: E402

from engine.sandbox import Sandbox  # noqa: E402
from engine.sandbox import server as sandbox_server  # noqa: E402


class RequestCounter:
    """Counts the requests the sandbox answers (its handler wrapped for the bench)."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()
        handle = sandbox_server.Handler._handle

        def counted(handler, method: str) -> None:
            with self._lock:
                self.count += 1
            handle(handler, method)

        sandbox_server.Handler._handle = counted


def _peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (less disturbed than wall time on a shared machine)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _unchanged_passes(controllers, stack: str) -> float:
    return sum(c.metric("pyhelm_controller_reconcile_total", stack=stack, outcome="unchanged") for c in controllers)


def _mean_unchanged_seconds(controllers) -> float:
    total = sum(c.metric("pyhelm_controller_reconcile_duration_seconds_sum", outcome="unchanged") for c in controllers)
    count = sum(c.metric("pyhelm_controller_reconcile_duration_seconds_count", outcome="unchanged")
                for c in controllers)
    return total / count if count else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stacks", type=int, default=20)
    parser.add_argument("--releases", type=int, default=50)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--concurrent", type=int, default=4)
    parser.add_argument("--interval", default="2s")
    args = parser.parse_args()
    counter = RequestCounter()
    with tempfile.TemporaryDirectory() as tmp, Sandbox(ready=True) as sandbox:
        cluster = Cluster(sandbox, Path(tmp))
        try:
            shards = [f"s{n}" for n in range(args.shards)]
            controllers = [cluster.start_controller("--shard", shard, "--concurrent", str(args.concurrent))
                           for shard in shards]
            cluster.namespace("apps")
            started = time.monotonic()
            names = [f"stack{n}" for n in range(args.stacks)]
            for n, name in enumerate(names):
                releases = {f"r{k}": {} for k in range(args.releases)}
                cluster.config_map("apps", f"{name}-files",
                                   {"stack.yaml": stack_file(releases, namespace=f"ns-{name}", name=name)})
                cluster.stack("apps", name, {"source": {"configMap": {"name": f"{name}-files"}},
                                             "interval": args.interval},
                              labels={"pyhelm.dev/shard": shards[n % len(shards)]})
            for name in names:
                cluster.wait_ready("apps", name, timeout=3600)
            installed = time.monotonic() - started
            before = {name: _unchanged_passes(controllers, f"apps/{name}") for name in names}
            requests_before, window_start = counter.count, time.monotonic()
            cpu_before = sum(_cpu_seconds(c.process.pid) for c in controllers)
            wait_for(lambda: all(_unchanged_passes(controllers, f"apps/{name}") >= before[name] + 2 for name in names),
                     "two more no-change passes of every Stack", 3600, every=0.5)
            window = time.monotonic() - window_start
            cpu = sum(_cpu_seconds(c.process.pid) for c in controllers) - cpu_before
            passes = sum(_unchanged_passes(controllers, f"apps/{name}") - before[name] for name in names)
            served = counter.count - requests_before
            print(f"{args.stacks} Stacks x {args.releases} releases, {args.shards} replica(s) "
                  f"(one per shard), --concurrent {args.concurrent}")
            print(f"first install until all Ready: {installed:.1f}s")
            print(f"no-change pass of one Stack (mean): {_mean_unchanged_seconds(controllers):.2f}s")
            print(f"wall time until every Stack had two more no-change passes: {window:.1f}s")
            print(f"controller CPU per no-change pass of one Stack: {cpu / passes:.2f}s ({passes:.0f} passes)")
            for shard, controller in zip(shards, controllers):
                print(f"replica {shard}: peak memory {_peak_memory_mb(controller.process.pid):.0f} MB")
            print(f"API requests during the no-change passes: {served} ({served / window:.0f}/s)")
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

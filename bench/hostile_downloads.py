#!/usr/bin/env python3
"""Seconds, peak memory and requests served when pyhelm and helm pull from hostile servers (issue 19).

usage: python3 bench/hostile_downloads.py [--before CHECKOUT] [--helm PATH] [--skip-slow]
Each case runs once per tool against a server of tests/security/hostile on 127.0.0.1: an OCI blob streaming
800 MB where the manifest declares a few KB (with and without a Content-Length), a layer declared as 2 GiB,
a 120 MiB blob whose digest is wrong, redirect loops (repository archive and registry blob) and, unless
``--skip-slow``, a body dripping one byte every 5 s (stopped by the default 2m0s deadline in both tools).
``--before`` runs another pyhelm checkout too (e.g. ``git archive main | tar -x -C /tmp/before``).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from helm_reference import helm_binary  # noqa: E402
from hostile_inputs import measure  # noqa: E402
from security.hostile import (Answer, body, chart_yaml, digest, drip, flood, redirect_loop,  # noqa: E402
                              registry_routes, serving, tgz)

MB = 1000 * 1000
MIB = 1024 * 1024
CHART = tgz([("demo/Chart.yaml", chart_yaml("demo")), ("demo/templates/cm.yaml", b"kind: ConfigMap\n")])
BLOB = f"/v2/charts/demo/blobs/{digest(CHART)}"
OCI = ["pull", "oci://{host}/charts/demo", "--version", "0.1.0", "--plain-http", "-d", "{dest}"]
HTTP = ["pull", "{url}/demo-0.1.0.tgz", "-d", "{dest}"]


def _routes(declared: int | None = None, blob: Answer | None = None) -> dict[str, Answer]:
    return registry_routes("charts/demo", "0.1.0", CHART, declared_size=declared, chart_blob=blob)


def cases(slow: bool) -> list[tuple[str, dict[str, Answer], list[str]]]:
    """(name, server routes, pull arguments) for each hostile server."""
    chosen = [
        ("oci blob 800 MB, no length, declared small", _routes(blob=flood(800 * MB)), OCI),
        ("oci blob 800 MB, length 800 MB, declared small", _routes(blob=flood(800 * MB, 800 * MB)), OCI),
        ("oci layer declared 2 GiB, blob small", _routes(declared=2 * 1024 * MIB), OCI),
        ("oci blob 120 MiB, wrong digest", _routes(declared=120 * MIB, blob=flood(120 * MIB, 120 * MIB)), OCI),
        ("oci blob redirect loop", {**_routes(), BLOB: redirect_loop(), "*": redirect_loop()}, OCI),
        ("http archive redirect loop", {"*": redirect_loop()}, HTTP),
    ]
    if slow:
        chosen.append(("http archive, 1 byte per 5 s", {"*": drip(100, 5.0)}, HTTP))
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", help="another pyhelm checkout to measure as well")
    parser.add_argument("--helm", default=None)
    parser.add_argument("--skip-slow", action="store_true", help="leave out the drip (over two minutes per tool)")
    args = parser.parse_args()
    helm = args.helm or helm_binary()
    pythons = [("pyhelm", ROOT)] + ([("before", Path(args.before))] if args.before else [])
    tools = [(name, [sys.executable, "-m", "engine.cli.main"], str(path)) for name, path in pythons]
    tools += [("helm", [helm], "")] if helm else []
    work = Path(tempfile.mkdtemp(prefix="download-bench-"))
    env = {**os.environ, "HOME": str(work), "PYTHONDONTWRITEBYTECODE": "1",
           **{f"HELM_{kind}_HOME": str(work / kind.lower()) for kind in ("CACHE", "CONFIG", "DATA")}}
    try:
        print(f"{'server':48} " + " ".join(f"{name + ' s':>10} {'MB':>6} {'reqs':>5}" for name, _, _ in tools))
        for name, routes, template in cases(not args.skip_slow):
            row = f"{name:48} "
            with serving(routes) as server:
                for tool, command, path in tools:
                    dest = work / "out" / tool
                    dest.mkdir(parents=True, exist_ok=True)
                    argv = [part.format(host=server.host, url=server.url, dest=dest) for part in template]
                    server.requests.clear()
                    seconds, megabytes = measure([*command, *argv], work, {**env, "PYTHONPATH": path}, 600)
                    row += f"{seconds:>10} {megabytes:6.0f} {len(server.requests):5} "
                    shutil.rmtree(work / "cache", ignore_errors=True)
            print(row, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

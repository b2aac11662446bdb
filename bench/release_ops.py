#!/usr/bin/env python3
"""Install, upgrade and uninstall a large corpus chart on the sandbox with pyhelm and with helm; print ratios.

usage: python3 bench/release_ops.py [--chart NAME] [--repeat N]
Both tools run as subprocesses against the same in-process sandbox API server, one after the other.
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
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
from timing import timed  # noqa: E402
CORPUS = ROOT.parent / "shared" / "corpus" / "A"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chart", default="kube-prometheus-stack")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from helm_reference import helm_binary

    from engine.sandbox import Sandbox

    helm = helm_binary()
    if helm is None or not CORPUS.exists():
        print("needs ../shared/corpus and the reference helm binary", file=sys.stderr)
        return 1
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "engine")], capture_output=True)
    script = Path(sys.executable).with_name("pyhelm")
    pyhelm = [str(script)] if script.exists() else [sys.executable, "-m", "engine.cli.main"]
    chart = str(CORPUS / args.chart)
    totals = {"helm": {}, "pyhelm": {}}
    with tempfile.TemporaryDirectory() as tmp, Sandbox(ready=True) as sandbox:
        env = {**os.environ, "KUBECONFIG": str(sandbox.write_kubeconfig(Path(tmp) / "kubeconfig")), "HOME": tmp}
        for round_ in range(args.repeat):
            for tool, command in (("helm", [helm]), ("pyhelm", pyhelm)):
                name = f"{tool}-{round_}"
                steps = {"install": [*command, "install", name, chart, "-n", name, "--create-namespace"],
                         "upgrade": [*command, "upgrade", name, chart, "-n", name, "--set", "fullnameOverride=x"],
                         "uninstall": [*command, "uninstall", name, "-n", name]}
                for step, argv in steps.items():
                    seconds = timed(argv, env)
                    totals[tool][step] = min(totals[tool].get(step, float("inf")), seconds)
    print(f"{args.chart}: best of {args.repeat}")
    print(f"{'operation':12} {'helm s':>8} {'pyhelm s':>9} {'ratio':>6}")
    for step in ("install", "upgrade", "uninstall"):
        h, p = totals["helm"][step], totals["pyhelm"][step]
        print(f"{step:12} {h:8.3f} {p:9.3f} {p / h:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

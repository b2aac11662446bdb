#!/usr/bin/env python3
"""Render the conformance corpus with pyhelm and with helm side by side; print per-case and total ratios.

usage: python3 bench/render_corpus.py [--repeat N] [--only CHART] [--helm PATH] [--cold]
Each case's command runs as a subprocess (as a user would run it), best of N runs for each tool.
``--cold`` turns pyhelm's compiled-template cache off, so every run parses and compiles every template.
Also times ``pyhelm --help`` and ``pyhelm version`` start-up. Needs ../shared/corpus and the reference helm
(fetched with ../shared/tools/get-helm when missing).
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
CORPUS = ROOT.parent / "shared" / "corpus" / "A"


def best_time(argv: list[str], cwd: Path, repeat: int, env: dict | None = None) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, capture_output=True, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only")
    parser.add_argument("--helm")
    parser.add_argument("--cold", action="store_true", help="disable pyhelm's compiled-template cache")
    args = parser.parse_args()
    env = {**os.environ, "PYHELM_NO_TEMPLATE_CACHE": "1"} if args.cold else None
    from helm_reference import helm_binary

    helm = args.helm or helm_binary()
    # the console script next to this interpreter (a version manager's shim would add its own start-up time)
    script = Path(sys.executable).with_name("pyhelm")
    pyhelm = str(script) if script.exists() else (shutil.which("pyhelm") or f"{sys.executable} -m engine.cli.main")
    if helm is None or not CORPUS.exists():
        print("needs ../shared/corpus and the reference helm binary", file=sys.stderr)
        return 1
    # an installed package has its bytecode compiled; an editable checkout under PYTHONDONTWRITEBYTECODE does not
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "engine")], capture_output=True)
    rows = [line.rstrip("\n").split("\t") for line in (CORPUS / "cases.tsv").open()][1:]
    total_helm = total_py = 0.0
    print(f"{'case':48} {'helm s':>8} {'pyhelm s':>9} {'ratio':>6}")
    for chart, _values, _golden, command, _rc, _mask, case in rows:
        if args.only and chart != args.only:
            continue
        argv = shlex.split(command)[1:]
        t_helm = best_time([helm, *argv], CORPUS, args.repeat)
        t_py = best_time([*shlex.split(pyhelm), *argv], CORPUS, args.repeat, env)
        total_helm += t_helm
        total_py += t_py
        print(f"{chart + ' ' + case:48} {t_helm:8.3f} {t_py:9.3f} {t_py / t_helm:6.2f}")
    if total_helm:
        print(f"{'TOTAL':48} {total_helm:8.3f} {total_py:9.3f} {total_py / total_helm:6.2f}")
    for argv in (["--help"], ["version"]):
        t_py = best_time([*shlex.split(pyhelm), *argv], ROOT, 5)
        t_helm = best_time([helm, *argv], ROOT, 5)
        print(f"start-up pyhelm {' '.join(argv):10} {t_py:.3f}s (helm {t_helm:.3f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Render the conformance corpus with pyhelm and with helm side by side; print per-case and total ratios.

usage: python3 bench/render_corpus.py [--repeat N] [--only CHART] [--helm PATH] [--cold] [--source DIR]
Each case's command runs as a subprocess (as a user would run it), best of N runs for each tool; the peak
resident memory (RSS) of each tool's largest run is printed beside its time.
``--cold`` turns pyhelm's parse-tree cache off, so every run parses every template.
``--source`` runs the engine of another checkout (default: this one), to compare two versions side by side.
Also times ``pyhelm --help`` and ``pyhelm version`` start-up. Needs ../shared/corpus and the reference helm
(fetched with ../shared/tools/get-helm when missing).
"""
from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
CORPUS = ROOT.parent / "shared" / "corpus" / "A"


# what the console script does, run from the chosen checkout (the installed script runs /work/main's engine)
CONSOLE_SCRIPT = "import sys; from engine.cli.main import main; sys.exit(main())"


def best_run(argv: list[str], cwd: Path, repeat: int, env: dict | None = None) -> tuple[float, int]:
    """The shortest wall time of ``repeat`` runs and the largest peak RSS (KiB) among them."""
    best, peak = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(process.pid, 0)
        process.returncode = 0  # reaped by wait4; keeps Popen from waiting again
        best = min(best, time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss)
    return best, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only")
    parser.add_argument("--helm")
    parser.add_argument("--cold", action="store_true", help="disable pyhelm's parse-tree cache")
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout whose engine runs (default: this one)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.source.resolve())}
    if args.cold:
        env["PYHELM_NO_TEMPLATE_CACHE"] = "1"
    from helm_reference import helm_binary

    helm = str(Path(args.helm).resolve()) if args.helm else helm_binary()
    # this interpreter itself, not a version manager's shim (which would add its own start-up time)
    pyhelm = [sys.executable, "-c", CONSOLE_SCRIPT]
    if helm is None or not CORPUS.exists():
        print("needs ../shared/corpus and the reference helm binary", file=sys.stderr)
        return 1
    # an installed package has its bytecode compiled; an editable checkout under PYTHONDONTWRITEBYTECODE does not
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(args.source / "engine")], capture_output=True)
    rows = [line.rstrip("\n").split("\t") for line in (CORPUS / "cases.tsv").open()][1:]
    total_helm = total_py = 0.0
    print(f"{'case':48} {'helm s':>8} {'pyhelm s':>9} {'ratio':>6} {'helm MiB':>9} {'pyhelm MiB':>11}")
    for chart, _values, _golden, command, _rc, _mask, case in rows:
        if args.only and chart != args.only:
            continue
        argv = shlex.split(command)[1:]
        t_helm, rss_helm = best_run([helm, *argv], CORPUS, args.repeat)
        t_py, rss_py = best_run([*pyhelm, *argv], CORPUS, args.repeat, env)
        total_helm += t_helm
        total_py += t_py
        print(f"{chart + ' ' + case:48} {t_helm:8.3f} {t_py:9.3f} {t_py / t_helm:6.2f} "
              f"{rss_helm / 1024:9.1f} {rss_py / 1024:11.1f}")
    if total_helm:
        print(f"{'TOTAL':48} {total_helm:8.3f} {total_py:9.3f} {total_py / total_helm:6.2f}")
    for argv in (["--help"], ["version"]):
        t_py, _ = best_run([*pyhelm, *argv], args.source, 5, env)  # -c puts the working directory first on sys.path
        t_helm, _ = best_run([helm, *argv], ROOT, 5)
        print(f"start-up pyhelm {' '.join(argv):10} {t_py:.3f}s (helm {t_helm:.3f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

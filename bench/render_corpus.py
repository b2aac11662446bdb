#!/usr/bin/env python3
"""Render the conformance corpus with pyhelm and with helm side by side; print per-case and total ratios.

usage: python3 bench/render_corpus.py [--repeat N] [--only CHART] [--helm PATH] [--cold] [--source DIR]
                                      [--baseline DIR]
Each case's command runs as a subprocess (as a user would run it), best of N runs for each tool; the peak
resident memory (RSS) of each tool's largest run is printed beside its time.
``--cold`` gives every pyhelm run an empty cache of its own (a first run: every template parsed and compiled,
every YAML text parsed, and both written to the cache).
``--source`` runs the engine of another checkout (default: this one). ``--baseline`` also runs a second
checkout's engine and prints its time and the ratio to it: the tools take turns run by run, so a machine
shared with others loads both versions alike.
Also times ``pyhelm --help`` and ``pyhelm version`` start-up, and this Python's own start-up (with and without
its site packages' .pth files), which every pyhelm figure includes. Needs ../shared/corpus and the reference helm
(fetched with ../shared/tools/get-helm when missing).
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
CORPUS = ROOT.parent / "shared" / "corpus" / "A"


FRESH_CACHE = "<an empty cache for each run>"


def console_script(source: Path) -> list[str]:
    """What the ``pyhelm`` console script of checkout ``source`` runs (its pyproject's entry point), with this
    interpreter itself, not a version manager's shim (which would add its own start-up time)."""
    import tomllib

    entry = tomllib.loads((source / "pyproject.toml").read_text())["project"]["scripts"]["pyhelm"]
    module, function = entry.split(":")
    return [sys.executable, "-c", f"import sys; from {module} import {function}; sys.exit({function}())"]


def best_runs(commands: list[tuple[list[str], dict | None]], cwd: Path, repeat: int) -> list[tuple[float, int]]:
    """For each (argv, env): the shortest wall time of ``repeat`` runs and the largest peak RSS (KiB) among
    them. The commands take turns, so a load that comes and goes weighs on each alike."""
    best = [float("inf")] * len(commands)
    peak = [0] * len(commands)
    for _ in range(repeat):
        for index, (argv, env) in enumerate(commands):
            fresh = env is not None and env.get("PYHELM_CACHE_HOME") == FRESH_CACHE
            if fresh:
                env = {**env, "PYHELM_CACHE_HOME": tempfile.mkdtemp(prefix="pyhelm-cold-")}
            start = time.perf_counter()
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _pid, _status, usage = os.wait4(process.pid, 0)
            process.returncode = 0  # reaped by wait4; keeps Popen from waiting again
            best[index] = min(best[index], time.perf_counter() - start)
            peak[index] = max(peak[index], usage.ru_maxrss)
            if fresh:
                shutil.rmtree(env["PYHELM_CACHE_HOME"], ignore_errors=True)
    return list(zip(best, peak))


def engine_env(source: Path, cold: bool) -> dict:
    """The environment that runs ``source``'s engine."""
    env = {**os.environ, "PYTHONPATH": str(source.resolve())}
    if cold:
        env["PYHELM_CACHE_HOME"] = FRESH_CACHE
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only")
    parser.add_argument("--helm")
    parser.add_argument("--cold", action="store_true", help="an empty cache for every pyhelm run (first runs)")
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout whose engine runs (default: this one)")
    parser.add_argument("--baseline", type=Path, help="a second checkout to compare with, run in turn")
    args = parser.parse_args()
    sources = [args.source] + ([args.baseline] if args.baseline else [])
    envs = [engine_env(source, args.cold) for source in sources]
    scripts = [console_script(source) for source in sources]

    def turns(argv: list[str]) -> list[tuple[list[str], dict | None]]:
        """helm, then each checkout's pyhelm, with ``argv``."""
        return [([helm, *argv], None), *(([*script, *argv], env) for script, env in zip(scripts, envs))]
    from helm_reference import helm_binary

    helm = str(Path(args.helm).resolve()) if args.helm else helm_binary()
    if helm is None or not CORPUS.exists():
        print("needs ../shared/corpus and the reference helm binary", file=sys.stderr)
        return 1
    # an installed package has its bytecode compiled; an editable checkout under PYTHONDONTWRITEBYTECODE does not
    for source in sources:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(source / "engine")], capture_output=True)
    rows = [line.rstrip("\n").split("\t") for line in (CORPUS / "cases.tsv").open()][1:]
    totals = [0.0] * (1 + len(sources))
    baseline_header = f" {'base s':>8} {'vs base':>7} {'base MiB':>9}" if args.baseline else ""
    print(f"{'case':48} {'helm s':>8} {'pyhelm s':>9} {'ratio':>6} {'helm MiB':>9} {'pyhelm MiB':>11}{baseline_header}")
    for chart, _values, _golden, command, _rc, _mask, case in rows:
        if args.only and chart != args.only:
            continue
        argv = shlex.split(command)[1:]
        results = best_runs(turns(argv), CORPUS, args.repeat)
        totals = [total + seconds for total, (seconds, _rss) in zip(totals, results)]
        (t_helm, rss_helm), (t_py, rss_py) = results[:2]
        line = (f"{chart + ' ' + case:48} {t_helm:8.3f} {t_py:9.3f} {t_py / t_helm:6.2f} "
                f"{rss_helm / 1024:9.1f} {rss_py / 1024:11.1f}")
        if args.baseline:
            t_base, rss_base = results[2]
            line += f" {t_base:8.3f} {t_py / t_base:7.2f} {rss_base / 1024:9.1f}"
        print(line)
    if totals[0]:
        line = f"{'TOTAL':48} {totals[0]:8.3f} {totals[1]:9.3f} {totals[1] / totals[0]:6.2f}"
        if args.baseline:
            line += f" {'':9} {'':11} {totals[2]:8.3f} {totals[1] / totals[2]:7.2f}"
        print(line)
    for argv in (["--help"], ["version"]):
        results = best_runs(turns(argv), CORPUS, 5)
        base = f", baseline {results[2][0]:.3f}s" if args.baseline else ""
        print(f"start-up pyhelm {' '.join(argv):10} {results[1][0]:.3f}s (helm {results[0][0]:.3f}s{base})")
    # what every pyhelm run pays before the first line of pyhelm runs: this Python and its site (.pth files)
    ((bare, _rss),) = best_runs([([sys.executable, "-c", "pass"], envs[0])], CORPUS, 10)
    ((no_site, _rss),) = best_runs([([sys.executable, "-S", "-c", "pass"], envs[0])], CORPUS, 10)
    print(f"interpreter start-up: {bare:.3f}s with site, {no_site:.3f}s without (included in every pyhelm figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

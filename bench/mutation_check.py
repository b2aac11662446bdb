#!/usr/bin/env python3
"""A small mutation check: do the tests notice when the code is changed?

usage: python3 bench/mutation_check.py [--max-mutants N] [--seed S] [--at MODULE:LINE ...] [--dry-run]
                                      [MODULE=PYTEST-ARGS ...]

Each mutant is one small change to one module, made with the standard ``ast`` module: a comparison
operator swapped (``==``/``!=``, ``<``/``>=``, ``in``/``not in``, ...), ``and``/``or``, ``+``/``-`` (also
``+=``/``-=``), an ``if`` condition negated, a constant replaced (True/False, 0/1, "" → "mutant"), a call
statement such as ``x.append(...)`` dropped, a returned value replaced by None, a ``break``/``continue``
removed. Mutants are applied one at a time to a copy of the repository in a temporary directory (the real
files are never written) and the module's test selection runs there with
``python3 -m pytest -x -q`` and PYTHONPATH set to the copy. A mutant the tests fail on is killed; one they
pass on survived (a change nothing checks); one that runs past the timeout (``--timeout-factor`` times the
unmutated run, at least ``--min-timeout`` seconds) is counted apart.

Without MODULE=PYTEST-ARGS arguments the default set below runs (each module with the narrowest tests that
cover it; tests that only re-run the reference helm are left out, they check nothing of ours). A MODULE may
be a glob (``engine/values/*.py``); PYTEST-ARGS are split as a shell splits them, e.g.
``'engine/stack/hooks.py=tests/stack/test_stack_hooks.py -k failing'``. At most ``--max-mutants`` mutants
per module (default 10) are taken, sampled with a fixed seed, so two runs try the same mutants (of the same
source); ``--at MODULE:LINE`` instead tries every mutant on that line (repeatable), to re-check survivors.

Many of the tests compare with the reference helm (PYHELM_REFERENCE_HELM, else .cache/reference-bin/helm):
without it they skip, and the mutants only they kill survive.

For each module it prints the mutants tried, killed, survived (file:line:column and the change), timeouts
and the time taken; the exit status is 1 when a mutant survived or timed out.

    python3 bench/mutation_check.py                     # the default set: 90 mutants, 8 to 16 minutes on 2 cores
    python3 bench/mutation_check.py --dry-run           # list the sampled mutants, run nothing
    python3 bench/mutation_check.py --at engine/stack/values.py:117 --at engine/stack/values.py:121
    python3 bench/mutation_check.py 'engine/values/strvals.py=tests/values -k "not still_match_helm"'
"""
from __future__ import annotations

import argparse
import ast
import glob
import importlib.util
import os
import random
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONLY_OURS = '-k "not still_match_helm and not fixture_matches_helm"'  # skip tests that only run helm
DEFAULT_SPECS = {
    "engine/values/coalesce.py": f"tests/values tests/render/test_template_cases.py {ONLY_OURS}",
    "engine/values/dependencies.py": f"tests/values tests/render/test_template_cases.py {ONLY_OURS}",
    "engine/values/schema.py": f"tests/values tests/lint/test_lint_cases.py::test_pyhelm_lint_matches_helm "
                               f"{ONLY_OURS}",
    "engine/values/schema_regex.py": f"tests/values {ONLY_OURS}",
    "engine/values/strvals.py": f"tests/values {ONLY_OURS}",
    "engine/values/user_values.py": f"tests/values {ONLY_OURS}",
    "engine/stack/hooks.py": "tests/stack/test_stack_hooks.py",
    "engine/stack/values.py": "tests/stack/test_stack_values.py tests/stack/test_values_only_change.py "
                              "tests/stack/test_env_overrides.py tests/stack/test_reviewable_plans.py "
                              "tests/stack/test_sops_secrets.py",
    "engine/action/hooks.py": "tests/release/test_hook_jobs.py tests/release/test_hook_order.py "
                              "tests/release/test_lifecycle_against_helm.py",
}
COPY_IGNORED = shutil.ignore_patterns(".git", ".cache", "__pycache__", ".pytest_cache", "*.pyc")
COMPARISON_SWAPS = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE,
                    ast.LtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}
BOOL_SWAPS = {ast.And: ast.Or, ast.Or: ast.And}
ARITHMETIC_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add}


@dataclass(frozen=True)
class Mutant:
    """One change to a module: the bytes from (line, col) to (end_line, end_col) become ``replacement``."""

    line: int
    col: int
    end_line: int
    end_col: int
    replacement: str  # as many lines as the text it replaces, so every later line stays where it was
    change: str  # what a reader is told, e.g. "`==` → `!=`"

    def apply(self, source: bytes) -> bytes:
        lines = source.splitlines(keepends=True)
        start = sum(len(l) for l in lines[:self.line - 1]) + self.col  # ast columns are UTF-8 byte offsets
        end = sum(len(l) for l in lines[:self.end_line - 1]) + self.end_col
        return source[:start] + self.replacement.encode() + source[end:]


def _operator(op: ast.AST) -> str:
    """How an operator is written: ``==``, ``not in``, ``and``, ``+``."""
    probes = {ast.cmpop: lambda: ast.Compare(ast.Name("a"), [op], [ast.Name("b")]),
              ast.boolop: lambda: ast.BoolOp(op, [ast.Name("a"), ast.Name("b")]),
              ast.operator: lambda: ast.BinOp(ast.Name("a"), op, ast.Name("b"))}
    probe = next(make for base, make in probes.items() if isinstance(op, base))()
    return ast.unparse(probe)[2:-2]


class _MutantFinder(ast.NodeVisitor):
    """Every mutant of one module, in source order (docstrings, annotations and f-strings left alone)."""

    def __init__(self) -> None:
        self.mutants: list[Mutant] = []

    def _add(self, node: ast.AST, replacement: str, change: str, expression: bool = False) -> None:
        padding = "\n" * (node.end_lineno - node.lineno)  # inside brackets for an expression, blank lines else
        text = f"({replacement}{padding})" if expression else replacement + padding
        self.mutants.append(Mutant(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, text,
                                   change))

    def _replace_expression(self, node: ast.expr, new: ast.expr, change: str) -> None:
        self._add(node, ast.unparse(new), change, expression=True)

    def visit_Compare(self, node: ast.Compare) -> None:
        for index, op in enumerate(node.ops):
            swapped = COMPARISON_SWAPS[type(op)]()
            ops = [*node.ops[:index], swapped, *node.ops[index + 1:]]
            self._replace_expression(node, ast.Compare(node.left, ops, node.comparators),
                                     f"`{_operator(op)}` → `{_operator(swapped)}`")
        self.generic_visit(node)

    def visit_BoolOp(self, node: ast.BoolOp) -> None:
        swapped = BOOL_SWAPS[type(node.op)]()
        self._replace_expression(node, ast.BoolOp(swapped, node.values),
                                 f"`{_operator(node.op)}` → `{_operator(swapped)}`")
        self.generic_visit(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if type(node.op) in ARITHMETIC_SWAPS:
            swapped = ARITHMETIC_SWAPS[type(node.op)]()
            self._replace_expression(node, ast.BinOp(node.left, swapped, node.right),
                                     f"`{_operator(node.op)}` → `{_operator(swapped)}`")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if type(node.op) in ARITHMETIC_SWAPS:
            swapped = ARITHMETIC_SWAPS[type(node.op)]()
            self._add(node, ast.unparse(ast.AugAssign(node.target, swapped, node.value)),
                      f"`{_operator(node.op)}=` → `{_operator(swapped)}=`")
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        self._replace_expression(node.test, ast.UnaryOp(ast.Not(), node.test), "`if` condition negated")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        replacements = {True: "False", False: "True"} if type(node.value) is bool else \
            {0: "1", 1: "0"} if type(node.value) is int else {"": "'mutant'"} if type(node.value) is str else {}
        if node.value in replacements:
            self._add(node, replacements[node.value], f"`{ast.unparse(node)}` → `{replacements[node.value]}`")

    def visit_Expr(self, node: ast.Expr) -> None:
        if isinstance(node.value, ast.Call):
            self._add(node, "pass", f"`{ast.unparse(node.value.func)}(...)` dropped")
            self.generic_visit(node)
        elif not (isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):  # docstrings
            self.generic_visit(node)

    def visit_Return(self, node: ast.Return) -> None:
        if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            self._add(node, "return None", "returned value → `None`")
        self.generic_visit(node)

    def visit_Break(self, node: ast.Break) -> None:
        self._add(node, "pass", "`break` removed")

    def visit_Continue(self, node: ast.Continue) -> None:
        self._add(node, "pass", "`continue` removed")

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        """f-strings: their parts are text, not logic."""

    def visit_arg(self, node: ast.arg) -> None:
        """Annotations of arguments are not code that runs."""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for child in (node.args, *node.decorator_list, *node.body):
            self.visit(child)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)


def find_mutants(source: bytes) -> list[Mutant]:
    """The mutants of a module's source that still compile."""
    finder = _MutantFinder()
    finder.visit(ast.parse(source))
    return [m for m in finder.mutants if _compiles(m.apply(source))]


def _compiles(source: bytes) -> bool:
    try:
        compile(source, "<mutant>", "exec")
    except SyntaxError:
        return False
    return True


@dataclass
class ModuleResult:
    module: str
    mutants: int = 0
    killed: int = 0
    survivors: list[Mutant] = field(default_factory=list)
    timeouts: list[Mutant] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""


class Workspace:
    """A copy of the repository in a temporary directory, where one module at a time is mutated."""

    def __init__(self, base: Path) -> None:
        self.root = base / "repo"
        shutil.copytree(ROOT, self.root, ignore=COPY_IGNORED, symlinks=True)
        shared = ROOT.parent / "shared"
        if shared.exists():  # tests find the corpus and the reference tools beside the checkout
            (base / "shared").symlink_to(shared)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(self.root / "engine"), str(self.root / "tests")],
                       capture_output=True)
        self.env = {**os.environ, "PYTHONPATH": str(self.root)}
        helm = _reference_helm()
        if helm:
            self.env["PYHELM_REFERENCE_HELM"] = helm
        else:
            print("warning: no reference helm; the tests that compare with it will skip", file=sys.stderr)

    def write(self, module: str, source: bytes) -> None:
        path = self.root / module
        path.write_bytes(source)
        Path(importlib.util.cache_from_source(str(path))).unlink(missing_ok=True)  # no stale bytecode

    def run_tests(self, pytest_args: list[str], timeout: float) -> str:
        """'passed', 'failed' or 'timeout' for one run of the selection (its whole process group ended)."""
        process = subprocess.Popen([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                                    *pytest_args], cwd=self.root, env=self.env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            return "passed" if process.wait(timeout=timeout) == 0 else "failed"
        except subprocess.TimeoutExpired:
            return "timeout"
        finally:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # tests' sandboxes and helm children included
            except ProcessLookupError:
                pass
            process.wait()


def _reference_helm() -> str | None:
    sys.path.insert(0, str(ROOT / "tests"))
    from helm_reference import helm_binary

    return helm_binary()


def sample(module: str, mutants: list[Mutant], limit: int, seed: int) -> list[Mutant]:
    """At most ``limit`` of ``mutants``, the same ones on every run with the same seed."""
    if len(mutants) <= limit:
        return mutants
    chosen = random.Random(f"{seed}:{module}").sample(mutants, limit)
    return sorted(chosen, key=lambda m: (m.line, m.col))


def at_lines(module: str, mutants: list[Mutant], wanted: list[str]) -> list[Mutant]:
    """The mutants on the lines ``--at`` names for ``module``."""
    lines = {int(line) for name, _, line in (w.rpartition(":") for w in wanted) if name == module}
    return [m for m in mutants if m.line in lines]


def check_module(workspace: Workspace, module: str, pytest_args: list[str], mutants: list[Mutant],
                 factor: float, min_timeout: float) -> ModuleResult:
    result = ModuleResult(module, mutants=len(mutants))
    original = (workspace.root / module).read_bytes()
    start = time.perf_counter()
    if workspace.run_tests(pytest_args, timeout=3600) != "passed":
        result.note = "the tests fail on the unmutated code: nothing checked"
        return result
    timeout = max(min_timeout, factor * (time.perf_counter() - start))
    for number, mutant in enumerate(mutants, start=1):
        workspace.write(module, mutant.apply(original))
        try:
            outcome = workspace.run_tests(pytest_args, timeout)
        finally:
            workspace.write(module, original)
        if outcome == "failed":
            result.killed += 1
        elif outcome == "timeout":
            result.timeouts.append(mutant)
        else:
            result.survivors.append(mutant)
        print(f"  {module}:{mutant.line}:{mutant.col + 1} {mutant.change}: "
              f"{'killed' if outcome == 'failed' else outcome.replace('passed', 'SURVIVED')} "
              f"({number}/{len(mutants)})", flush=True)
    result.seconds = time.perf_counter() - start
    return result


def parse_specs(items: list[str]) -> dict[str, list[str]]:
    """MODULE=PYTEST-ARGS items (globs expanded, relative to the repository) as {module: pytest args}."""
    specs: dict[str, list[str]] = {}
    for item in items:
        pattern, separator, tests = item.partition("=")
        if not separator or not tests.strip():
            raise SystemExit(f"error: {item!r}: expected MODULE=PYTEST-ARGS")
        modules = sorted(glob.glob(pattern, root_dir=ROOT))
        if not modules:
            raise SystemExit(f"error: {pattern}: no such module in {ROOT}")
        for module in modules:
            specs[module] = shlex.split(tests)
    return specs


def print_table(results: list[ModuleResult]) -> None:
    print(f"\n{'module':34} {'mutants':>7} {'killed':>6} {'survived':>8} {'timeouts':>8} {'seconds':>7}")
    for r in results:
        print(f"{r.module:34} {r.mutants:7} {r.killed:6} {len(r.survivors):8} {len(r.timeouts):8} {r.seconds:7.0f}"
              + (f"  {r.note}" if r.note else ""))
    for label, attribute in (("survived", "survivors"), ("timed out", "timeouts")):
        listed = [(r.module, m) for r in results for m in getattr(r, attribute)]
        if listed:
            print(f"\n{label}:")
            for module, m in listed:
                print(f"  {module}:{m.line}:{m.col + 1}  {m.change}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("specs", nargs="*", metavar="MODULE=PYTEST-ARGS")
    parser.add_argument("--max-mutants", type=int, default=10, help="per module (default 10)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--timeout-factor", type=float, default=3.0)
    parser.add_argument("--min-timeout", type=float, default=30.0)
    parser.add_argument("--at", action="append", default=[], metavar="MODULE:LINE",
                        help="try every mutant on this line instead of a sample (repeatable)")
    parser.add_argument("--dry-run", action="store_true", help="list the sampled mutants and run nothing")
    args = parser.parse_args()
    specs = parse_specs(args.specs or [f"{module}={tests}" for module, tests in DEFAULT_SPECS.items()])
    if args.at:
        specs = {module: tests for module, tests in specs.items() if any(a.startswith(module + ":") for a in args.at)}
    chosen = {}
    for module in specs:
        mutants = find_mutants((ROOT / module).read_bytes())
        chosen[module] = at_lines(module, mutants, args.at) if args.at else \
            sample(module, mutants, args.max_mutants, args.seed)
    if args.dry_run:
        for module, mutants in chosen.items():
            print(f"{module}: {len(mutants)} mutants, tests: {shlex.join(specs[module])}")
            for m in mutants:
                print(f"  {module}:{m.line}:{m.col + 1}  {m.change}")
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="mutation-check-") as base:
        workspace = Workspace(Path(base))
        for module, mutants in chosen.items():
            if mutants:
                print(f"{module}: {len(mutants)} mutants, tests: {shlex.join(specs[module])}", flush=True)
                results.append(check_module(workspace, module, specs[module], mutants, args.timeout_factor,
                                            args.min_timeout))
    print_table(results)
    return 1 if any(r.survivors or r.timeouts or r.note for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

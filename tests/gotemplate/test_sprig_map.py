"""The Sprig map loads its rarely used modules on first call; what templates see must be the modules' own."""
from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from engine.gotemplate.sprig import ON_FIRST_CALL, SPRIG_FUNCS

ROOT = Path(__file__).resolve().parents[2]
MODULES = ("collections", "conversion", "crypto", "dates", "encoding", "math", "regex", "semver", "strings")


def _declared() -> dict[str, tuple[tuple[str, ...], bool]]:
    """Every Sprig function as its own module declares it: Go parameter types and whether it needs state."""
    declared = {}
    for module in MODULES:
        funcs = importlib.import_module(f"engine.gotemplate.sprig.{module}").FUNCS
        declared.update({name: (func.params, func.needs_state) for name, func in funcs.items()})
    return declared


def test_the_map_names_every_function_with_its_modules_signature() -> None:
    assert {name: (func.params, func.needs_state) for name, func in SPRIG_FUNCS.items()} == _declared()


@pytest.mark.parametrize("module", sorted(ON_FIRST_CALL))
def test_a_module_loaded_on_first_call_is_declared_in_full(module) -> None:
    funcs = importlib.import_module(f"engine.gotemplate.sprig.{module}").FUNCS
    assert ON_FIRST_CALL[module] == {name: func.params for name, func in funcs.items()}


@pytest.mark.parametrize("name, args, expected", [("add1", (1,), 2), ("semverCompare", (">=1.2", "1.3.0"), True),
                                                  ("regexMatch", ("^a+$", "aaa"), True),
                                                  ("regexQuoteMeta", ("a.b",), "a\\.b")])
def test_a_function_loaded_on_first_call_gives_its_modules_result(name, args, expected) -> None:
    assert SPRIG_FUNCS[name].impl(*args) == expected
    assert SPRIG_FUNCS[name].impl(*args) == expected  # and again, once loaded


def test_the_map_imports_the_rarely_used_modules_only_when_called() -> None:
    probe = ("import sys\nfrom engine.gotemplate.sprig import SPRIG_FUNCS\n"
             "before = 'engine.gotemplate.sprig.semver' in sys.modules\n"
             "SPRIG_FUNCS['semverCompare'].impl('>=1', '1.0.0')\n"
             "print(before, *(f'engine.gotemplate.sprig.{m}' in sys.modules for m in ('semver', 'crypto')))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert done.stdout.split() == ["False", "True", "False"], done.stderr

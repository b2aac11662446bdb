"""Every function of the template function map (Go's built-ins, Sprig, Helm's) against helm v4.1.4, from the
cases of function_table.py: same output (or, for random output, the same property), same errors.

A function in the map without a case fails ``test_every_function_in_the_function_map_has_a_case``, so none
can be added untested. helm starts once for all the cases that render (one NOTES.txt with a marker before
each case) and once per case that must fail (helm stops at its first error), four at a time; pyhelm renders
each case on its own.
"""
from __future__ import annotations

import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from function_table import FUNCTIONS, VALUES, Case  # noqa: E402
from helm_reference import helm_render_notes  # noqa: E402
from test_engine_cases import FILES, render_with_pyhelm  # noqa: E402

from engine.gotemplate.builtins import BUILTINS  # noqa: E402
from engine.render.function_map import function_map  # noqa: E402

EVERY_FUNCTION = sorted({*BUILTINS, *function_map()}, key=str.lower)
MARKER = "\x1f@case {}@\x1f"
CASES = {f"{name}#{i}": case for name, cases in FUNCTIONS.items() for i, case in enumerate(cases)}


def test_every_function_in_the_function_map_has_a_case() -> None:
    assert sorted(set(EVERY_FUNCTION) - set(FUNCTIONS), key=str.lower) == [], "add cases to function_table.py"
    assert sorted(set(FUNCTIONS) - set(EVERY_FUNCTION)) == [], "function_table.py names functions that do not exist"
    assert all(FUNCTIONS[name] for name in FUNCTIONS)


def test_the_function_map_is_the_template_sets_map() -> None:
    """The map the table is checked against is the one charts are rendered with."""
    from engine.gotemplate.template_set import TemplateSet

    assert set(TemplateSet(function_map()).funcs) == set(EVERY_FUNCTION)


def _helm_batch(keys: list[str]) -> dict[str, tuple[int, str]]:
    """Render the cases in one helm run and split the output at the markers."""
    status, text = helm_render_notes("".join(MARKER.format(key) + CASES[key].template for key in keys), VALUES,
                                     (), FILES)
    if status != 0:  # a case the table says renders fails in helm: run them one by one to say which
        return {key: helm_render_notes(CASES[key].template, VALUES, (), FILES) for key in keys}
    parts = re.split("\x1f@case (.+?)@\x1f", text)[1:]
    return {key: (0, part) for key, part in zip(parts[::2], parts[1::2])}


@pytest.fixture(scope="module")
def helms_results(helm) -> dict[str, tuple[int, str]]:
    rendering = [key for key, case in CASES.items() if not case.fails]
    failing = [key for key, case in CASES.items() if case.fails]
    results = _helm_batch(rendering)
    with ThreadPoolExecutor(max_workers=4) as pool:
        for key, result in zip(failing, pool.map(lambda k: helm_render_notes(CASES[k].template, VALUES, (), FILES),
                                                 failing)):
            results[key] = result
    return results


def _compare(key: str, case: Case, ours: tuple[int, str], theirs: tuple[int, str]) -> None:
    if case.fails:
        assert theirs[0] != 0, f"{key}: helm renders {case.template!r}; make it an ok() case"
        assert ours == theirs, key
    elif case.shape is not None:
        assert theirs[0] == 0 and ours[0] == 0, (key, ours, theirs)
        assert case.shape(ours[1]) == case.shape(theirs[1]), (key, ours[1], theirs[1])
    else:
        assert theirs[0] == 0, f"{key}: helm fails {case.template!r}: {theirs[1]}; make it an err() case"
        assert ours == theirs, key


@pytest.mark.parametrize("name", EVERY_FUNCTION)
def test_function_behaves_as_in_helm(name: str, helms_results) -> None:
    if name not in FUNCTIONS:
        pytest.fail(f"{name} has no case in function_table.py")
    for i, case in enumerate(FUNCTIONS[name]):
        key = f"{name}#{i}"
        _compare(key, case, render_with_pyhelm(case.template, VALUES, ()), helms_results[key])

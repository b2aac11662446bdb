"""Seeded fuzzing: stack files, values files, --set strings and charts made by mutating the examples and
the conformance corpus, each run through pyhelm within the issue's bounds and, for chart and values
inputs, compared with helm's accept/refuse verdict.

``PYHELM_FUZZ_INPUTS`` (default 200, about two minutes here) and ``PYHELM_FUZZ_SEED`` (default 15) choose
how many inputs and which; a longer run is ``PYHELM_FUZZ_INPUTS=2000 python3 -m pytest tests/hostile``.
The figures (inputs, outcomes, agreement with helm, slowest runs) are printed and written beside the cases.
"""
from __future__ import annotations

import collections
import json
import os

from hostile.harness import problems, run_cases
from hostile.inputs import mutated_cases


def test_mutated_inputs_stay_within_bounds_and_agree_with_helm(tmp_path, helm):
    count = int(os.environ.get("PYHELM_FUZZ_INPUTS", "200"))
    seed = int(os.environ.get("PYHELM_FUZZ_SEED", "15"))
    cases = mutated_cases(seed, count)
    outcomes, beside = run_cases(cases, tmp_path / "cases", helm)
    failures = {case.name: found for case, outcome in zip(cases, outcomes) if (found := problems(case, outcome))}
    figures = _figures(cases, outcomes, seed)
    (tmp_path / "figures.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    assert beside == [], f"files appeared beside the cases: {beside}"
    assert failures == {}, json.dumps(failures, indent=2)[:20000]


def _figures(cases, outcomes, seed) -> dict:
    by_kind = collections.defaultdict(collections.Counter)
    compared = agreed = 0
    for case, outcome in zip(cases, outcomes):
        by_kind[case.kind]["accepted" if outcome.status == 0 else "refused"] += 1
        if outcome.helm_status is not None and outcome.status is not None:
            compared += 1
            agreed += (outcome.status == 0) == (outcome.helm_status == 0)
    slowest = sorted(zip(outcomes, cases), key=lambda pair: -pair[0].seconds)[:5]
    return {
        "seed": seed, "inputs": len(cases), "by_kind": {k: dict(v) for k, v in by_kind.items()},
        "compared_with_helm": compared, "agreed_with_helm": agreed,
        "seconds_total": round(sum(o.seconds for o in outcomes), 1),
        "slowest": [(c.name, round(o.seconds, 2)) for o, c in slowest],
        "peak_mb": round(max((o.peak_mb for o in outcomes), default=0), 1),
    }

"""Each attack issue 15 names, run through pyhelm within the issue's bounds (20 s, 500 MB, an Error line,
never an internal error, nothing written outside its folder), with the answer helm gives where helm decides."""
from __future__ import annotations

import pytest

from hostile.harness import problems, run_cases
from hostile.inputs import fixed_attacks

ATTACKS = {attack.case.name: attack for attack in fixed_attacks()}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, helm):
    """All attacks run once, in one batch (helm alongside), keyed by name."""
    cases = [attack.case for attack in ATTACKS.values()]
    results, beside = run_cases(cases, tmp_path_factory.mktemp("attacks") / "cases", helm)
    assert beside == [], f"files appeared beside the cases: {beside}"
    return dict(zip(ATTACKS, results))


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_is_refused_or_handled_as_helm_does(name, outcomes):
    attack, outcome = ATTACKS[name], outcomes[name]
    case = attack.case
    assert problems(case, outcome) == []
    output = outcome.stdout + outcome.stderr
    if attack.expect is not None:
        assert attack.expect in output, output[-2000:]
    if not attack.same_as_helm:
        assert outcome.status == attack.status, output[-2000:]
    else:
        assert outcome.status == outcome.helm_status, (output[-1500:], outcome.helm_stderr[-1500:])
        if outcome.status != 0 and case.kind != "lint":
            assert _error_line(outcome.stderr) == _error_line(outcome.helm_stderr) or case.name in _OWN_WORDING


# where helm's message says less than pyhelm's (helm v4 hides the archive error behind a generic one)
_OWN_WORDING = {"archive-escaping-member"}


def _error_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.startswith("Error")), "")

"""The sandbox answers the recorded kube-apiserver v1.36 corpus (../shared/apiserver-reference) as the real
server did: every step's status, reason and causes, and for successes the stored object.

The corpus is replayed by its own capture.py and scored with compare.py's rules (tests/sandbox/apiref.py).
Values a real server allocates at random (a Service's clusterIP and nodePorts, a Pod's token volume name) cannot
be reproduced and are compared by shape; cases the corpus README names as timing-dependent are scored but not
required."""
from __future__ import annotations

import os

import pytest

import apiref

pytestmark = pytest.mark.skipif(not apiref.available() and os.environ.get("CI") != "true",
                                reason="../shared/apiserver-reference is not beside this checkout")


@pytest.fixture(scope="module")
def scores(sandbox, tmp_path_factory):
    cases = apiref.load_cases()
    kubeconfig = str(sandbox.write_kubeconfig(tmp_path_factory.mktemp("apiref") / "kubeconfig"))
    results = apiref.replay(kubeconfig, cases)
    return [s for case in cases for s in apiref.score(case["name"], results[case["name"]])]


def test_every_step_of_the_corpus_matches_the_real_server(scores) -> None:
    steps = [s for s in scores if s.case not in apiref.TIMING_DEPENDENT]
    wrong = [f"{s.case} step {s.index + 1} {s.op}: {s.detail}" for s in steps if not s.matches]
    matched = len(steps) - len(wrong)
    print(f"\n{matched}/{len(steps)} steps match (timing-dependent cases aside)")
    assert not wrong, f"{matched}/{len(steps)} steps match; differences:\n" + "\n".join(wrong)


def test_every_rejection_of_the_real_server_is_reproduced(scores) -> None:
    missed = [f"{s.case} step {s.index + 1}: real {s.real_status}, sandbox {s.got_status}"
              for s in scores if s.rejected and (s.got_status or 0) < 400 and s.case not in apiref.TIMING_DEPENDENT]
    assert not missed, "\n".join(missed)

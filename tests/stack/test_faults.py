"""Applies through an unreliable network: with a tenth of the requests dropped (before or after the server
acted on them), refused with 429/503 or delayed, every apply still succeeds and every release ends with
exactly one deployed revision and nothing pending. PYHELM_FAULT_APPLIES sets how many applies run (100),
PYHELM_FAULT_SEED the seed of the faults' choice (11)."""
from __future__ import annotations

import os

import pytest

from engine.sandbox import Sandbox
from engine.sandbox.kubeconfig import write_kubeconfig
from release.release_records import stored_statuses, write_round_chart
from stack.fault_proxy import FaultProxy
from stack.test_plan_apply import pyhelm

APPLIES = int(os.environ.get("PYHELM_FAULT_APPLIES") or 100)
SEED = int(os.environ.get("PYHELM_FAULT_SEED") or 11)
RELEASES = ("base", "middle", "top")


def chain_stack(round_number: int) -> str:
    """Three releases, each needing the one before; every round sets a new value (so every release
    upgrades), and a short history makes each upgrade prune a record."""
    releases = "".join(f"  - name: {name}\n    chart: ../charts/note\n    values: {{round: \"{round_number}\"}}\n"
                       + (f"    needs: [{RELEASES[index - 1]}]\n" if index else "")
                       for index, name in enumerate(RELEASES))
    return (f"apiVersion: pyhelm/v1\nname: faults\ndefaults:\n  namespace: faults\n  historyMax: 3\n"
            f"releases:\n{releases}")


@pytest.fixture
def unreliable(tmp_path, monkeypatch):
    """(sandbox, proxy, stack file): KUBECONFIG points at a proxy faulting 10% of the requests."""
    write_round_chart(tmp_path / "charts")
    (tmp_path / "stack").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    with Sandbox(ready=True) as sandbox, FaultProxy(sandbox.server.server_address[:2], rate=0.1, seed=SEED) as proxy:
        monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", proxy.url)))
        yield sandbox, proxy, tmp_path / "stack" / "stack.yaml"


def test_every_apply_succeeds_through_dropped_refused_and_slow_requests(unreliable) -> None:
    sandbox, proxy, stack = unreliable
    failures = []
    for round_number in range(APPLIES):
        stack.write_text(chain_stack(round_number))
        status, out, err = pyhelm("apply", "-f", str(stack), "--auto-approve")
        if status != 0:
            failures.append(f"apply {round_number}: {(out + err).strip().splitlines()[-3:]}")
    print(f"{APPLIES} applies, {proxy.requests} requests, faults injected: {dict(proxy.injected)}")
    assert not failures, "\n".join(failures)
    assert proxy.injected["drop-after"] > 0 and proxy.injected["drop-before"] > 0
    for name in RELEASES:
        history = stored_statuses(sandbox, name, "faults")
        assert [status for _, status in history].count("deployed") == 1, (name, history)
        assert history[-1] == (APPLIES, "deployed"), (name, history)

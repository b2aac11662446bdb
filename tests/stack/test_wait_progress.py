"""While a release waits for its objects, the run hears how many are ready and what the first one still
waits on, so a terminal shows it live and a log says it now and then (not 25 s of silence)."""
from __future__ import annotations

import re
from pathlib import Path

from engine.sandbox import Sandbox
from engine.stack.executor import apply_plan
from engine.stack.loader import load_stack
from engine.stack.planner import Clusters, make_plan

DEMO = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"


def test_a_waiting_release_reports_objects_ready_and_what_it_waits_for(tmp_path) -> None:
    stack_file = tmp_path / "stack.yaml"
    stack_file.write_text("apiVersion: pyhelm/v1\nname: waits\nreleases:\n"
                          f"  - name: slow\n    chart: {DEMO}\n    wait: true\n    timeout: 2s\n")
    news: list[str] = []
    with Sandbox() as sandbox:  # no controllers: the Deployment never becomes ready
        clusters = Clusters(str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        stack = load_stack(str(stack_file), None)
        outcomes = apply_plan(stack, make_plan(stack, clusters)[0], clusters,
                              lambda release_id, message: news.append(f"{release_id}: {message}"))
    assert [o.status for o in outcomes] == ["failed"] and "context deadline exceeded" in outcomes[0].message
    waiting = [line for line in news if line.startswith("default/slow: waiting: ")]
    assert len(waiting) >= 2, news  # one per poll
    assert all(re.fullmatch(r"default/slow: waiting: [0-9]+/[0-9]+ ready; [A-Za-z]+ [a-z0-9-]+: .+", line)
               for line in waiting), waiting
    assert waiting[-1] == "default/slow: waiting: 2/3 ready; Deployment slow-demo: observed generation is behind"

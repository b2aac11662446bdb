"""Replaying the recorded kube-apiserver corpus (``../shared/apiserver-reference``) against a sandbox.

The cases are run by the corpus's own ``capture.py`` (imported, not copied), so the sandbox gets exactly the
requests the real server got; the answers are scored with the rules of the corpus's ``compare.py``: a step
matches when the status is equal and, for a Status answer, the reason and the set of (field, reason) causes
are equal; for a stored object, when spec/data/type/rules/roleRef/subjects and labels/annotations are equal
and, beyond compare.py, when managedFields (in their order, without times) and metadata bookkeeping
(generation, finalizers, ...) are.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "apiserver-reference"
# Cases whose real answers depend on timing (named in the corpus README): the garbage collector's delay, the
# CRD's establishment race and a namespace kept Terminating by a finalizer.
BOOKKEEPING = ("generation", "finalizers", "deletionGracePeriodSeconds", "ownerReferences", "generateName")
TIMING_DEPENDENT = {"crd-cr-not-established", "meta-ownerref-missing-owner", "ns-terminating"}


def capture_module() -> ModuleType:
    """The corpus's capture.py, imported from the shared folder."""
    spec = importlib.util.spec_from_file_location("apiref_capture", REFERENCE / "capture.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("apiref_capture", module)
    spec.loader.exec_module(module)
    return module


def load_cases() -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text()) for p in sorted((REFERENCE / "cases").glob("*.yaml"))]


def replay(kubeconfig: str, cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Run ``cases`` against the server of ``kubeconfig``; the recorded answers by case name."""
    capture = capture_module()
    client = capture.Client(kubeconfig)
    results = {}
    try:
        for case in cases:
            try:
                results[case["name"]] = capture.CaseRunner(client, case).run()
            except Exception as exc:  # noqa: BLE001 - recorded as a case with no answers, as capture.py does
                results[case["name"]] = {"name": case["name"], "error": repr(exc), "steps": []}
    finally:
        client.cleanup()
    return results


def reference_answers(name: str) -> dict[str, Any]:
    return json.loads((REFERENCE / "responses" / f"{name}.json").read_text())


def _causes(response: Any) -> list[tuple[str, str]]:
    details = (response or {}).get("details") or {} if isinstance(response, dict) else {}
    return sorted((c.get("field", ""), c.get("reason", "")) for c in details.get("causes") or [])


def _allocated(spec: Any) -> Any:
    """A Service spec with the values a real server allocates at random (clusterIPs in its range, nodePorts)
    replaced by their shape, so two servers' allocations compare equal; everything else is kept."""
    if not isinstance(spec, dict) or "clusterIP" not in spec:
        return spec
    spec = json.loads(json.dumps(spec))
    if str(spec.get("clusterIP", "")).startswith("10.9"):
        spec["clusterIP"] = "<allocated>"
        spec["clusterIPs"] = ["<allocated>" if str(ip).startswith("10.9") else ip for ip in spec.get("clusterIPs", [])]
    for port in spec.get("ports") or []:
        if isinstance(port, dict) and isinstance(port.get("nodePort"), int):
            port["nodePort"] = "<allocated>"
    return spec


def object_view(obj: Any) -> Any:
    """compare.py's view of a stored object (random allocations masked, see _allocated), and what compare.py
    leaves out: field ownership (managedFields without their times) and the bookkeeping a server writes into
    metadata."""
    if not isinstance(obj, dict):
        return obj
    metadata = obj.get("metadata") or {}
    kept = ("spec", "data", "stringData", "type", "rules", "roleRef", "subjects")
    view = {k: obj.get(k) for k in kept if k in obj}
    if obj.get("kind") == "Service":
        view["spec"] = _allocated(view.get("spec"))
    if obj.get("kind") == "Pod":  # the token volume's random suffix
        view["spec"] = json.loads(re.sub(r"kube-api-access-[a-z0-9]{5}", "kube-api-access-<random>",
                                         json.dumps(view.get("spec"))))
    view |= {"labels": metadata.get("labels"), "annotations": metadata.get("annotations")}
    return view | {key: metadata.get(key) for key in BOOKKEEPING} | {"managedFields": [
        {k: v for k, v in entry.items() if k != "time"} for entry in metadata.get("managedFields") or []]}


@dataclass
class StepScore:
    case: str
    index: int
    op: str
    real_status: int
    got_status: int | None
    matches: bool
    detail: str

    @property
    def rejected(self) -> bool:
        return self.real_status >= 400


def score(name: str, got: dict[str, Any]) -> list[StepScore]:
    """compare.py's verdict for every step of one case."""
    real = reference_answers(name)
    scores = []
    got_steps = got.get("steps", [])
    for i, r in enumerate(real.get("steps", [])):
        if r.get("op") == "sleep" or "status" not in r:
            continue
        g = got_steps[i] if i < len(got_steps) else {}
        ok = r["status"] == g.get("status")
        rr, gr = r.get("response") or {}, g.get("response") or {}
        if ok and r.get("responseKind") == "Status":
            ok = rr.get("reason") == (gr.get("reason") if isinstance(gr, dict) else None) and \
                _causes(rr) == _causes(gr)
        elif ok and isinstance(rr, dict) and rr.get("kind"):
            ok = object_view(rr) == object_view(gr)
        detail = "" if ok else _difference(r, g)
        scores.append(StepScore(name, i, r.get("op", ""), r["status"], g.get("status"), ok, detail))
    return scores


def _difference(real: dict[str, Any], got: dict[str, Any]) -> str:
    rr, gr = real.get("response") or {}, got.get("response") or {}
    if real.get("status") != got.get("status") or real.get("responseKind") == "Status":
        describe = lambda s, r: f"{s} {r.get('reason', '') if isinstance(r, dict) else ''} " \
                                f"{_causes(r)} {(r.get('message') or '')[:160] if isinstance(r, dict) else ''}"  # noqa: E731
        return f"real {describe(real.get('status'), rr)} | got {describe(got.get('status'), gr)}"
    rv, gv = object_view(rr), object_view(gr)
    return "stored object differs: " + "; ".join(
        f"{k}: real {json.dumps(rv.get(k))[:300]} got {json.dumps(gv.get(k))[:300]}"
        for k in sorted(set(rv) | set(gv)) if rv.get(k) != gv.get(k))


def available() -> bool:
    return (REFERENCE / "capture.py").is_file() and (REFERENCE / "responses").is_dir()


def main() -> None:
    """``python3 -m tests.sandbox.apiref [GLOB]``: replay against a fresh sandbox and print the score."""
    import fnmatch
    import tempfile

    from engine.sandbox import Sandbox

    pattern = sys.argv[1] if len(sys.argv) > 1 else "*"
    cases = [c for c in load_cases() if fnmatch.fnmatch(c["name"], pattern)]
    with Sandbox() as sandbox, tempfile.TemporaryDirectory() as tmp:
        results = replay(str(sandbox.write_kubeconfig(os.path.join(tmp, "kubeconfig"))), cases)
    steps = [s for c in cases for s in score(c["name"], results[c["name"]])]
    for s in steps:
        if not s.matches:
            print(f"{s.case} step {s.index + 1} {s.op}: {s.detail}")
    rejected = [s for s in steps if s.rejected]
    print(f"{sum(s.matches for s in steps)}/{len(steps)} steps match "
          f"({sum((s.got_status or 0) >= 400 for s in rejected)}/{len(rejected)} rejections reproduced)")


if __name__ == "__main__":
    main()

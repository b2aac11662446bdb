"""The sandbox refuses what kube-apiserver v1.36 refuses, beyond the recorded corpus: each case in
``validation_cases/*.yaml`` is an invalid (or a valid, easily mistaken) object whose expected answer — status,
the (field, reason) of every cause, and where given the stored spec — was read from the kube-apiserver (or
apiextensions-apiserver) function that decides it (named in the docstring of the sandbox module that mirrors it,
engine/sandbox/validation/*.py).

The cases are replayed with the recorded corpus's own capture.py, so each request is the one a real server would
get; a step's ``expect`` holds the answer.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

import apiref

pytestmark = pytest.mark.skipif(not apiref.available() and os.environ.get("CI") != "true",
                                reason="../shared/apiserver-reference (its capture.py replays the cases) is not beside "
                                       "this checkout")

CASES = [case for path in sorted((Path(__file__).parent / "validation_cases").glob("*.yaml"))
         for case in yaml.safe_load(path.read_text())]


def _causes(response: Any) -> list[list[str]]:
    details = (response.get("details") or {}) if isinstance(response, dict) else {}
    return sorted([c.get("field", ""), c.get("reason", "")] for c in details.get("causes") or [])


def _at(obj: Any, path: str) -> Any:
    """The value at a dotted path (``spec.containers.0.resources``: numbers index lists)."""
    for part in path.split("."):
        if isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        elif isinstance(obj, dict):
            obj = obj.get(part)
        else:
            return None
    return obj


@pytest.fixture(scope="module")
def answers(sandbox, tmp_path_factory) -> dict[str, dict[str, Any]]:
    kubeconfig = str(sandbox.write_kubeconfig(tmp_path_factory.mktemp("rules") / "kubeconfig"))
    return apiref.replay(kubeconfig, CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_sandbox_answers_as_kube_apiserver_validation_decides(case, answers) -> None:
    got = answers[case["name"]]
    assert not got.get("error"), got.get("error")
    for index, step in enumerate(case["steps"]):
        expected, answer = step["expect"], got["steps"][index]
        response = answer.get("response") or {}
        seen = {"status": answer["status"]}
        if "causes" in expected:
            seen["causes"] = _causes(response)
        wanted = {"status": expected["status"]}
        if "causes" in expected:
            wanted["causes"] = sorted(cause.rsplit(" ", 1) for cause in expected["causes"])
        if "reason" in expected:
            seen["reason"], wanted["reason"] = response.get("reason"), expected["reason"]
        if "managers" in expected:  # managedFields entries as (manager, operation, subresource)
            seen["managers"] = [[m.get("manager"), m.get("operation"), m.get("subresource", "")]
                                for m in (response.get("metadata") or {}).get("managedFields") or []]
            wanted["managers"] = expected["managers"]
        if "stored" in expected:  # what the server stored (defaults applied, disallowed nulls dropped)
            seen["stored"] = {path: _at(response, path) for path in expected["stored"]}
            wanted["stored"] = expected["stored"]
        assert seen == wanted, f"step {index + 1}: {response.get('message', '') if isinstance(response, dict) else ''}"

"""A plan a reviewer can read: an install shows its chart, its values and the objects it creates."""
from __future__ import annotations

import json
import re

from stack.test_plan_apply import TOKEN, pyhelm, shop  # noqa: F401


def test_an_install_shows_chart_values_and_objects(shop) -> None:  # noqa: F811
    _sandbox, stack = shop
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 0
    assert re.search(r"\+ shop/api +install +not installed \(chart demo 0\.3\.0\)\n", out), out
    assert "        +config:\n" in out and "        +  apiToken: (sensitive value)\n" in out
    assert "      add Deployment.apps shop/api-demo\n" in out and "      add Service shop/api-demo\n" in out
    assert "+kind: Deployment" not in out  # the list by default; whole manifests on request
    status, full, _err = pyhelm("plan", "-f", stack, "-e", "staging", "--show-manifests")
    assert status == 0 and "        +kind: Deployment\n" in full and "        +  name: api-demo\n" in full
    status, text, _err = pyhelm("plan", "-f", stack, "-e", "staging", "-o", "json")
    api = next(r for r in json.loads(text)["releases"] if r["id"] == "shop/api")
    assert api["version_to"] == "0.3.0" and "+  apiToken: (sensitive value)" in api["values_diff"]
    objects = {change["object"]: change for change in api["changes"]}
    assert objects["Deployment.apps shop/api-demo"]["action"] == "add"
    assert "+kind: Deployment" in objects["Deployment.apps shop/api-demo"]["diff"]
    for shown in (out, full, text):
        assert TOKEN not in shown

"""Environment values from the command line: --env-values files, then --env-set (helm's --set grammar), over
the environment's own values, in plan, apply (also of a saved plan), graph and validate."""
from __future__ import annotations

import json

from stack.test_plan_apply import pyhelm, shop  # noqa: F401


def _api(plan_text: str) -> dict:
    return next(r for r in json.loads(plan_text)["releases"] if r["id"] == "shop/api")


def test_command_line_values_override_the_environment(shop, tmp_path) -> None:  # noqa: F811
    sandbox, stack = shop
    (tmp_path / "more.yaml").write_text("replicas: 4\nlogLevel: trace\n")
    status, out, err = pyhelm("plan", "-f", stack, "-e", "staging", "-o", "json",
                              "--env-values", str(tmp_path / "more.yaml"), "--env-set", "replicas=7")
    assert status == 0, err
    api = _api(out)
    assert "+replicaCount: 7\n" in api["values_diff"] and "+  logLevel: trace\n" in api["values_diff"]
    saved = tmp_path / "plan.json"
    assert pyhelm("plan", "-f", stack, "-e", "staging", "--env-set", "replicas=3", "--out", str(saved))[0] == 0
    status, out, err = pyhelm("apply", str(saved))  # applied with the values it was planned with
    assert status == 0, out + err
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging", "--env-set", "replicas=3",
                               "--detailed-exitcode")
    assert status == 0, out
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging", "-o", "json")
    assert "-replicaCount: 3\n" in _api(out)["values_diff"]  # without the flag, the environment's own value


def test_bad_command_line_values_are_one_clear_error(shop) -> None:  # noqa: F811
    _sandbox, stack = shop
    status, _out, err = pyhelm("plan", "-f", stack, "-e", "staging", "--env-set", "a..b=1")
    assert status == 1 and err == 'Error: --env-set a..b=1: key map "a" has no value\n'
    status, _out, err = pyhelm("validate", "-f", stack, "-e", "staging", "--env-values", "/no/such/file.yaml")
    assert status == 1 and err == "Error: --env-values /no/such/file.yaml: cannot read it: No such file or directory\n"

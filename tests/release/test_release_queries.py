"""list, status and get print what helm prints for the same stored releases."""
from __future__ import annotations

import json

import pytest

from release_records import DEMO, PYHELM, run


@pytest.fixture
def mixed_releases(cluster):
    """Releases in every common state: deployed (two revisions), failed, uninstalled with history, another
    namespace."""
    sandbox, env = cluster
    for argv in (["install", "alpha", str(DEMO), "--labels", "team=a"],
                 ["upgrade", "alpha", str(DEMO), "--set", "replicaCount=2"],
                 ["install", "gone", str(DEMO), "--set", "fullname=x", "-n", "other", "--create-namespace"],
                 ["uninstall", "gone", "--keep-history", "-n", "other"],
                 ["install", "zeta", str(DEMO), "--set", "replicaCount=3", "-n", "other"]):
        assert run([*PYHELM, *argv], env).returncode == 0
    sandbox.fail_next("PATCH", r"/deployments/", status=422, count=1)
    assert run([*PYHELM, "install", "broken", str(DEMO), "--set", "service.port=81", "-n", "third",
                "--create-namespace"], env).returncode == 1
    return sandbox, env


LIST_FLAGS = [[], ["-A"], ["-A", "--failed"], ["-A", "--deployed"], ["-A", "--uninstalled"], ["--superseded"],
              ["-A", "-r"], ["-A", "-d"], ["-A", "-d", "-r"], ["-A", "-m", "1", "--offset", "1"], ["-A", "-f", "^[ab]"],
              ["-A", "-l", "team=a"], ["-A", "-l", "status!=deployed"], ["-A", "-q"], ["-A", "--pending"]]


@pytest.mark.parametrize("flags", LIST_FLAGS, ids=lambda f: " ".join(f) or "default")
def test_list_filters_agree_with_helm(mixed_releases, helm, flags) -> None:
    _sandbox, env = mixed_releases
    ours = run([*PYHELM, "list", *flags, "-o", "json"], env)
    theirs = run([helm, "list", *flags, "-o", "json"], env)
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert _ties_in_name_order(json.loads(ours.stdout), flags) == _ties_in_name_order(json.loads(theirs.stdout),
                                                                                      flags)


def _ties_in_name_order(rows: list, flags: list[str]) -> list:
    """Helm sorts by date in whole seconds with an unstable sort: releases of the same second may come in any
    order, so those are compared in name order."""
    if "-d" not in flags or not rows or not isinstance(rows[0], dict):
        return rows
    second = [row["updated"].split(".")[0] for row in rows]
    order = sorted(range(len(rows)), key=lambda i: (second.index(second[i]), rows[i]["name"]))
    return [rows[i] for i in order]


def test_list_table_agrees_with_helm(mixed_releases, helm) -> None:
    _sandbox, env = mixed_releases
    for flags in (["-A"], ["-A", "--no-headers"], ["-A", "--time-format", "2006-01-02 15:04:05Z0700"], ["-q"]):
        assert run([*PYHELM, "list", *flags], env).stdout == run([helm, "list", *flags], env).stdout, flags


def test_status_and_get_agree_with_helm(mixed_releases, helm) -> None:
    _sandbox, env = mixed_releases
    for argv in (["get", "metadata", "alpha"], ["get", "metadata", "alpha", "-o", "json"],
                 ["get", "hooks", "alpha"], ["get", "all", "alpha"], ["get", "values", "alpha", "--revision", "1"],
                 ["get", "values", "alpha", "-a", "-o", "json"], ["get", "notes", "alpha"],
                 ["get", "manifest", "zeta", "-n", "other"], ["history", "alpha"]):
        ours, theirs = run([*PYHELM, *argv], env), run([helm, *argv], env)
        assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout), argv


def test_status_json_is_the_record_helm_prints(mixed_releases, helm) -> None:
    _sandbox, env = mixed_releases
    ours = json.loads(run([*PYHELM, "status", "alpha", "-o", "json"], env).stdout)
    theirs = json.loads(run([helm, "status", "alpha", "-o", "json"], env).stdout)
    theirs["info"].pop("resources", None)
    assert ours == theirs


def test_status_table_shows_live_resources(mixed_releases) -> None:
    _sandbox, env = mixed_releases
    shown = run([*PYHELM, "status", "alpha"], env).stdout
    assert shown.startswith("NAME: alpha\nLAST DEPLOYED: ")
    assert "STATUS: deployed\nREVISION: 2\nDESCRIPTION: Upgrade complete\nRESOURCES:\n==> v1/ConfigMap\nNAME" in shown
    assert "==> v1/Deployment\nalpha-demo" in shown and "NOTES:\nalpha-demo is running 2 replica(s)" in shown

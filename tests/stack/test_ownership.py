"""Ownership: a release whose record names another stack or environment is never changed silently."""
from __future__ import annotations

from pathlib import Path

from stack.test_plan_apply import pyhelm, record_labels, shop  # noqa: F401
from stack.test_plan_contract import record_names


def test_another_environments_release_is_a_conflict_until_taken_over(shop) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "dev", "--auto-approve")[0] == 0
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 0
    assert "conflict: owned by stack shop environment dev; apply refuses to change it without --take-ownership" \
        in out and "2 of the changes owned elsewhere (apply needs --take-ownership)" in out
    before = record_names(sandbox, "shop", "ops")
    status, out, err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 1 and "owned by stack shop environment dev" in err and "--take-ownership" in err
    assert record_names(sandbox, "shop", "ops") == before
    status, out, err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve", "--take-ownership")
    assert status == 0, out + err
    assert record_labels(sandbox, "shop", "api", 2)["pyhelm.dev/environment"] == "staging"
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging")  # web and status were left as they were
    assert "Plan: 0 to install, 0 to upgrade, 0 to uninstall, 4 unchanged.\n" in out
    assert out.count("conflict: owned by stack shop environment dev; apply leaves it as it is") == 2


def test_destroy_refuses_another_environments_releases_without_take_ownership(shop) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "dev", "--auto-approve")[0] == 0
    status, out, err = pyhelm("destroy", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 1 and "owned by stack shop environment dev" in out + err
    assert len(record_names(sandbox, "shop", "ops")) == 4
    status, out, err = pyhelm("destroy", "-f", stack, "-e", "staging", "--auto-approve", "--take-ownership")
    assert status == 0, out + err
    assert record_names(sandbox, "shop", "ops") == []


def test_a_release_helm_installed_is_a_note_not_a_conflict(shop) -> None:
    sandbox, stack = shop
    chart = str(Path(stack).parents[2] / "charts" / "demo")
    assert pyhelm("install", "cache", chart, "-n", "shop", "--create-namespace")[0] == 0
    status, out, _err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 0 and "conflict" not in out
    assert "note: shop/cache has no pyhelm stack labels (installed by helm?)" in out
    status, out, err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 0, out + err
    assert record_labels(sandbox, "shop", "cache", 2)["pyhelm.dev/stack"] == "shop"

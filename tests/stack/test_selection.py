"""Selections: destroy takes what needs the selected releases along and never what they need; a selector
matching nothing is an error; a release cannot be removed while one that stays needs it."""
from __future__ import annotations

from pathlib import Path

from stack.test_plan_apply import pyhelm, shop  # noqa: F401
from stack.test_plan_contract import record_names


def installed(sandbox) -> set[str]:
    """The releases with a record in the shop example's namespaces."""
    return {name.split(".")[4] for name in record_names(sandbox, "shop", "ops")}


def test_destroying_a_release_leaves_what_it_needs(shop) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    status, out, err = pyhelm("destroy", "-f", stack, "-e", "staging", "-l", "name=web", "--auto-approve")
    assert status == 0, out + err
    assert "Destroy complete: 1 done" in out
    assert installed(sandbox) == {"cache", "api", "status"}


def test_destroying_a_release_takes_what_needs_it_along(shop) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    status, out, err = pyhelm("destroy", "-f", stack, "-e", "staging", "-l", "name=cache", "--auto-approve")
    assert status == 0, out + err
    assert "needs shop/cache, which is destroyed" in out and "needs shop/api, which is destroyed" in out
    order = [line.split("] ", 1)[1].split(":")[0] for line in out.splitlines() if ": uninstalled" in line]
    assert order == ["shop/web", "shop/api", "shop/cache"]
    assert installed(sandbox) == {"status"}


def test_a_selector_matching_nothing_is_an_error_naming_what_there_is(shop) -> None:
    sandbox, stack = shop
    for command in ("plan", "apply", "destroy"):
        status, out, err = pyhelm(command, "-f", stack, "-e", "staging", "-l", "name=wbe", "--auto-approve"
                                  ) if command != "plan" else pyhelm(command, "-f", stack, "-e", "staging",
                                                                      "-l", "name=wbe")
        assert status == 1, command
        assert "selector name=wbe matches no release" in err and "shop/web" in err and "team=ops" in err
        assert "Traceback" not in out + err
    assert installed(sandbox) == set()


def test_a_release_others_need_cannot_be_set_not_installed_alone(shop) -> None:
    sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    text = Path(stack).read_text()
    Path(stack).write_text(text.replace("    valuesFiles: [values/cache.yaml]\n",
                                        "    valuesFiles: [values/cache.yaml]\n    installed: false\n"))
    status, out, err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 1
    assert "shop/cache cannot be uninstalled: shop/api needs it and stays installed" in err
    status, _out, err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 1 and "shop/api needs it" in err
    assert installed(sandbox) == {"cache", "api", "web", "status"}

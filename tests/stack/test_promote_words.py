"""promote explains itself: what it copies and from where, what it leaves (secrets, unpinned versions), and it
can promote the versions an environment actually runs (--from-cluster)."""
from __future__ import annotations

from pathlib import Path

from test_plan_apply import pyhelm, shop  # noqa: F401 - the shop fixture

STAGING = """    releases:
      api:
        values:
          config: {greeting: hello, retries: 3}
        secretValues:
          config.apiToken: {env: STAGING_TOKEN}
"""


def test_promote_says_what_it_copies_and_what_it_leaves(shop) -> None:  # noqa: F811
    _sandbox, stack = shop
    text = Path(stack).read_text()
    Path(stack).write_text(text.replace("    defaults:\n      wait: true\n  prod:",
                                        "    defaults:\n      wait: true\n" + STAGING + "  prod:"))
    status, out, err = pyhelm("promote", "-f", stack, "--from", "staging", "--to", "prod", "--dry-run")
    assert status == 0, err
    assert 'api.values: (unset) -> {"config": {"greeting": "hello", "retries": 3}}  (values: as staging declares ' \
           "it)" in out
    assert "note: api.secretValues: not promoted: secret references stay with each environment" in out
    assert "note: staging pins no chart versions" in out and "--from-cluster" in out
    assert f"--- {stack} (now)\n+++ {stack} (promoted)\n" in out  # no a//tmp/... paths


def test_from_cluster_promotes_the_versions_deployed(shop) -> None:  # noqa: F811
    _sandbox, stack = shop
    assert pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")[0] == 0
    status, out, err = pyhelm("promote", "-f", stack, "--from", "staging", "--to", "prod", "--from-cluster")
    assert status == 0, err
    for name in ("api", "cache", "web", "status"):
        assert f"  {name}.version: (unset) -> 0.3.0  (chart version: deployed in staging)" in out
    from engine.stack.loader import load_stack

    assert {r.name: r.version for r in load_stack(stack, "prod").releases} == {
        "cache": "0.3.0", "api": "0.3.0", "web": "0.3.0", "status": "0.3.0"}
    status, out, _err = pyhelm("promote", "-f", stack, "--from", "staging", "--to", "prod", "--from-cluster")
    assert status == 0 and "Nothing to promote: prod already has staging's deployed versions." in out

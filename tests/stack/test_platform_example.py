"""examples/stacks/platform, as a user runs it: seven releases from a chart repository and a local chart,
three environments in their own namespaces, a sops-encrypted password, hooks and a committed lock file."""
from __future__ import annotations

from pathlib import Path

import pytest

from repo.repo_server import RepoServer, serving
from test_plan_apply import pyhelm

from engine.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STACK = str(EXAMPLES / "stacks" / "platform" / "stack.yaml")
PASSWORD = "example-only-pg-passw0rd"


@pytest.fixture
def platform(tmp_path, monkeypatch, sops):
    for name in ("HOME", "HELM_CACHE_HOME", "HELM_CONFIG_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(EXAMPLES / "stacks" / "platform" / "secrets" / "demo-age-key.txt"))
    lock_before = (EXAMPLES / "stacks" / "platform" / "stack.lock").read_text()
    with serving(RepoServer(EXAMPLES / "repo")) as repo, Sandbox(ready=True) as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        yield sandbox, ("--env-set", f"chartRepository={repo.url}")
    assert (EXAMPLES / "stacks" / "platform" / "stack.lock").read_text() == lock_before


def test_the_platform_example_applies_and_environments_stay_apart(platform) -> None:
    sandbox, repo = platform
    status, out, err = pyhelm("plan", "-f", STACK, "-e", "dev", *repo)
    assert status == 0, err
    assert "Plan: 7 to install, 0 to upgrade, 0 to uninstall, 0 unchanged." in out
    assert "preflight: stack platform, environment dev: ok" in err
    assert "hooks: postsync: python3 scripts/smoke.py api" in out
    status, out, err = pyhelm("apply", "-f", STACK, "-e", "dev", "--auto-approve", *repo)
    assert status == 0, out + err
    assert "smoke test of api in platform-dev: ok" in out and "7 done, 0 failed" in out
    listed = pyhelm("list", "-A", "-o", "json")[1]
    assert listed.count('"namespace":"platform-dev"') == 6 and '"namespace":"ops-dev"' in listed
    status, out, err = pyhelm("plan", "-f", STACK, "-e", "prod", *repo)  # prod lives beside dev, untouched
    assert status == 0, err
    assert "Plan: 7 to install, 0 to upgrade, 0 to uninstall, 0 unchanged." in out
    assert "+  dbPassword: (sensitive value)" in out and PASSWORD not in out + err
    status, out, _err = pyhelm("plan", "-f", STACK, "-e", "dev", "--detailed-exitcode", *repo)
    assert status == 0, out


def test_the_platform_example_validates_without_keys_or_cluster(platform, monkeypatch) -> None:
    _sandbox, repo = platform
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", "/nonexistent")
    monkeypatch.setenv("KUBECONFIG", "/nonexistent")
    status, out, err = pyhelm("validate", "-f", STACK, "-e", "prod", *repo)
    assert status == 0, out + err
    assert "Validated 7 release(s), 28 object(s) against Kubernetes 1.36: no problems." in out

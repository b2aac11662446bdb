"""Stack releases take charts from the stack's own repositories (credentials from the environment), pinned
by version constraints; changing the pin plans a chart upgrade."""
from __future__ import annotations

from pathlib import Path

from repo.repo_server import RepoServer, serving
from repo.repo_support import package_demo
from test_plan_apply import pyhelm

from engine.sandbox import Sandbox

STACK = """apiVersion: pyhelm/v1
name: pinned
repositories:
  - name: shop
    url: {url}
    usernameEnv: SHOP_REPO_USER
    passwordEnv: SHOP_REPO_PASSWORD
releases:
  - name: web
    chart: shop/demo
    version: "{version}"
"""


def test_charts_come_from_the_stacks_repository_with_credentials(tmp_path: Path, monkeypatch) -> None:
    served = tmp_path / "served"
    served.mkdir()
    for version in ("0.1.0", "0.2.0"):
        package_demo(served, version)
    assert pyhelm("repo", "index", str(served))[0] == 0
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("HELM_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("HELM_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("SHOP_REPO_USER", "ci")
    monkeypatch.setenv("SHOP_REPO_PASSWORD", "hunter2")
    stack = tmp_path / "stack.yaml"
    with serving(RepoServer(served, auth=("ci", "hunter2"))) as repo, Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        stack.write_text(STACK.format(url=repo.url, version="~0.1.0"))
        status, out, err = pyhelm("apply", "-f", str(stack), "--auto-approve")
        assert status == 0, out + err
        assert '"chart":"demo-0.1.0"' in pyhelm("list", "-o", "json")[1]
        stack.write_text(STACK.format(url=repo.url, version="0.2.0"))
        status, out, _err = pyhelm("plan", "-f", str(stack), "--detailed-exitcode")
        assert status == 2 and "chart demo 0.1.0 → demo 0.2.0" in out
        monkeypatch.setenv("SHOP_REPO_PASSWORD", "wrong")
        status, _out, err = pyhelm("plan", "-f", str(stack))
        assert status == 1 and "release default/web" in err and "401" in err

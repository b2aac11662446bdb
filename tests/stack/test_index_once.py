"""A plan reads each repository's index once, however many releases take charts from it."""
from __future__ import annotations

from repo.repo_server import RepoServer, serving
from repo.repo_support import package_demo
from test_plan_apply import pyhelm

from engine.sandbox import Sandbox

STACK = """apiVersion: pyhelm/v1
name: many
repositories:
  - {{name: shop, url: "{url}"}}
releases:
""" + "".join(f"  - {{{{name: r{i}, chart: shop/demo}}}}\n" for i in range(4))


def test_one_index_download_per_repository_per_command(tmp_path, monkeypatch) -> None:
    served = tmp_path / "served"
    served.mkdir()
    package_demo(served, "0.1.0")
    assert pyhelm("repo", "index", str(served))[0] == 0
    for name in ("HOME", "HELM_CACHE_HOME", "HELM_CONFIG_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    with serving(RepoServer(served)) as repo, Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        stack = tmp_path / "stack.yaml"
        stack.write_text(STACK.format(url=repo.url))
        status, out, err = pyhelm("plan", "-f", str(stack))
        assert status == 0 and "4 to install" in out, err
        assert repo.requests.count("/index.yaml") == 1
        assert pyhelm("apply", "-f", str(stack), "--auto-approve")[0] == 0
        assert repo.requests.count("/index.yaml") == 2  # a new command reads it afresh, once

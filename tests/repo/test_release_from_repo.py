"""install, upgrade, template and show take charts from repositories with --version/--repo/--devel."""
from __future__ import annotations

import json

import pytest

from engine.sandbox import Sandbox
from repo_support import pyhelm


@pytest.fixture
def kubeconfig(tmp_path, monkeypatch):
    with Sandbox(ready=True) as sandbox:
        path = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        monkeypatch.setenv("KUBECONFIG", str(path))
        yield sandbox


def _chart_version(name: str) -> str:
    listed = json.loads(pyhelm("list", "-o", "json").stdout)
    return next(r["chart"] for r in listed if r["name"] == name)


def test_install_and_upgrade_from_a_repository_by_version(helm_home, demo_repo, kubeconfig) -> None:
    assert pyhelm("repo", "add", "shop", demo_repo.url).returncode == 0
    installed = pyhelm("install", "web", "shop/demo", "--version", "~0.2.0")
    assert installed.returncode == 0, installed.stderr
    assert _chart_version("web") == "demo-0.2.0"
    upgraded = pyhelm("upgrade", "web", "shop/demo")
    assert upgraded.returncode == 0, upgraded.stderr
    assert _chart_version("web") == "demo-0.3.0"
    devel = pyhelm("upgrade", "web", "demo", "--repo", demo_repo.url, "--devel")
    assert devel.returncode == 0, devel.stderr
    assert _chart_version("web") == "demo-1.0.0-rc.1"
    missing = pyhelm("upgrade", "web", "shop/demo", "--version", "9.x")
    assert missing.returncode == 1 and "9.x" in missing.stderr


def test_template_and_show_from_a_repository(helm_home, demo_repo) -> None:
    assert pyhelm("repo", "add", "shop", demo_repo.url).returncode == 0
    rendered = pyhelm("template", "web", "shop/demo", "--version", "0.3.0")
    assert rendered.returncode == 0 and "helm.sh/chart: demo-0.3.0" in rendered.stdout
    shown = pyhelm("show", "chart", "demo", "--repo", demo_repo.url, "--version", "0.1.0")
    assert shown.returncode == 0 and "version: 0.1.0" in shown.stdout

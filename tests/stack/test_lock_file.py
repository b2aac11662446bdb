"""stack.lock: the chart each release resolved to, kept until moved, and refused if its bytes change."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from repo.repo_server import RepoServer, serving
from repo.repo_support import package_demo
from test_plan_apply import pyhelm

from engine.sandbox import Sandbox

STACK = """apiVersion: pyhelm/v1
name: locked
environments:
  dev: {{}}
  prod: {{}}
repositories:
  - {{name: shop, url: "{url}"}}
releases:
  - {{name: web, chart: shop/demo, version: "^0.1.0 || ^0.2.0"}}
  - {{name: local, chart: {demo}}}
"""


@pytest.fixture
def locked_repo(tmp_path, monkeypatch):
    served = tmp_path / "served"
    served.mkdir()
    package_demo(served, "0.1.0")
    assert pyhelm("repo", "index", str(served))[0] == 0
    for name in ("HOME", "HELM_CACHE_HOME", "HELM_CONFIG_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    with serving(RepoServer(served)) as repo, Sandbox() as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        stack = tmp_path / "stack.yaml"
        demo = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"
        stack.write_text(STACK.format(url=repo.url, demo=demo))
        yield served, stack


def _republish(served: Path, version: str) -> None:
    package_demo(served, version)
    assert pyhelm("repo", "index", str(served))[0] == 0


def test_the_lock_keeps_the_version_until_moved(locked_repo) -> None:
    served, stack = locked_repo
    status, out, err = pyhelm("lock", "-f", str(stack), "-e", "dev")
    assert status == 0, err
    assert "default/web: shop/demo 0.1.0 sha256:" in out
    lock = yaml.safe_load((stack.parent / "stack.lock").read_text())
    assert set(lock["environments"]["dev"]["releases"]) == {"default/web"}  # local charts are not locked
    _republish(served, "0.2.0")
    status, out, err = pyhelm("plan", "-f", str(stack), "-e", "dev")
    assert status == 0, err
    assert "+ default/web" in out and "(chart demo 0.1.0)" in out
    assert "note: stack.lock keeps 0.1.0; ^0.1.0 || ^0.2.0 would now resolve to demo-0.2.0.tgz" in out
    status, out, err = pyhelm("plan", "-f", str(stack), "-e", "prod")  # no lock for prod: the range
    assert status == 0 and "(chart demo 0.2.0)" in out and "note:" not in out
    status, out, err = pyhelm("plan", "-f", str(stack), "-e", "dev", "--update-lock")
    assert status == 0, err
    assert "default/web: shop/demo 0.2.0" in out and "(chart demo 0.2.0)" in out and "note:" not in out


def test_a_locked_chart_whose_bytes_changed_is_refused(locked_repo) -> None:
    served, stack = locked_repo
    assert pyhelm("lock", "-f", str(stack), "-e", "dev")[0] == 0
    source = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"
    changed = served.parent / "changed" / "demo"
    shutil.copytree(source, changed)
    (changed / "templates" / "extra.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n")
    from engine.chart.package import package_chart

    package_chart(changed, served, version="0.1.0")  # the same version, other bytes
    assert pyhelm("repo", "index", str(served))[0] == 0
    status, _out, err = pyhelm("plan", "-f", str(stack), "-e", "dev")
    assert status == 1
    assert "release default/web: chart shop/demo 0.1.0 has digest sha256:" in err
    assert "but stack.lock locks sha256:" in err and "refusing it" in err

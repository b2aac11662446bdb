"""Releases of one stack on two clusters, chosen per release (kubeContext) or per environment."""
from __future__ import annotations

from pathlib import Path

import yaml

from test_plan_apply import EXAMPLE, pyhelm

from engine.sandbox import Sandbox


def _two_cluster_kubeconfig(path: Path, first: Sandbox, second: Sandbox) -> None:
    configs = []
    for name, sandbox in (("east", first), ("west", second)):
        configs.append(yaml.safe_load(sandbox.write_kubeconfig(path.with_name(f"{name}.kubeconfig")).read_text()))
    merged = {"apiVersion": "v1", "kind": "Config", "current-context": "east", "clusters": [], "users": [],
              "contexts": []}
    for name, config in zip(("east", "west"), configs):
        merged["clusters"].append({**config["clusters"][0], "name": name})
        merged["users"].append({**config["users"][0], "name": name})
        merged["contexts"].append({"name": name, "context": {"cluster": name, "user": name}})
    path.write_text(yaml.safe_dump(merged))


def test_each_release_goes_to_its_context(tmp_path, monkeypatch) -> None:
    chart = EXAMPLE.parent.parent / "charts" / "demo"
    stack = tmp_path / "stack.yaml"
    stack.write_text(f"apiVersion: pyhelm/v1\nname: multi\nenvironments:\n  prod: {{kubeContext: west}}\n"
                     f"releases:\n  - name: api\n    chart: {chart}\n    kubeContext: east\n"
                     f"  - name: web\n    chart: {chart}\n    needs: [api]\n")
    with Sandbox() as east, Sandbox() as west:
        _two_cluster_kubeconfig(tmp_path / "kubeconfig", east, west)
        monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))
        status, out, err = pyhelm("apply", "-f", str(stack), "-e", "prod", "--auto-approve")
        assert status == 0, out + err

        def names(sandbox: Sandbox) -> list[str]:
            return sorted(s["metadata"]["labels"]["name"] for s in sandbox.store.items(("", "secrets"), "default"))

        assert (names(east), names(west)) == (["api"], ["web"])
        stack.write_text(stack.read_text().split("  - name: web")[0])
        status, out, _err = pyhelm("plan", "-f", str(stack), "-e", "prod")
        assert "- default/web" in out and "removed from the stack" in out

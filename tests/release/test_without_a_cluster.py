"""Commands that need no cluster (template, install --dry-run=client) work with no kubeconfig at all, and take
the namespace from the kubeconfig's context when there is one, exactly as helm does."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from release_records import DEMO, PYHELM, run

CHART_FILES = {
    "Chart.yaml": "apiVersion: v2\nname: nsc\nversion: 0.1.0\n",
    "templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: {{ .Release.Namespace }}\n",
    "templates/NOTES.txt": "installed in {{ .Release.Namespace }}\n",
}
KUBECONFIG_WITH_NAMESPACE = """apiVersion: v1
kind: Config
clusters: [{name: gone, cluster: {server: "https://127.0.0.1:9"}}]
users: [{name: u, user: {token: t}}]
contexts:
- {name: other, context: {cluster: gone, user: u, namespace: not-this-one}}
- {name: work, context: {cluster: gone, user: u, namespace: team-a}}
current-context: work
"""
OFFLINE = [["template", "web", "{chart}"], ["install", "web", "{chart}", "--dry-run=client"],
           ["install", "web", "{chart}", "--dry-run"], ["install", "web", "{chart}", "--dry-run=client", "-n", "flag"],
           ["install", "web", "{chart}", "--dry-run=True"], ["template", "web", "{chart}", "--kube-context", "other"]]


@pytest.fixture
def bare_home(tmp_path) -> dict[str, str]:
    """An environment with an empty HOME and no KUBECONFIG: no kubeconfig anywhere."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBECONFIG", "HELM_"))}
    return {**env, "HOME": str(home)}


@pytest.fixture
def nsc(tmp_path) -> Path:
    chart = tmp_path / "nsc"
    for rel, text in CHART_FILES.items():
        (chart / rel).parent.mkdir(parents=True, exist_ok=True)
        (chart / rel).write_text(text)
    return chart


def outcome(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    result = run(argv, env)
    return result.returncode, re.sub(r"(?m)^LAST DEPLOYED: .*$", "LAST DEPLOYED: -", result.stdout), result.stderr


@pytest.mark.parametrize("argv", OFFLINE, ids=" ".join)
def test_no_kubeconfig_needed(helm, bare_home, nsc, argv) -> None:
    args = [a.format(chart=nsc) for a in argv]
    ours, theirs = outcome([*PYHELM, *args], bare_home), outcome([helm, *args], bare_home)
    assert ours == theirs and ours[0] == 0


@pytest.mark.parametrize("argv", OFFLINE, ids=" ".join)
def test_the_kubeconfig_context_names_the_namespace(helm, bare_home, nsc, tmp_path, argv) -> None:
    (tmp_path / "kubeconfig").write_text(KUBECONFIG_WITH_NAMESPACE)
    env = {**bare_home, "KUBECONFIG": f"{tmp_path / 'missing'}{os.pathsep}{tmp_path / 'kubeconfig'}"}
    args = [a.format(chart=nsc) for a in argv]
    ours, theirs = outcome([*PYHELM, *args], env), outcome([helm, *args], env)
    assert ours == theirs and ours[0] == 0


def test_the_demo_chart_dry_runs_as_helm_prints_it(helm, bare_home) -> None:
    args = ["install", "web", str(DEMO), "--dry-run=client", "--set", "replicaCount=2"]
    assert outcome([*PYHELM, *args], bare_home) == outcome([helm, *args], bare_home)


@pytest.mark.parametrize("install", [[], ["--install"]], ids=["upgrade", "upgrade-install"])
def test_upgrade_dry_run_reads_the_cluster_as_helms_does(helm, bare_home, install) -> None:
    """helm upgrade (-i too) needs the release history even for --dry-run=client: without a cluster both
    refuse."""
    args = ["upgrade", *install, "web", str(DEMO), "--dry-run=client"]
    ours, theirs = run([*PYHELM, *args], bare_home), run([helm, *args], bare_home)
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout) == (1, "")
    assert ours.stderr.startswith("Error: ") and "cluster unreachable" in ours.stderr.lower()
    assert "Traceback" not in ours.stderr


@pytest.mark.parametrize("value", ["bogus", "CLIENT"])
def test_an_unknown_dry_run_value_is_refused_in_helms_words(helm, bare_home, value) -> None:
    args = ["install", "web", str(DEMO), f"--dry-run={value}"]
    ours, theirs = outcome([*PYHELM, *args], bare_home), outcome([helm, *args], bare_home)
    assert ours == theirs and ours[0] == 1

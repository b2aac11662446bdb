"""Plans of many releases: what a no-change plan asks of the cluster does not grow with the number of releases
(one list of release records per namespace, one discovery per cluster), and rendering in worker processes
plans exactly what rendering in process does, failures included."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from stack.test_plan_apply import pyhelm

from engine.sandbox import Sandbox

DEMO = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"
NAMESPACES = 3


def write_stack(path: Path, size: int, broken: int | None = None) -> Path:
    """A stack of ``size`` demo releases over NAMESPACES namespaces (each needing the one before it);
    release ``broken`` (if any) takes a chart whose template fails."""
    lines = ["apiVersion: pyhelm/v1", "name: scale", "defaults: {createNamespace: true}", "releases:"]
    for i in range(size):
        chart = path.parent / "broken" if i == broken else DEMO
        lines += [f"  - name: r{i}", f"    namespace: ns{i % NAMESPACES}", f"    chart: {chart}",
                  f"    values: {{replicaCount: {1 + i % 3}, config: {{greeting: release {i}}}}}"]
        if i:
            lines.append(f"    needs: [ns{(i - 1) % NAMESPACES}/r{i - 1}]")
    path.write_text("\n".join(lines) + "\n")
    return path


def write_broken_chart(directory: Path) -> None:
    shutil.copytree(DEMO, directory)
    (directory / "templates" / "configmap.yaml").write_text('{{ fail "the greeting is missing" }}\n')


@pytest.fixture
def cluster(tmp_path, monkeypatch):
    with Sandbox(ready=True, record_requests=True) as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        monkeypatch.setenv("HOME", str(tmp_path))
        yield sandbox


def forget_discovery(sandbox: Sandbox) -> None:
    """Remove the kubernetes client's discovery cache of the sandbox (a file shared by every process), so the
    next command discovers what the cluster serves."""
    digest = hashlib.md5(sandbox.url.encode(), usedforsecurity=False).hexdigest()
    Path(tempfile.gettempdir(), f"osrcp-{digest}.json").unlink(missing_ok=True)


def _requests_of_plan(sandbox: Sandbox, stack: Path) -> list[tuple[str, str]]:
    """The (method, path) of every request a no-change plan of ``stack`` sends, discovering afresh."""
    forget_discovery(sandbox)
    sandbox.requests.clear()
    status, out, err = pyhelm("plan", "-f", str(stack), "--detailed-exitcode")
    assert status == 0, out + err
    return [(method, urlsplit(path).path.rstrip("/")) for method, path in sandbox.requests.snapshot()]


def _is_discovery(path: str) -> bool:
    parts = path.strip("/").split("/")
    return path in ("/version", "/api", "/apis") or path.startswith("/openapi") or \
        (parts[0] == "api" and len(parts) == 2) or (parts[0] == "apis" and len(parts) <= 3)


@pytest.mark.parametrize("size", [6, 18])
def test_a_no_change_plan_lists_each_namespace_once_and_discovers_once(cluster, tmp_path, size) -> None:
    stack = write_stack(tmp_path / "stack.yaml", size)
    status, out, err = pyhelm("apply", "-f", str(stack), "--auto-approve")
    assert status == 0, out + err
    requests = _requests_of_plan(cluster, stack)
    lists = [path for method, path in requests if method == "GET" and path.endswith("/secrets")]
    assert len(lists) <= NAMESPACES + 1, lists  # each namespace's records, and the stack's records for orphans
    named_gets = [path for method, path in requests if "/secrets/" in path]
    assert named_gets == [], "no release record is read alone once a list has answered"
    discovery = Counter(path for _method, path in requests if _is_discovery(path) and path != "/version")
    assert discovery and all(count == 1 for count in discovery.values()), discovery
    # the client's discovery cache reads the version when it starts; the capabilities read it once more
    assert Counter(path for _method, path in requests)["/version"] <= 2
    others = [request for request in requests if not _is_discovery(request[1]) and request[1] not in lists]
    assert len(others) <= 2, others  # the stack lock, read once; never anything per release


def _plan(stack: Path, workers: str, monkeypatch, *flags: str) -> tuple[int, str, str]:
    """``pyhelm plan`` rendering in ``workers`` processes ("1": in the planning process itself)."""
    monkeypatch.setenv("PYHELM_RENDER_PROCESSES", workers)
    return pyhelm("plan", "-f", str(stack), *flags)


def test_rendering_in_worker_processes_plans_what_rendering_in_process_does(cluster, tmp_path, monkeypatch) -> None:
    stack = write_stack(tmp_path / "stack.yaml", 8)
    assert pyhelm("apply", "-f", str(stack), "--auto-approve")[0] == 0
    changed = stack.read_text().replace("greeting: release 3}", "greeting: changed 3}")
    stack.write_text(changed.replace("- name: r7\n", "- name: r7\n    installed: false\n"))
    stack.write_text(stack.read_text() + "  - name: extra\n    namespace: ns0\n"
                     f"    chart: {DEMO}\n")
    serial, parallel = _plan(stack, "1", monkeypatch, "-o", "json"), _plan(stack, "2", monkeypatch, "-o", "json")
    assert serial[0] == 0 and parallel[0] == 0, serial[2] + parallel[2]
    assert json.loads(parallel[1]) == json.loads(serial[1])
    actions = Counter(release["action"] for release in json.loads(serial[1])["releases"])
    assert actions == {"unchanged": 6, "upgrade": 1, "uninstall": 1, "install": 1}
    assert _plan(stack, "2", monkeypatch) == _plan(stack, "1", monkeypatch)


def test_a_release_whose_chart_fails_is_named_the_same_whether_rendered_in_process_or_not(
        cluster, tmp_path, monkeypatch) -> None:
    write_broken_chart(tmp_path / "broken")
    stack = write_stack(tmp_path / "stack.yaml", 8, broken=5)
    serial, parallel = _plan(stack, "1", monkeypatch), _plan(stack, "2", monkeypatch)
    assert serial[0] == parallel[0] == 1
    assert "release ns2/r5" in serial[2] and "the greeting is missing" in serial[2]
    assert parallel[2] == serial[2] and "Traceback" not in parallel[2]


def test_worker_processes_with_nothing_to_render_plan_nothing(cluster, tmp_path, monkeypatch) -> None:
    stack = write_stack(tmp_path / "stack.yaml", 2)
    stack.write_text(stack.read_text().replace("    chart:", "    installed: false\n    chart:"))
    status, out, err = _plan(stack, "2", monkeypatch)
    assert status == 0 and "Plan: 0 to install, 0 to upgrade, 0 to uninstall, 2 unchanged." in out, out + err


def test_a_render_worker_count_that_is_no_number_is_one_clear_error(cluster, tmp_path, monkeypatch) -> None:
    stack = write_stack(tmp_path / "stack.yaml", 2)
    status, _out, err = _plan(stack, "many", monkeypatch)
    assert status == 1 and "PYHELM_RENDER_PROCESSES" in err and "Traceback" not in err


LOOKUP_TEMPLATE = """{{- $seen := lookup "v1" "ConfigMap" .Release.Namespace "outside" }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-seen
data:
  seen: {{ if $seen }}{{ $seen.data.value | quote }}{{ else }}"nothing"{{ end }}
"""


def test_a_saved_plan_whose_lookups_changed_is_refused_alike_when_rendered_by_workers(
        cluster, tmp_path, monkeypatch) -> None:
    from engine.kube.client import KubeClient

    shutil.copytree(DEMO, tmp_path / "looking")
    (tmp_path / "looking" / "templates" / "seen.yaml").write_text(LOOKUP_TEMPLATE)
    stack = write_stack(tmp_path / "stack.yaml", 4)
    stack.write_text(stack.read_text().replace(f"chart: {DEMO}", f"chart: {tmp_path / 'looking'}"))
    saved = tmp_path / "plan.json"
    status, out, err = _plan(stack, "2", monkeypatch, "--out", str(saved))
    assert status == 0 and "add ConfigMap ns1/r1-seen" in out, out + err
    kube = KubeClient.from_config(os.environ["KUBECONFIG"])
    kube.ensure_namespace("ns1")
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "outside", "namespace": "ns1"},
                "data": {"value": "now here"}})
    refusals = []
    for workers in ("1", "2"):
        monkeypatch.setenv("PYHELM_RENDER_PROCESSES", workers)
        refusals.append(pyhelm("apply", str(saved), "--auto-approve"))
    assert refusals[0] == refusals[1]
    status, _out, err = refusals[0]
    assert status == 1 and "ns1/r1 renders a different manifest than planned" in err
    assert "ns0/r0 renders" not in err and "Traceback" not in err

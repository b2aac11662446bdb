"""What the controller tests share: a sandbox with the Stack CRD, controller processes run as
``python -m engine.cli.main controller`` against it, stack files, and polls with deadlines."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEMO_CHART = ROOT / "examples" / "charts" / "demo"
CRD = ROOT / "schemas" / "stack-crd.yaml"
FAST = ["--lease-duration", "3s", "--renew-deadline", "2s", "--retry-period", "0.3s", "--backoff-base", "0.2s",
        "--backoff-max", "1s", "--http-address", "127.0.0.1:0"]


def wait_for(check: Callable[[], Any], what: str, timeout: float = 60.0, every: float = 0.1) -> Any:
    """Poll ``check`` until it returns something true; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def stack_file(releases: dict[str, dict[str, Any]], namespace: str = "team-a", name: str = "web") -> str:
    """A stack file: each release of the demo chart with its values, in ``namespace``."""
    entries = [{"name": release, "chart": str(DEMO_CHART), "values": values} for release, values in releases.items()]
    return yaml.safe_dump({"apiVersion": "pyhelm/v1", "name": name,
                           "defaults": {"namespace": namespace, "createNamespace": True},
                           "environments": {"prod": {}}, "releases": entries}, sort_keys=False)


class Controller:
    """One controller process; its JSON log lines are read from its stderr file."""

    def __init__(self, kubeconfig: Path, log_file: Path, *args: str):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HELM_CACHE_HOME": str(log_file.parent / "cache"),
               "HELM_CONFIG_HOME": str(log_file.parent / "config"), "HELM_DATA_HOME": str(log_file.parent / "data")}
        self.log_file = log_file
        self.handle = open(log_file, "w")
        self.process = subprocess.Popen([sys.executable, "-m", "engine.cli.main", "--kubeconfig", str(kubeconfig),
                                         "controller", *FAST, *args], stdout=subprocess.DEVNULL,
                                        stderr=self.handle, env=env)
        self.port = int(wait_for(self._port, f"{log_file.name} to start serving", 30))

    def logs(self) -> list[dict[str, Any]]:
        lines = []
        for line in self.log_file.read_text().splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                lines.append({"msg": line, "level": "raw"})
        return lines

    def _port(self) -> str | None:
        if self.process.poll() is not None:
            raise AssertionError(f"the controller exited ({self.process.returncode}): {self.log_file.read_text()}")
        for line in self.logs():
            match = re.search(r":(\d+)$", str(line.get("http", "")))
            if line.get("msg") == "controller started" and match:
                return match.group(1)
        return None

    def get(self, path: str) -> requests.Response:
        return requests.get(f"http://127.0.0.1:{self.port}{path}", timeout=5)

    def metric(self, name: str, **labels: str) -> float:
        """The value of one sample of the controller's /metrics (0 when absent)."""
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        for line in self.get("/metrics").text.splitlines():
            if line.startswith(name + "{") or line.startswith(name + " "):
                sample, _, value = line.rpartition(" ")
                found = sample[len(name):].strip("{}")
                if ",".join(sorted(found.split(","))) == wanted or (not labels and not found):
                    return float(value)
        return 0.0

    def reconciled(self) -> set[str]:
        """The Stacks this process started reconciling."""
        return {line["stack"] for line in self.logs() if line.get("msg") == "reconciling"}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.handle.close()


class Cluster:
    """The sandbox (with the Stack CRD) as the tests see it: objects read and written through the API."""

    def __init__(self, sandbox, tmp_path: Path):
        from engine.kube.client import KubeClient

        self.sandbox, self.tmp_path = sandbox, tmp_path
        self.kubeconfig = sandbox.write_kubeconfig(tmp_path / "kubeconfig")
        self.kube = KubeClient.from_config(str(self.kubeconfig))
        self.kube.apply(yaml.safe_load(CRD.read_text()), field_manager="test")
        self.kube.invalidate_discovery()
        self.controllers: list[Controller] = []

    def start_controller(self, *args: str) -> Controller:
        controller = Controller(self.kubeconfig, self.tmp_path / f"controller-{len(self.controllers)}.log", *args)
        self.controllers.append(controller)
        return controller

    def apply(self, obj: dict[str, Any]) -> dict[str, Any]:
        return self.kube.apply(obj, field_manager="test", force=True)

    def namespace(self, name: str) -> None:
        self.kube.ensure_namespace(name)

    def config_map(self, namespace: str, name: str, files: dict[str, str]) -> None:
        self.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace},
                    "data": files})

    def stack(self, namespace: str, name: str, spec: dict[str, Any], labels: dict[str, str] | None = None) -> None:
        self.apply({"apiVersion": "pyhelm.dev/v1alpha1", "kind": "Stack",
                    "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
                    "spec": {"environment": "prod", "interval": "1s", **spec}})

    def get_stack(self, namespace: str, name: str) -> dict[str, Any]:
        return self.sandbox.store.get(("pyhelm.dev", "stacks"), namespace, name) or {}

    def condition(self, namespace: str, name: str, kind: str) -> dict[str, Any]:
        conditions = (self.get_stack(namespace, name).get("status") or {}).get("conditions") or []
        return next((c for c in conditions if c["type"] == kind), {})

    def wait_ready(self, namespace: str, name: str, timeout: float = 60.0) -> dict[str, Any]:
        generation = self.get_stack(namespace, name)["metadata"]["generation"]

        def ready() -> dict[str, Any] | None:
            condition = self.condition(namespace, name, "Ready")
            if condition.get("status") == "True" and condition.get("observedGeneration") == generation:
                return self.get_stack(namespace, name)["status"]
            return None

        try:
            return wait_for(ready, f"Stack {namespace}/{name} to be Ready", timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; its Ready condition: {self.condition(namespace, name, 'Ready')}") from None

    def records(self, namespace: str, name: str) -> list[dict[str, str]]:
        """The labels of every stored revision of a release, oldest first."""
        found = [obj["metadata"]["labels"] for (ns, _n), obj in
                 self.sandbox.store.buckets.get(("", "secrets"), {}).items()
                 if ns == namespace and (obj["metadata"].get("labels") or {}).get("owner") == "helm"
                 and obj["metadata"]["labels"].get("name") == name]
        return sorted(found, key=lambda labels: int(labels["version"]))

    def revision(self, namespace: str, name: str) -> tuple[int, str]:
        records = self.records(namespace, name)
        return (int(records[-1]["version"]), records[-1]["status"]) if records else (0, "")

    def events(self, namespace: str, name: str) -> list[dict[str, Any]]:
        return [e for e in self.sandbox.store.items(("", "events"), namespace)
                if (e.get("involvedObject") or {}).get("name") == name]

    def stop(self) -> None:
        for controller in self.controllers:
            controller.stop()


def assert_sound_histories(cluster: Cluster, releases: list[tuple[str, str]]) -> None:
    """No release ends with two deployed revisions or a pending latest one."""
    for namespace, name in releases:
        records = cluster.records(namespace, name)
        assert sum(1 for r in records if r["status"] == "deployed") <= 1, records
        assert records and not records[-1]["status"].startswith("pending"), records

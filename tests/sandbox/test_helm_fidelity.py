"""A helm install, upgrade and uninstall leave on the sandbox exactly what a real kube-apiserver v1.36 stores.

The scenario is the corpus's helm-style cases (``helm-*`` in ../shared/apiserver-reference: a containerPort
80→81, an env var, a container, a label or a replicas field removed, a Service port renamed or renumbered):
revision 1 of a chart holds the case's first manifest, revision 2 its second. After install and after upgrade
each object is compared with the real server's answer to the same server-side apply (spec, data, labels,
annotations, managedFields without times, generation); helm's own release labels and annotations are set
aside, since the corpus applied the manifests without them. Uninstall leaves neither objects nor releases.
"""
from __future__ import annotations

import json
import os

import pytest
import requests
import yaml

import apiref
from release.release_records import PYHELM, run, write_chart

pytestmark = pytest.mark.skipif(not apiref.available() and os.environ.get("CI") != "true",
                                reason="../shared/apiserver-reference is not beside this checkout")
HELM_LABELS = {"app.kubernetes.io/managed-by"}
HELM_ANNOTATIONS = {"meta.helm.sh/release-name", "meta.helm.sh/release-namespace"}
CASES = sorted(case["name"] for case in apiref.load_cases() if case["name"].startswith("helm-")) \
    if apiref.available() else []


def _without_helm_metadata(obj: dict) -> dict:
    """The object as the corpus applied it: helm's release labels/annotations, and their ownership, removed."""
    obj = json.loads(json.dumps(obj))
    metadata = obj.get("metadata") or {}
    for key, helm_keys in (("labels", HELM_LABELS), ("annotations", HELM_ANNOTATIONS)):
        kept = {k: v for k, v in (metadata.get(key) or {}).items() if k not in helm_keys}
        metadata[key] = kept or None
        for entry in metadata.get("managedFields") or []:
            owned = entry["fieldsV1"].get("f:metadata", {})
            fields = {k: v for k, v in owned.get(f"f:{key}", {}).items() if k[2:] not in helm_keys}
            owned.pop(f"f:{key}", None)
            if fields:
                owned[f"f:{key}"] = fields
            if not owned:
                entry["fieldsV1"].pop("f:metadata", None)
    return obj


def _stored(sandbox, step: dict) -> dict:
    path = step["request"]["path"]
    return requests.get(f"{sandbox.url}{path}", timeout=10).json()


def _env(sandbox, tmp_path) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return {**os.environ, "KUBECONFIG": str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")), "PYTHONPATH": root,
            "HELM_CACHE_HOME": str(tmp_path / "c"), "HELM_CONFIG_HOME": str(tmp_path / "cfg"),
            "HELM_DATA_HOME": str(tmp_path / "d")}


@pytest.mark.parametrize("tool", ["helm", "pyhelm"])
@pytest.mark.parametrize("case", CASES)
def test_install_upgrade_uninstall_store_what_a_real_server_stores(sandbox, helm, tmp_path, tool, case) -> None:
    real = apiref.reference_answers(case)
    namespace = real["namespace"]
    argv = [helm] if tool == "helm" else [*PYHELM]
    env = _env(sandbox, tmp_path)
    differences = []
    for revision, step in enumerate(real["steps"], start=1):
        manifest = yaml.safe_load(step["request"]["body"])
        chart = write_chart(tmp_path / f"v{revision}", "fidelity", {"object.yaml": yaml.safe_dump(manifest)})
        verb = ["install", "--create-namespace"] if revision == 1 else ["upgrade"]
        done = run([*argv, *verb, "fidelity", str(chart), "-n", namespace], env)
        assert done.returncode == 0, done.stderr
        got = apiref.object_view(_without_helm_metadata(_stored(sandbox, step)))
        want = apiref.object_view(step["response"])
        differences += [f"revision {revision} {key}: real {json.dumps(want.get(key))} got {json.dumps(got.get(key))}"
                        for key in sorted(set(want) | set(got)) if want.get(key) != got.get(key)]
    assert not differences, "\n".join(differences)
    removed = run([*argv, "uninstall", "fidelity", "-n", namespace], env)
    assert removed.returncode == 0, removed.stderr
    assert requests.get(f"{sandbox.url}{real['steps'][0]['request']['path']}", timeout=10).status_code == 404
    releases = requests.get(f"{sandbox.url}/api/v1/namespaces/{namespace}/secrets",
                            params={"labelSelector": "owner=helm"}, timeout=10).json()["items"]
    assert releases == []

"""The sandbox over HTTP with the official kubernetes client and raw requests: what each feature must do."""
from __future__ import annotations

import base64
import json
import threading

import pytest
import requests
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from engine.sandbox import Sandbox


@pytest.fixture(scope="module")
def api(sandbox):
    configuration = client.Configuration()
    configuration.host = sandbox.url
    api_client = client.ApiClient(configuration)
    core = client.CoreV1Api(api_client)
    core.create_namespace({"metadata": {"name": "t"}})
    return core


def status_of(call) -> tuple[int, str]:
    with pytest.raises(ApiException) as info:
        call()
    return info.value.status, json.loads(info.value.body).get("reason")


def test_generate_name_and_server_fields(api) -> None:
    created = api.create_namespaced_config_map("t", {"metadata": {"generateName": "gen-"}, "data": {}})
    assert created.metadata.name.startswith("gen-") and len(created.metadata.name) == 9
    assert created.metadata.uid and created.metadata.resource_version.isdigit()


def test_malformed_bodies_get_400_and_the_server_keeps_serving(sandbox, api) -> None:
    url = f"{sandbox.url}/api/v1/namespaces/t/configmaps"
    for body in (b"{not json", b"[1, 2]", b"\x00\x01\x02"):
        response = requests.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=5)
        assert response.status_code == 400 and response.json()["kind"] == "Status"
    response = requests.post(url, data=b"k8s\x00garbage", headers={"Content-Type":
                                                                     "application/vnd.kubernetes.protobuf"}, timeout=5)
    assert response.status_code == 400
    assert api.list_namespaced_config_map("t") is not None


def test_unknown_paths_and_methods(sandbox) -> None:
    assert requests.get(f"{sandbox.url}/apis/nope.example/v1/things", timeout=5).status_code == 404
    assert requests.get(f"{sandbox.url}/api/v1/nonsense", timeout=5).status_code == 404


def test_failure_injection_and_retry(sandbox, api) -> None:
    sandbox.fail_next("GET", r"/configmaps/", status=503, count=1)
    assert status_of(lambda: api.read_namespaced_config_map("x", "t"))[0] == 503
    assert status_of(lambda: api.read_namespaced_config_map("x", "t")) == (404, "NotFound")


def protobuf_secret(namespace: str, name: str, data: dict[str, bytes]) -> bytes:
    """A minimal Kubernetes protobuf envelope for a Secret, as client-go writes it."""
    def field(number: int, payload: bytes) -> bytes:
        return bytes([number << 3 | 2]) + _varint(len(payload)) + payload

    def _varint(value: int) -> bytes:
        out = b""
        while True:
            byte = value & 0x7F
            value >>= 7
            out += bytes([byte | (0x80 if value else 0)])
            if not value:
                return out

    meta = field(1, name.encode()) + field(3, namespace.encode()) + field(11, field(1, b"owner") + field(2, b"helm"))
    secret = field(1, meta) + b"".join(field(2, field(1, k.encode()) + field(2, v)) for k, v in data.items())
    secret += field(3, b"helm.sh/release.v1")
    unknown = field(1, field(1, b"v1") + field(2, b"Secret")) + field(2, secret)
    return b"k8s\x00" + unknown


def test_protobuf_secret_is_stored_as_json(sandbox, api) -> None:
    body = protobuf_secret("t", "sh.helm.release.v1.x.v1", {"release": b"payload"})
    response = requests.post(f"{sandbox.url}/api/v1/namespaces/t/secrets", data=body,
                             headers={"Content-Type": "application/vnd.kubernetes.protobuf"}, timeout=5)
    assert response.status_code == 201, response.text
    stored = api.read_namespaced_secret("sh.helm.release.v1.x.v1", "t")
    assert stored.type == "helm.sh/release.v1" and stored.metadata.labels == {"owner": "helm"}
    assert base64.b64decode(stored.data["release"]) == b"payload"


def test_watch_from_resource_version_sees_later_changes_only(api) -> None:
    api.create_namespaced_config_map("t", {"metadata": {"name": "before"}, "data": {}})
    rv = api.list_namespaced_config_map("t").metadata.resource_version
    api.create_namespaced_config_map("t", {"metadata": {"name": "after"}, "data": {}})
    api.patch_namespaced_config_map("after", "t", {"data": {"a": "1"}})
    api.delete_namespaced_config_map("after", "t")
    seen = []
    stream = watch.Watch()
    for event in stream.stream(api.list_namespaced_config_map, "t", resource_version=rv, timeout_seconds=1):
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == 3:
            stream.stop()
    assert seen == [("ADDED", "after"), ("MODIFIED", "after"), ("DELETED", "after")]


def test_watch_list_sends_initial_events_then_a_bookmark(sandbox, api) -> None:
    response = requests.get(f"{sandbox.url}/api/v1/namespaces/t/configmaps", stream=True, timeout=10, params={
        "watch": "true", "sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan",
        "allowWatchBookmarks": "true", "timeoutSeconds": "1"})
    events = [json.loads(line) for line in response.iter_lines() if line]
    bookmark = next(i for i, e in enumerate(events) if e["type"] == "BOOKMARK")
    assert all(e["type"] == "ADDED" for e in events[:bookmark])
    assert events[bookmark]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


def test_server_side_apply_ownership_and_force(sandbox, api) -> None:
    url = f"{sandbox.url}/api/v1/namespaces/t/configmaps/owned"
    headers = {"Content-Type": "application/apply-patch+yaml"}

    def apply(manager: str, data: str, force: bool = False) -> requests.Response:
        body = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\ndata:\n{data}"
        return requests.patch(url, data=body, headers=headers, timeout=5,
                              params={"fieldManager": manager, **({"force": "true"} if force else {})})

    assert apply("a", "  x: '1'\n  y: '2'\n").status_code == 201
    assert apply("b", "  z: '3'\n").status_code == 200  # a new field: no conflict
    conflict = apply("b", "  x: '9'\n  z: '3'\n")
    assert conflict.status_code == 409 and 'conflict with "a": .data.x' in conflict.json()["message"]
    assert apply("b", "  x: '9'\n  z: '3'\n", force=True).status_code == 200
    result = apply("a", "  y: '2'\n").json()  # a no longer owns x (forced away) and drops nothing else
    assert result["data"] == {"x": "9", "y": "2", "z": "3"}
    fields = {m["manager"]: m["fieldsV1"] for m in result["metadata"]["managedFields"]}
    # an applier owns the map's keys, not the map (no "." entry), as kube-apiserver records it (apiserver-reference
    # cm-baseline-apply: helm's entry is {"f:data": {"f:a": {}}})
    assert fields["a"] == {"f:data": {"f:y": {}}} and fields["b"]["f:data"]["f:x"] == {}


def test_strategic_merge_retain_keys_and_primitive_list_directives(sandbox) -> None:
    apps = f"{sandbox.url}/apis/apps/v1/namespaces/t/deployments"
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {
                      "metadata": {"labels": {"a": "b"}, "finalizers": ["x", "y"]},
                      "spec": {"containers": [{"name": "c", "image": "i", "env": [{"name": "A", "value": "1"}]}]}}}}
    assert requests.post(apps, json=deployment, timeout=5).status_code == 201
    patch = {"spec": {"template": {"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}, "spec": {
        "containers": [{"name": "c", "env": [{"name": "B", "value": "2"}]}]}}}}
    result = requests.patch(f"{apps}/d", json=patch, timeout=5,
                            headers={"Content-Type": "application/strategic-merge-patch+json"}).json()
    template = result["spec"]["template"]
    assert template["metadata"]["finalizers"] == ["y"]
    assert template["spec"]["containers"][0]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert result["metadata"]["generation"] == 2


def test_namespace_deletion_cascades_and_crd_deletion_removes_instances(sandbox, api) -> None:
    api.create_namespace({"metadata": {"name": "gone"}})
    api.create_namespaced_config_map("gone", {"metadata": {"name": "c"}, "data": {}})
    api.delete_namespace("gone")
    assert status_of(lambda: api.read_namespaced_config_map("c", "gone"))[0] == 404
    crds = f"{sandbox.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "things.x.io"}, "spec": {"group": "x.io", "scope": "Namespaced", "names": {
               "plural": "things", "kind": "Thing"}, "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                   "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}}
    assert requests.post(crds, json=crd, timeout=5).status_code == 201
    things = f"{sandbox.url}/apis/x.io/v1/namespaces/t/things"
    assert requests.post(things, json={"apiVersion": "x.io/v1", "kind": "Thing", "metadata": {"name": "a"}},
                         timeout=5).status_code == 201
    assert requests.delete(f"{crds}/things.x.io", timeout=5).status_code == 200
    assert requests.get(things, timeout=5).status_code == 404


def test_deletecollection_with_selector_and_dry_run_delete(sandbox, api) -> None:
    for name, team in (("l1", "a"), ("l2", "a"), ("l3", "b")):
        api.create_namespaced_config_map("t", {"metadata": {"name": name, "labels": {"team": team}}, "data": {}})
    api.delete_namespaced_config_map("l3", "t", dry_run="All")
    api.delete_collection_namespaced_config_map("t", label_selector="team=a")
    left = {c.metadata.name for c in api.list_namespaced_config_map("t", label_selector="team").items}
    assert left == {"l3"}


def test_state_file_keeps_objects_across_restarts(tmp_path) -> None:
    state = tmp_path / "state.json"
    with Sandbox(state_file=str(state)) as first:
        requests.post(f"{first.url}/api/v1/namespaces/default/configmaps",
                      json={"metadata": {"name": "kept"}, "data": {"a": "1"}}, timeout=5)
    with Sandbox(state_file=str(state)) as second:
        response = requests.get(f"{second.url}/api/v1/namespaces/default/configmaps/kept", timeout=5)
        assert response.status_code == 200 and response.json()["data"] == {"a": "1"}


def test_concurrent_writes_never_lose_an_object(sandbox, api) -> None:
    def writer(index: int) -> None:
        for n in range(10):
            api.create_namespaced_config_map("t", {"metadata": {"name": f"w{index}-{n}"}, "data": {}})
    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = {c.metadata.name for c in api.list_namespaced_config_map("t").items}
    assert {f"w{i}-{n}" for i in range(4) for n in range(10)} <= names


@pytest.mark.parametrize("path, body, field", [
    ("/api/v1/namespaces/t/configmaps", {"metadata": {"name": "Bad_Name"}}, "metadata.name"),
    ("/api/v1/namespaces/t/configmaps", {"metadata": {"name": "ok", "labels": {"a": "not valid!"}}},
     "metadata.labels"),
    ("/api/v1/namespaces/t/configmaps", {"metadata": {"name": "ok2"}, "data": {"bad key": "v"}}, "data[bad key]"),
    ("/api/v1/namespaces/t/services", {"metadata": {"name": "web.v1"}, "spec": {"ports": [{"port": 80}]}},
     "metadata.name"),
    ("/apis/apps/v1/namespaces/t/deployments", {"metadata": {"name": "d2"}, "spec": {
        "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "c"}},
                                                               "spec": {"containers": [{"name": "c"}]}}}},
     "spec.template.metadata.labels"),
    ("/api/v1/namespaces/t/pods", {"metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "c", "image": "i", "securityContext": {"runAsUser": -1}}]}}, "spec.containers[0].securityContext.runAsUser"),
    ("/api/v1/namespaces/t/pods", {"metadata": {"name": "p2"}, "spec": {"containers": [{"name": "c", "image": "i"}],
                                                                      "tolerations": [{"key": "k", "operator": "In"}]}},
     "spec.tolerations[0].operator"),
    ("/api/v1/namespaces/t/persistentvolumeclaims", {"metadata": {"name": "c"}, "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "-1Gi"}}}}, "spec.resources[storage]"),
    ("/apis/batch/v1/namespaces/t/cronjobs", {"metadata": {"name": "c"}, "spec": {
        "schedule": "* * * * *", "timeZone": "Mars/Base", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}}}}, "spec.timeZone"),
    ("/api/v1/namespaces/t/pods", {"metadata": {"name": "p3"}, "spec": {"containers": [{"name": "c", "image": "i"}],
                                                                      "volumes": [{"name": "v", "secret": {"secretName": "s"},
                                                                                   "configMap": {"name": "c"}}]}},
     "spec.volumes[0].configMap"),
])
def test_invalid_objects_are_refused_as_a_real_api_server_refuses_them(sandbox, path, body, field) -> None:
    response = requests.post(f"{sandbox.url}{path}", json=body, timeout=5)
    assert response.status_code == 422 and response.json()["reason"] == "Invalid"
    assert response.json()["details"]["causes"][0]["field"] == field


def test_volumes_are_defaulted_as_the_scheme_defaults_them(sandbox) -> None:
    """SetDefaults_Volume and the volume sources' defaults: a volume naming no source is an emptyDir, files of
    secret and configMap volumes get mode 0644 (420)."""
    pod = {"metadata": {"name": "vols"}, "spec": {"automountServiceAccountToken": False, "containers": [
        {"name": "c", "image": "i"}], "volumes": [{"name": "scratch"}, {"name": "cfg", "configMap": {"name": "c"}}]}}
    stored = requests.post(f"{sandbox.url}/api/v1/namespaces/t/pods", json=pod, timeout=5).json()
    assert stored["spec"]["volumes"] == [{"name": "scratch", "emptyDir": {}},
                                         {"name": "cfg", "configMap": {"name": "c", "defaultMode": 420}}]

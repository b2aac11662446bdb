"""What a real cluster stores beyond what was sent, in two steps as kube-apiserver takes them:

- ``apply_defaults``: the scheme's defaulting functions (``SetDefaults_*``), run when a body is decoded, so
  the writer of an Update owns the defaulted fields (and an Apply, which defaults after merging, does not);
- ``prepare``: what the registry and the admission plugins add after field ownership is recorded (a
  Service's cluster IPs and node ports, a Job's generated selector, a Pod's service-account token and
  tolerations, a claim's protection finalizer), which therefore no manager owns."""
from __future__ import annotations

import copy
import ipaddress
import itertools
import secrets
from typing import Any

_service_ips = itertools.count(1)
_node_ports = itertools.count(0)


def _container(container: dict[str, Any]) -> None:
    image = str(container.get("image", ""))
    tag = image.rsplit("/", 1)[-1]
    latest = ":" not in tag or tag.endswith(":latest")
    if "@" in image:
        latest = False
    container.setdefault("imagePullPolicy", "Always" if latest else "IfNotPresent")
    container.setdefault("resources", {})
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    for port in container.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for variable in container.get("env") or []:
        field_ref = ((variable or {}).get("valueFrom") or {}).get("fieldRef") if isinstance(variable, dict) else None
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")  # SetDefaults_ObjectFieldSelector
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if isinstance(container.get(probe), dict):
            spec = container[probe]
            for key, value in (("failureThreshold", 3), ("periodSeconds", 10), ("successThreshold", 1),
                               ("timeoutSeconds", 1)):
                spec.setdefault(key, value)
            if isinstance(spec.get("httpGet"), dict):
                spec["httpGet"].setdefault("scheme", "HTTP")


# Volume sources whose files get a mode: SetDefaults_{Secret,ConfigMap,DownwardAPI,Projected}VolumeSource.
_MODED_SOURCES = ("secret", "configMap", "downwardAPI", "projected")


def _volume(volume: dict[str, Any]) -> None:
    """SetDefaults_Volume: a volume that names no source is an emptyDir."""
    if not any(isinstance(value, dict) for key, value in volume.items() if key != "name"):
        volume["emptyDir"] = {}
    for source in _MODED_SOURCES:
        if isinstance(volume.get(source), dict):
            volume[source].setdefault("defaultMode", 420)
    if isinstance(volume.get("hostPath"), dict):
        volume["hostPath"].setdefault("type", "")
    for item in ((volume.get("downwardAPI") or {}).get("items") or []) if isinstance(volume.get("downwardAPI"),
                                                                                     dict) else []:
        if isinstance(item, dict) and isinstance(item.get("fieldRef"), dict):
            item["fieldRef"].setdefault("apiVersion", "v1")


def pod_spec(spec: dict[str, Any]) -> None:
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", 30)
    if "serviceAccountName" in spec:
        spec.setdefault("serviceAccount", spec["serviceAccountName"])
    for volume in spec.get("volumes") or []:
        if isinstance(volume, dict):
            _volume(volume)
    for key in ("containers", "initContainers"):
        for container in spec.get(key) or []:
            if isinstance(container, dict):
                _container(container)


def _template(spec: dict[str, Any]) -> None:
    template = spec.get("template")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        pod_spec(template["spec"])


def deployment(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        strategy.setdefault("rollingUpdate", {}).setdefault("maxSurge", "25%")
        strategy["rollingUpdate"].setdefault("maxUnavailable", "25%")
    _template(spec)


def statefulset(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("podManagementPolicy", "OrderedReady")
    spec.setdefault("updateStrategy", {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
    spec.setdefault("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})
    for claim in spec.get("volumeClaimTemplates") or []:
        if isinstance(claim, dict):
            claim.setdefault("apiVersion", "v1")
            claim.setdefault("kind", "PersistentVolumeClaim")
            persistent_volume_claim(claim)
            claim.setdefault("status", {"phase": "Pending"})
    _template(spec)


def persistent_volume_claim(obj: dict[str, Any]) -> None:
    obj.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")


def daemonset(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("updateStrategy", {"type": "RollingUpdate",
                                       "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}})
    _template(spec)


def replicaset(obj: dict[str, Any]) -> None:
    """SetDefaults_ReplicaSet (apps/v1) and SetDefaults_ReplicationController (v1)."""
    obj.setdefault("spec", {}).setdefault("replicas", 1)
    _template(obj["spec"])


def _job_spec(spec: dict[str, Any]) -> None:
    """SetDefaults_Job: one completion only when neither count is given (a work queue keeps none)."""
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 2147483647 if spec.get("backoffLimitPerIndex") is not None else 6)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    spec.setdefault("podReplacementPolicy", "Failed" if spec.get("podFailurePolicy") is not None
                    else "TerminatingOrFailed")
    _template(spec)


def job(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    _job_spec(spec)
    spec.setdefault("manualSelector", False)


def _generate_job_selector(obj: dict[str, Any]) -> None:
    """The Job strategy's generateSelector: the controller-uid and job-name labels, unless the selector is
    manual."""
    spec = obj.setdefault("spec", {})
    metadata = obj.get("metadata") or {}
    if spec.get("manualSelector") is True:
        _job_labels(metadata, spec)
        return
    uid, name = metadata["uid"], metadata.get("name", "")
    generated = {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name,
                 "controller-uid": uid, "job-name": name}
    template = spec.setdefault("template", {})
    decoded_with_labels = isinstance((template.get("metadata") or {}).get("labels"), dict)
    labels = template.setdefault("metadata", {}).setdefault("labels", {})
    for key, value in generated.items():
        labels.setdefault(key, value)
    selector = spec.get("selector") or {}
    spec["selector"] = selector
    selector.setdefault("matchLabels", {}).setdefault("batch.kubernetes.io/controller-uid", uid)
    if decoded_with_labels:  # SetDefaults_Job shared the template's label map at decoding: it is validated too
        _job_labels(metadata, spec)


def settle(group: str, kind: str, obj: dict[str, Any]) -> None:
    """What defaulting adds when a validated object is read back from storage (the answer, and every read)."""
    if (group, kind) == ("batch", "Job"):
        _job_labels(obj.setdefault("metadata", {}), obj.get("spec") or {})


def _job_labels(metadata: dict[str, Any], spec: dict[str, Any]) -> None:
    """A Job without labels carries its pod template's (SetDefaults_Job, run again when the stored object is
    read back, by then with the generated ones)."""
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if not metadata.get("labels") and isinstance(labels, dict) and labels:
        metadata["labels"] = dict(labels)


def cronjob(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_template = spec.get("jobTemplate")
    if isinstance(job_template, dict) and isinstance(job_template.get("spec"), dict):
        _template(job_template["spec"])


def service(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    if spec["type"] != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    if spec["sessionAffinity"] == "ClientIP":
        config = spec.get("sessionAffinityConfig") if isinstance(spec.get("sessionAffinityConfig"), dict) else {}
        client = config.get("clientIP") if isinstance(config.get("clientIP"), dict) else {}
        if client.get("timeoutSeconds") is None:  # DefaultClientIPServiceAffinitySeconds
            spec["sessionAffinityConfig"] = {**config, "clientIP": {**client, "timeoutSeconds": 10800}}
    for port in spec.get("ports") or []:
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if not port.get("targetPort"):
                port["targetPort"] = port.get("port")


_ALLOCATED = ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy")


def _allocate_service(obj: dict[str, Any], old: dict[str, Any] | None) -> None:
    """The Service REST storage: cluster IPs and node ports are allocated once and kept on update."""
    spec = obj.setdefault("spec", {})
    old_spec = (old or {}).get("spec") or {}
    for key in _ALLOCATED:
        if key not in spec and key in old_spec and spec.get("type") != "ExternalName":
            spec[key] = copy.deepcopy(old_spec[key])
    if spec.get("type") != "ExternalName":
        if spec.get("clusterIP") != "None" and not spec.get("clusterIP"):
            spec["clusterIP"] = str(ipaddress.ip_address("10.96.0.0") + next(_service_ips))
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
    old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort") for p in old_spec.get("ports") or []
                 if isinstance(p, dict) and p.get("nodePort")}
    for port in spec.get("ports") or []:
        if isinstance(port, dict) and spec["type"] in ("NodePort", "LoadBalancer") and not port.get("nodePort"):
            port["nodePort"] = old_ports.get((port.get("port"), port.get("protocol"))) or \
                30000 + next(_node_ports) % 2768


_TOKEN_SOURCES = [
    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
    {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
    {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                    "fieldPath": "metadata.namespace"}}]}},
    {"configMap": {"name": "openshift-service-ca.crt", "items": [{"key": "service-ca.crt", "path": "service-ca.crt"}]}}]


def _service_account_admission(spec: dict[str, Any]) -> None:
    """The ServiceAccount and DefaultTolerationSeconds admission plugins: a projected token volume mounted in
    every container (its name has a random suffix, as on a cluster) and the not-ready/unreachable tolerations."""
    if spec.get("automountServiceAccountToken") is not False:
        name = "kube-api-access-" + "".join(secrets.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))
        spec.setdefault("volumes", []).append({"name": name, "projected": {
            "sources": copy.deepcopy(_TOKEN_SOURCES), "defaultMode": 420}})
        for container in spec.get("containers") or []:
            if isinstance(container, dict):
                container.setdefault("volumeMounts", []).append(
                    {"name": name, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})
    tolerations = spec.setdefault("tolerations", [])
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not any(isinstance(t, dict) and t.get("key") == key for t in tolerations):
            tolerations.append({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300})


def pod(obj: dict[str, Any]) -> None:
    """SetDefaults_Pod: beyond a template's defaults, requests default to limits, service links are on, and on
    the host network a container port is also its host port (none of which a pod template gets)."""
    spec = obj.setdefault("spec", {})
    pod_spec(spec)
    for key in ("containers", "initContainers"):
        for container in spec.get(key) or []:
            resources = container.get("resources") if isinstance(container, dict) else None
            if isinstance(resources, dict) and isinstance(resources.get("limits"), dict):
                requests = resources.setdefault("requests", {})
                for name, amount in resources["limits"].items():
                    requests.setdefault(name, amount)
            if spec.get("hostNetwork") and isinstance(container, dict):
                for port in container.get("ports") or []:
                    if isinstance(port, dict) and not port.get("hostPort") and port.get("containerPort"):
                        port["hostPort"] = port["containerPort"]
    spec.setdefault("enableServiceLinks", True)


def _admit_pod(obj: dict[str, Any]) -> None:
    """The ServiceAccount, Priority and DefaultTolerationSeconds admission plugins, and the Pod strategy's
    initial status."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("serviceAccountName", "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])
    _service_account_admission(spec)
    spec.setdefault("priority", 0)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    obj["status"] = {"phase": "Pending"}


def _protect_claim(obj: dict[str, Any]) -> None:
    """The StorageObjectInUseProtection admission plugin's finalizer, and an unbound claim's status."""
    finalizers = obj.setdefault("metadata", {}).setdefault("finalizers", [])
    if "kubernetes.io/pvc-protection" not in finalizers:
        finalizers.append("kubernetes.io/pvc-protection")
    obj["status"] = {"phase": "Pending"}


def horizontal_pod_autoscaler(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("minReplicas", 1)
    if obj.get("apiVersion") == "autoscaling/v2" and not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {"name": "cpu", "target": {
            "type": "Utilization", "averageUtilization": 80}}}]
    behavior = spec.get("behavior")
    if obj.get("apiVersion") == "autoscaling/v2" and isinstance(behavior, dict):
        # SetDefaults_HorizontalPodAutoscalerBehavior: unset rule fields take the defaults (no scale-down window)
        for direction, defaults in _SCALING_DEFAULTS.items():
            rules = behavior.get(direction) if isinstance(behavior.get(direction), dict) else {}
            behavior[direction] = {**copy.deepcopy(defaults), **{k: v for k, v in rules.items() if v is not None}}


_SCALING_DEFAULTS = {
    "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                             {"type": "Percent", "value": 100, "periodSeconds": 15}]},
    "scaleDown": {"selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]},
}


def role(obj: dict[str, Any]) -> None:
    """``rules`` has no omitempty in Go: a role without rules is written with ``rules: null``."""
    if not obj.get("rules"):
        obj["rules"] = None


def namespace(obj: dict[str, Any]) -> None:
    """The Namespace defaulter labels every namespace with its name."""
    metadata = obj.setdefault("metadata", {})
    metadata["labels"] = {**(metadata.get("labels") or {}), "kubernetes.io/metadata.name": metadata.get("name", "")}


def role_binding(obj: dict[str, Any]) -> None:
    """SetDefaults_RoleBinding / _ClusterRoleBinding and SetDefaults_Subject: the rbac group where none is given."""
    ref = obj.get("roleRef")
    if isinstance(ref, dict) and not ref.get("apiGroup"):
        ref["apiGroup"] = "rbac.authorization.k8s.io"
    for subject in obj.get("subjects") or []:
        if isinstance(subject, dict) and not subject.get("apiGroup") and subject.get("kind") in ("User", "Group"):
            subject["apiGroup"] = "rbac.authorization.k8s.io"


def storage_class(obj: dict[str, Any]) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


def priority_class(obj: dict[str, Any]) -> None:
    obj.setdefault("preemptionPolicy", "PreemptLowerPriority")


def webhook_configuration(obj: dict[str, Any]) -> None:
    """SetDefaults_ValidatingWebhook / _MutatingWebhook, SetDefaults_Rule and SetDefaults_ServiceReference."""
    for hook in obj.get("webhooks") or []:
        if not isinstance(hook, dict):
            continue
        hook.setdefault("failurePolicy", "Fail")
        hook.setdefault("matchPolicy", "Equivalent")
        hook.setdefault("namespaceSelector", {})
        hook.setdefault("objectSelector", {})
        hook.setdefault("timeoutSeconds", 10)
        if obj.get("kind") == "MutatingWebhookConfiguration":
            hook.setdefault("reinvocationPolicy", "Never")
        for rule in hook.get("rules") or []:
            if isinstance(rule, dict):
                rule.setdefault("scope", "*")
        service = (hook.get("clientConfig") or {}).get("service") if isinstance(hook.get("clientConfig"), dict) \
            else None
        if isinstance(service, dict):
            service.setdefault("port", 443)


def custom_resource_definition(obj: dict[str, Any]) -> None:
    """SetDefaults_CustomResourceDefinitionSpec: singular and list kind from the kind, no conversion."""
    spec = obj.setdefault("spec", {})
    names = spec.get("names")
    if isinstance(names, dict) and names.get("kind"):
        names.setdefault("singular", str(names["kind"]).lower())
        names.setdefault("listKind", f"{names['kind']}List")
    spec.setdefault("conversion", {"strategy": "None"})


def network_policy(obj: dict[str, Any]) -> None:
    """SetDefaults_NetworkPolicy (Ingress, plus Egress when there are egress rules) and its ports' protocol."""
    spec = obj.setdefault("spec", {})
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress", "Egress"] if spec.get("egress") else ["Ingress"]
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or []:
            for port in (rule or {}).get("ports") or [] if isinstance(rule, dict) else []:
                if isinstance(port, dict):
                    port.setdefault("protocol", "TCP")


DEFAULTERS = {("apps", "Deployment"): deployment, ("apps", "StatefulSet"): statefulset,
              ("apps", "DaemonSet"): daemonset, ("apps", "ReplicaSet"): replicaset,
              ("", "ReplicationController"): replicaset, ("batch", "Job"): job, ("", "Service"): service,
              ("", "Pod"): pod, ("", "PersistentVolumeClaim"): persistent_volume_claim,
              ("batch", "CronJob"): cronjob, ("", "Namespace"): namespace,
              ("rbac.authorization.k8s.io", "Role"): role, ("rbac.authorization.k8s.io", "ClusterRole"): role,
              ("rbac.authorization.k8s.io", "RoleBinding"): role_binding,
              ("rbac.authorization.k8s.io", "ClusterRoleBinding"): role_binding,
              ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): webhook_configuration,
              ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): webhook_configuration,
              ("networking.k8s.io", "NetworkPolicy"): network_policy,
              ("storage.k8s.io", "StorageClass"): storage_class, ("scheduling.k8s.io", "PriorityClass"): priority_class,
              ("autoscaling", "HorizontalPodAutoscaler"): horizontal_pod_autoscaler, ("apiextensions.k8s.io", "CustomResourceDefinition"):
              custom_resource_definition}


def apply_defaults(group: str, kind: str, obj: dict[str, Any]) -> None:
    defaulter = DEFAULTERS.get((group, kind))
    if defaulter is not None:
        defaulter(obj)


def prepare(group: str, kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
    """What the registry and admission add to a create (``old`` is None) or an update, after ownership."""
    if (group, kind) == ("", "Service"):
        _allocate_service(obj, old)
    elif old is None and (group, kind) == ("batch", "Job"):
        _generate_job_selector(obj)
    elif old is None and (group, kind) == ("", "Pod"):
        _admit_pod(obj)
    elif old is None and (group, kind) == ("", "PersistentVolumeClaim"):
        _protect_claim(obj)

"""The API resources the sandbox serves: a built-in table and the custom resources CRDs add."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


@dataclass(frozen=True)
class Resource:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    custom: bool = False

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()


def _r(gv: str, plural: str, kind: str, namespaced: bool = True, short: tuple[str, ...] = (),
       sub: tuple[str, ...] = ()) -> Resource:
    group, _, version = gv.rpartition("/")
    return Resource(group, version, plural, kind, namespaced, short, sub)


BUILTIN = [
    _r("v1", "namespaces", "Namespace", False, ("ns",), ("status", "finalize")),
    _r("v1", "configmaps", "ConfigMap", short=("cm",)),
    _r("v1", "secrets", "Secret"),
    _r("v1", "services", "Service", short=("svc",), sub=("status", "proxy")),
    _r("v1", "pods", "Pod", short=("po",), sub=("status", "log", "exec", "eviction")),
    _r("v1", "serviceaccounts", "ServiceAccount", short=("sa",), sub=("token",)),
    _r("v1", "persistentvolumeclaims", "PersistentVolumeClaim", short=("pvc",), sub=("status",)),
    _r("v1", "persistentvolumes", "PersistentVolume", False, ("pv",), ("status",)),
    _r("v1", "endpoints", "Endpoints", short=("ep",)),
    _r("v1", "events", "Event", short=("ev",)),
    _r("v1", "nodes", "Node", False, ("no",), ("status",)),
    _r("v1", "resourcequotas", "ResourceQuota", short=("quota",), sub=("status",)),
    _r("v1", "limitranges", "LimitRange", short=("limits",)),
    _r("v1", "replicationcontrollers", "ReplicationController", short=("rc",), sub=("status", "scale")),
    _r("apps/v1", "deployments", "Deployment", short=("deploy",), sub=("status", "scale")),
    _r("apps/v1", "statefulsets", "StatefulSet", short=("sts",), sub=("status", "scale")),
    _r("apps/v1", "daemonsets", "DaemonSet", short=("ds",), sub=("status",)),
    _r("apps/v1", "replicasets", "ReplicaSet", short=("rs",), sub=("status", "scale")),
    _r("apps/v1", "controllerrevisions", "ControllerRevision"),
    _r("batch/v1", "jobs", "Job", sub=("status",)),
    _r("batch/v1", "cronjobs", "CronJob", short=("cj",), sub=("status",)),
    _r("networking.k8s.io/v1", "ingresses", "Ingress", short=("ing",), sub=("status",)),
    _r("networking.k8s.io/v1", "ingressclasses", "IngressClass", False),
    _r("networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", short=("netpol",)),
    _r("rbac.authorization.k8s.io/v1", "roles", "Role"),
    _r("rbac.authorization.k8s.io/v1", "rolebindings", "RoleBinding"),
    _r("rbac.authorization.k8s.io/v1", "clusterroles", "ClusterRole", False),
    _r("rbac.authorization.k8s.io/v1", "clusterrolebindings", "ClusterRoleBinding", False),
    _r("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", False, ("crd", "crds"),
       ("status",)),
    _r("policy/v1", "poddisruptionbudgets", "PodDisruptionBudget", short=("pdb",), sub=("status",)),
    _r("autoscaling/v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", short=("hpa",), sub=("status",)),
    _r("autoscaling/v1", "horizontalpodautoscalers", "HorizontalPodAutoscaler", short=("hpa",), sub=("status",)),
    _r("storage.k8s.io/v1", "storageclasses", "StorageClass", False, ("sc",)),
    _r("coordination.k8s.io/v1", "leases", "Lease"),
    _r("scheduling.k8s.io/v1", "priorityclasses", "PriorityClass", False, ("pc",)),
    _r("admissionregistration.k8s.io/v1", "mutatingwebhookconfigurations", "MutatingWebhookConfiguration", False),
    _r("admissionregistration.k8s.io/v1", "validatingwebhookconfigurations", "ValidatingWebhookConfiguration",
       False),
    _r("apiregistration.k8s.io/v1", "apiservices", "APIService", False, sub=("status",)),
    _r("discovery.k8s.io/v1", "endpointslices", "EndpointSlice"),
]


@dataclass
class Registry:
    """Resources by group/version, including those CRDs register while the sandbox runs."""

    resources: list[Resource] = field(default_factory=lambda: list(BUILTIN))
    lock: threading.RLock = field(default_factory=threading.RLock)

    def group_versions(self) -> dict[str, list[str]]:
        """group → versions, in first-seen order (the core group is "")."""
        out: dict[str, list[str]] = {}
        with self.lock:
            for resource in self.resources:
                versions = out.setdefault(resource.group, [])
                if resource.version not in versions:
                    versions.append(resource.version)
        return out

    def in_group_version(self, group: str, version: str) -> list[Resource]:
        with self.lock:
            return [r for r in self.resources if r.group == group and r.version == version]

    def find(self, group: str, version: str, plural: str) -> Resource | None:
        with self.lock:
            return next((r for r in self.resources
                         if r.group == group and r.version == version and r.plural == plural), None)

    def by_bucket(self, bucket: tuple[str, str]) -> Resource | None:
        """The resource stored under (group, plural)."""
        with self.lock:
            return next((r for r in self.resources if (r.group, r.plural) == bucket), None)

    def register_crd(self, crd: dict) -> list[Resource]:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        added = []
        with self.lock:
            self.unregister_crd(crd)
            for version in spec.get("versions") or []:
                if not version.get("served", True):
                    continue
                subresources = ("status",) if (version.get("subresources") or {}).get("status") is not None else ()
                resource = Resource(spec.get("group", ""), version.get("name", "v1"), names.get("plural", ""),
                                    names.get("kind", ""), spec.get("scope", "Namespaced") == "Namespaced",
                                    tuple(names.get("shortNames") or ()), subresources, custom=True)
                self.resources.append(resource)
                added.append(resource)
        return added

    def unregister_crd(self, crd: dict) -> None:
        spec = crd.get("spec") or {}
        plural = (spec.get("names") or {}).get("plural")
        with self.lock:
            self.resources = [r for r in self.resources
                              if not (r.custom and r.group == spec.get("group") and r.plural == plural)]

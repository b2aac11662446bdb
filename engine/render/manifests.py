"""From rendered files to ordered manifests and hooks (Helm's releaseutil.SortManifests)."""
from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import Any

from engine.gotemplate.gojson import json_kind
from engine.release.hook import Hook

HOOK_ANNOTATION = "helm.sh/hook"
HOOK_WEIGHT_ANNOTATION = "helm.sh/hook-weight"
HOOK_DELETE_ANNOTATION = "helm.sh/hook-delete-policy"
HOOK_OUTPUT_LOG_ANNOTATION = "helm.sh/hook-output-log-policy"

HOOK_EVENTS = {
    "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade", "post-upgrade",
    "pre-rollback", "post-rollback", "test",
}
_EVENT_ALIASES = {"test-success": "test"}

INSTALL_ORDER = (
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy",
    "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole",
    "ClusterRoleList", "ClusterRoleBinding", "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
    "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
)
UNINSTALL_ORDER = (
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService", "Ingress",
    "IngressClass", "Service", "CronJob", "Job", "StatefulSet", "HorizontalPodAutoscaler", "Deployment",
    "ReplicaSet", "ReplicationController", "Pod", "DaemonSet", "RoleBindingList", "RoleBinding", "RoleList",
    "Role", "ClusterRoleBindingList", "ClusterRoleBinding", "ClusterRoleList", "ClusterRole",
    "CustomResourceDefinition", "PersistentVolumeClaim", "PersistentVolume", "StorageClass", "ConfigMap",
    "SecretList", "Secret", "ServiceAccount", "PodDisruptionBudget", "PodSecurityPolicy", "LimitRange",
    "ResourceQuota", "NetworkPolicy", "Namespace", "PriorityClass",
)

_GO_SPACE = " \t\n\r\f"  # what \s matches in Go's regular expressions (RE2: no vertical tab)


class ManifestError(Exception):
    """A rendered document that is not valid YAML (``YAML parse error on <file>: …``)."""


@dataclass
class Head:
    """The parts of a document Helm reads before sorting: apiVersion, kind, name and annotations."""

    api_version: str = ""
    kind: str = ""
    name: str = ""
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass
class Manifest:
    """One rendered document: the file it came from, its text and its head."""

    path: str
    content: str
    head: Head



def split_manifests(text: str) -> list[str]:
    """Split a file into its YAML documents, trimmed, empty ones dropped (Helm's SplitManifests)."""
    return [doc.strip() for doc in _split_at_separators(text.strip()) if doc.strip()]


def _split_at_separators(text: str) -> list[str]:
    """``re.split`` of Helm's separator regex ``(?:^|\\s*\\n)---\\s*``, without running the regex at every
    position (which costs more than the rest of the split on a large chart): a separator is a ``---`` at the
    start or right after a newline not taken by the previous separator, with the whitespace on both sides."""
    pieces: list[str] = []
    piece_start = searched_to = 0
    at = text.find("---")
    while at != -1:
        if (at == 0 and searched_to == 0) or (at > searched_to and text[at - 1] == "\n"):
            start = at if at == 0 else at - 1
            while start > searched_to and text[start - 1] in _GO_SPACE:
                start -= 1
            end = at + 3
            while end < len(text) and text[end] in _GO_SPACE:
                end += 1
            pieces.append(text[piece_start:start])
            piece_start = searched_to = end
            at = text.find("---", end)
        else:
            at = text.find("---", at + 1)
    pieces.append(text[piece_start:])
    return pieces


def _read_head(path: str, document: str) -> Head:
    from engine.gotemplate import goyaml

    try:
        data = goyaml.load_manifest_head(document)
    except goyaml.YAMLError as exc:
        raise ManifestError(f"YAML parse error on {path}: {exc}") from exc
    if data is None:
        return Head()
    if not isinstance(data, dict):
        raise ManifestError(f"YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: "
                            f"json: cannot unmarshal {json_kind(data)} into Go value of type util.SimpleHead")
    metadata = data.get("metadata") or {}
    head = Head(api_version=_string_field(path, data, "apiVersion", "SimpleHead.apiVersion"),
                kind=_string_field(path, data, "kind", "SimpleHead.kind"))
    if isinstance(metadata, dict):
        head.name = _string_field(path, metadata, "name", "SimpleHead.metadata.name")
        annotations = metadata.get("annotations") or {}
        if isinstance(annotations, dict):
            for key, value in annotations.items():
                if value is not None and not isinstance(value, str):
                    raise ManifestError(
                        f"YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: "
                        f"cannot unmarshal {json_kind(value)} into Go struct field "
                        f".metadata.annotations of type string")
                head.annotations[key] = value or ""
    return head


def _string_field(path: str, data: dict[str, Any], key: str, go_field: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ManifestError(f"YAML parse error on {path}: error unmarshaling JSON: while decoding JSON: json: "
                            f"cannot unmarshal {json_kind(value)} into Go struct field {go_field} of type string")
    return value


def _split_policies(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(",")]


def _as_hook(path: str, document: str, head: Head) -> Hook | None:
    """The hook a document declares, or None for an unknown hook event (Helm drops the document)."""
    events = []
    for event in _split_policies(head.annotations[HOOK_ANNOTATION]):
        event = _EVENT_ALIASES.get(event, event)
        if event not in HOOK_EVENTS:
            return None
        events.append(event)
    try:
        weight = int(head.annotations.get(HOOK_WEIGHT_ANNOTATION, "0"), 10)
    except ValueError:
        weight = 0
    hook = Hook(head.name, head.kind, path, document, events, weight)
    if HOOK_DELETE_ANNOTATION in head.annotations:
        hook.delete_policies = _split_policies(head.annotations[HOOK_DELETE_ANNOTATION])
    if HOOK_OUTPUT_LOG_ANNOTATION in head.annotations:
        hook.output_log_policies = _split_policies(head.annotations[HOOK_OUTPUT_LOG_ANNOTATION])
    return hook


def kind_sort_key(kind: str, order: tuple[str, ...] = INSTALL_ORDER) -> tuple[int, str]:
    """Sort key placing known kinds in ``order`` and unknown kinds after them, alphabetically."""
    try:
        return (order.index(kind), "")
    except ValueError:
        return (len(order), kind)


def sort_manifests(files: dict[str, str], order: tuple[str, ...] = INSTALL_ORDER
                   ) -> tuple[list[Hook], list[Manifest]]:
    """Split rendered files into hooks and manifests, each stably sorted by kind."""
    hooks: list[Hook] = []
    manifests: list[Manifest] = []
    for path in sorted(files):
        content = files[path]
        if posixpath.basename(path).startswith("_") or not content.strip():
            continue
        for document in split_manifests(content):
            head = _read_head(path, document)
            if HOOK_ANNOTATION not in head.annotations:
                manifests.append(Manifest(path, document, head))
                continue
            hook = _as_hook(path, document, head)
            if hook is not None:
                hooks.append(hook)
    hooks.sort(key=lambda h: kind_sort_key(h.kind, order))
    manifests.sort(key=lambda m: kind_sort_key(m.head.kind, order))
    return hooks, manifests

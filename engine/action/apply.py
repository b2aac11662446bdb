"""Putting a release's objects on the cluster and taking them off, in Helm's kind order."""
from __future__ import annotations

from typing import Any

from engine.action.config import ActionConfig

KEEP_POLICY = "helm.sh/resource-policy"


def manifest_objects(manifest: str) -> list[dict[str, Any]]:
    """The objects of a stored manifest (documents with ``# Source:`` comments), in order."""
    from engine.gotemplate.goyaml import load_manifests

    return [doc for doc in load_manifests(manifest or "") if isinstance(doc, dict) and doc.get("kind")]


def with_ownership(obj: dict[str, Any], release: str, namespace: str) -> dict[str, Any]:
    """Helm's ownership metadata: managed-by label and release name/namespace annotations."""
    metadata = obj["metadata"] = obj.get("metadata") or {}
    labels = metadata["labels"] = metadata.get("labels") or {}
    labels["app.kubernetes.io/managed-by"] = "Helm"
    annotations = metadata["annotations"] = metadata.get("annotations") or {}
    annotations["meta.helm.sh/release-name"] = release
    annotations["meta.helm.sh/release-namespace"] = namespace
    return obj


def check_ownership(config: ActionConfig, obj: dict[str, Any], release: str, namespace: str,
                    take_ownership: bool) -> None:
    """Refuse to adopt an existing object owned by another release (Helm's "invalid ownership metadata")."""
    from engine.action.config import ActionError

    existing = config.kube.get(config.kube.ref(obj))
    if existing is None or take_ownership:
        return
    metadata = existing.get("metadata") or {}
    annotations = metadata.get("annotations") or {}
    labels = metadata.get("labels") or {}
    problems = []
    if labels.get("app.kubernetes.io/managed-by") != "Helm":
        problems.append('label validation error: missing key "app.kubernetes.io/managed-by": must be set to "Helm"')
    if annotations.get("meta.helm.sh/release-name") != release:
        problems.append('annotation validation error: key "meta.helm.sh/release-name" must equal '
                        f'"{release}": current value is "{annotations.get("meta.helm.sh/release-name", "")}"')
    if annotations.get("meta.helm.sh/release-namespace") != namespace:
        problems.append('annotation validation error: key "meta.helm.sh/release-namespace" must equal '
                        f'"{namespace}": current value is "{annotations.get("meta.helm.sh/release-namespace", "")}"')
    if problems:
        ref = config.kube.ref(obj)
        raise ActionError(f'Unable to continue with install: {ref.kind} "{ref.name}" in namespace '
                          f'"{ref.namespace}" exists and cannot be imported into the current release: invalid '
                          f"ownership metadata; {'; '.join(problems)}")


def apply_objects(config: ActionConfig, objects: list[dict[str, Any]], release: str, namespace: str,
                  force: bool = False) -> None:
    for obj in objects:
        config.kube.apply(with_ownership(obj, release, namespace), field_manager="helm", force=force)


def delete_objects(config: ActionConfig, objects: list[dict[str, Any]]) -> list[str]:
    """Delete objects in Helm's uninstall order, keeping those annotated resource-policy: keep."""
    from engine.render.manifests import UNINSTALL_ORDER, kind_sort_key

    kept = []
    for obj in sorted(objects, key=lambda o: kind_sort_key(o.get("kind", ""), UNINSTALL_ORDER)):
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        if annotations.get(KEEP_POLICY) == "keep":
            kept.append(f"{obj['kind']} {obj['metadata'].get('name')}")
            continue
        config.kube.delete(config.kube.ref(obj))
    return kept

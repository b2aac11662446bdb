"""Putting a release's objects on the cluster and taking them off, as Helm v4's kube client does:
server-side apply (Helm 4) or client-side create/patch/replace (Helm 3 releases, ``--server-side=false``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from engine.action.config import ActionConfig, ActionError

KEEP_POLICY = "helm.sh/resource-policy"
FIELD_MANAGER = "helm"
BATCH_WORKERS = 8  # objects of one kind written or deleted at once


@dataclass
class ApplyMethod:
    """How objects are written: server-side apply (with forced conflicts) or client-side (with replace)."""

    server_side: bool = True
    force_conflicts: bool = False
    force_replace: bool = False
    upgrade_client_side_fields: bool = False  # a Helm 3 release moving to server-side apply

    @property
    def record_name(self) -> str:
        """The release record's ``apply_method``."""
        return "ssa" if self.server_side else "csa"

    def check(self) -> None:
        if self.force_conflicts and self.force_replace:
            raise ActionError("invalid operation: cannot use force conflicts and force replace together")
        if self.server_side and self.force_replace:
            raise ActionError("invalid operation: cannot use server-side apply and force replace together")


def manifest_objects(manifest: str) -> list[dict[str, Any]]:
    """The objects of a stored manifest (documents with ``# Source:`` comments), in order."""
    from engine.gotemplate.goyaml import load_manifests

    return [doc for doc in load_manifests(manifest or "") if isinstance(doc, dict) and doc.get("kind")]


def object_key(config: ActionConfig, obj: dict[str, Any]) -> tuple[str, str, str, str]:
    """Helm's identity of a manifest object: group/version, kind, namespace (defaulted), name."""
    ref = config.kube.ref(obj)
    return ref.api_version, ref.kind, ref.namespace, ref.name


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
                    take_ownership: bool, operation: str = "install") -> bool:
    """Refuse to adopt an existing object owned by another release (Helm's "invalid ownership metadata");
    True when the object exists and is adopted."""
    existing = config.kube.get(config.kube.ref(obj))
    if existing is None:
        return False
    if take_ownership:
        return True
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
        raise ActionError(f'Unable to continue with {operation}: {ref.kind} "{ref.name}" in namespace '
                          f'"{ref.namespace}" exists and cannot be imported into the current release: invalid '
                          f"ownership metadata; {'; '.join(problems)}")
    return True


def _upgrade_client_side_fields(config: ActionConfig, ref, live: dict[str, Any]) -> None:
    """Fold Helm's client-side fields into its apply entry, with a JSON patch guarded by the resourceVersion
    read. A retried patch fails that guard when its first attempt went through: it is done when the object
    has no client-side fields of Helm's left."""
    from engine.kube.client import KubeError
    from engine.kube.csa_upgrade import upgraded_managed_fields

    metadata = live.get("metadata") or {}
    fields = upgraded_managed_fields(metadata.get("managedFields") or [], FIELD_MANAGER)
    if fields is None:
        return
    try:
        config.kube.patch(ref, [{"op": "test", "path": "/metadata/resourceVersion",
                                 "value": metadata.get("resourceVersion")},
                                {"op": "replace", "path": "/metadata/managedFields", "value": fields}],
                          "application/json-patch+json")
    except KubeError as exc:
        now = config.kube.get(ref) if exc.retried else None
        if now is None or upgraded_managed_fields((now.get("metadata") or {}).get("managedFields") or [],
                                                  FIELD_MANAGER) is not None:
            raise


def _write(config: ActionConfig, original: dict[str, Any] | None, target: dict[str, Any],
           method: ApplyMethod) -> bool:
    """Write one object; True when it did not exist before."""
    from engine.kube.three_way import client_side_patch

    ref = config.kube.ref(target)
    live = config.kube.get(ref)
    if method.server_side:
        if live is not None and method.upgrade_client_side_fields:
            _upgrade_client_side_fields(config, ref, live)
        config.kube.apply(target, field_manager=FIELD_MANAGER, force=method.force_conflicts)
        return live is None
    if live is None:
        config.kube.create(target, field_manager=FIELD_MANAGER)
        return True
    if method.force_replace:
        config.kube.replace(target, field_manager=FIELD_MANAGER)
        return False
    if original is None:
        original = {}
    patch, content_type = client_side_patch(original, target, live)
    if patch:
        config.kube.patch(ref, patch, content_type, field_manager=FIELD_MANAGER)
    return False


def in_kind_batches(objects: list[dict[str, Any]], operation: Callable[[dict[str, Any]], Any]) -> list[Any]:
    """Run ``operation`` on every object, one kind after another in the given order and the objects of one
    kind concurrently (as Helm's kube client does); results in object order. The first failure is raised
    once its batch has finished, and later batches do not start."""
    from concurrent.futures import ThreadPoolExecutor

    results: list[Any] = []
    start = 0
    with ThreadPoolExecutor(max_workers=BATCH_WORKERS) as pool:
        while start < len(objects):
            end = start
            while end < len(objects) and objects[end].get("kind") == objects[start].get("kind"):
                end += 1
            futures = [pool.submit(operation, obj) for obj in objects[start:end]]
            errors = [f.exception() for f in futures if f.exception() is not None]
            results += [f.result() if f.exception() is None else None for f in futures]
            if errors:
                error = errors[0]
                error.partial_results = results  # type: ignore[union-attr]
                raise error
            start = end
    return results


def update_objects(config: ActionConfig, originals: list[dict[str, Any]], targets: list[dict[str, Any]],
                   release: str, namespace: str, method: ApplyMethod
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Bring the cluster from ``originals`` (the previous manifest) to ``targets``: write every target in
    order, then delete the originals no target names. Returns (objects created, objects kept by policy).
    A failure raises ActionError carrying the objects created so far in ``created``."""
    method.check()
    by_key = {object_key(config, o): o for o in originals}

    def write(target: dict[str, Any]) -> bool:
        return _write(config, by_key.get(object_key(config, target)), with_ownership(target, release, namespace),
                      method)

    try:
        wrote_new = in_kind_batches(targets, write)
    except Exception as exc:
        error = ActionError(str(exc))
        done = getattr(exc, "partial_results", [])
        error.created = [t for t, new in zip(targets, done) if new]  # type: ignore[attr-defined]
        raise error from exc
    created = [t for t, new in zip(targets, wrote_new) if new]
    wanted = {object_key(config, t) for t in targets}
    kept = delete_objects(config, [o for o in originals if object_key(config, o) not in wanted])
    return created, kept


def delete_objects(config: ActionConfig, objects: list[dict[str, Any]], propagation: str = "Background"
                   ) -> list[dict[str, Any]]:
    """Delete objects in Helm's uninstall order, except those annotated resource-policy: keep (returned)."""
    from engine.render.manifests import UNINSTALL_ORDER, kind_sort_key

    ordered = sorted(objects, key=lambda o: kind_sort_key(o.get("kind", ""), UNINSTALL_ORDER))
    kept = [o for o in ordered if ((o.get("metadata") or {}).get("annotations") or {}).get(KEEP_POLICY) == "keep"]
    doomed = [o for o in ordered if o not in kept]
    refs = {id(o): config.kube.ref(o) for o in doomed}  # discovery once, before the threads
    in_kind_batches(doomed, lambda obj: config.kube.delete(refs[id(obj)], propagation))
    return kept


def wait_deleted(config: ActionConfig, objects: list[dict[str, Any]], timeout: float) -> None:
    """Return when none of ``objects`` exists any more (``uninstall --wait``); OperationCancelled as soon as
    the run is cancelled."""
    import time

    from engine.action.cancel import pause

    deadline = time.monotonic() + timeout
    remaining = list(objects)
    while remaining:
        remaining = [o for o in remaining if config.kube.get(config.kube.ref(o)) is not None]
        if not remaining:
            return
        if time.monotonic() > deadline:
            ref = config.kube.ref(remaining[0])
            raise ActionError(f"timed out waiting for the condition: {ref} still exists")
        pause(0.3)

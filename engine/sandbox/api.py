"""Resource operations of the sandbox API server: create, get, list, replace, patch, apply, delete, watch."""
from __future__ import annotations

import base64
import copy
import datetime as dt
import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterator

from engine.sandbox import admission, decoding, scale
from engine.sandbox import apply as ssa
from engine.sandbox.defaults import apply_defaults, prepare, settle
from engine.sandbox.errors import APIError, ConcurrentWrite, already_exists, bad_request, conflict, not_found
from engine.sandbox.patches import json_patch, merge_patch, strategic_merge
from engine.sandbox.registry import Registry, Resource
from engine.sandbox.selectors import parse_field_selector, parse_label_selector
from engine.sandbox.store import Store
from engine.sandbox.validation import validate
from engine.sandbox.validation.field import Errors, invalid_error

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Request:
    """One resource request, parsed from the URL and query."""

    resource: Resource
    namespace: str
    name: str
    subresource: str
    query: dict[str, str]
    warnings: list[str] = field(default_factory=list)  # sent back as Warning headers
    apply_patch: bool = False  # a server-side apply (its field manager is required)

    @property
    def dry_run(self) -> bool:
        return self.query.get("dryRun") == "All"

    @property
    def manager(self) -> str:
        return self.query.get("fieldManager", "")

    def check_options(self, options_kind: str) -> None:
        """The request options kube-apiserver validates before anything else (ValidateCreateOptions and its
        siblings): dryRun only ``All``, a field manager of at most 128 bytes, required for apply."""
        errors = Errors()
        value = self.query.get("dryRun")
        if value not in (None, "", "All"):
            errors.not_supported("dryRun", [value], ["All"])
        manager = self.query.get("fieldManager")
        if options_kind == "PatchOptions" and self.apply_patch and not manager:
            errors.required("fieldManager", "is required for apply patch")
        if manager is not None and len(manager.encode()) > FIELD_MANAGER_MAX_BYTES:
            errors.too_long("fieldManager", FIELD_MANAGER_MAX_BYTES)
        if errors:
            raise options_error(options_kind, errors)


FIELD_MANAGER_MAX_BYTES = 128


def options_error(options_kind: str, errors: Errors) -> APIError:
    """``CreateOptions.meta.k8s.io "" is invalid: ...``: a 422 naming the options kind, one cause per error."""
    return invalid_error(options_kind, "meta.k8s.io", "", errors)


WRITE_ATTEMPTS = 10
GC_FINALIZERS = {"Orphan": "orphan", "Foreground": "foregroundDeletion"}
# The kinds whose registry strategy keeps metadata.generation (bumped when the spec changes).
GENERATION_KINDS = {("apps", k) for k in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")} | {
    ("batch", "Job"), ("batch", "CronJob"), ("networking.k8s.io", "Ingress"), ("networking.k8s.io", "NetworkPolicy"),
    ("networking.k8s.io", "IngressClass"), ("policy", "PodDisruptionBudget"), ("", "Pod"),
    ("", "ReplicationController"), ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration")}


class API:
    """The operations, over one store and one registry."""

    def __init__(self, store: Store, registry: Registry, ready_controllers: bool = False):
        self.store, self.registry, self.ready = store, registry, ready_controllers
        for name in SYSTEM_NAMESPACES:
            if self.store.get(("", "namespaces"), "", name) is None:
                self._write_new(self._namespace_resource(), "", {"apiVersion": "v1", "kind": "Namespace",
                                                                 "metadata": {"name": name}}, "sandbox")

    # helpers ----------------------------------------------------------------------------------------
    def _namespace_resource(self) -> Resource:
        return self.registry.find("", "v1", "namespaces")

    @staticmethod
    def bucket(resource: Resource) -> tuple[str, str]:
        return resource.group, resource.plural


    def _check_namespace(self, req: Request, creating: bool = False, name: str = "") -> None:
        if not req.resource.namespaced:
            return
        namespace = self.store.get(("", "namespaces"), "", req.namespace)
        if namespace is None:
            raise not_found("namespaces", req.namespace)
        if creating and namespace["metadata"].get("deletionTimestamp"):
            raise admission.forbid_in_terminating(req.resource, name, req.namespace)

    def _shape(self, resource: Resource, obj: dict[str, Any]) -> dict[str, Any]:
        obj["apiVersion"] = resource.group_version
        obj["kind"] = resource.kind
        return obj

    def _crd(self, resource: Resource) -> dict[str, Any] | None:
        """The CRD that serves a custom resource, and the entry of the requested version."""
        if not resource.custom:
            return None
        crd = self.store.get(("apiextensions.k8s.io", "customresourcedefinitions"), "",
                             f"{resource.plural}.{resource.group}")
        versions = ((crd or {}).get("spec") or {}).get("versions") or []
        return next((v for v in versions if v.get("name") == resource.version), None)

    def _crd_schema(self, resource: Resource) -> dict[str, Any] | None:
        return ((self._crd(resource) or {}).get("schema") or {}).get("openAPIV3Schema")

    def _default(self, resource: Resource, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
        """The scheme's defaulting (before ownership is recorded, so an Update owns what it defaulted)."""
        self._normalize(resource, obj)
        if resource.custom:
            version = self._crd(resource)
            admission.prepare_custom(version, obj, old, resource.subresources.count("status") > 0)

    def _admit(self, resource: Resource, obj: dict[str, Any], old: dict[str, Any] | None,
               warnings: list[str]) -> None:
        """What registry and admission add (after ownership is recorded, so no manager owns it), then
        validation (422) — the last step before storing."""
        prepare(resource.group, resource.kind, obj, old)
        warnings += validate(resource.group, resource.kind, obj, old, self._crd_schema(resource))
        settle(resource.group, resource.kind, obj)

    def _ownership(self, resource: Resource) -> ssa.Ownership:
        return ssa.Ownership(admission.typed_node(resource, self._crd_schema(resource)),
                             "status" in resource.subresources, unstructured=resource.custom)

    def _record_update(self, resource: Resource, before: dict[str, Any] | None, after: dict[str, Any],
                       manager: str, subresource: str = "") -> None:
        """The managedFields after an Update by ``manager``: ownership starts from the entries the request sent
        (clients may rewrite them, as helm does when moving a release to server-side apply), else from the
        live object's; an empty list wipes them."""
        metadata = after.setdefault("metadata", {})
        sent = metadata.get("managedFields")
        if ssa.is_reset(sent):
            metadata.pop("managedFields", None)
            return
        managers = ssa.decode_managers(sent) or ssa.decode_managers((before or {}).get("metadata", {}).get(
            "managedFields"))
        managers = self._ownership(resource).update(before, after, managers, manager or "unknown",
                                                    resource.group_version, now(), subresource)
        metadata["managedFields"] = ssa.encode_managers(managers)

    def _write_new(self, resource: Resource, namespace: str, obj: dict[str, Any], manager: str,
                   dry_run: bool = False, warnings: list[str] | None = None) -> dict[str, Any]:
        metadata = obj.setdefault("metadata", {})
        metadata["uid"] = str(uuid.uuid4())
        metadata["creationTimestamp"] = now()
        if resource.namespaced:
            metadata["namespace"] = namespace
        else:
            metadata.pop("namespace", None)
        if resource.custom or (resource.group, resource.kind) in GENERATION_KINDS:
            metadata["generation"] = 1
        self._shape(resource, obj)
        self._default(resource, obj, None)
        if not metadata.get("managedFields"):
            self._record_update(resource, None, obj, manager)
        self._admit(resource, obj, None, warnings if warnings is not None else [])
        if resource.kind == "Namespace":
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj["status"] = {"phase": "Active"}
        if resource.kind == "CustomResourceDefinition":
            self._establish(obj)
        if dry_run:
            metadata["resourceVersion"] = str(self.store.rv)
            return obj
        with self.store.lock:
            if self.store.get(self.bucket(resource), namespace if resource.namespaced else "",
                              metadata["name"]) is not None:  # created meanwhile by a concurrent request
                raise already_exists(resource.plural, metadata["name"], resource.group)
            metadata["resourceVersion"] = str(self.store.next_rv())
            self.store.put(self.bucket(resource), namespace if resource.namespaced else "", metadata["name"], obj,
                           "ADDED")
        if resource.kind == "CustomResourceDefinition":
            self.registry.register_crd(obj)
        self._run_controllers(resource, obj)
        return obj

    def _normalize(self, resource: Resource, obj: dict[str, Any]) -> None:
        if resource.kind == "Secret" and "stringData" in obj:
            data = obj.setdefault("data", {}) or {}
            for key, value in (obj.pop("stringData") or {}).items():
                data[key] = base64.b64encode(str(value).encode()).decode()
            obj["data"] = data
        if resource.kind == "Secret":
            obj.setdefault("type", "Opaque")
        apply_defaults(resource.group, resource.kind, obj)

    def _establish(self, crd: dict[str, Any]) -> None:
        names = (crd.get("spec") or {}).get("names") or {}
        accepted = {"plural": names.get("plural"), "singular": names.get("singular") or names.get("kind", "").lower(),
                    "kind": names.get("kind"), "listKind": names.get("listKind") or f"{names.get('kind')}List"}
        stamp = now()
        crd["status"] = {"acceptedNames": accepted, "storedVersions": [
            v["name"] for v in (crd.get("spec") or {}).get("versions") or [] if v.get("storage")],
            "conditions": [
                {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts",
                 "message": "no conflicts found", "lastTransitionTime": stamp},
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                 "message": "the initial names have been accepted", "lastTransitionTime": stamp}]}

    def _run_controllers(self, resource: Resource, obj: dict[str, Any]) -> None:
        if self.ready:
            from engine.sandbox.controllers import make_ready

            make_ready(self, resource, obj)

    # operations -------------------------------------------------------------------------------------------
    def create(self, req: Request, body: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(body, dict):
            raise bad_request("the body of the request was in an unknown format")
        req.check_options("CreateOptions")
        admission.check_type_meta(req.resource, body)
        obj = admission.decode_write(req.resource, self._crd_schema(req.resource), body, req.query, req.warnings)
        metadata = obj.setdefault("metadata", {})
        body_ns = metadata.get("namespace")
        if req.resource.namespaced and body_ns and body_ns != req.namespace:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the "
                              "request")
        if metadata.get("resourceVersion"):
            raise APIError(500, "", "resourceVersion should not be set on objects to be created")
        if not metadata.get("name") and metadata.get("generateName"):
            metadata["name"] = metadata["generateName"] + secrets.token_hex(3)[:5]
        self._check_namespace(req, creating=True, name=metadata.get("name") or "")
        existing = self.store.get(self.bucket(req.resource), req.namespace if req.resource.namespaced else "",
                                  metadata.get("name") or "")
        if existing is not None:
            raise already_exists(req.resource.plural, metadata["name"], req.resource.group)
        for key in ("uid", "creationTimestamp", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds"):
            metadata.pop(key, None)
        return 201, self._write_new(req.resource, req.namespace, obj, req.manager, req.dry_run, req.warnings)

    def get(self, req: Request) -> dict[str, Any]:
        obj = self.store.get(self.bucket(req.resource), req.namespace if req.resource.namespaced else "", req.name)
        if obj is None:
            raise not_found(req.resource.plural, req.name, req.resource.group)
        obj = self._shape(req.resource, obj)
        return scale.to_scale(obj) if req.subresource == "scale" else obj

    def _scale(self, req: Request, change: Any, content_type: str | None) -> dict[str, Any]:
        """A PUT or patch of the /scale subresource: the object's replicas change, its Scale is returned."""
        req.subresource = ""
        before = self.get(req)
        req.subresource = "scale"
        sent_rv = (change.get("metadata") or {}).get("resourceVersion") if isinstance(change, dict) else None
        if sent_rv and sent_rv != before["metadata"]["resourceVersion"]:
            raise conflict(req.resource.plural, req.name, req.resource.group)
        return scale.to_scale(self._store_update(req, before, scale.scaled(before, change, content_type)))

    def list(self, req: Request, all_namespaces: bool) -> dict[str, Any]:
        labels = parse_label_selector(req.query.get("labelSelector"))
        fields = parse_field_selector(req.query.get("fieldSelector"))
        namespace = None if all_namespaces or not req.resource.namespaced else req.namespace
        items = [self._shape(req.resource, o) for o in self.store.items(self.bucket(req.resource), namespace)
                 if labels((o.get("metadata") or {}).get("labels") or {}) and fields(o)]
        limit = int(req.query.get("limit") or 0)
        metadata: dict[str, Any] = {"resourceVersion": str(self.store.rv)}
        if limit and len(items) > limit:
            items = items[:limit]
        return {"kind": f"{req.resource.kind}List", "apiVersion": req.resource.group_version,
                "metadata": metadata, "items": items}

    def _store_update(self, req: Request, before: dict[str, Any], after: dict[str, Any], operation: str = "Update"
                      ) -> dict[str, Any]:
        metadata = after.setdefault("metadata", {})
        for key in ("uid", "creationTimestamp", "name", "deletionTimestamp", "deletionGracePeriodSeconds"):
            if key in before["metadata"]:
                metadata[key] = before["metadata"][key]
            else:
                metadata.pop(key, None)
        if req.resource.namespaced:
            metadata["namespace"] = req.namespace
        if req.subresource != "status" and "status" in before and "status" not in after:
            after["status"] = before["status"]
        after_status = after.get("status")
        if req.subresource == "status":
            after = {**before, "status": after_status, "metadata": {**before["metadata"]}}
            metadata = after["metadata"]
        self._shape(req.resource, after)
        self._default(req.resource, after, before)
        if req.subresource == "status":  # /status writes the status: defaulting must not put the old one back
            after["status"] = after_status
        if "generation" in before["metadata"]:
            spec_changed = {k: v for k, v in before.items() if k not in ("metadata", "status")} != \
                           {k: v for k, v in after.items() if k not in ("metadata", "status")}
            metadata["generation"] = before["metadata"]["generation"] + (1 if spec_changed else 0)
        if operation == "Update":
            self._record_update(req.resource, before, after, req.manager, req.subresource)
        self._admit(req.resource, after, before, req.warnings)
        if req.dry_run:
            return after
        finished = bool(metadata.get("deletionTimestamp")) and not metadata.get("finalizers")
        with self.store.lock:
            current = self.store.get(self.bucket(req.resource), req.namespace if req.resource.namespaced else "",
                                     req.name)
            if current is None:
                raise not_found(req.resource.plural, req.name, req.resource.group)
            if current["metadata"]["resourceVersion"] != before["metadata"]["resourceVersion"]:
                raise ConcurrentWrite(409, "Conflict", conflict(req.resource.plural, req.name,
                                                                req.resource.group).message)
            metadata["resourceVersion"] = str(self.store.next_rv())
            self.store.put(self.bucket(req.resource), req.namespace if req.resource.namespaced else "", req.name,
                           after, "MODIFIED")
        if finished:  # the last finalizer is gone: the deletion completes
            self._delete_object(req.resource, req.namespace if req.resource.namespaced else "", req.name)
            return after
        if req.resource.kind == "CustomResourceDefinition":
            self._establish(after)
            self.registry.register_crd(after)
        self._run_controllers(req.resource, after)
        return after

    def _check_preconditions(self, req: Request, before: dict[str, Any], sent: dict[str, Any]) -> None:
        """The name, uid and resourceVersion a PUT carries must be the stored object's."""
        metadata = sent.get("metadata") or {}
        if metadata.get("name") and metadata["name"] != req.name:
            raise bad_request(f"the name of the object ({metadata['name']}) does not match the name on the URL "
                              f"({req.name})")
        sent_rv = metadata.get("resourceVersion")
        if sent_rv and not str(sent_rv).isdigit():
            raise APIError(500, "", f'strconv.ParseUint: parsing "{sent_rv}": invalid syntax')
        uid = metadata.get("uid")
        if uid and uid != before["metadata"].get("uid"):
            key = f"/registry/{req.resource.plural}/" + (f"{req.namespace}/" if req.resource.namespaced else "")
            raise APIError(409, "Conflict", f'Operation cannot be fulfilled on {req.resource.plural} "{req.name}": '
                                            f"StorageError: invalid object, Code: 4, Key: {key}{req.name}, "
                                            "ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in "
                                            f"precondition: {uid}, UID in object meta: {before['metadata'].get('uid')}",
                           {"name": req.name, "group": req.resource.group, "kind": req.resource.plural})
        if sent_rv and sent_rv != before["metadata"]["resourceVersion"]:
            raise conflict(req.resource.plural, req.name, req.resource.group)

    def replace(self, req: Request, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise bad_request("the body of the request was in an unknown format")
        req.check_options("UpdateOptions")
        if req.subresource == "scale":
            return self._scale(req, body, None)
        admission.check_type_meta(req.resource, body)
        before = self.get(req)
        self._check_preconditions(req, before, body)
        after = admission.decode_write(req.resource, self._crd_schema(req.resource), body, req.query, req.warnings)
        sent_rv = (after.get("metadata") or {}).get("resourceVersion")
        if "managedFields" in (body.get("metadata") or {}):  # decoding drops an empty list: keep the request's
            after.setdefault("metadata", {})["managedFields"] = body["metadata"]["managedFields"]
        try:
            return self._store_update(req, before, after)
        except ConcurrentWrite:
            if sent_rv:
                raise
            req.warnings.clear()
            return self.replace(req, body)  # an unconditional update wins over the write that got in between

    def patch(self, req: Request, content_type: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        """Patch (any kind, server-side apply included), retried when a concurrent write got in between."""
        req.check_options("PatchOptions")
        for _attempt in range(WRITE_ATTEMPTS - 1):
            try:
                return self._patch_once(req, content_type, raw)
            except ConcurrentWrite:
                req.warnings.clear()
                continue
            except APIError as exc:  # two applies creating one object: the later one becomes an update
                if exc.reason != "AlreadyExists" or not content_type.startswith("application/apply-patch"):
                    raise
        return self._patch_once(req, content_type, raw)

    def _patch_once(self, req: Request, content_type: str, raw: bytes) -> tuple[int, dict[str, Any]]:
        kind = content_type.split(";")[0].strip()
        if kind == "application/apply-patch+yaml":
            return self.apply(req, raw)
        patch_body = decoding.plain(decoding.parse_json(raw or b"null"))
        if req.subresource == "scale":
            return 200, self._scale(req, patch_body, kind)
        before = self.get(req)
        if kind == "application/merge-patch+json":
            after = merge_patch(before, patch_body)
        elif kind == "application/json-patch+json":
            after = json_patch(before, patch_body)
        elif kind == "application/strategic-merge-patch+json":
            if req.resource.custom:
                raise APIError(415, "UnsupportedMediaType",
                               f"the body of the request was in an unknown format - accepted media types include: "
                               "application/json-patch+json, application/merge-patch+json, "
                               "application/apply-patch+yaml")
            after = strategic_merge(before, patch_body)
        else:
            raise APIError(415, "UnsupportedMediaType", f"the media type {kind!r} is not supported for PATCH")
        if not isinstance(after, dict):
            raise bad_request("patch produced a non-object")
        sent_rv = (after.get("metadata") or {}).get("resourceVersion")
        if sent_rv and sent_rv != before["metadata"]["resourceVersion"]:
            raise conflict(req.resource.plural, req.name, req.resource.group)
        after = admission.decode_write(req.resource, self._crd_schema(req.resource), after, req.query, req.warnings)
        after.setdefault("metadata", {})["resourceVersion"] = before["metadata"]["resourceVersion"]
        return 200, self._store_update(req, before, after)

    def apply(self, req: Request, raw: bytes) -> tuple[int, dict[str, Any]]:
        if not req.name:
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        applied, duplicates = decoding.parse_yaml(raw) if raw else (None, [])
        if not isinstance(applied, dict):
            raise bad_request("the body of the request was in an unknown format")
        req.warnings += duplicates
        req.apply_patch = True
        req.check_options("PatchOptions")
        manager = req.manager
        admission.field_validation(req.query)
        applied = admission.decode_apply(req.resource, self._crd_schema(req.resource), applied, req.name)
        force = req.query.get("force") == "true"
        self._check_namespace(req)
        applied.setdefault("metadata", {})["name"] = req.name
        existing = self.store.get(self.bucket(req.resource), req.namespace if req.resource.namespaced else "",
                                  req.name)
        sent_rv = applied["metadata"].pop("resourceVersion", None)
        if sent_rv and (existing is None or str(sent_rv) != existing["metadata"]["resourceVersion"]):
            raise conflict(req.resource.plural, req.name, req.resource.group)
        managers = ssa.decode_managers((existing or {}).get("metadata", {}).get("managedFields"))
        result, managers = self._ownership(req.resource).apply(existing, applied, managers, manager, force,
                                                               req.resource.group_version, now())
        result.setdefault("metadata", {})["managedFields"] = ssa.encode_managers(managers)
        if existing is None:
            self._check_namespace(req, creating=True, name=req.name)
            result["metadata"].pop("resourceVersion", None)
            return 201, self._write_new(req.resource, req.namespace, result, manager, req.dry_run, req.warnings)
        result["metadata"]["resourceVersion"] = existing["metadata"]["resourceVersion"]
        return 200, self._store_update(req, existing, result, operation="Apply")

    def delete(self, req: Request, options: dict[str, Any] | None) -> dict[str, Any]:
        req.check_options("DeleteOptions")
        policy = (options or {}).get("propagationPolicy") or req.query.get("propagationPolicy")
        if policy is not None and policy not in ("Foreground", "Background", "Orphan"):
            supported = '"Foreground", "Background", "Orphan", "nil"'
            raise APIError(422, "Invalid", f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported '
                                           f'value: "{policy}": supported values: {supported}',
                           {"group": "meta.k8s.io", "kind": "DeleteOptions", "causes": [
                               {"reason": "FieldValueNotSupported", "field": "propagationPolicy",
                                "message": f'Unsupported value: "{policy}": supported values: {supported}'}]})
        obj = self.get(req)
        self._check_delete_preconditions(req, obj, (options or {}).get("preconditions"))
        if req.dry_run:
            return obj
        if policy is None and (options or {}).get("orphanDependents") is not None:
            policy = "Orphan" if options["orphanDependents"] else "Background"
        if policy is None:  # batch/v1 Jobs keep their pods unless asked (the Job strategy's default policy)
            policy = "Orphan" if (req.resource.group, req.resource.kind) == ("batch", "Job") else "Background"
        namespace = req.namespace if req.resource.namespaced else ""
        if policy in GC_FINALIZERS and not obj["metadata"].get("finalizers"):
            return self._shape(req.resource, self._delete_with_gc_finalizer(req.resource, namespace, obj, policy))
        held = self._delete_object(req.resource, namespace, req.name, policy)
        if held is not None:
            return self._shape(req.resource, held)
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                "details": {"name": req.name, "group": req.resource.group, "kind": req.resource.plural,
                            "uid": obj["metadata"].get("uid")}} if req.resource.kind != "Namespace" else obj

    def _check_delete_preconditions(self, req: Request, obj: dict[str, Any], preconditions: Any) -> None:
        """DeleteOptions.preconditions: the uid and resourceVersion the client last saw must be the stored ones."""
        if not isinstance(preconditions, dict):
            return
        for key, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
            wanted, stored = preconditions.get(key), obj["metadata"].get(key)
            if wanted and wanted != stored:
                where = f"/registry/{req.resource.plural}/" + (f"{req.namespace}/" if req.resource.namespaced else "")
                raise APIError(409, "Conflict", f'Operation cannot be fulfilled on {req.resource.plural} "{req.name}": '
                                                f"Precondition failed: {label} in precondition: {wanted}, {label} in "
                                                f"object meta: {stored} ({where}{req.name})",
                               {"name": req.name, "group": req.resource.group, "kind": req.resource.plural})

    def _delete_with_gc_finalizer(self, resource: Resource, namespace: str, obj: dict[str, Any],
                                  policy: str) -> dict[str, Any]:
        """An Orphan or Foreground delete: the answer is the object marked for deletion with the garbage
        collector's finalizer; the collector's work (orphaning or deleting the dependents, then the object) is
        done at once here, so what a client reads next is the settled state."""
        answer = copy.deepcopy(obj)
        answer["metadata"].update(deletionTimestamp=now(), deletionGracePeriodSeconds=0,
                                  finalizers=[GC_FINALIZERS[policy]], resourceVersion=str(self.store.next_rv()))
        self._delete_object(resource, namespace, obj["metadata"]["name"], policy)
        return answer

    def _collect_garbage(self, owner: dict[str, Any], namespace: str, policy: str) -> None:
        """What the garbage collector does once ``owner`` is gone: a dependent still owned by another existing
        object, or one an Orphan delete keeps, loses the reference; any other dependent is deleted."""
        uid = owner["metadata"].get("uid")
        for bucket, child_namespace, name in self.store.owned_by(uid) if uid else []:
            resource = self.registry.by_bucket(bucket)
            dependent = self.store.get(bucket, child_namespace, name)
            if resource is None or dependent is None or (namespace and child_namespace != namespace):
                continue
            refs = dependent["metadata"].get("ownerReferences") or []
            others = [ref for ref in refs if isinstance(ref, dict) and ref.get("uid") != uid]
            if policy == "Orphan" or any(self.store.has_uid(ref.get("uid")) for ref in others):
                if others:
                    dependent["metadata"]["ownerReferences"] = others
                else:
                    dependent["metadata"].pop("ownerReferences", None)
                with self.store.lock:
                    dependent["metadata"]["resourceVersion"] = str(self.store.next_rv())
                    self.store.put(bucket, child_namespace, name, dependent, "MODIFIED")
            else:
                self._delete_object(resource, child_namespace, name, policy)

    def _delete_object(self, resource: Resource, namespace: str, name: str, policy: str = "Background"
                       ) -> dict[str, Any] | None:
        """Delete an object; one with finalizers (or a namespace with content) is only marked as being deleted,
        and returned, until its finalizers are gone. Its dependents go (or stay) as ``policy`` says."""
        with self.store.lock:
            obj = self.store.get(self.bucket(resource), namespace, name)
            if obj is None:
                return None
            metadata = obj["metadata"]
            if resource.kind == "Namespace" and not metadata.get("deletionTimestamp"):
                metadata["deletionTimestamp"] = now()
                obj["status"] = {"phase": "Terminating"}
                metadata["resourceVersion"] = str(self.store.next_rv())
                self.store.put(self.bucket(resource), namespace, name, obj, "MODIFIED")
                for bucket, child in list(self.store.namespaced_keys(name)):
                    child_resource = self.registry.by_bucket(bucket)
                    if child_resource is not None:
                        self._delete_object(child_resource, name, child)
                return self._finish_namespace(name)
            if metadata.get("finalizers"):
                if not metadata.get("deletionTimestamp"):
                    metadata["deletionTimestamp"] = now()
                    metadata["deletionGracePeriodSeconds"] = 0
                    metadata["resourceVersion"] = str(self.store.next_rv())
                    self.store.put(self.bucket(resource), namespace, name, obj, "MODIFIED")
                return obj
            metadata["resourceVersion"] = str(self.store.next_rv())
            self.store.remove(self.bucket(resource), namespace, name, obj)
        self._collect_garbage(obj, namespace, policy)
        if resource.kind == "CustomResourceDefinition":
            spec = obj.get("spec") or {}
            bucket = (spec.get("group", ""), (spec.get("names") or {}).get("plural", ""))
            for item in self.store.items(bucket, None):
                meta = item["metadata"]
                with self.store.lock:
                    meta["resourceVersion"] = str(self.store.next_rv())
                    self.store.remove(bucket, meta.get("namespace", ""), meta["name"], item)
            self.registry.unregister_crd(obj)
        if namespace:
            self._finish_namespace(namespace)
        return None

    def _finish_namespace(self, name: str) -> dict[str, Any] | None:
        """Remove a terminating namespace once nothing is left in it; the namespace while something is."""
        with self.store.lock:
            namespace = self.store.get(("", "namespaces"), "", name)
            if namespace is None or not namespace["metadata"].get("deletionTimestamp"):
                return None
            if next(iter(self.store.namespaced_keys(name)), None) is not None:
                return namespace
            namespace["metadata"]["resourceVersion"] = str(self.store.next_rv())
            self.store.remove(("", "namespaces"), "", name, namespace)
        return None

    def delete_collection(self, req: Request) -> dict[str, Any]:
        listing = self.list(req, all_namespaces=False)
        for item in listing["items"]:
            if not req.dry_run:
                self._delete_object(req.resource, item["metadata"].get("namespace", ""), item["metadata"]["name"])
        return listing

    # watch --------------------------------------------------------------------------------------------------
    def watch(self, req: Request, all_namespaces: bool) -> Iterator[dict[str, Any]]:
        labels = parse_label_selector(req.query.get("labelSelector"))
        fields = parse_field_selector(req.query.get("fieldSelector"))
        namespace = None if all_namespaces or not req.resource.namespaced else req.namespace
        timeout = float(req.query.get("timeoutSeconds") or 1800)
        deadline = time.monotonic() + min(timeout, 3600)
        rv_text = req.query.get("resourceVersion", "")
        initial = req.query.get("sendInitialEvents") == "true"
        bookmarks = req.query.get("allowWatchBookmarks") == "true"
        wanted = lambda o: labels((o.get("metadata") or {}).get("labels") or {}) and fields(o)  # noqa: E731
        with self.store.lock:
            start = self.store.rv
            snapshot = self.store.items(self.bucket(req.resource), namespace)
        if initial or rv_text in ("", "0"):
            for obj in snapshot:
                if wanted(obj):
                    yield {"type": "ADDED", "object": self._shape(req.resource, obj)}
            if initial:
                yield {"type": "BOOKMARK", "object": {
                    "kind": req.resource.kind, "apiVersion": req.resource.group_version,
                    "metadata": {"resourceVersion": str(start),
                                 "annotations": {"k8s.io/initial-events-end": "true"}}}}
            last = start
        else:
            try:
                last = int(rv_text)
            except ValueError:
                raise bad_request(f"invalid resource version: {rv_text}") from None
            if last < self.store.oldest_event_rv() - 1 and last < start:
                yield {"type": "ERROR", "object": APIError(410, "Expired", f"too old resource version: {last} "
                                                                           f"({self.store.oldest_event_rv()})").status()}
                return
        while time.monotonic() < deadline:
            events = self.store.events_after(last, self.bucket(req.resource), namespace)
            for event in events:
                last = event.rv
                if wanted(event.obj):
                    yield {"type": event.type, "object": self._shape(req.resource, copy.deepcopy(event.obj))}
            if not events:
                if bookmarks:
                    pass
                self.store.wait(min(0.5, max(0.0, deadline - time.monotonic())))

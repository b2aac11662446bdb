"""Cluster access with the official kubernetes client: kubeconfig and context as helm takes them,
server-side apply and deletion of manifest objects of any kind, and clear errors naming the object."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

RETRIABLE = {429, 500, 502, 503, 504}


def request_timeout() -> tuple[float, float]:
    """(connect, read) timeouts of each API request: PYHELM_REQUEST_TIMEOUT seconds, default 60."""
    import os

    seconds = float(os.environ.get("PYHELM_REQUEST_TIMEOUT") or 60)
    return min(seconds, 10.0), seconds


def _bound_requests(rest_client: Any, timeout: tuple[float, float]) -> None:
    """Give every request of ``rest_client`` a timeout unless the call sets its own, so a server that accepts
    connections but never answers cannot hang an operation (the client's default is to wait forever)."""
    unbounded = rest_client.request

    def request(*args: Any, _request_timeout: Any = None, **kwargs: Any) -> Any:
        return unbounded(*args, _request_timeout=_request_timeout or timeout, **kwargs)

    rest_client.request = request


class KubeError(Exception):
    """A failed API call, naming the object and what the server said. ``retried``: the request was sent
    more than once, so an earlier attempt whose answer was lost may have done the work (a create then meets
    409 AlreadyExists, a delete 404 NotFound)."""

    def __init__(self, message: str, status: int = 0, retried: bool = False):
        super().__init__(message)
        self.status = status
        self.retried = retried


def _worth_retrying(exc: Exception) -> bool:
    """Whether a request that failed below HTTP (a dropped or refused connection, a timeout) may succeed when
    sent again; a redirect loop ("too many redirects") will not."""
    from urllib3.exceptions import MaxRetryError, ResponseError

    reason = exc.reason if isinstance(exc, MaxRetryError) else exc
    return not isinstance(reason, ResponseError)


def _contains(live: Any, sent: Any) -> bool:
    """Whether every field of ``sent`` is in ``live`` with the same value (the server adds defaults and
    bookkeeping to what it stores, never changes what it was sent)."""
    if isinstance(sent, dict):
        return isinstance(live, dict) and all(key in live and _contains(live[key], value)
                                              for key, value in sent.items())
    if isinstance(sent, list):
        return isinstance(live, list) and len(live) == len(sent) and all(map(_contains, live, sent))
    return live == sent


def _created_from(live: dict[str, Any], sent: dict[str, Any], field_manager: str) -> bool:
    """Whether ``live`` is the object a create of ``sent`` by ``field_manager`` made."""
    managers = {entry.get("manager") for entry in (live.get("metadata") or {}).get("managedFields") or []}
    return field_manager in managers and _contains(live, sent)


def _describe(exc: Exception) -> tuple[int, str]:
    import json

    status = getattr(exc, "status", 0) or 0
    body = getattr(exc, "body", None)
    try:
        message = json.loads(body).get("message") if body else None
    except (ValueError, AttributeError):
        message = None
    return status, message or getattr(exc, "reason", None) or str(exc)


@dataclass
class ObjectRef:
    api_version: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


class KubeClient:
    """One connection to a cluster: typed core API for release storage, dynamic client for manifests."""

    def __init__(self, api_client: Any, namespace: str):
        from kubernetes import client, dynamic

        self.api_client = api_client
        self.namespace = namespace
        self.core = client.CoreV1Api(api_client)
        self._dynamic = None
        self._shared: dict[str, Any] = {}  # capabilities, shared with with_namespace() copies
        self._dynamic_module = dynamic

    @classmethod
    def from_config(cls, kubeconfig: str | None = None, context: str | None = None,
                    namespace: str | None = None) -> "KubeClient":
        """Load kubeconfig (``--kubeconfig``, then KUBECONFIG, then ~/.kube/config, then in-cluster)."""
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException

        configuration = client.Configuration()
        try:
            config.load_kube_config(config_file=kubeconfig, context=context, client_configuration=configuration)
            contexts, active = config.list_kube_config_contexts(config_file=kubeconfig)
            chosen = next((c for c in contexts if c["name"] == context), active) if context else active
            default_namespace = (chosen or {}).get("context", {}).get("namespace") or "default"
        except (ConfigException, FileNotFoundError, TypeError) as exc:
            try:
                config.load_incluster_config(client_configuration=configuration)
                default_namespace = "default"
            except ConfigException:
                raise KubeError(f"Kubernetes cluster unreachable: no usable kubeconfig ({exc}); set --kubeconfig "
                                "or KUBECONFIG, or start one with `pyhelm sandbox start`") from None
        configuration.retries = 0  # transient failures are retried by _call, with backoff, not by urllib3 too
        api_client = client.ApiClient(configuration)
        _bound_requests(api_client.rest_client, request_timeout())
        return cls(api_client, namespace or default_namespace)

    @property
    def dynamic(self) -> Any:
        if self._dynamic is None:
            self._dynamic = self._call(lambda: self._dynamic_module.DynamicClient(self.api_client), "discovery")
        return self._dynamic

    def _call(self, operation, what: str, attempts: int = 4) -> Any:
        """Run an API call, retrying with backoff what may be transient (429, 5xx, a dropped connection, a
        timeout); other failures, and the last one, become KubeError. A request may reach the server more
        than once, so it must be safe to send twice (``create``, ``replace`` and ``delete`` see to theirs)."""
        from kubernetes.client.rest import ApiException
        from urllib3.exceptions import HTTPError

        delay = 0.2
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                return operation()
            except ApiException as exc:
                status, message = _describe(exc)
                if status in RETRIABLE and not last:
                    time.sleep(delay)
                    delay *= 2
                    continue
                raise KubeError(f"{what}: {message}", status, retried=attempt > 0) from None
            except (HTTPError, OSError) as exc:
                if _worth_retrying(exc) and not last:
                    time.sleep(delay)
                    delay *= 2
                    continue
                reason = getattr(exc, "reason", None) or exc
                raise KubeError(f"{what}: Kubernetes cluster unreachable: {reason}", retried=attempt > 0) from None
        raise KubeError(f"{what}: gave up")

    def resource_for(self, api_version: str, kind: str) -> Any:
        from kubernetes.dynamic.exceptions import ResourceNotFoundError

        def find() -> Any:  # discovery is lazy: this may fetch the group/version's resource list
            return self._call(lambda: self.dynamic.resources.get(api_version=api_version, kind=kind), "discovery")

        try:
            return find()
        except ResourceNotFoundError:
            self._dynamic = None
            try:
                return find()
            except ResourceNotFoundError:
                raise KubeError(f'resource mapping not found for kind "{kind}" in version "{api_version}": '
                                "ensure CRDs are installed first") from None

    def ref(self, obj: dict[str, Any]) -> ObjectRef:
        resource = self.resource_for(obj.get("apiVersion", ""), obj.get("kind", ""))
        metadata = obj.get("metadata") or {}
        namespace = (metadata.get("namespace") or self.namespace) if resource.namespaced else ""
        return ObjectRef(obj.get("apiVersion", ""), obj.get("kind", ""), namespace, metadata.get("name", ""))

    def apply(self, obj: dict[str, Any], field_manager: str = "helm", force: bool = False,
              dry_run: bool = False) -> dict[str, Any]:
        """Server-side apply one object (created when missing)."""
        ref = self.ref(obj)
        resource = self.resource_for(ref.api_version, ref.kind)
        if ref.namespace:
            obj.setdefault("metadata", {})["namespace"] = ref.namespace
        extra = {"dry_run": "All"} if dry_run else {}
        result = self._call(lambda: self.dynamic.server_side_apply(
            resource, body=obj, name=ref.name, namespace=ref.namespace or None, field_manager=field_manager,
            force_conflicts=force, **extra), f"failed to apply {ref}")
        return result.to_dict()

    def create(self, obj: dict[str, Any], field_manager: str = "helm") -> dict[str, Any]:
        """Create one object (client-side apply's first step). When a retried create meets AlreadyExists and
        the existing object is the one sent (our field manager, every field as sent), an earlier attempt made
        it and its answer was lost: that object is the result."""
        ref = self.ref(obj)
        resource = self.resource_for(ref.api_version, ref.kind)
        try:
            return self._call(lambda: resource.create(body=obj, namespace=ref.namespace or None,
                                                      field_manager=field_manager), f"failed to create {ref}").to_dict()
        except KubeError as exc:
            if exc.status == 409 and exc.retried:
                live = self.get(ref)
                if live is not None and _created_from(live, obj, field_manager):
                    return live
            raise

    def replace(self, obj: dict[str, Any], field_manager: str = "helm") -> dict[str, Any]:
        """Replace one object whole (``--force-replace``), over the live resourceVersion, read again by every
        attempt (a retry must not conflict with the write of an attempt whose answer was lost)."""
        ref = self.ref(obj)
        resource = self.resource_for(ref.api_version, ref.kind)
        namespace = ref.namespace or None

        def replace_live() -> Any:
            live = resource.get(name=ref.name, namespace=namespace)
            body = {**obj, "metadata": {**(obj.get("metadata") or {}),
                                        "resourceVersion": live.metadata.resourceVersion}}
            return resource.replace(body=body, name=ref.name, namespace=namespace, field_manager=field_manager)

        return self._call(replace_live, f"failed to replace object {ref}").to_dict()

    def patch(self, ref: ObjectRef, body: Any, content_type: str, field_manager: str = "helm") -> dict[str, Any]:
        """Patch one object with a strategic merge, JSON merge or JSON patch body."""
        resource = self.resource_for(ref.api_version, ref.kind)
        return self._call(lambda: resource.patch(body=body, name=ref.name, namespace=ref.namespace or None,
                                                 content_type=content_type, field_manager=field_manager),
                          f'cannot patch "{ref.name}" with kind {ref.kind}').to_dict()

    def get(self, ref: ObjectRef) -> dict[str, Any] | None:
        resource = self.resource_for(ref.api_version, ref.kind)
        try:
            return self._call(lambda: resource.get(name=ref.name, namespace=ref.namespace or None).to_dict(),
                              f"failed to get {ref}")
        except KubeError as exc:
            if exc.status == 404:
                return None
            raise

    def delete(self, ref: ObjectRef, propagation: str = "Background") -> bool:
        """Delete an object; False when it was already gone. NotFound is done whatever its cause (after a
        retry it is most likely an earlier attempt's, whose answer was lost)."""
        resource = self.resource_for(ref.api_version, ref.kind)
        try:
            self._call(lambda: resource.delete(name=ref.name, namespace=ref.namespace or None,
                                               body={"propagationPolicy": propagation}), f"failed to delete {ref}")
            return True
        except KubeError as exc:
            if exc.status == 404:
                return False
            raise

    def lookup(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
        """Helm's ``lookup``: one object, or a list when name is empty; an empty map when not found."""
        try:
            resource = self.resource_for(api_version, kind)
        except KubeError:
            return {}
        try:
            if name:
                found = self.get(ObjectRef(api_version, kind, namespace if resource.namespaced else "", name))
                return found or {}
            listing = self._call(lambda: resource.get(namespace=(namespace or None) if resource.namespaced
                                                      else None), f"failed to list {kind}")
            return listing.to_dict()
        except KubeError as exc:
            if exc.status == 404:
                return {}
            raise

    def impersonate(self, user: str) -> None:
        """Send every request of this connection (and its with_namespace copies) as ``user``: the server
        authorizes each as that user's (a service account's groups are implied, as kube-apiserver does)."""
        self.api_client.set_default_header("Impersonate-User", user)

    def request(self, method: str, path: str, body: Any = None, query: dict[str, str] | None = None,
                content_type: str = "application/json", stream: bool = False, timeout: float | None = None) -> Any:
        """A request by API path (custom resources, subresources, watches), retried as every call is: the
        decoded JSON answer, or with ``stream`` the open response (for a watch's lines)."""
        import json

        from kubernetes.client.rest import ApiException

        def send() -> Any:
            method_, url, headers, data, _ = self.api_client.param_serialize(
                method, path, query_params=list((query or {}).items()), body=body,
                header_params={"Accept": "application/json", "Content-Type": content_type},
                auth_settings=["BearerToken"])
            response = self.api_client.call_api(method_, url, header_params=headers, body=data,
                                                _request_timeout=timeout)
            if response.status >= 400:
                response.read()
                raise ApiException(http_resp=response)
            if not stream:
                response.read()
            return response

        response = self._call(send, f"{method} {path}")
        if stream:
            return response.response
        return json.loads(response.data or b"null")

    def invalidate_discovery(self) -> None:
        """Forget what the cluster serves (after CRDs were created), as Helm does after installing CRDs."""
        self._dynamic = None

    def capabilities(self) -> Any:
        """``.Capabilities`` of the live cluster: its version and every group/version (and kind) it serves
        (computed once per discovery)."""
        cached = self._shared.get("capabilities")
        if cached is not None and cached[0] is self._dynamic:
            return cached[1]
        capabilities = self._discover_capabilities()
        self._shared["capabilities"] = (self._dynamic, capabilities)
        return capabilities

    def with_namespace(self, namespace: str) -> "KubeClient":
        """The same connection and discovery, defaulting to another namespace."""
        import copy

        self.dynamic  # noqa: B018 - discover once, before the copies share it
        other = copy.copy(self)
        other.namespace = namespace
        return other

    def _discover_capabilities(self) -> Any:
        from engine.render.capabilities import Capabilities, VersionSet, parse_kube_version

        from kubernetes import client

        info = self._call(lambda: client.VersionApi(self.api_client).get_code(), "get server version")
        versions: list[str] = []
        for resource in self._call(lambda: self.dynamic.resources.search(), "discovery"):
            if type(resource).__name__ == "ResourceList" or "/" in (resource.name or ""):
                continue
            if resource.group_version not in versions:
                versions.append(resource.group_version)
            versions.append(f"{resource.group_version}/{resource.kind}")
        return Capabilities(parse_kube_version(str(getattr(info, "git_version", "") or "v1.35.0")),
                            VersionSet(dict.fromkeys(versions)))

    def pod_log(self, namespace: str, name: str) -> str:
        """The log of a pod's (first) container."""
        return self._call(lambda: self.core.read_namespaced_pod_log(name, namespace),
                          f"failed to get log of pod {name}")

    def ensure_namespace(self, name: str) -> None:
        self.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {"name": name}}})

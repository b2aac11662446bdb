"""Release storage: Secrets or ConfigMaps ``sh.helm.release.v1.NAME.vN`` (Helm's drivers), or memory."""
from __future__ import annotations

import functools
import time
from typing import Any, Callable

from engine.kube.client import KubeError
from engine.release.record import Release, decode_release, encode_release

SYSTEM_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")

Histories = dict[tuple[str, str], Callable[[], list[Release]]]  # (namespace, name): its records, oldest first


class StorageError(Exception):
    pass


def record_name(name: str, version: int) -> str:
    return f"sh.helm.release.v1.{name}.v{version}"


def _labels(release: Release, stamp_key: str) -> dict[str, str]:
    labels = {k: v for k, v in release.labels.items() if k not in SYSTEM_LABELS}
    labels.update({"name": release.name, "owner": "helm", "status": release.info.status,
                   "version": str(release.version), stamp_key: str(int(time.time()))})
    return labels


class KubeDriver:
    """Release records as Secrets of type helm.sh/release.v1 (Helm's default driver) or as ConfigMaps."""

    def __init__(self, kube: Any, kind: str = "Secret"):
        self.kube, self.kind = kube, kind
        secret = kind == "Secret"
        core = kube.core
        self._create = core.create_namespaced_secret if secret else core.create_namespaced_config_map
        self._replace = core.replace_namespaced_secret if secret else core.replace_namespaced_config_map
        self._read = core.read_namespaced_secret if secret else core.read_namespaced_config_map
        self._delete = core.delete_namespaced_secret if secret else core.delete_namespaced_config_map
        self._list_namespaced = core.list_namespaced_secret if secret else core.list_namespaced_config_map
        self._list_all = core.list_secret_for_all_namespaces if secret else core.list_config_map_for_all_namespaces

    def _body(self, release: Release, stamp_key: str) -> dict[str, Any]:
        import base64

        payload = encode_release(release)
        body: dict[str, Any] = {
            "apiVersion": "v1", "kind": self.kind,
            "metadata": {"name": record_name(release.name, release.version), "namespace": release.namespace,
                         "labels": _labels(release, stamp_key)}}
        if self.kind == "Secret":  # Secret data is base64 on the wire: the payload gets a second layer
            body["type"] = "helm.sh/release.v1"
            body["data"] = {"release": base64.b64encode(payload.encode()).decode()}
        else:
            body["data"] = {"release": payload}
        return body

    def _payload(self, item: Any) -> str:
        """The encoded release of a stored record."""
        return self._unwrap((item.data or {}).get("release", ""))

    def _unwrap(self, value: str) -> str:
        """The encoded release of a record's ``data.release`` (a Secret's has a second base64 layer)."""
        import base64

        return base64.b64decode(value).decode() if self.kind == "Secret" else value

    def create(self, release: Release) -> None:
        """Store a new record; "release: already exists" when its revision is taken — unless this create was
        retried and the existing record is the one it sent (an earlier attempt wrote it, its answer was lost)."""
        body = self._body(release, "createdAt")
        name = body["metadata"]["name"]
        try:
            self.kube._call(lambda: self._create(release.namespace, body), f"create release record {name}")
        except KubeError as exc:
            if exc.status != 409:
                raise
            if not (exc.retried and self._holds(release.namespace, body)):
                raise StorageError("release: already exists") from None

    def _holds(self, namespace: str, body: dict[str, Any]) -> bool:
        """Whether the stored record of ``body``'s name has its labels and release."""
        name = body["metadata"]["name"]
        stored = self.kube._call(lambda: self._read(name, namespace), f"read release record {name}")
        sent = body["data"]["release"]
        return (stored.metadata.labels or {}) == body["metadata"]["labels"] and \
            decode_release(self._payload(stored)) == decode_release(self._unwrap(sent))

    def update(self, release: Release) -> None:
        """Replace a record whole (no resourceVersion: sending it twice is harmless)."""
        body = self._body(release, "modifiedAt")
        name = body["metadata"]["name"]
        self.kube._call(lambda: self._replace(name, release.namespace, body), f"update release record {name}")

    def delete(self, release: Release) -> None:
        """Delete a record; one already gone (pruned by another run, or by an attempt whose answer was lost)
        is done."""
        name = record_name(release.name, release.version)
        try:
            self.kube._call(lambda: self._delete(name, release.namespace), f"delete release record {name}")
        except KubeError as exc:
            if exc.status != 404:
                raise

    def _list(self, namespace: str | None, selector: str) -> list[Any]:
        if namespace:
            listing = self.kube._call(lambda: self._list_namespaced(namespace, label_selector=selector),
                                      "list release records")
        else:
            listing = self.kube._call(lambda: self._list_all(label_selector=selector), "list release records")
        return listing.items

    def _decoded(self, items: list[Any]) -> list[Release]:
        """The releases of stored records; undecodable records are skipped, as helm skips them."""
        releases = []
        for item in items:
            try:
                labels = {k: v for k, v in (item.metadata.labels or {}).items() if k not in SYSTEM_LABELS}
                release = decode_release(self._payload(item), labels)
                release.record_labels = dict(item.metadata.labels or {})
                releases.append(release)
            except (ValueError, KeyError):
                continue
        return releases

    def query(self, namespace: str | None, name: str | None = None) -> list[Release]:
        """Every record (optionally of one release) in a namespace, or in all namespaces."""
        return self._decoded(self._list(namespace, "owner=helm" + (f",name={name}" if name else "")))

    def histories(self, namespace: str | None, selector: str = "") -> Histories:
        """The records of every release in a namespace (or all namespaces; with ``selector``, only records
        whose labels match it), from one list request; a release's are decoded (base64, gzip, JSON) only when
        its entry is called, so releases nobody asks about cost no decoding."""
        grouped: dict[tuple[str, str], list[Any]] = {}
        for item in self._list(namespace, "owner=helm" + (f",{selector}" if selector else "")):
            key = (item.metadata.namespace or namespace or "", (item.metadata.labels or {}).get("name", ""))
            grouped.setdefault(key, []).append(item)
        return {key: functools.cache(lambda items=items: sorted(self._decoded(items), key=lambda r: r.version))
                for key, items in grouped.items()}


class MemoryDriver:
    """Process-local storage (HELM_DRIVER=memory): for tests and dry runs."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str, int], str] = {}
        self.labels: dict[tuple[str, str, int], dict[str, str]] = {}

    def create(self, release: Release) -> None:
        key = (release.namespace, release.name, release.version)
        if key in self.records:
            raise StorageError("release: already exists")
        self.update(release)

    def update(self, release: Release) -> None:
        key = (release.namespace, release.name, release.version)
        self.records[key] = encode_release(release)
        self.labels[key] = dict(release.labels)

    def delete(self, release: Release) -> None:
        self.records.pop((release.namespace, release.name, release.version), None)

    def query(self, namespace: str | None, name: str | None = None) -> list[Release]:
        return [decode_release(data, self.labels.get(key)) for key, data in self.records.items()
                if (namespace is None or key[0] == namespace) and (name is None or key[1] == name)]

    def histories(self, namespace: str | None, selector: str = "") -> Histories:
        """As KubeDriver.histories (every record is in memory already: nothing to save by decoding later)."""
        from engine.kube.labels import parse_label_selector

        matches = parse_label_selector(selector)
        grouped: dict[tuple[str, str], list[Release]] = {}
        for release in self.query(namespace):
            system = {"name": release.name, "owner": "helm", "status": release.info.status,
                      "version": str(release.version)}
            if matches({**release.labels, **system}):
                grouped.setdefault((release.namespace, release.name), []).append(release)
        return {key: functools.partial(sorted, records, key=lambda r: r.version) for key, records in grouped.items()}

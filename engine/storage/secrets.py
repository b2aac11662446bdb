"""Release storage in Secrets ``sh.helm.release.v1.NAME.vN`` (Helm's Secret driver), and in memory."""
from __future__ import annotations

import time
from typing import Any

from engine.release.record import Release, decode_release, encode_release

SYSTEM_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")


class StorageError(Exception):
    pass


def record_name(name: str, version: int) -> str:
    return f"sh.helm.release.v1.{name}.v{version}"


def _labels(release: Release, stamp_key: str) -> dict[str, str]:
    labels = {k: v for k, v in release.labels.items() if k not in SYSTEM_LABELS}
    labels.update({"name": release.name, "owner": "helm", "status": release.info.status,
                   "version": str(release.version), stamp_key: str(int(time.time()))})
    return labels


class SecretDriver:
    """Release records as Secrets of type helm.sh/release.v1 in the release namespace."""

    def __init__(self, kube: Any):
        self.kube = kube

    def _body(self, release: Release, stamp_key: str) -> dict[str, Any]:
        import base64

        payload = encode_release(release)
        return {"apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
                "metadata": {"name": record_name(release.name, release.version), "namespace": release.namespace,
                             "labels": _labels(release, stamp_key)},
                "data": {"release": base64.b64encode(payload.encode()).decode()}}

    def create(self, release: Release) -> None:
        body = self._body(release, "createdAt")
        try:
            self.kube._call(lambda: self.kube.core.create_namespaced_secret(release.namespace, body),
                            f"create release record {body['metadata']['name']}")
        except Exception as exc:
            if getattr(exc, "status", 0) == 409:
                raise StorageError("release: already exists") from None
            raise

    def update(self, release: Release) -> None:
        body = self._body(release, "modifiedAt")
        name = body["metadata"]["name"]
        self.kube._call(lambda: self.kube.core.replace_namespaced_secret(name, release.namespace, body),
                        f"update release record {name}")

    def delete(self, release: Release) -> None:
        name = record_name(release.name, release.version)
        self.kube._call(lambda: self.kube.core.delete_namespaced_secret(name, release.namespace),
                        f"delete release record {name}")

    def query(self, namespace: str | None, name: str | None = None) -> list[Release]:
        """Every record (optionally of one release) in a namespace, or in all namespaces."""
        import base64

        selector = "owner=helm" + (f",name={name}" if name else "")
        if namespace:
            listing = self.kube._call(lambda: self.kube.core.list_namespaced_secret(namespace, label_selector=selector),
                                      "list release records")
        else:
            listing = self.kube._call(lambda: self.kube.core.list_secret_for_all_namespaces(label_selector=selector),
                                      "list release records")
        releases = []
        for item in listing.items:
            try:
                payload = base64.b64decode((item.data or {}).get("release", "")).decode()
                labels = {k: v for k, v in (item.metadata.labels or {}).items() if k not in SYSTEM_LABELS}
                releases.append(decode_release(payload, labels))
            except (ValueError, KeyError):
                continue  # undecodable records are skipped, as helm skips them
        return releases


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

"""Stacks as the API server has them: listed once, then watched (relisted after a watch ends with an error
or an expired resourceVersion), kept in a cache the workers read, with a callback for each change."""
from __future__ import annotations

import json
import threading
from typing import Any, Callable, Iterator

from engine.controller.resource import GROUP, PLURAL, VERSION

WATCH_SECONDS = 30  # each watch request ends after this long and is made again
RETRY_SECONDS = 1.0  # after a failure, doubled while failures go on, up to MAX_RETRY_SECONDS
MAX_RETRY_SECONDS = 30.0

OnChange = Callable[[str, dict[str, Any] | None, dict[str, Any] | None], None]  # key, old, new (None: deleted)


def object_key(obj: dict[str, Any]) -> str:
    metadata = obj.get("metadata") or {}
    return f"{metadata.get('namespace') or 'default'}/{metadata.get('name')}"


def _lines(response: Any) -> Iterator[bytes]:
    """The newline-separated JSON events of a watch response, as they arrive."""
    pending = b""
    for chunk in response.stream(4096, decode_content=True):
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            if line.strip():
                yield line
    if pending.strip():
        yield pending


class StackInformer:
    def __init__(self, kube: Any, selector: str, on_change: OnChange, log: Callable[..., None]):
        self.kube, self.selector, self.on_change, self.log = kube, selector, on_change, log
        self.cache: dict[str, dict[str, Any]] = {}
        self.synced = threading.Event()  # the first list is in the cache
        self._lock = threading.Lock()

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            return self.cache.get(key)

    def keys(self) -> list[str]:
        with self._lock:
            return list(self.cache)

    def _store(self, key: str, obj: dict[str, Any] | None) -> None:
        with self._lock:
            old = self.cache.get(key)
            if obj is None:
                self.cache.pop(key, None)
            else:
                self.cache[key] = obj
        self.on_change(key, old, obj)

    def _query(self) -> dict[str, str]:
        return {"labelSelector": self.selector} if self.selector else {}

    def _list(self) -> str:
        listing = self.kube.request("GET", f"/apis/{GROUP}/{VERSION}/{PLURAL}", query=self._query())
        listed = {object_key(item): item for item in listing.get("items") or []}
        for gone in set(self.keys()) - set(listed):
            self._store(gone, None)
        for key, item in listed.items():
            self._store(key, item)
        self.synced.set()
        return str((listing.get("metadata") or {}).get("resourceVersion") or "")

    def _watch(self, version: str, stop: threading.Event) -> str:
        """Follow changes from ``version``; the version to go on from ("" : list again)."""
        query = {**self._query(), "watch": "true", "resourceVersion": version, "allowWatchBookmarks": "true",
                 "timeoutSeconds": str(WATCH_SECONDS)}
        response = self.kube.request("GET", f"/apis/{GROUP}/{VERSION}/{PLURAL}", query=query, stream=True,
                                     timeout=(10.0, WATCH_SECONDS + 30.0))
        try:
            for line in _lines(response):
                if stop.is_set():
                    return version
                event = json.loads(line)
                obj = event.get("object") or {}
                if event.get("type") == "ERROR":
                    return ""  # 410 Gone: the version is too old
                version = str((obj.get("metadata") or {}).get("resourceVersion") or version)
                if event.get("type") in ("ADDED", "MODIFIED"):
                    self._store(object_key(obj), obj)
                elif event.get("type") == "DELETED":
                    self._store(object_key(obj), None)
        finally:
            response.release_conn()
        return version

    def run(self, stop: threading.Event) -> None:
        """List and watch until ``stop`` is set; failures are logged and retried."""
        version, delay = "", RETRY_SECONDS
        while not stop.is_set():
            try:
                version = self._watch(version, stop) if version else self._list()
                delay = RETRY_SECONDS
            except Exception as exc:  # noqa: BLE001 - the informer must outlive any failure of the API
                self.log(f"listing or watching Stacks failed: {exc}; retrying in {delay:g}s", level="warning")
                version = ""
                stop.wait(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)

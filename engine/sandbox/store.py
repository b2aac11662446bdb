"""Object storage with a global resourceVersion counter and an event log that watches read from."""
from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass
from typing import Any, Iterator

MAX_EVENTS = 10000


@dataclass(frozen=True)
class Event:
    rv: int
    type: str  # ADDED, MODIFIED, DELETED
    bucket: tuple[str, str]  # (group, plural)
    namespace: str
    obj: dict[str, Any]


class Store:
    """Objects by (group, plural) and (namespace, name); every write gets the next resourceVersion."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.rv = 0
        self.buckets: dict[tuple[str, str], dict[tuple[str, str], dict[str, Any]]] = {}
        self.events: list[Event] = []

    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def get(self, bucket: tuple[str, str], namespace: str, name: str) -> dict[str, Any] | None:
        with self.lock:
            obj = self.buckets.get(bucket, {}).get((namespace, name))
            return copy.deepcopy(obj) if obj is not None else None

    def items(self, bucket: tuple[str, str], namespace: str | None) -> list[dict[str, Any]]:
        with self.lock:
            objects = self.buckets.get(bucket, {})
            keys = sorted(k for k in objects if namespace is None or k[0] == namespace)
            return [copy.deepcopy(objects[k]) for k in keys]

    def owned_by(self, uid: str) -> list[tuple[tuple[str, str], str, str]]:
        """The (bucket, namespace, name) of every object an ownerReference ties to ``uid``."""
        with self.lock:
            return [(bucket, namespace, name) for bucket, objects in self.buckets.items()
                    for (namespace, name), obj in objects.items()
                    if any(isinstance(ref, dict) and ref.get("uid") == uid
                           for ref in (obj.get("metadata") or {}).get("ownerReferences") or [])]

    def has_uid(self, uid: str) -> bool:
        with self.lock:
            return any((obj.get("metadata") or {}).get("uid") == uid
                       for objects in self.buckets.values() for obj in objects.values())

    def put(self, bucket: tuple[str, str], namespace: str, name: str, obj: dict[str, Any], event: str) -> None:
        with self.lock:
            self.buckets.setdefault(bucket, {})[(namespace, name)] = copy.deepcopy(obj)
            self._record(event, bucket, namespace, obj)

    def remove(self, bucket: tuple[str, str], namespace: str, name: str, obj: dict[str, Any]) -> None:
        with self.lock:
            self.buckets.get(bucket, {}).pop((namespace, name), None)
            self._record("DELETED", bucket, namespace, obj)

    def _record(self, event: str, bucket: tuple[str, str], namespace: str, obj: dict[str, Any]) -> None:
        self.events.append(Event(int(obj["metadata"]["resourceVersion"]), event, bucket, namespace,
                                 copy.deepcopy(obj)))
        if len(self.events) > MAX_EVENTS:
            del self.events[: len(self.events) - MAX_EVENTS]
        self.changed.notify_all()

    def oldest_event_rv(self) -> int:
        with self.lock:
            return self.events[0].rv if self.events else self.rv

    def events_after(self, rv: int, bucket: tuple[str, str], namespace: str | None) -> list[Event]:
        with self.lock:
            return [e for e in self.events if e.rv > rv and e.bucket == bucket
                    and (namespace is None or e.namespace == namespace)]

    def wait(self, timeout: float) -> None:
        with self.changed:
            self.changed.wait(timeout)

    def namespaced_keys(self, namespace: str) -> Iterator[tuple[tuple[str, str], str]]:
        with self.lock:
            for bucket, objects in self.buckets.items():
                for ns, name in list(objects):
                    if ns == namespace:
                        yield bucket, name

    # persistence ------------------------------------------------------------------------------------
    def dump(self) -> str:
        with self.lock:
            return json.dumps({"rv": self.rv, "objects": [
                {"bucket": list(bucket), "namespace": ns, "name": name, "object": obj}
                for bucket, objects in self.buckets.items() for (ns, name), obj in objects.items()]})

    def load(self, text: str) -> None:
        data = json.loads(text)
        with self.lock:
            self.rv = int(data.get("rv", 0))
            for entry in data.get("objects", []):
                bucket = tuple(entry["bucket"])
                self.buckets.setdefault(bucket, {})[(entry["namespace"], entry["name"])] = entry["object"]

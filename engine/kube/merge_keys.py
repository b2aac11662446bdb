"""Merge keys of Kubernetes' built-in list fields (strategic merge patch and server-side apply list-maps)."""
from __future__ import annotations

# list field name → merge key(s), for built-in types
MERGE_KEYS: dict[str, tuple[str, ...]] = {
    "containers": ("name",), "initContainers": ("name",), "ephemeralContainers": ("name",),
    "env": ("name",), "volumes": ("name",), "volumeMounts": ("mountPath",), "volumeDevices": ("devicePath",),
    "imagePullSecrets": ("name",), "hostAliases": ("ip",), "topologySpreadConstraints": ("topologyKey",),
    "ports": ("containerPort", "protocol"), "conditions": ("type",), "readinessGates": ("conditionType",),
}
SERVICE_PORT_KEYS = ("port", "protocol")


def merge_keys(field: str, path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The list-map keys of ``field`` at ``path`` (Service ports are keyed by port, container ports otherwise)."""
    if field == "ports" and "containers" not in path and "initContainers" not in path:
        return SERVICE_PORT_KEYS
    return MERGE_KEYS.get(field)

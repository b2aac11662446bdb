"""Fetching a Stack's source: its files in a fresh directory, and a digest that changes exactly when they
do (the ConfigMap's content, or the OCI artifact's manifest digest)."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from typing import Any, Iterator

from engine.controller.resource import Source, StackResource

DEFAULT_STACK_FILE = "stack.yaml"


class SourceError(Exception):
    """The source cannot be read now (missing, unreachable, not a stack): retried with back-off."""


@dataclass(frozen=True)
class Fetched:
    directory: str
    stack_path: str  # the stack file (or directory) to load
    digest: str


def config_map_digest(config_map: dict[str, Any]) -> str:
    """sha256 over the ConfigMap's keys and values (data and binaryData), whatever their order."""
    content = {"data": config_map.get("data") or {}, "binaryData": config_map.get("binaryData") or {}}
    return "sha256:" + hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _write_config_map(config_map: dict[str, Any], directory: str) -> None:
    """Each key becomes a file of that name (ConfigMap keys are plain file names: no directories)."""
    import base64

    for key, text in (config_map.get("data") or {}).items():
        with open(os.path.join(directory, key), "w", encoding="utf-8") as handle:
            handle.write(text)
    for key, encoded in (config_map.get("binaryData") or {}).items():
        with open(os.path.join(directory, key), "wb") as handle:
            handle.write(base64.b64decode(encoded))


def _read_config_map(kube: Any, namespace: str, name: str) -> dict[str, Any]:
    from engine.kube.client import KubeError, ObjectRef

    try:
        found = kube.get(ObjectRef("v1", "ConfigMap", namespace, name))
    except KubeError as exc:
        raise SourceError(f"cannot read ConfigMap {namespace}/{name}: {exc}") from None
    if found is None:
        raise SourceError(f"ConfigMap {namespace}/{name} (spec.source.configMap) does not exist")
    return found


def _pull(source: Source, directory: str) -> tuple[str, str]:
    from engine.controller.artifact import pull_stack
    from engine.net.errors import DownloadError
    from engine.registry.errors import RegistryError
    from engine.registry.fetch import clients

    try:
        return pull_stack(source.oci_url, source.oci_digest, clients(source.plain_http, source.insecure), directory)
    except (RegistryError, DownloadError) as exc:
        raise SourceError(f"cannot pull {source.oci_url}: {exc}") from None


def _stack_path(directory: str, spec_path: str, pushed_path: str) -> str:
    relative = spec_path or pushed_path or DEFAULT_STACK_FILE
    path = os.path.realpath(os.path.join(directory, relative))
    if path != os.path.realpath(directory) and not path.startswith(os.path.realpath(directory) + os.sep):
        raise SourceError(f"spec.path {relative!r} is outside the source")
    if not os.path.exists(path):
        raise SourceError(f"the source has no {relative} (set spec.path to the stack file)")
    return path


@contextlib.contextmanager
def fetch_source(kube: Any, stack: StackResource) -> Iterator[Fetched]:
    """The Stack's files in a temporary directory for the block (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="pyhelm-stack-") as directory:
        if stack.source.config_map:
            config_map = _read_config_map(kube, stack.namespace, stack.source.config_map)
            _write_config_map(config_map, directory)
            digest, pushed_path = config_map_digest(config_map), ""
        else:
            digest, pushed_path = _pull(stack.source, directory)
        yield Fetched(directory, _stack_path(directory, stack.path, pushed_path), digest)

"""Registry failures, worded for one clear line."""
from __future__ import annotations

import json
from typing import Any


class RegistryError(Exception):
    """A registry, credential or artifact problem."""


def manifest_object(raw: bytes | str, where: object) -> dict[str, Any]:
    """An image manifest as a JSON object; RegistryError naming ``where`` when it is none."""
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise RegistryError(f"{where}: the manifest is not valid JSON") from None
    if not isinstance(manifest, dict):
        raise RegistryError(f"{where}: the manifest is not a JSON object")
    return manifest

"""The content cache (Helm v4's DiskCache): downloaded charts stored by SHA-256 digest."""
from __future__ import annotations

import os
from dataclasses import dataclass

from engine.repo.files import atomic_write

CHART = ".chart"
PROV = ".prov"


@dataclass(frozen=True)
class ContentCache:
    """Files under ``<root>/<first byte hex>/<sha256 hex><kind>``, shared with helm."""

    root: str

    def path(self, digest: str, kind: str = CHART) -> str:
        return os.path.join(self.root, digest[:2], digest + kind)

    def get(self, digest: str, kind: str = CHART) -> str | None:
        """The cached file for ``digest``, or None (an empty file counts as absent, as in Helm)."""
        path = self.path(digest, kind)
        return path if os.path.isfile(path) and os.path.getsize(path) > 0 else None

    def put(self, digest: str, data: bytes, kind: str = CHART) -> str:
        path = self.path(digest, kind)
        atomic_write(path, data, 0o644)
        return path

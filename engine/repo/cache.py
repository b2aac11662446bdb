"""The content cache (Helm v4's DiskCache): downloaded charts stored by SHA-256 digest."""
from __future__ import annotations

import os
from dataclasses import dataclass

from engine.repo.files import StagedFile

CHART = ".chart"  # Helm also keeps provenance files here, as ``.prov``


@dataclass(frozen=True)
class ContentCache:
    """Files under ``<root>/<first byte hex>/<sha256 hex><kind>``, shared with helm."""

    root: str

    def path(self, digest: str) -> str:
        return os.path.join(self.root, digest[:2], digest + CHART)

    def get(self, digest: str) -> str | None:
        """The cached chart for ``digest``, or None (an empty file counts as absent, as in Helm)."""
        path = self.path(digest)
        return path if os.path.isfile(path) and os.path.getsize(path) > 0 else None

    def stage(self) -> StagedFile:
        """A file in the cache to download into, committed to ``path(digest)`` once the digest is checked."""
        return StagedFile(os.path.join(self.root, "download"))

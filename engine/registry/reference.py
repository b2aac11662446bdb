"""``oci://host[:port]/path/name[:tag][@sha256:…]`` references, and Helm's tag spelling of versions."""
from __future__ import annotations

import re
from dataclasses import dataclass

from engine.registry.errors import RegistryError

_REFERENCE = re.compile(r"^(?P<host>[^/]+)/(?P<repository>[a-z0-9]+(?:[._/-][a-z0-9]+)*)"
                        r"(?::(?P<tag>[\w][\w.+-]{0,127}))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$")


@dataclass(frozen=True)
class Reference:
    host: str
    repository: str  # path below the host, chart name last
    tag: str = ""
    digest: str = ""

    @property
    def name(self) -> str:
        return self.repository.rsplit("/", 1)[-1]

    def __str__(self) -> str:
        return f"{self.host}/{self.repository}" + (f":{self.tag}" if self.tag else "") + (
            f"@{self.digest}" if self.digest else "")


def parse_reference(text: str) -> Reference:
    """Parse an ``oci://`` reference (the scheme is optional)."""
    bare = text[len("oci://"):] if text.startswith("oci://") else text
    match = _REFERENCE.match(bare)
    if match is None:
        raise RegistryError(f'invalid_reference: invalid reference "{text}"')
    return Reference(match["host"], match["repository"], (match["tag"] or "").replace("+", "_"),
                     match["digest"] or "")


def tag_of(version: str) -> str:
    """OCI tags cannot hold ``+``: Helm writes SemVer build metadata with ``_``."""
    return version.replace("+", "_")


def version_of(tag: str) -> str:
    return tag.replace("_", "+")

"""Helm charts as OCI artifacts: push an archive (config = chart metadata, one chart layer, an optional
provenance layer, Helm's annotations) and pull one back by tag, digest or version constraint."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.registry.client import DIGEST, RegistryClient
from engine.registry.errors import RegistryError, manifest_object
from engine.registry.reference import Reference, parse_reference, tag_of, version_of

if TYPE_CHECKING:
    from engine.repo.cache import ContentCache

CONFIG_TYPE = "application/vnd.cncf.helm.config.v1+json"
CHART_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
PROV_TYPE = "application/vnd.cncf.helm.chart.provenance.v1.prov"
LEGACY_CHART_TYPE = "application/tar+gzip"


@dataclass
class Pulled:
    reference: Reference
    manifest_digest: str
    chart_path: str  # the archive, in the content cache
    chart_digest: str
    prov: bytes | None = None


def _metadata_json(archive_path: str) -> tuple[bytes, dict]:
    """The chart's metadata as Helm's config blob (Go JSON of Chart.yaml) and as a dict."""
    from engine.chart.loader import load_chart
    from engine.release.chart_json import metadata_record
    from engine.release.record import to_json_ordered

    metadata = metadata_record(load_chart(archive_path))
    return to_json_ordered(metadata).encode(), metadata


def annotations(metadata: dict, created: str) -> dict[str, str]:
    """Helm's manifest annotations: OCI ones from the metadata, then the chart's own (title and version win)."""
    result: dict[str, str] = {}
    for key, value in (("org.opencontainers.image.description", metadata.get("description", "")),
                       ("org.opencontainers.image.title", metadata.get("name", "")),
                       ("org.opencontainers.image.version", metadata.get("version", "")),
                       ("org.opencontainers.image.url", metadata.get("home", "")),
                       ("org.opencontainers.image.created", created)):
        if value.strip():
            result[key] = value
    if metadata.get("sources"):
        result["org.opencontainers.image.source"] = metadata["sources"][0]
    maintainers = metadata.get("maintainers") or []
    if maintainers:
        result["org.opencontainers.image.authors"] = ", ".join(
            (m.get("name") or "") + (f" ({m['email']})" if m.get("email") else "") for m in maintainers)
    for key, value in (metadata.get("annotations") or {}).items():
        if key not in ("org.opencontainers.image.version", "org.opencontainers.image.title"):
            result[key] = value
    return dict(sorted(result.items()))


def _descriptor(media_type: str, data: bytes) -> dict:
    return {"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}


def push_chart(archive_path: str, destination: str, client_for) -> tuple[Reference, str]:
    """Push ``archive_path`` (and a sibling ``.prov``) under ``destination``/<name>:<version>; returns the
    reference and the manifest digest. ``client_for(host)`` gives a RegistryClient."""
    config, metadata = _metadata_json(archive_path)
    with open(archive_path, "rb") as handle:
        archive = handle.read()
    base = parse_reference(destination.rstrip("/") + "/" + metadata["name"])
    if base.tag or base.digest:
        raise RegistryError(f"{destination}: push to a repository, not a tag (the chart's version is its tag)")
    reference = Reference(base.host, base.repository, tag_of(metadata["version"]))
    blobs = [(CHART_TYPE, archive)]
    if os.path.exists(archive_path + ".prov"):
        with open(archive_path + ".prov", "rb") as handle:
            blobs.append((PROV_TYPE, handle.read()))
    client: RegistryClient = client_for(reference.host)
    layers = sorted((_descriptor(kind, data) for kind, data in blobs), key=lambda d: d["digest"])
    for _kind, data in blobs:
        client.push_blob(reference.repository, data)
    client.push_blob(reference.repository, config)
    created = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    manifest = {"schemaVersion": 2, "config": _descriptor(CONFIG_TYPE, config), "layers": layers,
                "annotations": annotations(metadata, created)}
    data = json.dumps(manifest, separators=(",", ":"), ensure_ascii=False).encode()
    return reference, client.push_manifest(reference.repository, reference.tag, data)


def resolve_tag(client: RegistryClient, reference: Reference, constraint: str) -> str:
    """The tag to pull: the reference's own, or the newest version satisfying ``constraint``."""
    from engine.repo.versions import newest_first, parse_version, satisfies

    if reference.tag and not constraint:
        return reference.tag
    if reference.tag and constraint and version_of(reference.tag) != constraint:
        raise RegistryError(f"chart reference and version mismatch: {constraint} is not {version_of(reference.tag)}")
    versions = [version_of(t) for t in client.tags(reference.repository) if parse_version(version_of(t))]
    for version in newest_first(versions, lambda v: v):
        if satisfies(constraint or "*", version) or version == constraint:
            return tag_of(version)
    raise RegistryError(f"could not locate a version matching provided version string {constraint or '*'} "
                        f"for {reference.host}/{reference.repository}")


def _layer(reference: Reference, layer: dict, kind: str) -> tuple[str, int]:
    """A layer descriptor's digest and declared size, refused when either is missing or malformed (the digest
    names a file in the content cache)."""
    digest, size = layer.get("digest"), layer.get("size")
    if (not isinstance(digest, str) or not DIGEST.fullmatch(digest) or not isinstance(size, int)
            or isinstance(size, bool) or size < 0):
        raise RegistryError(f"{reference}: the manifest's {kind} layer needs a sha256, sha384 or sha512 digest and "
                            "a size in bytes")
    return digest, size


def _chart_into_cache(client: RegistryClient, reference: Reference, layer: dict, cache: ContentCache) -> str:
    """The chart layer's path in the content cache: fetched (streamed, size and digest checked) unless there."""
    digest, size = _layer(reference, layer, "chart")
    key = digest.partition(":")[2]
    cached = cache.get(key)
    if cached:
        return cached
    with cache.stage() as staged:
        client.blob_into(staged.handle, reference.repository, digest, size)
        return staged.commit(cache.path(key))


def pull_chart(text: str, constraint: str, client_for, cache: ContentCache, with_prov: bool = False) -> Pulled:
    """Pull a chart by ``oci://`` reference (tag, digest, or version constraint over the tags) into ``cache``."""
    reference = parse_reference(text)
    client: RegistryClient = client_for(reference.host)
    target = reference.digest or resolve_tag(client, reference, constraint)
    raw, digest = client.manifest(reference.repository, target)
    if reference.digest and digest != reference.digest:
        raise RegistryError(f"{reference}: the manifest's digest is {digest}")
    manifest = manifest_object(raw, reference)
    config = manifest.get("config") if isinstance(manifest.get("config"), dict) else {}
    if config.get("mediaType") != CONFIG_TYPE:
        raise RegistryError(f"{reference}: not a Helm chart (config media type {config.get('mediaType')})")
    layers = {layer.get("mediaType"): layer for layer in manifest.get("layers") or [] if isinstance(layer, dict)}
    chart_layer = layers.get(CHART_TYPE) or layers.get(LEGACY_CHART_TYPE)
    if chart_layer is None:
        raise RegistryError(f"{reference}: the manifest has no chart layer")
    chart_path = _chart_into_cache(client, reference, chart_layer, cache)
    prov = None
    if with_prov and PROV_TYPE in layers:
        prov = client.blob(reference.repository, *_layer(reference, layers[PROV_TYPE], "provenance"))
    resolved = Reference(reference.host, reference.repository, "" if reference.digest else target,
                         reference.digest)
    return Pulled(resolved, digest, chart_path, chart_layer["digest"], prov)

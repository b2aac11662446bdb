"""Stacks as OCI artifacts: the stack directory (stack files, values files, anything beside them) as one
reproducible tar+gzip layer with pyhelm's own media types, pushed by ``pyhelm stack push`` and pulled by the
controller by digest."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass

from engine.registry.errors import RegistryError, manifest_object
from engine.registry.reference import Reference, parse_reference

CONFIG_TYPE = "application/vnd.pyhelm.stack.config.v1+json"
CONTENT_TYPE = "application/vnd.pyhelm.stack.content.v1.tar+gzip"
MAX_FILES = 10_000


@dataclass(frozen=True)
class Pushed:
    reference: Reference
    digest: str


def _descriptor(media_type: str, data: bytes) -> dict:
    return {"mediaType": media_type, "digest": "sha256:" + hashlib.sha256(data).hexdigest(), "size": len(data)}


def pack_directory(directory: str) -> bytes:
    """The directory's files as tar+gzip, the same bytes for the same files (sorted, no times, no owners), so
    pushing unchanged files gives the same digest. Hidden entries (.git) and symlinks are left out."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as zipped, \
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for root, dirs, files in os.walk(directory):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not os.path.islink(os.path.join(root, d)))
            for name in sorted(files):
                path = os.path.join(root, name)
                if name.startswith(".") or os.path.islink(path):
                    continue
                with open(path, "rb") as handle:
                    data = handle.read()
                info = tarfile.TarInfo(os.path.relpath(path, directory).replace(os.sep, "/"))
                info.size, info.mode = len(data), 0o644
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def unpack_into(data: bytes, directory: str) -> None:
    """Extract a stack layer into ``directory``: regular files only, every path inside it."""
    root = os.path.realpath(directory)
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            members = archive.getmembers()
            if len(members) > MAX_FILES:
                raise RegistryError(f"the stack artifact holds more than {MAX_FILES} files")
            for member in members:
                target = os.path.realpath(os.path.join(root, member.name))
                if member.isdir():
                    continue
                if not member.isfile() or not target.startswith(root + os.sep):
                    raise RegistryError(f"the stack artifact holds {member.name!r}, which is not a file inside it")
                os.makedirs(os.path.dirname(target), exist_ok=True)
                source = archive.extractfile(member)
                with open(target, "wb") as handle:
                    handle.write(source.read() if source else b"")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise RegistryError(f"the stack artifact is not a readable tar+gzip: {exc}") from None


def push_stack(path: str, destination: str, client_for) -> Pushed:
    """Push the stack at ``path`` (a stack file: its directory, remembering the file; a directory: all of
    it) to ``destination`` (``oci://host/repository:tag``); returns where and the manifest digest."""
    reference = parse_reference(destination)
    if not reference.tag or reference.digest:
        raise RegistryError(f"{destination}: push to a tag (oci://host/repository:tag)")
    directory, entry = (path, "") if os.path.isdir(path) else (os.path.dirname(os.path.abspath(path)),
                                                                os.path.basename(path))
    if not os.path.exists(path):
        raise RegistryError(f"{path}: no such file or directory")
    content = pack_directory(directory)
    config = json.dumps({"path": entry}, separators=(",", ":")).encode()
    client = client_for(reference.host)
    client.push_blob(reference.repository, content)
    client.push_blob(reference.repository, config)
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "artifactType": CONFIG_TYPE, "config": _descriptor(CONFIG_TYPE, config),
                "layers": [_descriptor(CONTENT_TYPE, content)]}
    data = json.dumps(manifest, separators=(",", ":")).encode()
    return Pushed(reference, client.push_manifest(reference.repository, reference.tag, data))


def _layer(manifest: dict, media_type: str, where: str) -> tuple[str, int]:
    found = manifest.get("config") if media_type == CONFIG_TYPE else next(
        (layer for layer in manifest.get("layers") or [] if isinstance(layer, dict)
         and layer.get("mediaType") == media_type), None)
    if not isinstance(found, dict) or found.get("mediaType") != media_type:
        raise RegistryError(f"{where}: not a pyhelm stack artifact (no {media_type})")
    digest, size = found.get("digest"), found.get("size")
    if not isinstance(digest, str) or not isinstance(size, int) or isinstance(size, bool):
        raise RegistryError(f"{where}: the manifest's {media_type} has no digest and size")
    return digest, size


def pull_stack(url: str, pinned: str, client_for, directory: str) -> tuple[str, str]:
    """Pull the artifact ``url`` into ``directory``; (manifest digest, stack file named at push or "").
    ``pinned`` (or a digest in the url) is the digest it must have: a tag moved elsewhere is refused."""
    reference = parse_reference(url)
    expected = reference.digest or pinned
    if reference.digest and pinned and reference.digest != pinned:
        raise RegistryError(f"{url}: the url's digest differs from spec.source.oci.digest {pinned}")
    client = client_for(reference.host)
    raw, digest = client.manifest(reference.repository, reference.digest or reference.tag or "latest")
    if expected and digest != expected:
        raise RegistryError(f"{url} resolves to {digest}, not the pinned {expected}")
    manifest = manifest_object(raw, url)
    config = client.blob(reference.repository, *_layer(manifest, CONFIG_TYPE, url))
    content = client.blob(reference.repository, *_layer(manifest, CONTENT_TYPE, url))
    unpack_into(content, directory)
    try:
        entry = json.loads(config).get("path") or ""
    except (ValueError, AttributeError):
        raise RegistryError(f"{url}: the artifact's config is not JSON") from None
    return digest, str(entry)

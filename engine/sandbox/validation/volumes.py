"""Pod volumes (``pkg/apis/core/validation``: ValidateVolumes, validateVolumeSource, validateSecretVolumeSource,
validateConfigMapVolumeSource, validateKeyToPath, validateDownwardAPIVolumeSource, validateProjectedVolumeSource,
validateHostPathVolumeSource, validateLocalDescendingPath, validateLocalNonReservedPath)."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation import names
from engine.sandbox.validation.field import Errors

# validateVolumeSource checks the sources in this order: the second one found is the one refused.
VOLUME_SOURCES = ("hostPath", "gitRepo", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "secret", "nfs",
                  "iscsi", "glusterfs", "flocker", "persistentVolumeClaim", "rbd", "quobyte", "cinder", "cephfs",
                  "downwardAPI", "fc", "azureFile", "vsphereVolume", "photonPersistentDisk", "portworxVolume",
                  "azureDisk", "storageos", "configMap", "scaleIO", "projected", "csi", "ephemeral", "image")
_REQUIRED_SOURCE_FIELDS = {"secret": "secretName", "configMap": "name", "persistentVolumeClaim": "claimName"}
HOST_PATH_TYPES = ["", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"]
_FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"
_MAX_MODE = 0o777
_MIN_TOKEN_SECONDS, _MAX_TOKEN_SECONDS = 600, 1 << 32


def local_descending_path(errors: Errors, path: str, value: str) -> None:
    """validateLocalDescendingPath: relative, and no ``..`` element."""
    if value.startswith("/"):
        errors.invalid(path, value, "must be a relative path")
    if ".." in value.replace("\\", "/").split("/"):
        errors.invalid(path, value, "must not contain '..'")


def _local_non_reserved_path(errors: Errors, path: str, value: str) -> None:
    """validateLocalNonReservedPath: a descending path that does not start with ``..``."""
    local_descending_path(errors, path, value)
    if value.startswith(".."):
        errors.invalid(path, value, "must not start with '..'")


def file_mode(errors: Errors, path: str, mode: Any) -> None:
    if isinstance(mode, int) and not isinstance(mode, bool) and not 0 <= mode <= _MAX_MODE:
        errors.invalid(path, mode, _FILE_MODE)


def _key_to_paths(errors: Errors, items: Any, path: str) -> None:
    """validateKeyToPath for each item of a secret or configMap source."""
    for i, item in enumerate(items or []):
        item, here = item or {}, f"{path}[{i}]"
        if not item.get("key"):
            errors.required(f"{here}.key")
        if not item.get("path"):
            errors.required(f"{here}.path")
        else:
            _local_non_reserved_path(errors, f"{here}.path", item["path"])
        file_mode(errors, f"{here}.mode", item.get("mode"))


def _downward_items(errors: Errors, items: Any, path: str) -> None:
    for i, item in enumerate(items or []):
        item, here = item or {}, f"{path}[{i}]"
        if not item.get("path"):
            errors.required(f"{here}.path")
        else:
            _local_non_reserved_path(errors, f"{here}.path", item["path"])
        file_mode(errors, f"{here}.mode", item.get("mode"))


def _projected(errors: Errors, projected: dict[str, Any], path: str) -> None:
    file_mode(errors, f"{path}.defaultMode", projected.get("defaultMode"))
    for i, source in enumerate(projected.get("sources") or []):
        source, here = source or {}, f"{path}.sources[{i}]"
        for kind in ("secret", "configMap"):
            if isinstance(source.get(kind), dict):
                _key_to_paths(errors, source[kind].get("items"), f"{here}.{kind}.items")
        if isinstance(source.get("downwardAPI"), dict):
            _downward_items(errors, source["downwardAPI"].get("items"), f"{here}.downwardAPI.items")
        token = source.get("serviceAccountToken")
        if isinstance(token, dict):
            seconds = token.get("expirationSeconds")
            if isinstance(seconds, int) and seconds < _MIN_TOKEN_SECONDS:
                errors.invalid(f"{here}.serviceAccountToken.expirationSeconds", seconds,
                               "may not specify a duration less than 10 minutes")
            elif isinstance(seconds, int) and seconds > _MAX_TOKEN_SECONDS:
                errors.invalid(f"{here}.serviceAccountToken.expirationSeconds", seconds,
                               "may not specify a duration larger than 2^32 seconds")
            if not token.get("path"):
                errors.required(f"{here}.serviceAccountToken.path")
            else:
                _local_non_reserved_path(errors, f"{here}.serviceAccountToken.path", token["path"])


def volume_source(errors: Errors, volume: dict[str, Any], path: str) -> None:
    """validateVolumeSource: exactly one source, and what each common source needs."""
    sources = [name for name in VOLUME_SOURCES if volume.get(name) is not None]
    if not sources:
        errors.required(path, "must specify a volume type")
    for extra in sources[1:]:
        errors.forbidden(f"{path}.{extra}", "may not specify more than 1 volume type")
    for source, required in _REQUIRED_SOURCE_FIELDS.items():
        if isinstance(volume.get(source), dict) and not volume[source].get(required):
            errors.required(f"{path}.{source}.{required}")
    for source in ("secret", "configMap"):
        if isinstance(volume.get(source), dict):
            file_mode(errors, f"{path}.{source}.defaultMode", volume[source].get("defaultMode"))
            _key_to_paths(errors, volume[source].get("items"), f"{path}.{source}.items")
    if isinstance(volume.get("downwardAPI"), dict):
        file_mode(errors, f"{path}.downwardAPI.defaultMode", volume["downwardAPI"].get("defaultMode"))
        _downward_items(errors, volume["downwardAPI"].get("items"), f"{path}.downwardAPI.items")
    if isinstance(volume.get("projected"), dict):
        _projected(errors, volume["projected"], f"{path}.projected")
    host_path = volume.get("hostPath")
    if isinstance(host_path, dict):
        if not host_path.get("path"):
            errors.required(f"{path}.hostPath.path")
        elif ".." in str(host_path["path"]).split("/"):
            errors.invalid(f"{path}.hostPath.path", host_path["path"], "must not contain '..'")
        if host_path.get("type") not in (None, *HOST_PATH_TYPES):
            errors.not_supported(f"{path}.hostPath.type", host_path["type"], HOST_PATH_TYPES)


def volumes(errors: Errors, values: Any, path: str) -> set[str]:
    """ValidateVolumes: named, unique, one source each; the names, for the mounts that refer to them."""
    seen: set[str] = set()
    for i, volume in enumerate(values or []):
        name = (volume or {}).get("name") or ""
        if not name:
            errors.required(f"{path}[{i}].name")
        else:
            errors.messages(f"{path}[{i}].name", name, names.dns1123_label(name))
            if name in seen:
                errors.duplicate(f"{path}[{i}].name", name)
        volume_source(errors, volume or {}, f"{path}[{i}]")
        seen.add(name)
    return seen

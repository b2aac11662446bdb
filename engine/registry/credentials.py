"""Registry credentials in Helm's registry config (Docker's config.json format), shared with helm."""
from __future__ import annotations

import base64
import json
import os

from engine.registry.errors import RegistryError


def config_path() -> str:
    """``$HELM_REGISTRY_CONFIG``, else ``<helm config home>/registry/config.json``."""
    from engine.repo.paths import config_home

    return os.environ.get("HELM_REGISTRY_CONFIG") or os.path.join(config_home(), "registry", "config.json")


def _read(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise RegistryError(f"{path}: not a readable registry config ({exc})") from None
    return data if isinstance(data, dict) else {}


def lookup(host: str, path: str | None = None) -> tuple[str, str] | None:
    """(username, password) stored for ``host``, if any."""
    entry = (_read(path or config_path()).get("auths") or {}).get(host) or {}
    if entry.get("auth"):
        user, _, password = base64.b64decode(entry["auth"]).decode().partition(":")
        return user, password
    if entry.get("username"):
        return entry["username"], entry.get("password", "")
    return None


def _write(path: str, data: dict) -> None:
    from engine.repo.files import atomic_write

    atomic_write(path, (json.dumps(data, indent="\t") + "\n").encode(), 0o600)


def store(host: str, username: str, password: str, path: str | None = None) -> None:
    path = path or config_path()
    data = _read(path)
    data.setdefault("auths", {})[host] = {"auth": base64.b64encode(f"{username}:{password}".encode()).decode()}
    _write(path, data)


def remove(host: str, path: str | None = None) -> None:
    path = path or config_path()
    data = _read(path)
    if host not in (data.get("auths") or {}):
        raise RegistryError(f"not logged in to {host}")
    del data["auths"][host]
    _write(path, data)

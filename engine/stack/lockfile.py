"""``stack.lock``: the chart each release of each environment resolved to (source, version, digest), so a plan
made tomorrow installs the bytes reviewed today, as Chart.lock and .terraform.lock.hcl do.

``pyhelm lock`` writes it; plan and apply use it when it is there: a locked release's chart is taken at its
locked version and refused if its digest differs; a version range that would now resolve to something else
is reported, and ``--update-lock`` moves the lock. Charts from local paths are not locked (they are part of
the stack's own files)."""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

from engine.stack.errors import StackError
from engine.stack.model import ReleaseSpec, Stack

LOCK_FILE = "stack.lock"


@dataclass(frozen=True)
class LockedChart:
    chart: str  # the release's chart reference when it was locked
    version: str
    digest: str  # sha256:… of the archive


def lock_path(stack: Stack) -> str:
    """stack.lock beside the stack file (inside a stack directory)."""
    return os.path.join(stack.base_dir, LOCK_FILE)


def _environment_key(stack: Stack) -> str:
    return stack.environment or "default"


def read_lock(stack: Stack) -> dict[str, dict[str, LockedChart]]:
    """environment → release id → locked chart ({} without a lock file)."""
    from engine.gotemplate.goyaml import YAMLError, load

    path = lock_path(stack)
    try:
        with open(path, encoding="utf-8") as handle:
            document = load(handle.read()) or {}
    except FileNotFoundError:
        return {}
    except (OSError, YAMLError, UnicodeDecodeError) as exc:
        raise StackError(f"{path}: cannot read the lock file: {exc}; remove it or run `pyhelm lock`") from None
    try:
        return {env: {rid: LockedChart(str(e["chart"]), str(e["version"]), str(e["digest"]))
                      for rid, e in (section.get("releases") or {}).items()}
                for env, section in (document.get("environments") or {}).items()}
    except (AttributeError, KeyError, TypeError) as exc:
        raise StackError(f"{path}: not a pyhelm lock file ({exc!r} is missing or malformed); run `pyhelm lock`") \
            from None


def locked_chart(stack: Stack, release: ReleaseSpec) -> LockedChart | None:
    """The lock of this release in this environment, if the lock file has one for its current chart."""
    entry = read_lock(stack).get(_environment_key(stack), {}).get(release.id)
    if entry is not None and entry.chart != release.chart:
        raise StackError(f"{release.where}: release {release.id}: {LOCK_FILE} locks chart {entry.chart}, the stack "
                         f"now names {release.chart}: run `pyhelm lock` to lock the new chart")
    return entry


def archive_digest(path: str) -> str:
    with open(path, "rb") as handle:
        return "sha256:" + hashlib.sha256(handle.read()).hexdigest()


def check_locked_digest(release: ReleaseSpec, locked: LockedChart, path: str) -> None:
    actual = archive_digest(path)
    if actual != locked.digest:
        raise StackError(f"{release.where}: release {release.id}: chart {release.chart} {locked.version} has digest "
                         f"{actual}, but {LOCK_FILE} locks {locked.digest}: the repository serves different bytes "
                         "under the same version; refusing it (run `pyhelm lock` only if the change is expected)")


def write_lock(stack: Stack, entries: dict[str, LockedChart]) -> str:
    """Replace this environment's section of the lock file (other environments are kept); returns its path."""
    from engine.gotemplate.goyaml import to_yaml
    from engine.repo.files import atomic_write

    environments: dict[str, Any] = {env: {rid: vars(entry) for rid, entry in found.items()}
                                    for env, found in read_lock(stack).items()}
    environments[_environment_key(stack)] = {rid: vars(entry) for rid, entry in sorted(entries.items())}
    document = {"apiVersion": "pyhelm/v1", "kind": "StackLock", "stack": stack.name,
                "environments": {env: {"releases": found} for env, found in sorted(environments.items())}}
    path = lock_path(stack)
    atomic_write(path, ("# Written by `pyhelm lock`: the chart each release resolved to. Commit it.\n"
                        + to_yaml(document)).encode())
    return path

"""The files a stack's plan is made from, with their sha256 digests: a saved plan records them so that apply can
name the file that changed since planning.

Plain secret files of ``secretValues`` are left out: a digest of a short secret could be reversed by guessing,
and a changed one still shows as a different rendered manifest. Sops files are digested as stored (encrypted)."""
from __future__ import annotations

import hashlib
import os

from engine.stack.lockfile import lock_path
from engine.stack.model import Stack

Input = dict[str, str]  # {"kind": "values file", "path": absolute path, "sha256": digest ('' if missing)}


def file_digest(path: str) -> str:
    """sha256 of a file, or of a directory's files and their relative paths ('' when there is nothing there)."""
    digest = hashlib.sha256()
    if os.path.isdir(path):
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                full = os.path.join(root, name)
                digest.update(os.path.relpath(full, path).encode() + b"\0")
                digest.update(file_digest(full).encode() + b"\0")
        return digest.hexdigest()
    from engine.repo.index import digest_file

    try:
        return digest_file(path)
    except OSError:
        return ""


def _inputs_read(stack: Stack) -> list[tuple[str, str]]:
    """(kind, absolute path) of every file the stack reads, the stack files first."""
    from engine.stack.charts import local_chart_path

    def under_base(name: str) -> str:
        return os.path.abspath(os.path.join(stack.base_dir, name))

    found = [("stack file", os.path.abspath(name)) for name in stack.files or [stack.path]]
    found += [("values file", under_base(name)) for name in stack.env_values_files]
    found += [("secret file", under_base(name)) for name in stack.env_secret_files]
    for release in stack.releases:
        found += [("values file", under_base(name)) for name in release.values_files]
        found += [("secret file", under_base(name)) for name in release.secret_files]
        chart = local_chart_path(stack, release)
        if chart is not None:
            found.append(("chart", chart))
    if os.path.exists(lock_path(stack)):
        found.append(("lock file", os.path.abspath(lock_path(stack))))
    return found


def stack_inputs(stack: Stack) -> list[Input]:
    """Every file the stack reads, once each, with its digest now."""
    seen: dict[str, Input] = {}
    for kind, path in _inputs_read(stack):
        seen.setdefault(path, {"kind": kind, "path": path, "sha256": file_digest(path)})
    return list(seen.values())


def changed_inputs(stack: Stack, planned: list[Input]) -> list[str]:
    """What differs between the files the plan recorded and the files the stack reads now, one phrase each."""
    now = {entry["path"]: entry for entry in stack_inputs(stack)}
    then = {entry["path"]: entry for entry in planned}

    def shown(entry: Input) -> str:
        return f"{entry['kind']} {os.path.relpath(entry['path'], stack.base_dir)}"

    changes = []
    for path, entry in then.items():
        current = now.get(path)
        if current is None:
            changes.append(f"{shown(entry)} is no longer read by the stack")
        elif not current["sha256"]:
            changes.append(f"{shown(entry)} was removed since planning")
        elif current["sha256"] != entry["sha256"]:
            changes.append(f"{shown(entry)} changed since planning")
    changes += [f"{shown(entry)} is read now but was not when planning" for path, entry in now.items()
                if path not in then]
    return changes

"""The values of one release of a stack: files (templated), inline values, set keys, secret values."""
from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any

from engine.stack.errors import StackError
from engine.stack.model import ReleaseSpec, Stack
from engine.stack.templating import render


def deep_merge(target: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    """Merge ``source`` into ``target`` as Helm merges values files: maps recurse, anything else replaces."""
    for key, value in source.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            deep_merge(target[key], value)
        else:
            target[key] = value
    return target


def read_values_file(name: str, base_dir: str, context: dict[str, Any], stack_path: str) -> dict[str, Any]:
    """Read a values file relative to the stack file, templated with ``context`` (Helm's YAML typing)."""
    from engine.gotemplate import goyaml

    path = os.path.join(base_dir, name)
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise StackError(f"{stack_path}: values file {name}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise StackError(f"{path}: not UTF-8 text (offset {exc.start}); save the values file as UTF-8") from None
    text = render(text, context, path)
    try:
        data = goyaml.load(text)
    except goyaml.YAMLError as exc:
        raise StackError(f"{path}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StackError(f"{path}: a values file must be a YAML mapping")
    return data


def _set_path(values: dict[str, Any], dotted: str, value: Any) -> None:
    parts = [p.replace("\\.", ".") for p in split_dotted(dotted)]
    node = values
    for part in parts[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[parts[-1]] = value


def split_dotted(dotted: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in dotted:
        if escaped:
            current += "\\" + char if char == "." else char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ".":
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def secret_file_values(base_dir: str, where: str, name: str, missing_secret: str | None = None
                       ) -> dict[str, Any]:
    """A sops file of the stack decrypted, or (``missing_secret`` given, sops unable to decrypt it here) its
    structure with that placeholder for every encrypted value; ``where`` (the stack file, or a release's
    file:line and id) starts its errors."""
    import os

    from engine.stack.errors import StackError
    from engine.stack.sops import decrypt, placeholder_values

    path, shown_as = os.path.join(base_dir, name), f"{where}: secret file {name}"
    try:
        return decrypt(path, shown_as)
    except StackError:
        if missing_secret is None:
            raise
        return placeholder_values(path, shown_as, missing_secret)


def release_values(stack: Stack, release: ReleaseSpec, with_secrets: bool = True,
                   missing_secret: str | None = None) -> dict[str, Any]:
    """The user-supplied values of ``release``: files, inline values, ``set`` keys, then secret values
    (``missing_secret`` stands in for a secret that cannot be read here, for checks that need no secrets)."""
    context = {"env": SimpleNamespace(name=stack.environment, values=stack.env_values),
               "release": SimpleNamespace(name=release.name, namespace=release.namespace, chart=release.chart,
                                          version=release.version)}
    values: dict[str, Any] = {}
    for name in release.values_files:
        deep_merge(values, read_values_file(name, stack.base_dir, context, stack.path))
    for name in release.secret_files:
        deep_merge(values, secret_file_values(stack.base_dir, f"{release.where}: release {release.id}", name,
                                              missing_secret))
    for inline in release.values:
        deep_merge(values, _plain(inline))
    for key, value in release.set_values.items():
        _set_path(values, key, _plain(value))
    if with_secrets:
        for key, ref in release.secret_values.items():
            available = ref.available(stack.base_dir)
            if not available and missing_secret is None:
                missing = "is not set" if ref.env is not None else "does not exist"
                raise StackError(f"{release.where}: release {release.id}: secretValues.{key}: "
                                 f"{ref.source(stack.base_dir)} {missing}")
            _set_path(values, key, missing_secret if not available else ref.resolve(stack.base_dir))
    return values


def _plain(value: Any) -> Any:
    """Values from the stack file with Helm's typing: numbers become float64 as in a values file."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value

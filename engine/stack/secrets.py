"""Where a stack keeps secrets in a release's values, and how that reaches the redactor.

Release records keep secret values (as helm's do); their labels name the stack's secret paths, so that commands
reading a record (``get values``, ``get all``, ``status``, a plan's diff) can mask them without the stack file."""
from __future__ import annotations

import re
from typing import Any

from engine.redaction import REDACTOR
from engine.stack.values import split_dotted

PATH_LABEL_PREFIX = "secret-path.pyhelm.dev/"
UNLISTED_LABEL = "pyhelm.dev/secret-paths"  # "unlisted": a path did not fit a label; every value is masked
_LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")


def value_at(values: Any, path: str) -> Any:
    """The value at a dotted path (``a.b``, ``\\.`` for a literal dot), or None."""
    return value_at_keys(values, split_dotted(path))


def value_at_keys(values: Any, keys: list[str]) -> Any:
    for part in keys:
        values = values.get(part) if isinstance(values, dict) else None
    return values


def secret_path_labels(paths: list[str]) -> dict[str, str]:
    """Record labels naming the secret paths of a release."""
    if any(not _LABEL_VALUE.match(path) for path in paths):
        return {UNLISTED_LABEL: "unlisted"}
    return {f"{PATH_LABEL_PREFIX}{index}": path for index, path in enumerate(sorted(paths))}


def _leaves(values: Any) -> list[Any]:
    if isinstance(values, dict):
        return [leaf for value in values.values() for leaf in _leaves(value)]
    if isinstance(values, list):
        return [leaf for value in values for leaf in _leaves(value)]
    return [values]


def register_record_secrets(config: dict[str, Any], labels: dict[str, str]) -> None:
    """Make the redactor know the secrets a stack put into a stored release's values."""
    if labels.get(UNLISTED_LABEL) == "unlisted":
        found = _leaves(config)
    else:
        found = [value_at(config, path) for key, path in labels.items() if key.startswith(PATH_LABEL_PREFIX)]
    for value in found:
        for leaf in _leaves(value):
            REDACTOR.add_recorded(leaf)


def register_secrets(recorded: dict[str, Any], desired: dict[str, Any], secret_paths: list[str]) -> None:
    """Make the redactor know the stored release's values at the stack's secret paths, and mark each desired
    secret that differs from its stored value as changed (so a diff names the side that changed)."""
    for path in secret_paths:
        old, new = value_at(recorded, path), value_at(desired, path)
        REDACTOR.add_recorded(old)
        if isinstance(new, str) and new != old:
            REDACTOR.add(new, changed=True)


def secret_paths(stack, release) -> list[str]:
    """The dotted paths of a release's values that hold secrets: its secretValues keys and every leaf of its
    sops files."""
    from engine.stack.sops import leaf_paths
    from engine.stack.values import secret_file_values

    paths = list(release.secret_values)
    for name in release.secret_files:
        found = secret_file_values(stack.base_dir, f"{release.where}: release {release.id}", name)
        paths += [path for path, _leaf in leaf_paths(found) if path not in paths]
    return paths

"""Promotion: copy an environment's pinned chart versions and chosen values to another environment (of the
same stack file or of another one), editing only the target's ``environments`` block so its comments and
layout stay as they were."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from engine.stack.errors import StackError

PROMOTED_KEYS = ("version", "values", "set")  # what an environment chooses for a release
_TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")


_WORDS = {"version": "chart version", "values": "values", "set": "set values"}


@dataclass
class Change:
    """One promoted setting: ``release.key`` from ``before`` to ``after``, and why in words."""

    release: str
    key: str
    before: Any
    after: Any
    why: str = ""

    def __str__(self) -> str:
        return (f"{self.release}.{self.key}: {_show(self.before)} -> {_show(self.after)}  "
                f"({_WORDS.get(self.key, self.key)}: {self.why})")


def _show(value: Any) -> str:
    """A value as it reads in a stack file (flow YAML), not as Python prints it."""
    if value is None:
        return "(unset)"
    if isinstance(value, str):
        return value
    import json

    return json.dumps(_plain(value), sort_keys=True, separators=(", ", ": "))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _round_trip():
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def _environments_block(text: str, path: str) -> tuple[int, int]:
    """Line range [start, end) of the top-level ``environments:`` block."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("environments:")), None)
    if start is None:
        raise StackError(f"{path}: has no environments block to promote between")
    end = next((i for i in range(start + 1, len(lines)) if _TOP_LEVEL_KEY.match(lines[i])), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end


def _load_block(text: str, path: str) -> tuple[Any, int, int]:
    start, end = _environments_block(text, path)
    block = "".join(text.splitlines(keepends=True)[start:end])
    try:
        data = _round_trip().load(block)
    except Exception as exc:  # ruamel's errors have no common base worth naming
        raise StackError(f"{path}: the environments block must be plain YAML (no templates) to promote: "
                         f"{exc}") from None
    return data, start, end


def _environment(data: Any, name: str, path: str) -> Any:
    environments = data.get("environments") or {}
    if name not in environments:
        known = ", ".join(sorted(environments)) or "none defined"
        raise StackError(f'{path}: environment "{name}" is not defined (environments: {known})')
    return environments[name]


def promote(source_text: str, source_path: str, from_env: str, target_text: str, target_path: str,
            to_env: str, deployed: dict[str, str] | None = None) -> tuple[str, list[Change], list[str]]:
    """The target file's new text, the settings that changed, and notes on what was not promoted.

    ``deployed`` (release name → chart version running in the source environment) promotes what is deployed
    instead of what the source environment declares."""
    from ruamel.yaml.comments import CommentedMap

    source, _, _ = _load_block(source_text, source_path)
    target, start, end = _load_block(target_text, target_path)
    chosen = {name: dict(settings or {}) for name, settings in
              ((_environment(source, from_env, source_path) or {}).get("releases") or {}).items()}
    notes = []
    for name, settings in chosen.items():
        if settings.get("secretValues"):
            notes.append(f"{name}.secretValues: not promoted: secret references stay with each environment")
    for name, version in (deployed or {}).items():
        chosen.setdefault(name, {})["version"] = version
    destination = _environment(target, to_env, target_path)
    if destination is None:
        destination = target["environments"][to_env] = CommentedMap()
    releases = destination.setdefault("releases", CommentedMap())
    changes = []
    for release, settings in chosen.items():
        for key in PROMOTED_KEYS:
            if key not in settings:
                continue
            current = (releases.get(release) or {}).get(key)
            if current != settings[key]:
                if releases.get(release) is None:
                    releases[release] = CommentedMap()
                releases[release][key] = settings[key]
                source_word = f"deployed in {from_env}" if key == "version" and release in (deployed or {}) else \
                    f"as {from_env} declares it"
                changes.append(Change(release, key, current, settings[key], source_word))
    if deployed is None and not any("version" in settings for settings in chosen.values()):
        notes.append(f"{from_env} pins no chart versions (its releases follow the stack's version constraints); "
                     f"--from-cluster promotes the versions {from_env} runs")
    if not changes:
        return target_text, [], notes
    buffer = io.StringIO()
    _round_trip().dump(target, buffer)
    lines = target_text.splitlines(keepends=True)
    return "".join(lines[:start]) + buffer.getvalue() + "".join(lines[end:]), changes, notes


def deployed_versions(stack, clusters) -> dict[str, str]:
    """Release name → chart version of the deployed revision, for the releases of ``stack`` (one environment)
    that this stack and environment installed."""
    from engine.stack.plan import ENVIRONMENT_LABEL, STACK_LABEL

    found = {}
    for release in stack.releases:
        deployed = [r for r in clusters.history(release) if r.info.status == "deployed"]
        if deployed and deployed[-1].labels.get(STACK_LABEL) == stack.name and \
                deployed[-1].labels.get(ENVIRONMENT_LABEL) == (stack.environment or "default"):
            found[release.name] = deployed[-1].chart_version
    return found

"""TOML for Helm's toToml/fromToml (BurntSushi/toml semantics: integers int64, floats float64)."""
from __future__ import annotations

import tomllib
from typing import Any

from engine.gotemplate.gotypes import Int64


def _typed(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return Int64(value)
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def load(text: str) -> dict:
    """Parse TOML; raises ValueError."""
    return _typed(tomllib.loads(text))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value if v is not None]
    if isinstance(value, Int64):
        return int(value)
    return value


def to_toml(value: Any) -> str:
    """Encode a map as TOML."""
    import tomli_w

    if not isinstance(value, dict):
        raise ValueError("toml: top-level values must be Go maps or structs")
    return tomli_w.dumps(_plain(value))

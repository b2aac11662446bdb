"""YAML and JSON exactly as Helm marshals its repository files (sigs.k8s.io/yaml, encoding/json)."""
from __future__ import annotations

import json
import time
from typing import Any

from engine.gotemplate.goyaml import to_yaml  # noqa: F401 - sigs.k8s.io/yaml Marshal, timestamps quoted
from engine.repo.errors import RepoError

ZERO_TIME = "0001-01-01T00:00:00Z"


def to_indented_json(value: Any) -> str:
    """json.MarshalIndent(v, "", "  ") keeping the given key order (Go struct order), HTML characters escaped."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_compact_json(value: Any) -> str:
    """json.Marshal keeping the given key order (what ``-o json`` prints)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def now_rfc3339nano() -> str:
    """The current UTC time in Go's RFC3339Nano layout (trailing zeros of the fraction dropped)."""
    nanos = time.time_ns()
    seconds, fraction = divmod(nanos, 1_000_000_000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    digits = f"{fraction:09d}".rstrip("0")
    return f"{stamp}.{digits}Z" if digits else f"{stamp}Z"


def load_yaml(data: bytes) -> Any:
    """Parse YAML as sigs.k8s.io/yaml does (go-yaml's scalars and error wording), as RepoError on failure."""
    from engine.gotemplate.goyaml import YAMLError, load

    try:
        return load(data.decode("utf-8", errors="replace"))
    except YAMLError as exc:
        raise RepoError(str(exc)) from None

"""Release records exactly as Helm v4 writes them (pkg/release/v1), as Go JSON, gzip and base64.

The JSON field order, the omitempty rules and the timestamp format follow Helm's structs, so helm and
pyhelm read and write each other's records.

Hook is defined in engine/release/hook.py, for rendering to make hooks without this module; the codecs and the
clock are imported by the functions that encode, decode and stamp records.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.release.hook import Hook

if TYPE_CHECKING:
    import datetime as dt

STATUSES = ("unknown", "deployed", "uninstalled", "superseded", "failed", "uninstalling", "pending-install",
            "pending-upgrade", "pending-rollback")
PENDING = ("pending-install", "pending-upgrade", "pending-rollback")


def now_rfc3339() -> str:
    """The current time as Go's RFC3339Nano in UTC (trailing zeros of the fraction dropped)."""
    import datetime as dt

    nanos = time.time_ns()
    seconds, fraction = divmod(nanos, 1_000_000_000)
    stamp = dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{fraction:09d}".rstrip("0")
    return f"{stamp}{'.' + digits if digits else ''}Z"


def parse_time(text: str) -> dt.datetime | None:
    import datetime as dt

    if not text:
        return None
    main, _, rest = text.partition(".")
    zone = ""
    if rest:
        digits = "".join(c for c in rest if c.isdigit())
        zone = rest[len(digits):]
        main = f"{main}.{digits[:6]}"
    else:
        for marker in ("Z", "+", "-"):
            if marker in main[19:]:
                index = main.index(marker, 19)
                main, zone = main[:index], main[index:]
                break
    zone = "+00:00" if zone in ("Z", "") else zone
    fmt = "%Y-%m-%dT%H:%M:%S.%f%z" if "." in main else "%Y-%m-%dT%H:%M:%S%z"
    try:
        return dt.datetime.strptime(main + zone, fmt)
    except ValueError:
        return None


@dataclass
class Info:
    first_deployed: str = ""
    last_deployed: str = ""
    deleted: str = ""
    description: str = ""
    status: str = ""
    notes: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("first_deployed", "last_deployed", "deleted", "description", "status", "notes"):
            value = getattr(self, key)
            if value:
                out[key] = value
        return out


@dataclass
class Release:
    """One revision of a release (the JSON inside ``sh.helm.release.v1.NAME.vN``)."""

    name: str
    namespace: str
    version: int
    info: Info
    chart: dict[str, Any]  # Helm's chart JSON: metadata, lock, templates, values, schema, files …
    config: dict[str, Any] = field(default_factory=dict)
    manifest: str = ""
    hooks: list[Hook] = field(default_factory=list)
    apply_method: str = ""
    labels: dict[str, str] = field(default_factory=dict)  # custom labels: on the Secret only, not in the JSON
    record_labels: dict[str, str] = field(default_factory=dict, compare=False)  # every label of the stored object

    @property
    def chart_name(self) -> str:
        return (self.chart.get("metadata") or {}).get("name", "")

    @property
    def chart_version(self) -> str:
        return (self.chart.get("metadata") or {}).get("version", "")

    @property
    def app_version(self) -> str:
        return (self.chart.get("metadata") or {}).get("appVersion", "")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.name:
            out["name"] = self.name
        out["info"] = self.info.to_dict()
        out["chart"] = self.chart
        if self.config:
            out["config"] = as_go_map(self.config)
        if self.manifest:
            out["manifest"] = self.manifest
        if self.hooks:
            out["hooks"] = [h.to_dict() for h in self.hooks]
        if self.version:
            out["version"] = self.version
        if self.namespace:
            out["namespace"] = self.namespace
        if self.apply_method:
            out["apply_method"] = self.apply_method
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], labels: dict[str, str] | None = None) -> "Release":
        info = data.get("info") or {}
        hooks = [Hook(name=h.get("name", ""), kind=h.get("kind", ""), path=h.get("path", ""),
                      manifest=h.get("manifest", ""), events=list(h.get("events") or []), weight=h.get("weight", 0),
                      delete_policies=list(h.get("delete_policies") or []),
                      output_log_policies=list(h.get("output_log_policies") or []),
                      last_run=h.get("last_run") or {"phase": ""}) for h in data.get("hooks") or []]
        return cls(name=data.get("name", ""), namespace=data.get("namespace", ""), version=data.get("version", 0),
                   info=Info(**{k: info.get(k) or "" for k in ("first_deployed", "last_deployed", "deleted",
                                                                "description", "status", "notes")}),
                   chart=data.get("chart") or {}, config=data.get("config") or {}, manifest=data.get("manifest", ""),
                   hooks=hooks, apply_method=data.get("apply_method", ""), labels=dict(labels or {}))


def encode_release(release: Release) -> str:
    """base64(gzip(Go JSON)) — the ``release`` value of the record (one base64 layer)."""
    import base64
    import gzip

    return base64.b64encode(gzip.compress(to_json_ordered(release.to_dict()).encode(), 9)).decode()


class GoMap(dict):
    """A Go map inside a struct: encoded with its keys sorted (struct dicts keep their field order)."""


def as_go_map(value: Any) -> Any:
    """Mark ``value`` and every map inside it as a Go map."""
    if isinstance(value, dict):
        return GoMap((str(k), as_go_map(v)) for k, v in value.items())
    if isinstance(value, list):
        return [as_go_map(v) for v in value]
    return value


def to_json_ordered(value: Any) -> str:
    """Go's encoding/json for structs: field order as given, maps sorted, HTML characters escaped."""
    from engine.gotemplate.gojson import _quote, format_json_float

    if isinstance(value, dict):
        items = sorted(value.items()) if isinstance(value, GoMap) else value.items()
        return "{" + ",".join(f"{_quote(str(k), True)}:{to_json_ordered(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json_ordered(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return format_json_float(value)
    return _quote(str(value), True)


def decode_release(data: str, labels: dict[str, str] | None = None) -> Release:
    """Decode the ``release`` value helm or pyhelm wrote (gzip optional, as Helm's decoder)."""
    import base64
    import gzip
    import json

    raw = base64.b64decode(data)
    if raw[:3] == b"\x1f\x8b\x08":
        raw = gzip.decompress(raw)
    return Release.from_dict(json.loads(raw), labels)

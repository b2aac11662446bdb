"""The ``chart`` part of a release record: the top-level chart as Helm serialises it (no subcharts)."""
from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from engine.chart.model import Chart, ChartFile
from engine.release.record import as_go_map

ZERO_TIME = "0001-01-01T00:00:00Z"


def go_time(nanos: int) -> str:
    """A file modification time (nanoseconds since the epoch) as Go's RFC3339Nano (UTC)."""
    if not nanos:
        return ""
    seconds, remainder = divmod(nanos, 1_000_000_000)
    stamp = dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{remainder:09d}".rstrip("0")
    return f"{stamp}{'.' + fraction if fraction else ''}Z"


def _file(file: ChartFile) -> dict[str, Any]:
    out: dict[str, Any] = {"name": file.name, "data": base64.b64encode(file.data).decode()}
    if file.modtime:
        out["modtime"] = go_time(file.modtime)
    return out


def metadata_record(chart: Chart) -> dict[str, Any]:
    """Chart.yaml as Go encodes chart.Metadata (release records, OCI config blobs, provenance files)."""
    from engine.chart.metadata import metadata_to_dict

    metadata = metadata_to_dict(chart.metadata)
    dependencies = []
    for dependency in chart.metadata.dependencies:
        entry: dict[str, Any] = {"name": dependency.name}
        if dependency.version:
            entry["version"] = dependency.version
        entry["repository"] = dependency.repository
        for key, attr in (("condition", "condition"), ("tags", "tags"), ("enabled", "enabled"),
                          ("import-values", "import_values"), ("alias", "alias")):
            if getattr(dependency, attr):
                entry[key] = getattr(dependency, attr)
        dependencies.append(entry)
    if dependencies:
        metadata["dependencies"] = dependencies
    if "annotations" in metadata:
        metadata["annotations"] = as_go_map(metadata["annotations"])
    return metadata


def chart_record(chart: Chart) -> dict[str, Any]:
    """Helm's chart JSON for a processed chart (dependencies resolved, values including imports)."""
    chart_yaml_time = next((f.modtime for f in chart.raw if f.name == "Chart.yaml"), 0)
    schema_time = next((f.modtime for f in chart.raw if f.name == "values.schema.json"), 0)
    record: dict[str, Any] = {
        "metadata": metadata_record(chart),
        "lock": as_go_map(chart.lock) if chart.lock else None,
        "templates": [_file(t) for t in chart.templates],
        "values": as_go_map(chart.values),
        "schema": base64.b64encode(chart.schema).decode() if chart.schema is not None else None,
        "schemamodtime": go_time(schema_time) or ZERO_TIME,
        "files": [_file(f) for f in chart.files] or None,
    }
    if chart_yaml_time:
        record["modtime"] = go_time(chart_yaml_time)
    return record

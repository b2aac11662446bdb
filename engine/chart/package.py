"""``package``: write a chart directory as an archive laid out exactly as ``helm package`` writes it."""
from __future__ import annotations

import io
import json
import os
import tarfile
import time
from pathlib import Path

from engine.chart.errors import ChartError
from engine.chart.model import Chart

GZIP_EXTRA = b"+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo="
GZIP_COMMENT = b"Helm"


def _add(archive: tarfile.TarFile, name: str, data: bytes, modtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o644
    info.mtime = modtime // 1_000_000_000 if modtime else int(time.time())
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    archive.addfile(info, io.BytesIO(data))


def _modtime(chart: Chart, name: str) -> int:
    return next((f.modtime for f in chart.raw if f.name == name), 0)


def _write_chart(archive: tarfile.TarFile, chart: Chart, prefix: str) -> None:
    from engine.chart.metadata import metadata_to_dict
    from engine.gotemplate.goyaml import to_yaml

    base = f"{prefix}{chart.name}"
    metadata = metadata_to_dict(chart.metadata)
    if chart.metadata.api_version == "v1":
        metadata.pop("dependencies", None)
    _add(archive, f"{base}/Chart.yaml", to_yaml(metadata).encode(), _modtime(chart, "Chart.yaml"))
    if chart.metadata.api_version == "v2" and chart.lock is not None:
        _add(archive, f"{base}/Chart.lock", to_yaml(chart.lock).encode(), _modtime(chart, "Chart.lock"))
    if chart.values_file_present:
        _add(archive, f"{base}/values.yaml", chart.raw_values, _modtime(chart, "values.yaml"))
    if chart.schema is not None:
        try:
            json.loads(chart.schema)
        except ValueError:
            raise ChartError("invalid JSON in values.schema.json") from None
        _add(archive, f"{base}/values.schema.json", chart.schema, _modtime(chart, "values.schema.json"))
    for file in [*chart.templates, *chart.files]:
        _add(archive, f"{base}/{file.name}", file.data, file.modtime)
    for sub in chart.subcharts:
        _write_chart(archive, sub, f"{base}/charts/")


def save_chart(chart: Chart, dest_dir: str | os.PathLike) -> Path:
    """Write ``chart`` as ``<dest>/<name>-<version>.tgz`` (Helm's chartutil.Save)."""
    from engine.chart.metadata import validate

    validate(chart.metadata)
    dest = Path(dest_dir)
    if dest.exists() and not dest.is_dir():
        raise ChartError(f"is not a directory: {dest}")
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / f"{chart.name}-{chart.metadata.version}.tgz"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        _write_chart(archive, chart, "")
    target.write_bytes(_gzip_with_header(buffer.getvalue()))
    return target


def _gzip_with_header(payload: bytes) -> bytes:
    """gzip with Helm's FEXTRA and FCOMMENT header fields."""
    import struct
    import zlib

    flags = 0x04 | 0x10  # FEXTRA | FCOMMENT
    header = b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", int(time.time())) + b"\x00\xff"
    header += struct.pack("<H", len(GZIP_EXTRA)) + GZIP_EXTRA + GZIP_COMMENT + b"\x00"
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(payload) + compressor.flush()
    trailer = struct.pack("<II", zlib.crc32(payload) & 0xFFFFFFFF, len(payload) & 0xFFFFFFFF)
    return header + body + trailer


def package_chart(chart_dir: str | os.PathLike, dest_dir: str | os.PathLike = ".", version: str | None = None,
                  app_version: str | None = None) -> Path:
    """``helm package``: load the directory, apply version overrides, check dependencies, write the archive."""
    from engine.chart.loader import load_chart

    chart = load_chart(chart_dir)
    if version:
        chart.metadata.version = version
    if app_version:
        chart.metadata.app_version = app_version
    vendored = {sub.name for sub in chart.subcharts}
    missing = [d.name for d in chart.metadata.dependencies if d.name not in vendored]
    if missing:
        raise ChartError(f"found in Chart.yaml, but missing in charts/ directory: {', '.join(missing)}")
    return save_chart(chart, dest_dir)



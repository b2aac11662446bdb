"""Reading chart archives safely (Helm's LoadArchiveFiles rules) and writing them as ``helm package`` does."""
from __future__ import annotations

import gzip
import io
import posixpath
import re
import tarfile
from dataclasses import dataclass

from engine.chart.errors import ChartError

MAX_CHART_SIZE = 100 * 1024 * 1024
MAX_FILE_SIZE = 5 * 1024 * 1024
_DRIVE_PATH = re.compile(r"^[a-zA-Z]:/")
BOM = b"\xef\xbb\xbf"


@dataclass
class BufferedFile:
    """A file of a chart relative to the chart root, with its bytes."""

    name: str
    data: bytes
    modtime: int = 0  # nanoseconds since the epoch; 0 when unknown


def read_archive(data: bytes, source: str = "chart archive") -> list[BufferedFile]:
    """The files of a chart archive with the top directory stripped; refuses unsafe or oversized content."""
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")
    except (tarfile.ReadError, gzip.BadGzipFile, EOFError, OSError) as exc:
        raise ChartError(f"{source}: not a valid chart archive (gzip/tar): {exc}") from None
    files: list[BufferedFile] = []
    remaining = MAX_CHART_SIZE
    with archive:
        try:
            members = archive.getmembers()
        except (tarfile.TarError, EOFError, OSError) as exc:
            raise ChartError(f"{source}: damaged chart archive: {exc}") from None
        for member in members:
            if member.isdir() or member.type in (tarfile.XGLTYPE, tarfile.XHDTYPE):
                continue
            delimiter = "\\" if "\\" in member.name else "/"
            parts = member.name.split(delimiter)
            name = "/".join(parts[1:])
            if name.startswith("/"):
                raise ChartError("chart illegally contains absolute paths")
            name = posixpath.normpath(name) if name else "."
            if name == ".":
                raise ChartError(f'chart illegally contains content outside the base directory: "{member.name}"')
            if name.startswith(".."):
                raise ChartError("chart illegally references parent directory")
            if _DRIVE_PATH.match(name):
                raise ChartError("chart contains illegally named files")
            if parts[0] == "Chart.yaml":
                raise ChartError("chart yaml not in base directory")
            if not member.isfile():
                raise ChartError(f'chart illegally contains a link or special file: "{member.name}"')
            if member.size > remaining:
                raise ChartError(f"decompressed chart is larger than the maximum size {MAX_CHART_SIZE}")
            if member.size > MAX_FILE_SIZE:
                raise ChartError(f'decompressed chart file "{member.name}" is larger than the maximum file size '
                                 f"{MAX_FILE_SIZE}")
            extracted = archive.extractfile(member)
            content = extracted.read() if extracted else b""
            remaining -= len(content)
            files.append(BufferedFile(name, content.removeprefix(BOM), int(member.mtime) * 1_000_000_000))
    if not files:
        raise ChartError("no files in chart archive")
    return files

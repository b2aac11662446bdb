"""Reading chart archives safely (Helm's LoadArchiveFiles rules) and laying their files out on disk.

The loader of chart directories shares this module's limits and file type, so the archive readers (tarfile,
gzip) are imported only by the function that reads an archive.
"""
from __future__ import annotations

import io
import os
import posixpath
import re
from typing import TYPE_CHECKING

from engine.chart.errors import ChartError
from engine.chart.model import ChartFile

if TYPE_CHECKING:
    import tarfile

MAX_CHART_SIZE = 100 * 1024 * 1024
MAX_FILE_SIZE = 5 * 1024 * 1024
_DRIVE_PATH = r"^[a-zA-Z]:/"  # compiled when an archive is read
BOM = b"\xef\xbb\xbf"
BufferedFile = ChartFile  # Helm's name for a chart's file as read from an archive or a directory


def read_archive(data: bytes, source: str = "chart archive") -> list[BufferedFile]:
    """The files of a chart archive with the top directory stripped; refuses unsafe or oversized content.

    The archive is read as a stream, as Helm reads it: each header is checked before its content is
    read, so an oversized member is refused at once rather than after decompressing it.
    """
    import gzip
    import tarfile
    import zlib

    try:
        # gzip's reader, not tarfile's "r|gz": that one misreads the FEXTRA field helm writes
        archive = tarfile.open(fileobj=gzip.GzipFile(fileobj=io.BytesIO(data)), mode="r|")
    except (tarfile.ReadError, gzip.BadGzipFile, EOFError, zlib.error, OSError) as exc:
        raise ChartError(f"{source}: not a valid chart archive (gzip/tar): {exc}") from None
    files: list[BufferedFile] = []
    remaining = MAX_CHART_SIZE
    with archive:
        try:
            for member in archive:
                if member.isdir() or member.type in (tarfile.XGLTYPE, tarfile.XHDTYPE):
                    continue
                name = _member_name(member)
                content = _member_content(archive, member, remaining)
                remaining -= len(content)
                files.append(BufferedFile(name, content.removeprefix(BOM), int(member.mtime) * 1_000_000_000))
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise ChartError(f"{source}: damaged chart archive: {_stream_error(exc)}") from None
    if not files:
        raise ChartError("no files in chart archive")
    return files


def _member_name(member: tarfile.TarInfo) -> str:
    """The member's path below the archive's top directory; refuses names Helm refuses."""
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
    if re.match(_DRIVE_PATH, name):
        raise ChartError("chart contains illegally named files")
    if parts[0] == "Chart.yaml":
        raise ChartError("chart yaml not in base directory")
    return name


def _member_content(archive: tarfile.TarFile, member: tarfile.TarInfo, remaining: int) -> bytes:
    """A regular member's bytes, its size checked against Helm's limits before anything is read."""
    if not member.isfile():
        raise ChartError(f'chart illegally contains a link or special file: "{member.name}"')
    if member.size > remaining:
        raise ChartError(f"decompressed chart is larger than the maximum size {MAX_CHART_SIZE}")
    if member.size > MAX_FILE_SIZE:
        raise ChartError(f'decompressed chart file "{member.name}" is larger than the maximum file size '
                         f"{MAX_FILE_SIZE}")
    extracted = archive.extractfile(member)
    content = extracted.read() if extracted else b""
    if len(content) != member.size:
        raise EOFError("unexpected EOF")
    return content


def _stream_error(exc: BaseException) -> str:
    """Go's wording for a stream that stops early."""
    if isinstance(exc, EOFError) or "unexpected end of data" in str(exc):
        return "unexpected EOF"
    return str(exc)


def check_layout(files: list[BufferedFile], chart_name: str) -> None:
    """Refuse an archive whose members cannot all be laid out on disk: a file where another member needs a
    directory (``templates`` and ``templates/x.yaml``); members are named as ``<chart name>/<path>``."""
    names = {file.name for file in files}
    for file in files:
        parts = file.name.split("/")
        for parent in ("/".join(parts[:depth]) for depth in range(1, len(parts))):
            if parent in names:
                raise ChartError(f'archive member "{chart_name}/{file.name}" is inside "{chart_name}/{parent}", '
                                 "which the archive also has as a file")


def write_files(files: list[BufferedFile], directory: str, chart_name: str) -> None:
    """Write an archive's files (as ``read_archive`` returns them) below ``directory``, the chart's directory.

    The layout is checked (``check_layout``) before anything is written; any failure to write is one line
    naming the member, never a bare OS error.
    """
    check_layout(files, chart_name)
    for file in files:
        target = os.path.join(directory, *file.name.split("/"))
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(file.data)
            os.chmod(target, 0o644)
        except OSError as exc:
            raise ChartError(f'cannot write archive member "{chart_name}/{file.name}": '
                             f"{(exc.strerror or str(exc)).lower()}") from None

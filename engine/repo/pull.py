"""``pull``: download a chart archive into a directory, optionally unpacked (Helm's action.Pull)."""
from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
from typing import TYPE_CHECKING

from engine.repo.cache import ContentCache
from engine.repo.downloader import ChartSource, download_to
from engine.repo.errors import RepoError

if TYPE_CHECKING:
    from engine.chart.archive import BufferedFile


def expand_archive(archive_path: str, directory: str) -> str:
    """Unpack a chart archive into ``directory``/<chart name>, which must not exist yet; returns that path."""
    from engine.chart.archive import read_archive
    from engine.chart.errors import ChartError
    from engine.chart.metadata import parse_metadata
    from engine.gotemplate.goyaml import load

    with open(archive_path, "rb") as handle:
        try:
            files = read_archive(handle.read(), archive_path)
        except ChartError as exc:
            raise RepoError(str(exc)) from None
    chart_yaml = next((f.data for f in files if f.name == "Chart.yaml"), None)
    name = parse_metadata(load(chart_yaml.decode("utf-8", "replace"))).name if chart_yaml is not None else ""
    if not name:
        raise RepoError("chart name not specified")
    if name in (".", "..") or name != posixpath.basename(name) or os.sep in name:
        raise RepoError(f'chart name "{name}" is not allowed')
    chart_dir = os.path.join(directory, name)
    if os.path.exists(chart_dir):
        raise RepoError(f"failed to untar: a file or directory with the name {chart_dir} already exists")
    _check_layout(files, name)
    os.makedirs(directory, exist_ok=True)
    stage = tempfile.mkdtemp(prefix=".untar-", dir=directory)  # complete or absent: renamed into place at the end
    try:
        for file in files:
            target = os.path.join(stage, *file.name.split("/"))
            try:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with open(target, "wb") as handle:
                    handle.write(file.data)
                os.chmod(target, 0o644)
            except OSError as exc:
                raise RepoError(f'failed to untar: cannot write archive member "{name}/{file.name}": '
                                f"{(exc.strerror or str(exc)).lower()}") from None
        os.chmod(stage, 0o755)
        os.replace(stage, chart_dir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return chart_dir


def _check_layout(files: list[BufferedFile], name: str) -> None:
    """Refuse, before writing anything, an archive with a file where another member needs a directory."""
    names = {file.name for file in files}
    for file in files:
        parts = file.name.split("/")
        for depth in range(1, len(parts)):
            parent = "/".join(parts[:depth])
            if parent in names:
                raise RepoError(f'failed to untar: archive member "{name}/{file.name}" is inside '
                                f'"{name}/{parent}", which the archive also has as a file')


def pull(source: ChartSource, cache: ContentCache, destination: str = ".", untar: bool = False,
         untardir: str = ".") -> str:
    """Save the archive in ``destination``, or with ``untar`` unpack it into ``destination``/``untardir``."""
    if not untar:
        return download_to(source, cache, destination)
    with tempfile.TemporaryDirectory(prefix="helm-") as scratch:
        saved = download_to(source, cache, scratch)
        target = untardir if os.path.isabs(untardir) else os.path.join(destination, untardir)
        return expand_archive(saved, target)

"""``pull``: download a chart archive into a directory, optionally unpacked (Helm's action.Pull)."""
from __future__ import annotations

import os
import posixpath
import shutil
import tempfile

from engine.repo.cache import ContentCache
from engine.repo.downloader import ChartSource, download_to
from engine.repo.errors import RepoError


def expand_archive(archive_path: str, directory: str) -> str:
    """Unpack a chart archive into ``directory``/<chart name>, which must not exist yet; returns that path."""
    from engine.chart.archive import check_layout, read_archive, write_files
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
    try:
        check_layout(files, name)  # before anything is created
        os.makedirs(directory, exist_ok=True)
        stage = tempfile.mkdtemp(prefix=".untar-", dir=directory)  # complete or absent: renamed into place
        try:
            write_files(files, stage, name)
            os.chmod(stage, 0o755)
            os.replace(stage, chart_dir)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
    except ChartError as exc:
        raise RepoError(f"failed to untar: {exc}") from None
    return chart_dir


def pull(source: ChartSource, cache: ContentCache, destination: str = ".", untar: bool = False,
         untardir: str = ".") -> str:
    """Save the archive in ``destination``, or with ``untar`` unpack it into ``destination``/``untardir``."""
    if not untar:
        return download_to(source, cache, destination)
    with tempfile.TemporaryDirectory(prefix="helm-") as scratch:
        saved = download_to(source, cache, scratch)
        target = untardir if os.path.isabs(untardir) else os.path.join(destination, untardir)
        return expand_archive(saved, target)

"""Loading a chart from a directory or a .tgz archive as Helm v4 does (pkg/chart/v2/loader)."""
from __future__ import annotations

import os
import stat
from typing import Any

from engine.chart.archive import BOM, MAX_FILE_SIZE, BufferedFile, read_archive
from engine.chart.errors import ChartError
from engine.chart.helmignore import DEFAULT_RULE, IgnoreRules, parse_helmignore
from engine.chart.metadata import parse_metadata, type_error, validate
from engine.chart.model import Chart, ChartFile
from engine.gotemplate.gojson import json_kind


def load_chart(path: str | os.PathLike, any_api_version: bool = False) -> Chart:
    """Load the chart at ``path`` (a directory or an archive); raises ChartError with Helm's wording.

    Like Helm v4's loader, only charts of apiVersion v1 and v2 load, unless ``any_api_version`` (helm lint
    reads every chart with the v2 loader and reports the apiVersion as a finding).
    """
    path = os.fspath(path)
    if "\0" in path:
        raise ChartError(f"stat {path!r}: a path cannot contain a NUL character")
    if os.path.isdir(path):
        files = read_directory(path)
    elif not os.path.exists(path):
        raise ChartError(f"stat {path}: no such file or directory")
    else:
        with open(path, "rb") as handle:
            data = handle.read()
        if data[:2] != b"\x1f\x8b":
            raise ChartError(f"file '{path}' does not appear to be a gzipped archive; got "
                             f"'{_content_type(data)}'")
        files = read_archive(data, path)
    if not any_api_version:
        _check_api_version(files)
    return load_files(files)


def _content_type(data: bytes) -> str:
    if data.lstrip()[:1] in (b"{", b"[") or data[:5].isascii():
        return "text/plain; charset=utf-8"
    return "application/octet-stream"


def read_directory(top: str) -> list[BufferedFile]:
    """The files of a chart directory, honouring .helmignore (and Helm's default rule)."""
    rules = IgnoreRules()
    ignore_file = os.path.join(top, ".helmignore")
    if os.path.exists(ignore_file):
        with open(ignore_file, encoding="utf-8", errors="replace") as handle:
            rules = parse_helmignore(handle.read())
    rules.add(DEFAULT_RULE)
    files: list[BufferedFile] = []
    _walk(top, "", rules, files)
    return files


def _walk(root: str, relative: str, rules: IgnoreRules, out: list[BufferedFile]) -> None:
    directory = os.path.join(root, relative) if relative else root
    for entry in sorted(os.listdir(directory)):
        name = f"{relative}/{entry}" if relative else entry
        full = os.path.join(root, name)
        try:
            info = os.stat(full)
        except OSError as exc:
            raise ChartError(f"{full}: {exc.strerror}") from None
        if stat.S_ISDIR(info.st_mode):
            if not rules.ignored(name, True):
                _walk(root, name, rules, out)
            continue
        if rules.ignored(name, False):
            continue
        if not stat.S_ISREG(info.st_mode):
            raise ChartError(f"cannot load irregular file {full} as it has file mode type bits set")
        if info.st_size > MAX_FILE_SIZE:
            raise ChartError(f'chart file "{entry}" is larger than the maximum file size {MAX_FILE_SIZE}')
        with open(full, "rb") as handle:
            out.append(BufferedFile(name, handle.read().removeprefix(BOM), info.st_mtime_ns))


def _load_yaml(data: bytes, what: str) -> Any:
    from engine.gotemplate.goyaml import YAMLError, decode_utf8, load

    try:
        return load(decode_utf8(data), chart_file=True)
    except YAMLError as exc:
        raise ChartError(f"cannot load {what}: {exc}") from None


def split_yaml_documents(text: str) -> list[str]:
    """Kubernetes' YAMLReader: documents separated by lines starting with ``---`` (comments may follow)."""
    if "---" not in text:  # one document: no need to look at each line of a large values file
        return [text] if text else []
    documents, buffer = [], []
    for line in text.splitlines(keepends=True):
        if line.startswith("---"):
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                raise ChartError(f"error reading yaml document: invalid Yaml document separator: {rest}")
            if buffer:
                documents.append("".join(buffer))
                buffer = []
            continue
        buffer.append(line)
    if buffer:
        documents.append("".join(buffer))
    return documents


def load_values_bytes(data: bytes, what: str = "values.yaml", chart_file: bool = False) -> dict[str, Any]:
    """Helm v4's LoadValues: each YAML document read on its own, then merged in order. A ``chart_file`` (a
    chart's own values.yaml) is read through the parsed-YAML cache (see goyaml.load)."""
    from engine.gotemplate.goyaml import YAMLError, decode_utf8, load

    values: dict[str, Any] = {}
    try:
        text = decode_utf8(data)
    except YAMLError as exc:
        raise ChartError(f"cannot load {what}: cannot unmarshal yaml document: {exc}") from None
    for document in split_yaml_documents(text):
        try:
            parsed = load(document, chart_file=chart_file)
        except YAMLError as exc:
            raise ChartError(f"cannot load {what}: cannot unmarshal yaml document: {exc}") from None
        if parsed is None:
            continue
        if not isinstance(parsed, dict):
            raise ChartError(f"cannot load {what}: cannot unmarshal yaml document: error unmarshaling JSON: while "
                             f"decoding JSON: json: cannot unmarshal {json_kind(parsed)} into Go value of type "
                             "map[string]interface {}")
        values = merge_maps(values, parsed)
    return values


def merge_maps(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Helm's loader.MergeMaps: maps merge recursively, anything else (lists too) is replaced."""
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_maps(out[key], value)
        else:
            out[key] = value
    return out


def _check_api_version(files: list[BufferedFile]) -> None:
    """Helm v4 picks the chart loader by apiVersion first: v1 and v2 (or none) are charts it loads."""
    chart_file = next((f for f in files if f.name == "Chart.yaml"), None)
    if chart_file is None:
        return
    metadata = _load_yaml(chart_file.data, "Chart.yaml")
    api_version = metadata.get("apiVersion") if isinstance(metadata, dict) else None
    if isinstance(api_version, (list, dict)):
        raise ChartError("cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot "
                         f"unmarshal {json_kind(api_version)} into Go struct field chartBase.apiVersion of type string")
    text = "" if api_version is None else api_version if isinstance(api_version, str) else str(api_version)
    if text == "v3":
        raise ChartError("invalid chart apiVersion")
    if text not in ("", "v1", "v2"):
        raise ChartError("unsupported chart version")


def load_files(files: list[BufferedFile]) -> Chart:
    """Helm's LoadFiles: classify files, parse metadata/values/lock, load subcharts."""
    metadata_data = None
    for file in files:
        if file.name == "Chart.yaml":
            metadata_data = _load_yaml(file.data, "Chart.yaml")
            if metadata_data is not None and not isinstance(metadata_data, dict):
                raise ChartError("cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: "
                                 "cannot unmarshal " + json_kind(metadata_data)
                                 + " into Go value of type chart.Metadata")
            metadata_data = metadata_data or {}
    if metadata_data is None:
        raise ChartError("Chart.yaml file is missing")
    problem = type_error(metadata_data)
    if problem:
        raise ChartError(f"cannot load Chart.yaml: {problem}")
    metadata = parse_metadata(metadata_data)
    if not metadata.api_version:
        metadata.api_version = "v1"
    chart = Chart(metadata=metadata, raw=[ChartFile(f.name, f.data, f.modtime) for f in files])
    subchart_files: dict[str, list[BufferedFile]] = {}
    for file in files:
        name = file.name
        if name == "Chart.yaml":
            continue
        if name == "Chart.lock":
            chart.lock = _load_yaml(file.data, "Chart.lock")
        elif name == "values.yaml":
            chart.values = load_values_bytes(file.data, chart_file=True)
            chart.raw_values = file.data
            chart.values_file_present = True
        elif name == "values.schema.json":
            chart.schema = file.data
        elif name == "requirements.yaml":
            requirements = _load_yaml(file.data, "requirements.yaml") or {}
            if isinstance(requirements, dict) and requirements.get("dependencies"):
                metadata.dependencies = parse_metadata({"dependencies": requirements["dependencies"]}).dependencies
            if metadata.api_version == "v1":
                chart.files.append(ChartFile(name, file.data, file.modtime))
        elif name == "requirements.lock":
            chart.lock = _load_yaml(file.data, "requirements.lock")
            if metadata.api_version == "v1":
                chart.files.append(ChartFile(name, file.data, file.modtime))
        elif name.startswith("templates/"):
            chart.templates.append(ChartFile(name, file.data, file.modtime))
        elif name.startswith("charts/"):
            if name.endswith(".prov"):
                chart.files.append(ChartFile(name, file.data, file.modtime))
                continue
            inner = name[len("charts/"):]
            subchart_files.setdefault(inner.split("/", 1)[0], []).append(BufferedFile(inner, file.data, file.modtime))
        else:
            chart.files.append(ChartFile(name, file.data, file.modtime))
    validate(metadata)
    for sub_name in sorted(subchart_files):
        if sub_name[:1] in ("_", "."):
            continue
        entries = subchart_files[sub_name]
        try:
            if sub_name.endswith(".tgz"):
                if entries[0].name != sub_name:
                    raise ChartError(f"error unpacking subchart tar in {chart.name}: expected {sub_name}, "
                                     f"got {entries[0].name}")
                sub = load_files(read_archive(entries[0].data, sub_name))
            else:
                inner = [BufferedFile(e.name.split("/", 1)[1], e.data, e.modtime) for e in entries if "/" in e.name]
                sub = load_files(inner)
        except ChartError as exc:
            if str(exc).startswith("error unpacking"):
                raise
            raise ChartError(f"error unpacking subchart {sub_name} in {chart.name}: {exc}") from None
        chart.add_subchart(sub)
    return chart

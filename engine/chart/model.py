"""The chart model: what a loaded chart is, shared by the loader, values, rendering and packaging.

Field names follow Helm's JSON keys (snake_case here); :meth:`Metadata.to_go_fields` gives the Go field
names templates see as ``.Chart``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Maintainer:
    name: str = ""
    email: str = ""
    url: str = ""


@dataclass
class Dependency:
    """One entry of Chart.yaml ``dependencies`` (Helm's chart.Dependency)."""

    name: str = ""
    version: str = ""
    repository: str = ""
    condition: str = ""
    tags: list[str] = field(default_factory=list)
    enabled: bool = False
    import_values: list[Any] = field(default_factory=list)  # strings or {"child":…, "parent":…}
    alias: str = ""


@dataclass
class Metadata:
    """Chart.yaml (Helm's chart.Metadata)."""

    api_version: str = ""
    name: str = ""
    version: str = ""
    kube_version: str = ""
    description: str = ""
    type: str = ""
    home: str = ""
    sources: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    maintainers: list[Maintainer] = field(default_factory=list)
    icon: str = ""
    app_version: str = ""
    deprecated: bool = False
    annotations: dict[str, str] = field(default_factory=dict)
    condition: str = ""
    tags: str = ""
    dependencies: list[Dependency] = field(default_factory=list)
    null_maintainers: bool = False  # Chart.yaml listed an empty maintainer (Helm's validation refuses it)
    null_dependencies: bool = False  # likewise for dependencies


@dataclass
class ChartFile:
    """A file of a chart: its path relative to the chart root (``/`` separators) and its bytes."""

    name: str
    data: bytes
    modtime: int = 0  # nanoseconds since the epoch; 0 when unknown


@dataclass
class Chart:
    """A loaded chart and its subcharts.

    ``templates`` holds files under ``templates/``; ``files`` every other file that is not Chart.yaml,
    Chart.lock, values.yaml, values.schema.json or a subchart (so ``crds/``, README, LICENSE …).
    ``values`` are the parsed defaults of values.yaml (Go typing: numbers float64); ``raw_values`` its bytes.
    ``lock`` is the parsed Chart.lock, if any. ``subcharts`` are the charts found under ``charts/``.
    """

    metadata: Metadata
    templates: list[ChartFile] = field(default_factory=list)
    files: list[ChartFile] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    raw_values: bytes = b""
    values_file_present: bool = False
    schema: bytes | None = None
    lock: dict[str, Any] | None = None
    raw: list[ChartFile] = field(default_factory=list, repr=False)  # every file as loaded (Helm's Raw)
    subcharts: list["Chart"] = field(default_factory=list)
    parent: "Chart | None" = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def is_root(self) -> bool:
        return self.parent is None

    @property
    def chart_path(self) -> str:
        """Helm's ChartFullPath: ``parent/charts/child`` — the prefix of template names."""
        if self.parent is None:
            return self.name
        return f"{self.parent.chart_path}/charts/{self.name}"

    def add_subchart(self, sub: "Chart") -> None:
        sub.parent = self
        self.subcharts.append(sub)

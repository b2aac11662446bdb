"""The chart model: what a loaded chart is, shared by the loader, values, rendering and packaging.

Field names follow Helm's JSON keys (snake_case here); :meth:`Metadata.to_go_fields` gives the Go field
names templates see as ``.Chart``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The parts of a chart are plain classes with __slots__: a dataclass's generated methods cost every command's
# start-up. Chart stays a dataclass, copied with dataclasses.replace by rendering and upgrades.


class Maintainer:
    __slots__ = ("name", "email", "url")

    def __init__(self, name: str = "", email: str = "", url: str = ""):
        self.name, self.email, self.url = name, email, url


class Dependency:
    """One entry of Chart.yaml ``dependencies`` (Helm's chart.Dependency)."""

    __slots__ = ("name", "version", "repository", "condition", "tags", "enabled", "import_values", "alias")

    def __init__(self, name: str = "", version: str = "", repository: str = "", condition: str = "",
                 tags: list[str] | None = None, enabled: bool = False, import_values: list[Any] | None = None,
                 alias: str = ""):
        self.name, self.version, self.repository, self.condition = name, version, repository, condition
        self.tags: list[str] = [] if tags is None else tags
        self.enabled = enabled
        self.import_values: list[Any] = [] if import_values is None else import_values  # strings or {"child", "parent"}
        self.alias = alias


class Metadata:
    """Chart.yaml (Helm's chart.Metadata)."""

    __slots__ = ("api_version", "name", "version", "kube_version", "description", "type", "home", "sources",
                 "keywords", "maintainers", "icon", "app_version", "deprecated", "annotations", "condition", "tags",
                 "dependencies", "null_maintainers", "null_dependencies")

    def __init__(self, api_version: str = "", name: str = "", version: str = "", kube_version: str = "",
                 description: str = "", type: str = "", home: str = "", sources: list[str] | None = None,
                 keywords: list[str] | None = None, maintainers: list[Maintainer] | None = None, icon: str = "",
                 app_version: str = "", deprecated: bool = False, annotations: dict[str, str] | None = None,
                 condition: str = "", tags: str = "", dependencies: list[Dependency] | None = None,
                 null_maintainers: bool = False, null_dependencies: bool = False):
        self.api_version, self.name, self.version, self.kube_version = api_version, name, version, kube_version
        self.description, self.type, self.home, self.icon = description, type, home, icon
        self.sources: list[str] = [] if sources is None else sources
        self.keywords: list[str] = [] if keywords is None else keywords
        self.maintainers: list[Maintainer] = [] if maintainers is None else maintainers
        self.app_version, self.deprecated = app_version, deprecated
        self.annotations: dict[str, str] = {} if annotations is None else annotations
        self.condition, self.tags = condition, tags
        self.dependencies: list[Dependency] = [] if dependencies is None else dependencies
        self.null_maintainers = null_maintainers  # Chart.yaml listed an empty maintainer (Helm's validation refuses it)
        self.null_dependencies = null_dependencies  # likewise for dependencies


class ChartFile:
    """A file of a chart: its path relative to the chart root (``/`` separators) and its bytes."""

    __slots__ = ("name", "data", "modtime")

    def __init__(self, name: str, data: bytes, modtime: int = 0):
        self.name, self.data = name, data
        self.modtime = modtime  # nanoseconds since the epoch; 0 when unknown


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

"""Chart + user values → what a release would contain: ordered manifests, hooks, notes, CRDs.

This is Helm's install-time rendering (ProcessDependencies, ToRenderValues, renderResources) shared by
``template``, ``install``, ``upgrade``, ``lint`` and the stack planner.
"""
from __future__ import annotations

import copy
import gc
from contextlib import contextmanager
import dataclasses
import functools
import posixpath
from dataclasses import dataclass, field
from typing import Any, Callable

from engine.chart.model import Chart
from engine.release.hook import Hook
from engine.render.capabilities import Capabilities, offline_capabilities
from engine.render.engine import render_templates
from engine.render.errors import RenderError
from engine.render.manifests import Manifest, ManifestError, sort_manifests
from engine.render.values_object import as_template_values
from engine.values.copying import copy_values

NOTES_SUFFIX = "NOTES.txt"
_CRD_EXTENSIONS = (".yaml", ".yml", ".json")


def _no_warning(_message: str) -> None:
    pass


class RenderOptions:
    """Everything about a render that is not the chart or the user's values (a plain class, not a dataclass:
    its generated methods would cost every command's start-up)."""

    __slots__ = ("release_name", "namespace", "revision", "is_upgrade", "capabilities", "kube_version",
                 "api_versions", "skip_schema_validation", "subchart_notes", "lint_mode", "strict", "enable_dns",
                 "lookup", "warn")

    def __init__(self, release_name: str = "release-name", namespace: str = "default", revision: int = 1,
                 is_upgrade: bool = False, capabilities: Capabilities | None = None, kube_version: str | None = None,
                 api_versions: tuple[str, ...] = (), skip_schema_validation: bool = False,
                 subchart_notes: bool = False, lint_mode: bool = False, strict: bool = False,
                 enable_dns: bool = False, lookup: Callable[[str, str, str, str], dict] | None = None,
                 warn: Callable[[str], None] = _no_warning):
        self.release_name, self.namespace, self.revision = release_name, namespace, revision
        self.is_upgrade = is_upgrade
        self.capabilities = capabilities  # None: offline defaults (template, client dry-run)
        self.kube_version, self.api_versions = kube_version, api_versions
        self.skip_schema_validation, self.subchart_notes = skip_schema_validation, subchart_notes
        self.lint_mode, self.strict, self.enable_dns = lint_mode, strict, enable_dns
        self.lookup, self.warn = lookup, warn


class Crd:
    """A file of a chart's crds/ folder, with the path Helm prints for it."""

    __slots__ = ("path", "text")

    def __init__(self, path: str, text: str):
        self.path, self.text = path, text


@dataclass
class RenderedRelease:
    """The result of rendering a chart for a release."""

    chart: Chart
    values: dict[str, Any]
    manifests: list[Manifest] = field(default_factory=list)
    hooks: list[Hook] = field(default_factory=list)
    notes: str = ""

    @functools.cached_property
    def crds(self) -> list[Crd]:
        """The chart tree's CRD files, decoded on first use: ``template`` prints them only with --include-crds."""
        return crd_objects(self.chart)

    @property
    def manifest(self) -> str:
        """The release manifest as Helm stores it: ``---\\n# Source: path\\ndoc\\n`` per document."""
        return "".join(self.manifest_documents())

    def manifest_documents(self) -> list[str]:
        """The manifest's documents, one string each: printed one by one, a large release's output is never
        held in several whole copies."""
        return [f"---\n# Source: {m.path}\n{m.content}\n" for m in self.manifests]


def copy_chart_tree(chart: Chart, parent: Chart | None = None) -> Chart:
    """A copy of a chart tree that dependency processing may change without touching the original."""
    clone = dataclasses.replace(chart, metadata=copy.deepcopy(chart.metadata), values=copy_values(chart.values),
                                subcharts=[], parent=parent)
    clone.subcharts = [copy_chart_tree(sub, clone) for sub in chart.subcharts]
    return clone


def crd_objects(chart: Chart) -> list[Crd]:
    """CRD files of the chart and its (enabled) subcharts, in Helm's order."""
    crds = [Crd(posixpath.join(chart.chart_path, f.name), f.data.decode("utf-8", errors="replace"))
            for f in chart.files
            if f.name.startswith("crds/") and f.name.lower().endswith(_CRD_EXTENSIONS)]
    for sub in chart.subcharts:
        crds.extend(crd_objects(sub))
    return crds


def release_object(options: RenderOptions) -> dict[str, Any]:
    """``.Release`` as Helm builds it."""
    return {
        "Name": options.release_name,
        "Namespace": options.namespace,
        "Revision": options.revision,
        "IsUpgrade": options.is_upgrade,
        "IsInstall": not options.is_upgrade,
        "Service": "Helm",
    }


def _check_kube_version(chart: Chart, capabilities: Capabilities) -> None:
    constraint = chart.metadata.kube_version
    if not constraint:
        return
    from engine.gotemplate.sprig.semver import constraint_matches

    if not constraint_matches(constraint, capabilities.KubeVersion.String()):
        raise RenderError(f"chart requires kubeVersion: {constraint} which is incompatible with "
                          f"Kubernetes {capabilities.KubeVersion.Version}")


def _funcs(options: RenderOptions) -> dict:
    from engine.render.function_map import function_map

    return function_map(lint_mode=options.lint_mode, lookup=options.lookup, enable_dns=options.enable_dns)


def _take_notes(files: dict[str, str], chart: Chart, subchart_notes: bool) -> str:
    top_notes = posixpath.join(chart.name, "templates", NOTES_SUFFIX)
    notes = []
    for name in list(files):
        if name.endswith(NOTES_SUFFIX):
            if subchart_notes or name == top_notes:
                notes.append(files[name])
            del files[name]
    return "\n".join(notes)


@contextmanager
def _collector_paused():
    """Pause Python's cyclic GC: rendering allocates many short-lived objects and no cycles worth chasing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def render_release(chart: Chart, user_values: dict[str, Any], options: RenderOptions) -> RenderedRelease:
    """Render ``chart`` with ``user_values`` as Helm's install/upgrade would; raises RenderError."""
    with _collector_paused():
        return _render_release(chart, user_values, options)


def _render_release(chart: Chart, user_values: dict[str, Any], options: RenderOptions) -> RenderedRelease:
    from engine.values.coalesce import coalesce_values
    from engine.values.dependencies import process_dependencies
    from engine.values.schema import validate_values

    chart = copy_chart_tree(chart)
    process_dependencies(chart, user_values, options.warn)
    capabilities = options.capabilities or offline_capabilities(options.kube_version, options.api_versions)
    values = coalesce_values(chart, user_values, options.warn)
    if not options.skip_schema_validation:
        validate_values(chart, values)
    _check_kube_version(chart, capabilities)
    top = {"Values": as_template_values(values), "Release": release_object(options),
           "Capabilities": capabilities}
    files = render_templates(chart, top, _funcs(options), strict=options.strict)
    notes = _take_notes(files, chart, options.subchart_notes)
    try:
        hooks, manifests = sort_manifests(files)
    except ManifestError as exc:
        raise RenderError(str(exc)) from exc
    return RenderedRelease(chart, values, manifests, hooks, notes)

"""``pyhelm validate``: a whole stack checked offline, for CI before anything reaches a cluster.

Every release is rendered without a cluster (as ``helm template`` renders, with the target Kubernetes
version's capabilities and the API versions of the stack's own CRDs), and every object, hooks included, is
validated against the JSON schema of its kind: the built-in kinds of that Kubernetes version, or the CRDs the
stack itself brings. Secrets that cannot be read here are replaced by a placeholder: validating needs none."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import networkx as nx
import yaml

from engine.stack.errors import StackError
from engine.stack.graph import build_graph, select
from engine.stack.model import ReleaseSpec, Stack

SECRET_PLACEHOLDER = "pyhelm-validate-placeholder"


@dataclass
class Problem:
    """One thing wrong with one object (or with a release that did not render)."""

    release: str
    source: str = ""
    object: str = ""
    field: str = ""
    message: str = ""

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.release, self.source, self.object, self.field) if part)
        return f"{where}: {self.message}"


@dataclass
class ReleaseReport:
    id: str
    objects: int = 0
    problems: list[Problem] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # objects of kinds with no schema here


@dataclass
class Document:
    source: str
    obj: Any


def _render(stack: Stack, release: ReleaseSpec, kube_version: str, api_versions: tuple[str, ...],
            warn: Callable[[str], None]):
    from engine.render.pipeline import RenderOptions, render_release
    from engine.stack.charts import load_release_chart
    from engine.stack.values import release_values

    chart = load_release_chart(stack, release)
    values = release_values(stack, release, missing_secret=SECRET_PLACEHOLDER)
    return render_release(chart, values, RenderOptions(release_name=release.name, namespace=release.namespace,
                                                       kube_version=kube_version, api_versions=api_versions,
                                                       skip_schema_validation=release.skip_schema_validation,
                                                       warn=warn))


def _documents(rendered) -> list[Document]:
    texts = [(crd.path, crd.text) for crd in rendered.crds] if rendered.crds else []
    texts += [(manifest.path, manifest.content) for manifest in rendered.manifests]
    texts += [(hook.path, hook.manifest) for hook in rendered.hooks]
    return [Document(path, obj) for path, text in texts for obj in yaml.safe_load_all(text) if obj is not None]


def _crd_api_versions(stack: Stack, releases: list[ReleaseSpec]) -> tuple[str, ...]:
    """The API versions the charts' crds/ folders add, so charts that look for them render as on a cluster."""
    from engine.render.pipeline import crd_objects
    from engine.stack.charts import load_release_chart

    found = set()
    for release in releases:
        for crd in crd_objects(load_release_chart(stack, release)):
            for obj in yaml.safe_load_all(crd.text):
                spec = (obj or {}).get("spec") or {}
                found |= {f"{spec.get('group', '')}/{v.get('name', '')}" for v in spec.get("versions") or []
                          if isinstance(v, dict)}
    return tuple(sorted(found))


def _field(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(object)"


def _describe(obj: dict[str, Any]) -> str:
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    name = "/".join(str(part) for part in (metadata.get("namespace"), metadata.get("name")) if part)
    return f"{obj.get('kind', '?')} {name}".strip()


def validate_stack(stack: Stack, selectors: tuple[str, ...] = (), kube_version: str = "1.36",
                   strict: bool = False, warn: Callable[[str], None] = lambda message: None
                   ) -> list[ReleaseReport]:
    """Render and validate the selected releases (with what they need); one report per release."""
    from engine.kube.schemas import crd_validators
    from engine.render.errors import RenderError
    from engine.values.errors import ValuesError

    check_kube_version(kube_version)  # an unsupported version is refused before any work
    graph = select(build_graph(stack), selectors, True)
    releases = [graph.nodes[r]["release"] for r in nx.lexicographical_topological_sort(graph)]
    releases = [release for release in releases if release.installed]
    api_versions = _crd_api_versions(stack, releases)
    reports, documents = [], {}
    for release in releases:
        report = ReleaseReport(release.id)
        reports.append(report)
        try:
            documents[release.id] = _documents(_render(stack, release, kube_version, api_versions, warn))
        except (RenderError, ValuesError, yaml.YAMLError) as exc:
            report.problems.append(Problem(release.id, message=f"does not render: {exc}"))
    custom = {}
    for found in documents.values():
        for document in found:
            if isinstance(document.obj, dict) and document.obj.get("kind") == "CustomResourceDefinition":
                custom.update({(api, kind): validator for api, kind, validator in crd_validators(document.obj, strict)})
    for report in reports:
        for document in documents.get(report.id, []):
            report.objects += 1
            _check(report, document, custom, kube_version, strict)
    return reports


def _check(report: ReleaseReport, document: Document, custom: dict, kube_version: str, strict: bool) -> None:
    from engine.kube.schemas import builtin_validator

    obj = document.obj
    if not isinstance(obj, dict) or not obj.get("apiVersion") or not obj.get("kind"):
        report.problems.append(Problem(report.id, document.source, message="not a Kubernetes object: it needs "
                                       "apiVersion and kind"))
        return
    api_version, kind = str(obj["apiVersion"]), str(obj["kind"])
    validator = custom.get((api_version, kind)) or builtin_validator(api_version, kind, kube_version, strict)
    if validator is None:
        report.unchecked.append(f"{document.source}: {_describe(obj)}: no schema for {kind} {api_version} "
                                f"(not built into Kubernetes {kube_version}, and no CRD of the stack brings it)")
        return
    for error in sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path))):
        report.problems.append(Problem(report.id, document.source, _describe(obj), _field(error.absolute_path),
                                       error.message))


def check_kube_version(kube_version: str) -> None:
    """Refuse a Kubernetes version no schemas are installed for."""
    from engine.kube.schemas import SchemaError, schema_version

    try:
        schema_version(kube_version)
    except SchemaError as exc:
        raise StackError(str(exc)) from None

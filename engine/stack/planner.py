"""Building a plan: render each release's desired state and compare it with its latest release record
(and, on request, with the live objects)."""
from __future__ import annotations

import copy
import difflib
import hashlib
from typing import Any, Callable

import networkx as nx
import yaml

from engine.redaction import CHANGED_MASK, MASK, REDACTOR
from engine.stack.errors import StackError
from engine.stack.graph import build_graph, select
from engine.stack.model import ReleaseSpec, Stack
from engine.stack.secrets import (register_record_secrets, register_secrets, secret_path_labels, secret_paths,
                                  value_at, value_at_keys)
from engine.stack.plan import ENVIRONMENT_LABEL, STACK_LABEL, Plan, ReleasePlan
from engine.stack.repair import history_repair
from engine.stack.values import split_dotted



class Clusters:
    """One ActionConfig per (kube context, namespace), created on first use."""

    def __init__(self, kubeconfig: str | None = None, context: str | None = None):
        self.kubeconfig, self.context = kubeconfig, context
        self._configs: dict[tuple[str | None, str | None], Any] = {}  # (context, None): the context's base
        self._records: dict[tuple[str | None, str], dict[str, list]] = {}

    def config(self, kube_context: str | None, namespace: str):
        from engine.action.config import ActionConfig

        key = (self.context or kube_context, namespace)
        if key not in self._configs:
            base = self._configs.get((key[0], None))
            if base is None:
                base = self._configs[(key[0], None)] = ActionConfig.create(self.kubeconfig, key[0], namespace)
            self._configs[key] = base.in_namespace(namespace)
        return self._configs[key]

    def for_release(self, release: ReleaseSpec):
        return self.config(release.kube_context, release.namespace)

    def history(self, release: ReleaseSpec) -> list:
        """Every stored revision of ``release``, oldest first; one list request per namespace."""
        key = (self.context or release.kube_context, release.namespace)
        if key not in self._records:
            grouped: dict[str, list] = {}
            for record in self.for_release(release).storage.driver.query(release.namespace):
                grouped.setdefault(record.name, []).append(record)
            self._records[key] = {name: sorted(records, key=lambda r: r.version) for name, records in
                                  grouped.items()}
        return self._records[key].get(release.name, [])


def stack_labels(stack: Stack) -> dict[str, str]:
    """The labels that mark a release record as installed by this stack and environment."""
    return {STACK_LABEL: stack.name, ENVIRONMENT_LABEL: stack.environment or "default"}


def release_options(stack: Stack, release: ReleaseSpec, dry_run: str = "none"):
    """The install/upgrade options a stack release asks for."""
    from engine.action.install import ReleaseOptions

    return ReleaseOptions(
        namespace=release.namespace, create_namespace=release.create_namespace, dry_run=dry_run,
        description=release.description,
        labels={**release.labels, **stack_labels(stack), **secret_path_labels(secret_paths(stack, release))},
        no_hooks=release.disable_hooks, timeout=release.timeout, take_ownership=release.take_ownership,
        skip_crds=release.skip_crds, skip_schema_validation=release.skip_schema_validation,
        history_max=release.history_max, force_conflicts=release.force, wait=release.wait,
        wait_for_jobs=release.wait_for_jobs, rollback_on_failure=release.atomic,
        cleanup_on_fail=release.cleanup_on_fail, reset_values=True)


def manifest_digest(manifest: str) -> str:
    return hashlib.sha256(manifest.encode()).hexdigest()


def _with_masks(values: dict[str, Any], masks: dict[str, str]) -> dict[str, Any]:
    """A copy of ``values`` whose value at each dotted path (when present) is replaced by that path's mask."""
    result = copy.deepcopy(values)
    for path, mask in masks.items():
        *parents, leaf = split_dotted(path)
        node = value_at_keys(result, parents)
        if isinstance(node, dict) and leaf in node:
            node[leaf] = mask
    return result


def values_diff(current: dict[str, Any], desired: dict[str, Any], masked_paths: list[str]) -> str:
    """A unified diff of user values (secrets masked; a changed secret shows as changed, never its value)."""
    def changed(path: str) -> bool:  # nothing to compare with on an install: the value is just shown masked
        return bool(current) and value_at(current, path) != value_at(desired, path)

    before = _with_masks(current, {path: MASK for path in masked_paths})
    after = _with_masks(desired, {path: CHANGED_MASK if changed(path) else MASK for path in masked_paths})

    def lines(values: dict[str, Any]) -> list[str]:
        if not values:
            return []
        return yaml.safe_dump(_integral(values), sort_keys=True, default_flow_style=False).splitlines(keepends=True)

    return "".join(difflib.unified_diff(lines(before), lines(after), fromfile="a/values", tofile="b/values"))


def _integral(value: Any) -> Any:
    """Values as people wrote them: float64 numbers without a fraction shown as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


def _drifted(config, manifest: str) -> list[str]:
    """Objects of the stored manifest whose live state differs from it (missing, or a field changed)."""
    from engine.action.apply import manifest_objects

    def differs(desired: Any, live: Any) -> bool:
        if isinstance(desired, dict):
            return not isinstance(live, dict) or any(differs(v, live.get(k)) for k, v in desired.items())
        if isinstance(desired, list):
            return not isinstance(live, list) or len(desired) != len(live) or any(
                differs(d, l) for d, l in zip(desired, live))
        return desired != live and not (isinstance(desired, (int, float)) and str(desired) == str(live))

    drift = []
    for obj in manifest_objects(manifest):
        ref = config.kube.ref(obj)
        live = config.kube.get(ref)
        if live is None:
            drift.append(f"{ref} is missing")
        elif differs({k: v for k, v in obj.items() if k != "metadata"}, live):
            drift.append(f"{ref} was changed outside the release")
    return drift


def plan_release(stack: Stack, release: ReleaseSpec, config, history: list, detect_drift: bool = False
                 ) -> tuple[ReleasePlan, Any]:
    """The plan of one release given its stored ``history``, and its rendered desired state (None when
    nothing is to be rendered)."""
    from engine.action.install import render
    from engine.release.record import PENDING
    from engine.stack.charts import load_release_chart, lock_note
    from engine.stack.diff import diff_manifests
    from engine.stack.values import release_values

    for record in history:
        register_record_secrets(record.config, record.labels)
    last = history[-1] if history else None
    live = last if last is not None and last.info.status != "uninstalled" else None
    base = ReleasePlan(release.id, release.name, release.namespace, "unchanged", needs=list(release.needs),
                       revision=last.version if last else 0, kube_context=release.kube_context,
                       version_from=live.chart_version if live else "")
    if not release.installed:
        if live is not None:
            base.action, base.reasons = "uninstall", ["installed: false"]
        return base, None
    chart = load_release_chart(stack, release)
    base.notes = [note] if (note := lock_note(stack, release)) else []
    values = release_values(stack, release)
    deployed = next((r for r in reversed(history) if r.info.status == "deployed"), None)
    from engine.action.config import ActionError

    try:
        rendered = render(config, chart, values, release.name, release_options(stack, release, "server"),
                          (last.version + 1) if last else 1, upgrade=live is not None)
    except ActionError as exc:
        raise StackError(f"{release.where}: release {release.id}: {exc}") from None
    base.chart, base.version_to = chart.metadata.name, chart.metadata.version
    base.manifest_digest = manifest_digest(rendered.manifest)
    if live is None:  # an install is reviewed like an upgrade from nothing: its values and every object
        base.action, base.reasons = "install", ["not installed"]
        base.values_diff = values_diff({}, values, secret_paths(stack, release)) if values else ""
        base.changes = diff_manifests("", rendered.manifest, release.namespace)
        for change in base.changes:
            change.diff = REDACTOR.redact(change.diff)
        return base, rendered
    repair = history_repair(history)
    if live.info.status in PENDING:  # what the interrupted run did is unknown: nothing to compare with
        base.action, base.reasons = "recover", list(repair.reasons)
        return base, rendered
    current = deployed or live
    reasons = []
    if (current.chart_name, current.chart_version) != (chart.metadata.name, chart.metadata.version):
        reasons.append(f"chart {current.chart_name} {current.chart_version} → {chart.metadata.name} "
                       f"{chart.metadata.version}")
    if current.config != values:
        reasons.append("values changed")
        base.values_diff = values_diff(current.config, values, secret_paths(stack, release))
    register_secrets(current.config, values, secret_paths(stack, release))
    base.changes = diff_manifests(current.manifest, rendered.manifest, release.namespace)
    for change in base.changes:
        change.diff = REDACTOR.redact(change.diff)
    if base.changes:
        reasons.append(f"{len(base.changes)} object(s) change")
    if detect_drift:
        reasons += _drifted(config, current.manifest)
    if repair is not None:
        base.action, base.reasons = "recover", [*repair.reasons, *reasons]
        base.repair_only = not (repair.upgrades or reasons)
    elif reasons:
        base.action, base.reasons = "upgrade", reasons
    return base, rendered


def _orphans(stack: Stack, clusters: Clusters, wanted: set[str]) -> list[ReleasePlan]:
    """Releases this stack and environment installed (by their record labels) that it no longer lists."""
    from engine.action.listing import ListOptions, list_releases

    selector = ",".join(f"{k}={v}" for k, v in stack_labels(stack).items())
    found: dict[str, ReleasePlan] = {}
    for context in sorted(stack.kube_contexts, key=str):
        config = clusters.config(context, "default")
        for record in list_releases(config, ListOptions(all_namespaces=True, selector=selector)):
            release_id = f"{record.namespace}/{record.name}"
            register_record_secrets(record.config, record.labels)
            if release_id not in wanted and record.info.status != "uninstalled":
                found[release_id] = ReleasePlan(release_id, record.name, record.namespace, "uninstall",
                                                chart=record.chart_name, version_from=record.chart_version,
                                                revision=record.version, kube_context=context,
                                                reasons=["removed from the stack"])
    return list(found.values())


def _crd_edges(rendered: dict[str, Any]) -> list[tuple[str, str]]:
    """(provider, user) pairs: a release whose objects are custom resources of a CRD another release
    brings (in crds/ or its templates) must come after that release."""
    from engine.action.apply import manifest_objects

    provided: dict[tuple[str, str], str] = {}
    for release_id, desired in rendered.items():
        texts = [crd.text for crd in desired.crds] + [desired.manifest]
        for obj in (o for text in texts for o in manifest_objects(text)):
            if obj.get("kind") == "CustomResourceDefinition":
                spec = obj.get("spec") or {}
                provided[(spec.get("group", ""), (spec.get("names") or {}).get("kind", ""))] = release_id
    edges = set()
    for release_id, desired in rendered.items():
        for obj in manifest_objects(desired.manifest):
            group = str(obj.get("apiVersion", "")).rpartition("/")[0]
            provider = provided.get((group, obj.get("kind", "")))
            if provider and provider != release_id:
                edges.add((provider, release_id))
    return sorted(edges)


def hook_context(stack: Stack, release: ReleaseSpec | None = None):
    from engine.stack.hooks import HookContext

    if release is None:
        return HookContext(stack.name, stack.environment, stack.base_dir)
    return HookContext(stack.name, stack.environment, stack.base_dir, release.name, release.namespace,
                       release.kube_context)


PER_RELEASE_EVENTS = ("presync", "postsync")  # stack-level hooks of these events run around every release


def release_hooks(stack: Stack, release: ReleaseSpec) -> list:
    """The hooks around one release's apply: the stack's presync/postsync hooks, then the release's own
    (stack-level prepare and cleanup run once per run instead)."""
    import dataclasses

    around_each = [dataclasses.replace(hook, events=tuple(e for e in hook.events if e in PER_RELEASE_EVENTS))
                   for hook in stack.hooks if set(hook.events) & set(PER_RELEASE_EVENTS)]
    return [*around_each, *release.hooks]


def make_plan(stack: Stack, clusters: Clusters, selectors: tuple[str, ...] = (), include_needs: bool = True,
              detect_drift: bool = False, report: Callable[[str], None] = lambda line: None
              ) -> tuple[Plan, dict[str, Any]]:
    """The plan of the selected releases (in dependency order, CRD providers before their users) plus, for a
    whole-stack plan, uninstalls of releases removed from the stack; and the rendered desired state of each
    release to install or upgrade."""
    from engine.stack.hooks import describe, run_hooks

    graph = select(build_graph(stack), selectors, include_needs)
    run_hooks(stack.hooks, "prepare", hook_context(stack), report)
    planned, rendered = {}, {}
    for release_id in nx.lexicographical_topological_sort(graph):
        release = graph.nodes[release_id]["release"]
        run_hooks(release.hooks, "prepare", hook_context(stack, release), report)
        planned[release_id], desired = plan_release(stack, release, clusters.for_release(release),
                                                    clusters.history(release), detect_drift)
        planned[release_id].hooks = describe(release_hooks(stack, release), ("presync", "postsync", "cleanup"))
        if desired is not None:
            rendered[release_id] = desired
    graph.add_edges_from(_crd_edges(rendered))
    if not nx.is_directed_acyclic_graph(graph):
        cycle = " -> ".join(edge[0] for edge in nx.find_cycle(graph))
        raise StackError(f"{stack.path}: needs and CRDs form a cycle: {cycle}; a release cannot need a release "
                         "that uses its CRDs")
    plans = []
    for release_id in nx.lexicographical_topological_sort(graph):
        planned[release_id].needs = sorted(graph.predecessors(release_id))
        plans.append(planned[release_id])
    if not selectors:
        plans += _orphans(stack, clusters, {r.id for r in stack.releases})
    return Plan(stack.name, stack.environment, stack.path, plans), rendered

"""Building a plan: render each release's desired state and compare it with its latest release record
(and, on request, with the live objects)."""
from __future__ import annotations

import contextlib
import copy
import difflib
import os
from dataclasses import dataclass, field
from typing import Any, Callable

import networkx as nx
import yaml

from engine.action.config import OPERATION_ERRORS
from engine.redaction import CHANGED_MASK, MASK, REDACTOR
from engine.stack.clusters import Clusters
from engine.stack.drift import drift_changes, drift_reason
from engine.stack.errors import StackError
from engine.stack.graph import build_graph, select
from engine.stack.lock import LockHolder
from engine.stack.model import ReleaseSpec, Stack
from engine.stack.secrets import register_record_secrets, register_secrets, secret_paths, value_at, value_at_keys
from engine.stack.plan import (ENVIRONMENT_LABEL, IN_PROGRESS, STACK_LABEL, Plan, ReleasePlan, manifest_digest,
                               record_digest)
from engine.stack.rendering import (RenderJob, Rendered, render_job, render_processes, rendered_in_order,
                                    stack_labels)
from engine.stack.repair import history_repair
from engine.stack.values import split_dotted


def ownership(stack: Stack, release_id: str, labels: dict[str, str]) -> tuple[str, str]:
    """(conflict, note) for a stored record's labels: a record another stack or environment labelled is a
    conflict; one with no stack labels (helm installed it) is only worth a note."""
    theirs = (labels.get(STACK_LABEL), labels.get(ENVIRONMENT_LABEL))
    ours = stack_labels(stack)
    if theirs == (None, None):
        return "", (f"{release_id} has no pyhelm stack labels (installed by helm?); apply makes it part of stack "
                    f"{ours[STACK_LABEL]} environment {ours[ENVIRONMENT_LABEL]}")
    if theirs != (ours[STACK_LABEL], ours[ENVIRONMENT_LABEL]):
        return f"owned by stack {theirs[0] or '(none)'} environment {theirs[1] or '(none)'}", ""
    return "", ""


def _with_record(stack: Stack, plan: ReleasePlan, last: Any, digest: bool = True) -> ReleasePlan:
    """``plan`` with what apply checks of the release's latest record (None: no record) and its owner;
    ``digest``: the record's digest too (else it is computed where the release renders)."""
    if last is None:
        return plan
    plan.revision, plan.status = last.version, last.info.status
    plan.record_digest = record_digest(last) if digest else ""
    plan.conflict, note = ownership(stack, plan.id, last.labels)
    plan.notes += [note] if note else []
    return plan


def _with_masks(values: dict[str, Any], masks: dict[str, str]) -> dict[str, Any]:
    """A copy of ``values`` whose value at each dotted path (when present) is replaced by that path's mask."""
    result = copy.deepcopy(values)
    for path, mask in masks.items():
        *parents, leaf = split_dotted(path)
        node = value_at_keys(result, parents)
        if isinstance(node, dict) and leaf in node:
            node[leaf] = mask
    return result


def values_diff(current: dict[str, Any], desired: dict[str, Any], masked_paths: list[str], context: int = 3) -> str:
    """A unified diff of user values with ``context`` lines around each change (secrets masked; a changed
    secret shows as changed, never its value)."""
    def changed(path: str) -> bool:  # nothing to compare with on an install: the value is just shown masked
        return bool(current) and value_at(current, path) != value_at(desired, path)

    before = _with_masks(current, {path: MASK for path in masked_paths})
    after = _with_masks(desired, {path: CHANGED_MASK if changed(path) else MASK for path in masked_paths})

    def lines(values: dict[str, Any]) -> list[str]:
        if not values:
            return []
        return yaml.safe_dump(_integral(values), sort_keys=True, default_flow_style=False).splitlines(keepends=True)

    return "".join(difflib.unified_diff(lines(before), lines(after), fromfile="a/values", tofile="b/values",
                                        n=context))


def _integral(value: Any) -> Any:
    """Values as people wrote them: float64 numbers without a fraction shown as integers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value


@dataclass
class _Prepared:
    """One release planned up to its rendering: the plan so far and what to render (None: nothing), or the
    error preparing it raised (reported when the plan reaches the release, as if planned one by one)."""

    release: ReleaseSpec
    base: ReleasePlan | None = None
    history: list = field(default_factory=list)
    job: RenderJob | None = None
    error: Exception | None = None


def _prepare_release(stack: Stack, release: ReleaseSpec, history: list, charts: dict[str, Any]) -> _Prepared:
    """Everything about one release's plan that comes before rendering it, given its stored ``history``;
    ``charts``: the charts loaded so far by path (releases of one chart share it; rendering copies it)."""
    from engine.stack.charts import load_release_chart, lock_note
    from engine.stack.values import release_values

    for record in history:
        register_record_secrets(record.config, record.labels)
    last = history[-1] if history else None
    live = last if last is not None and last.info.status != "uninstalled" else None
    base = _with_record(stack, ReleasePlan(release.id, release.name, release.namespace, "unchanged",
                                           needs=list(release.needs), kube_context=release.kube_context,
                                           version_from=live.chart_version if live else ""), last,
                        digest=not release.installed)
    prepared = _Prepared(release, base, history)
    if not release.installed:
        if live is not None:
            base.action, base.reasons = "uninstall", ["installed: false"]
        return prepared
    chart = load_release_chart(stack, release, charts)
    base.notes += [note] if (note := lock_note(stack, release)) else []
    values = release_values(stack, release)
    prepared.job = RenderJob(release, chart, values, (last.version + 1) if last else 1, upgrade=live is not None,
                             record=last)
    return prepared


def _finish_release(stack: Stack, prepared: _Prepared, result: Rendered, config, detect_drift: bool = False,
                    context: int = 3, run_in_progress: str = "") -> ReleasePlan:
    """The plan of a prepared release once rendered: what changes from its latest record.
    ``run_in_progress`` names the live run holding the stack lock, whose pending revisions are its work, not
    an interrupted run's."""
    from engine.release.record import PENDING
    from engine.stack.diff import diff_manifests

    release, base, history, job = prepared.release, prepared.base, prepared.history, prepared.job
    rendered, base.record_digest = result.release, result.record_digest
    chart, values = job.chart, job.values
    last = history[-1] if history else None
    live = last if last is not None and last.info.status != "uninstalled" else None
    deployed = next((r for r in reversed(history) if r.info.status == "deployed"), None)
    base.chart, base.version_to = chart.metadata.name, chart.metadata.version
    base.manifest_digest = manifest_digest(rendered.manifest)
    if live is None:  # an install is reviewed like an upgrade from nothing: its values and every object
        base.action, base.reasons = "install", ["not installed"]
        base.values_diff = values_diff({}, values, secret_paths(stack, release), context) if values else ""
        base.changes = diff_manifests("", rendered.manifest, release.namespace, context)
        for change in base.changes:
            change.diff = REDACTOR.redact(change.diff)
        return base
    if live.info.status in (*PENDING, "uninstalling") and run_in_progress:  # another run's work
        base.action = IN_PROGRESS
        base.reasons = [f"revision {live.version} is {live.info.status}: being applied by {run_in_progress}"]
        return base
    repair = history_repair(history)
    if live.info.status in PENDING:  # what the interrupted run did is unknown: nothing to compare with
        base.action, base.reasons = "recover", list(repair.reasons)
        return base
    current = deployed or live
    reasons = []
    if (current.chart_name, current.chart_version) != (chart.metadata.name, chart.metadata.version):
        reasons.append(f"chart {current.chart_name} {current.chart_version} → {chart.metadata.name} "
                       f"{chart.metadata.version}")
    if current.config != values:
        reasons.append("values changed")
        base.values_diff = values_diff(current.config, values, secret_paths(stack, release), context)
    register_secrets(current.config, values, secret_paths(stack, release))
    base.changes = diff_manifests(current.manifest, rendered.manifest, release.namespace, context)
    for change in base.changes:
        change.diff = REDACTOR.redact(change.diff)
    if base.changes:
        reasons.append(f"{len(base.changes)} object(s) change")
    if detect_drift:
        drift = drift_changes(config.kube, current.manifest, context)
        for change in drift:
            change.diff = REDACTOR.redact(change.diff)
        reasons += [drift_reason(change) for change in drift]
        base.changes += drift
        base.correct_drift = bool(drift)
    if repair is not None:
        base.action, base.reasons = "recover", [*repair.reasons, *reasons]
        base.repair_only = not (repair.upgrades or reasons)
    elif reasons:
        base.action, base.reasons = "upgrade", reasons
    return base


def _orphans(stack: Stack, clusters: Clusters, wanted: set[str]) -> list[ReleasePlan]:
    """Releases this stack and environment installed (by their latest record's labels) that it no longer
    lists, in the order of their names: one list of the stack's records per cluster, and the history of only
    those releases read (and decoded)."""
    ours = stack_labels(stack)
    selector = ",".join(f"{k}={v}" for k, v in ours.items())
    found: dict[str, ReleasePlan] = {}
    for context in sorted(stack.kube_contexts, key=str):
        listed = clusters.config(context, "default").storage.driver.histories(None, selector)
        for namespace, name in sorted(listed, key=lambda key: (key[1], key[0])):
            release_id = f"{namespace}/{name}"
            history = [] if release_id in wanted else clusters.records(context, namespace, name)
            record = history[-1] if history else None
            if record is None or any(record.labels.get(key) != value for key, value in ours.items()):
                continue  # listed, or its latest revision is no longer this stack's
            register_record_secrets(record.config, record.labels)
            if record.info.status != "uninstalled":
                found[release_id] = _with_record(stack, ReleasePlan(
                    release_id, name, namespace, "uninstall", chart=record.chart_name,
                    version_from=record.chart_version, kube_context=context, reasons=["removed from the stack"]),
                    record)
    return list(found.values())


def _check_removals(stack: Stack, clusters: Clusters, graph: nx.DiGraph, plans: list[ReleasePlan]) -> None:
    """Refuse to uninstall a release that an installed release staying in the cluster needs."""
    going = {plan.id for plan in plans if plan.action == "uninstall"}
    installing = {plan.id for plan in plans if plan.action == "install"}
    problems = []
    for release_id in sorted(going & set(graph.nodes)):
        for user in sorted(graph.successors(release_id)):
            release = stack.release(user)
            history = clusters.history(release)
            live = bool(history) and history[-1].info.status != "uninstalled"
            if user not in going and release.installed and (live or user in installing):
                problems.append(f"{release_id} cannot be uninstalled: {user} needs it and stays installed; "
                                f"uninstall {user} too (installed: false) or keep {release_id}")
    if problems:
        raise StackError("\n".join(problems))


def used_clusters(clusters: Clusters, plans: list[ReleasePlan]) -> list[dict[str, str]]:
    """The cluster of every kube context the plan's releases live in, each once."""
    found: list[dict[str, str]] = []
    for context in sorted({plan.kube_context for plan in plans}, key=str):
        cluster = clusters.describe(context)
        if cluster not in found:
            found.append(cluster)
    return found


def _stack_plan(stack: Stack, clusters: Clusters, plans: list[ReleasePlan],
                run_in_progress: LockHolder | None = None) -> Plan:
    """The plan of ``plans`` with what apply verifies besides the releases: the files read, the clusters, and
    the other run holding the stack lock if one did."""
    from engine.stack.inputs import stack_inputs

    return Plan(stack.name, stack.environment, os.path.abspath(stack.path), plans, inputs=stack_inputs(stack),
                clusters=used_clusters(clusters, plans),
                locked_by=run_in_progress.to_dict() if run_in_progress else None)


def make_destroy_plan(stack: Stack, clusters: Clusters, selectors: tuple[str, ...] = ()) -> Plan:
    """Uninstalls of the stack's installed releases (the selected ones and everything that needs them, never
    what they need; without selectors also those removed from the stack), from their records alone: nothing is
    rendered, so no secret is needed."""
    graph = build_graph(stack)
    chosen = select(graph, selectors, include_needs=False, include_dependents=True)
    selected = set(select(graph, selectors, include_needs=False).nodes)
    plans = []
    for release_id in nx.lexicographical_topological_sort(chosen):
        release = graph.nodes[release_id]["release"]
        history = clusters.history(release)
        for record in history:
            register_record_secrets(record.config, record.labels)
        last = history[-1] if history else None
        needs = sorted(chosen.predecessors(release_id))
        plan = _with_record(stack, ReleasePlan(release.id, release.name, release.namespace, "unchanged",
                                               needs=needs, kube_context=release.kube_context), last)
        if last is None or last.info.status == "uninstalled":
            plan.reasons = ["not installed"]
        else:
            plan.action, plan.chart, plan.version_from = "uninstall", last.chart_name, last.chart_version
            plan.reasons = ["destroy"] if release_id in selected else [
                f"needs {', '.join(needs)}, which {'is' if len(needs) == 1 else 'are'} destroyed"]
        plans.append(plan)
    if not selectors:
        plans += _orphans(stack, clusters, {r.id for r in stack.releases})
    return _stack_plan(stack, clusters, plans)


def _crd_edges(rendered: dict[str, Any]) -> list[tuple[str, str]]:
    """(provider, user) pairs: a release whose objects are custom resources of a CRD another release
    brings (in crds/ or its templates) must come after that release."""
    from engine.action.apply import manifest_objects

    provided: dict[tuple[str, str], str] = {}
    for release_id, desired in rendered.items():
        texts = [crd.text for crd in desired.crds] + [m.content for m in desired.manifests
                                                      if m.head.kind == "CustomResourceDefinition"]
        for obj in (o for text in texts for o in manifest_objects(text)):
            if obj.get("kind") == "CustomResourceDefinition":
                spec = obj.get("spec") or {}
                provided[(spec.get("group", ""), (spec.get("names") or {}).get("kind", ""))] = release_id
    edges = set()
    for release_id, desired in rendered.items():
        for head in (m.head for m in desired.manifests if m.head.kind):  # what sorting read of each object
            provider = provided.get((head.api_version.rpartition("/")[0], head.kind))
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
              detect_drift: bool = False, report: Callable[[str], None] = lambda line: None, context: int = 3,
              run_in_progress: LockHolder | None = None) -> tuple[Plan, dict[str, Any]]:
    """The plan of the selected releases (in dependency order, CRD providers before their users) plus, for a
    whole-stack plan, uninstalls of releases removed from the stack; and the rendered desired state of each
    release to install or upgrade. Uninstalling a release that a release staying installed needs is refused.
    ``run_in_progress``: another live run holds the stack lock; the plan says so, and apply refuses it."""
    from engine.stack.hooks import describe, run_hooks

    whole = build_graph(stack)
    graph = select(whole, selectors, include_needs)
    run_hooks(stack.hooks, "prepare", hook_context(stack), report)
    order = [graph.nodes[release_id]["release"] for release_id in nx.lexicographical_topological_sort(graph)]
    charts: dict[str, Any] = {}

    def prepare(release: ReleaseSpec) -> _Prepared:
        run_hooks(release.hooks, "prepare", hook_context(stack, release), report)
        try:
            return _prepare_release(stack, release, clusters.history(release), charts)
        except (StackError, *OPERATION_ERRORS) as exc:
            return _Prepared(release, error=exc)

    # a release's prepare hooks may make what the next release needs: those are planned one by one
    hooked = any("prepare" in hook.events for release in order for hook in release.hooks)
    processes = 1 if hooked else render_processes(len(order))
    planned, rendered = {}, {}
    with contextlib.ExitStack() as cleanup:
        if processes > 1:  # every release prepared first, rendered by workers while the first are finished
            preparations = [prepare(release) for release in order]
            jobs = [p.job for p in preparations if p.job is not None]
            results = cleanup.enter_context(contextlib.closing(rendered_in_order(stack, jobs, clusters, processes)))

            def render(_prepared: _Prepared) -> Rendered:
                return next(results)  # the jobs' results come in the order of the preparations
        else:
            preparations = (prepare(release) for release in order)

            def render(prepared: _Prepared) -> Rendered:
                return render_job(stack, prepared.job, clusters.for_release(prepared.release))
        for prepared in preparations:
            release = prepared.release
            if prepared.error is not None:
                raise prepared.error
            result = render(prepared) if prepared.job is not None else None
            planned[release.id] = prepared.base if result is None else _finish_release(
                stack, prepared, result, clusters.for_release(release), detect_drift, context,
                run_in_progress.identity if run_in_progress else "")
            planned[release.id].hooks = describe(release_hooks(stack, release), ("presync", "postsync", "cleanup"))
            if result is not None:
                rendered[release.id] = result.release
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
    _check_removals(stack, clusters, whole, plans)
    return _stack_plan(stack, clusters, plans, run_in_progress), rendered

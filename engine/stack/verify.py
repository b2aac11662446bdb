"""One check of a whole plan before apply changes anything: the files it was made from, the clusters it was
made against, every release record it relied on and every manifest it would apply must be as they were when
planned. A plan that differs in anything is refused with every difference named, and nothing is written."""
from __future__ import annotations

from typing import Any

from engine.stack.errors import StackError
from engine.stack.inputs import changed_inputs
from engine.stack.model import Stack
from engine.stack.clusters import Clusters
from engine.stack.plan import Plan, ReleasePlan, manifest_digest, record_digest
from engine.stack.planner import used_clusters
from engine.stack.rendering import RenderJob, render_processes, rendered_in_order

RENDERED_ACTIONS = ("install", "upgrade", "recover")


def _record_changes(plan: ReleasePlan, clusters: Clusters) -> list[str]:
    """How the release's latest record differs from the one planned against (read afresh by verify_plan)."""
    history = clusters.records(plan.kube_context, plan.namespace, plan.name)
    last = history[-1] if history else None
    if last is None:
        return [f"{plan.id} was removed since planning (planned at revision {plan.revision})"] if plan.revision else []
    if last.version != plan.revision:
        planned = f"planned at {plan.revision}" if plan.revision else "not installed when planned"
        return [f"{plan.id} is at revision {last.version}, {planned}"]
    if last.info.status != plan.status:
        return [f"{plan.id} revision {last.version} is {last.info.status} now, {plan.status} when planned"]
    if record_digest(last) != plan.record_digest:
        return [f"{plan.id}'s record (revision {last.version}) was rewritten since planning"]
    return []


def _render_changes(stack: Stack, plans: list[ReleasePlan], clusters: Clusters) -> list[str]:
    """Which of the ``plans`` no longer render the manifest that was planned (a repository chart, or what the
    templates look up in the cluster, may have changed while the stack's own files did not); rendered in
    worker processes when there are many, as planning does."""
    import contextlib

    from engine.stack.charts import load_release_chart
    from engine.stack.values import release_values

    charts: dict[str, Any] = {}
    jobs: dict[str, RenderJob] = {}
    releases = {release.id: release for release in stack.releases}
    for plan in plans:
        if plan.id in releases:
            release = releases[plan.id]
            jobs[plan.id] = RenderJob(release, load_release_chart(stack, release, charts),
                                      release_values(stack, release), plan.revision + 1,
                                      upgrade=plan.action != "install")
    changes = []
    results = rendered_in_order(stack, list(jobs.values()), clusters, render_processes(len(jobs)))
    with contextlib.closing(results):
        for plan in plans:
            if plan.id not in jobs:
                changes.append(f"{plan.id} is no longer a release of the stack")
            elif manifest_digest(next(results).release.manifest) != plan.manifest_digest:
                changes.append(f"{plan.id} renders a different manifest than planned (a chart or the cluster "
                               "changed)")
    return changes


def _clusters_shown(clusters: list[dict[str, str]]) -> str:
    return ", ".join(f"{c['context']} at {c['server']}" for c in clusters) or "no cluster"


def verify_plan(stack: Stack, plan: Plan, clusters: Clusters, take_ownership: bool = False) -> None:
    """Raise StackError naming every way ``plan`` no longer matches the files and the clusters, and every
    release it would change that another stack or environment owns (unless ``take_ownership``)."""
    changes = changed_inputs(stack, plan.inputs)
    now = used_clusters(clusters, plan.releases)
    if now != plan.clusters:
        changes.append(f"the kubeconfig now reaches {_clusters_shown(now)}, the plan was made against "
                       f"{_clusters_shown(plan.clusters)}")
    clusters.forget_records()  # what planning read is what is checked: read it again, one list per namespace
    for release in plan.releases:
        changes += _record_changes(release, clusters)
    if not changes:  # what the files and records explain is not reported again as a different rendering
        changes += _render_changes(stack, [r for r in plan.releases if r.action in RENDERED_ACTIONS], clusters)
    if changes:
        raise StackError("the plan is stale: " + "; ".join(changes) + "; plan again")
    owned = [f"{r.id} ({r.conflict})" for r in plan.releases if r.conflict and r.action != "unchanged"]
    if owned and not take_ownership:
        raise StackError(f"refusing to change releases this stack and environment do not own: {', '.join(owned)}; "
                         "pass --take-ownership to take them over")

"""One check of a whole plan before apply changes anything: the files it was made from, the clusters it was
made against, every release record it relied on and every manifest it would apply must be as they were when
planned. A plan that differs in anything is refused with every difference named, and nothing is written."""
from __future__ import annotations

from engine.stack.errors import StackError
from engine.stack.inputs import changed_inputs
from engine.stack.model import Stack
from engine.stack.clusters import Clusters
from engine.stack.plan import Plan, ReleasePlan, manifest_digest, record_digest
from engine.stack.planner import used_clusters
from engine.stack.rendering import render_release

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


def _render_changes(stack: Stack, plan: ReleasePlan, clusters: Clusters) -> list[str]:
    """Whether the release still renders the manifest that was planned (a repository chart, or what the
    templates look up in the cluster, may have changed while the stack's own files did not)."""
    from engine.stack.charts import load_release_chart
    from engine.stack.values import release_values

    try:
        release = stack.release(plan.id)
    except KeyError:
        return [f"{plan.id} is no longer a release of the stack"]
    rendered = render_release(stack, release, clusters.config(plan.kube_context, plan.namespace),
                              load_release_chart(stack, release), release_values(stack, release), plan.revision + 1,
                              upgrade=plan.action != "install")
    if manifest_digest(rendered.manifest) != plan.manifest_digest:
        return [f"{plan.id} renders a different manifest than planned (a chart or the cluster changed)"]
    return []


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
        for release in plan.releases:
            if release.action in RENDERED_ACTIONS:
                changes += _render_changes(stack, release, clusters)
    if changes:
        raise StackError("the plan is stale: " + "; ".join(changes) + "; plan again")
    owned = [f"{r.id} ({r.conflict})" for r in plan.releases if r.conflict and r.action != "unchanged"]
    if owned and not take_ownership:
        raise StackError(f"refusing to change releases this stack and environment do not own: {', '.join(owned)}; "
                         "pass --take-ownership to take them over")

"""The dependency graph of a stack's releases (networkx), selections, and pictures of it."""
from __future__ import annotations

from typing import Iterable

import networkx as nx

from engine.stack.errors import StackError
from engine.stack.model import ReleaseSpec, Stack


def _resolve_need(stack: Stack, release: ReleaseSpec, need: str) -> str:
    if "/" in need:
        if any(r.id == need for r in stack.releases):
            return need
        candidates = []
    else:
        same_namespace = [r for r in stack.releases if r.name == need and r.namespace == release.namespace]
        candidates = same_namespace or [r for r in stack.releases if r.name == need]
        if len(candidates) == 1:
            return candidates[0].id
    where = release.where
    if len(candidates) > 1:
        ids = ", ".join(sorted(r.id for r in candidates))
        raise StackError(f"{where}: release {release.id} needs {need!r}, which is ambiguous ({ids}); "
                         "write it as namespace/name")
    raise StackError(f"{where}: release {release.id} needs {need!r}, which is not a release of this stack")


def build_graph(stack: Stack) -> nx.DiGraph:
    """A DAG with an edge need → release for every ``needs`` entry; raises StackError on cycles."""
    graph = nx.DiGraph()
    for release in stack.releases:
        graph.add_node(release.id, release=release)
    for release in stack.releases:
        for need in release.needs:
            graph.add_edge(_resolve_need(stack, release, need), release.id)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return graph
    path = " -> ".join([edge[0] for edge in cycle] + [cycle[0][0]])
    steps = [f"{graph.nodes[user]['release'].where}: {user} needs {need}" for need, user in cycle]
    raise StackError(f"the releases' needs form a cycle: {path}; remove one of these needs:\n" + "\n".join(steps))


def _matches(release: ReleaseSpec, selector: str) -> bool:
    """``key=value`` / ``key!=value`` over the release's labels and its name, namespace and chart."""
    labels = {**release.labels, "name": release.name, "namespace": release.namespace, "chart": release.chart}
    for term in selector.split(","):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        else:
            raise StackError(f"invalid selector {term!r}: use key=value or key!=value")
    return True


def select(graph: nx.DiGraph, selectors: Iterable[str], include_needs: bool = True,
           include_dependents: bool = False) -> nx.DiGraph:
    """The subgraph of releases matching any selector (each a comma-separated AND of terms), plus the releases
    they need (``include_needs``) and those that need them (``include_dependents``); a selector matching no
    release is an error naming what there is to select."""
    selectors = list(selectors)
    if not selectors:
        return graph
    chosen: set[str] = set()
    for selector in selectors:
        matched = {node for node, data in graph.nodes(data=True) if _matches(data["release"], selector)}
        if not matched:
            raise StackError(_no_match(graph, selector))
        chosen |= matched
    for node in list(chosen):
        if include_needs:
            chosen |= nx.ancestors(graph, node)
        if include_dependents:
            chosen |= nx.descendants(graph, node)
    return graph.subgraph(chosen).copy()


def _no_match(graph: nx.DiGraph, selector: str, shown: int = 20) -> str:
    """Which selector matched nothing, and (the first of) the releases and labels there are."""
    releases = [data["release"] for _node, data in sorted(graph.nodes(data=True))]
    labels = sorted({f"{key}={value}" for release in releases for key, value in release.labels.items()})

    def some(items: list[str]) -> str:
        more = f" and {len(items) - shown} more" if len(items) > shown else ""
        return (", ".join(items[:shown]) + more) or "none"

    return (f"selector {selector} matches no release of the stack (releases: {some([r.id for r in releases])}; "
            f"labels: {some(labels)}; name, namespace and chart can be selected too)")


def render_text(graph: nx.DiGraph) -> str:
    """One line per release in a valid apply order, with what it needs."""
    lines = []
    for node in nx.lexicographical_topological_sort(graph):
        needs = sorted(graph.predecessors(node))
        lines.append(f"{node}" + (f"  <- needs {', '.join(needs)}" if needs else ""))
    return "\n".join(lines) + ("\n" if lines else "")


def render_dot(graph: nx.DiGraph, name: str) -> str:
    """Graphviz DOT (edges point from a release to what needs it)."""
    out = [f'digraph "{name}" {{', "  rankdir=LR;"]
    out += [f'  "{node}";' for node in sorted(graph.nodes)]
    out += [f'  "{a}" -> "{b}";' for a, b in sorted(graph.edges)]
    return "\n".join(out) + "\n}\n"


def render_mermaid(graph: nx.DiGraph) -> str:
    """A Mermaid flowchart."""
    ids = {node: f"r{i}" for i, node in enumerate(sorted(graph.nodes))}
    out = ["flowchart LR"]
    out += [f'  {ids[node]}["{node}"]' for node in sorted(graph.nodes)]
    out += [f"  {ids[a]} --> {ids[b]}" for a, b in sorted(graph.edges)]
    return "\n".join(out) + "\n"

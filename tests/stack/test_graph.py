"""The release graph: needs, cycles, selections and pictures."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.stack.errors import StackError
from engine.stack.graph import build_graph, render_dot, render_mermaid, render_text, select
from engine.stack.loader import load_stack


def stack(tmp_path: Path, releases: str):
    path = tmp_path / "stack.yaml"
    path.write_text("name: s\nreleases:\n" + releases)
    return load_stack(str(path))


RELEASES = """\
  - {name: db, chart: c, namespace: data, labels: {tier: data}}
  - {name: cache, chart: c, labels: {tier: data}}
  - {name: api, chart: c, needs: [db, cache], labels: {tier: app}}
  - {name: web, chart: c, needs: [api], labels: {tier: web}}
"""


def test_needs_become_edges_and_text_lists_an_apply_order(tmp_path: Path) -> None:
    graph = build_graph(stack(tmp_path, RELEASES))
    assert set(graph.edges) == {("data/db", "default/api"), ("default/cache", "default/api"),
                                ("default/api", "default/web")}
    lines = render_text(graph).splitlines()
    assert lines.index("default/api  <- needs data/db, default/cache") < lines.index("default/web  <- needs default/api")


def test_cycle_is_named(tmp_path: Path) -> None:
    with pytest.raises(StackError, match=r"cycle: default/a -> default/b -> default/a"):
        build_graph(stack(tmp_path, "  - {name: a, chart: c, needs: [b]}\n  - {name: b, chart: c, needs: [a]}\n"))


def test_unknown_need_is_named_with_its_line(tmp_path: Path) -> None:
    with pytest.raises(StackError, match=r"stack.yaml:4: release default/b needs 'nope', which is not a release"):
        build_graph(stack(tmp_path, "  - {name: a, chart: c}\n  - {name: b, chart: c, needs: [nope]}\n"))


def test_selection_includes_needs_unless_told_otherwise(tmp_path: Path) -> None:
    graph = build_graph(stack(tmp_path, RELEASES))
    assert set(select(graph, ["tier=app"]).nodes) == {"default/api", "data/db", "default/cache"}
    assert set(select(graph, ["tier=app"], include_needs=False).nodes) == {"default/api"}
    assert set(select(graph, ["tier=data,namespace!=data"]).nodes) == {"default/cache"}
    assert set(select(graph, ["name=web", "name=db"], include_needs=False).nodes) == {"default/web", "data/db"}


def test_dot_and_mermaid_show_every_edge(tmp_path: Path) -> None:
    graph = build_graph(stack(tmp_path, RELEASES))
    assert '"default/api" -> "default/web";' in render_dot(graph, "s")
    mermaid = render_mermaid(graph)
    assert mermaid.startswith("flowchart LR") and mermaid.count("-->") == 3

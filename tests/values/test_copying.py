"""The copy coalescing works on: changing it never changes the chart's or the user's values."""
from __future__ import annotations

from engine.gotemplate.gotypes import Int64, StrList
from engine.values.coalesce import coalesce_values
from engine.values.copying import copy_values


def test_a_copy_is_equal_and_shares_no_map_or_list() -> None:
    shared = {"port": 80}
    original = {"a": {"b": [1, 2.5, {"c": None}], "d": True}, "s": "text", "x": shared, "y": shared}
    copied = copy_values(original)
    assert copied == original
    copied["a"]["b"][2]["c"] = "changed"
    copied["a"]["b"].append(3)
    copied["x"]["port"] = 81
    assert original == {"a": {"b": [1, 2.5, {"c": None}], "d": True}, "s": "text", "x": shared, "y": shared}
    assert shared == {"port": 80}


def test_go_typed_values_keep_their_type() -> None:
    copied = copy_values({"n": Int64(3), "list": StrList(["a", "b"])})
    assert type(copied["n"]) is Int64 and copied["n"] == 3
    assert type(copied["list"]) is StrList and copied["list"] == ["a", "b"]


def test_coalescing_leaves_user_values_as_they_were(tmp_path) -> None:
    from engine.chart.loader import load_chart

    chart_dir = tmp_path / "demo"
    (chart_dir / "templates").mkdir(parents=True)
    (chart_dir / "Chart.yaml").write_text("apiVersion: v2\nname: demo\nversion: 0.1.0\n")
    (chart_dir / "values.yaml").write_text("image:\n  tag: '1'\n  pullPolicy: Always\nremoved: {a: 1}\n")
    user = {"image": {"tag": "2"}, "removed": None}
    values = coalesce_values(load_chart(str(chart_dir)), user)
    assert values == {"image": {"tag": "2", "pullPolicy": "Always"}}
    assert user == {"image": {"tag": "2"}, "removed": None}

"""Every stack error is one message with file:line, in words, with a suggestion where one can be made."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.stack.errors import StackError
from engine.stack.graph import build_graph
from engine.stack.loader import load_stack

DEMO = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"


def _error(tmp_path: Path, text: str, environment: str | None = None) -> str:
    (tmp_path / "stack.yaml").write_text(text)
    with pytest.raises(StackError) as caught:
        build_graph(load_stack(str(tmp_path / "stack.yaml"), environment))
    return str(caught.value).replace(str(tmp_path) + "/", "")


def test_unknown_keys_suggest_the_known_one(tmp_path) -> None:
    text = f"name: m\nreleases:\n  - name: web\n    chart: {DEMO}\n    wiat: true\n"
    assert _error(tmp_path, text) == "invalid stack file:\nstack.yaml:5: releases.0.wiat: unknown field 'wiat'; " \
                                     "did you mean 'wait'?"


def test_a_secret_from_env_and_file_is_one_problem(tmp_path) -> None:
    text = f"name: m\nreleases:\n  - name: web\n    chart: {DEMO}\n    secretValues:\n      t: {{env: X, file: y}}\n"
    assert _error(tmp_path, text) == ("invalid stack file:\nstack.yaml:6: releases.0.secretValues.t: a secret value "
                                      "comes from env or from file, not both: keep one")


def test_yaml_mistakes_are_explained(tmp_path) -> None:
    message = _error(tmp_path, f"name: m\nreleases:\n  - name: web\n    chart: {DEMO}\n   needs: [a]\n")
    assert message.startswith("stack.yaml:5: invalid YAML: the indentation of this line does not fit the lines "
                              "above it")
    message = _error(tmp_path, "name: m\nreleases:\n  - name: a: b\n")
    assert message.startswith("stack.yaml:3: invalid YAML: a ': ' starts a key here; quote the value")


def test_environments_suggest_the_closest(tmp_path) -> None:
    text = f"name: m\nenvironments: {{dev: {{}}, prod: {{}}}}\nreleases:\n  - {{name: a, chart: {DEMO}}}\n"
    assert _error(tmp_path, text, "prd") == 'stack.yaml: environment "prd" is not defined (environments: dev, ' \
                                            'prod); did you mean prod?'


def test_a_cycle_names_each_need_with_its_line(tmp_path) -> None:
    text = (f"name: m\nreleases:\n  - {{name: a, chart: {DEMO}, needs: [b]}}\n"
            f"  - {{name: b, chart: {DEMO}, needs: [a]}}\n")
    message = _error(tmp_path, text)
    assert message.startswith("the releases' needs form a cycle: default/a -> default/b -> default/a; remove one "
                              "of these needs:\n")
    assert "stack.yaml:3: default/a needs default/b" in message and "stack.yaml:4: default/b needs default/a" in message


def test_a_chart_that_is_neither_a_path_nor_a_repository(tmp_path, monkeypatch) -> None:
    from engine.stack.charts import chart_path

    monkeypatch.setenv("HELM_CONFIG_HOME", str(tmp_path / "helm"))
    (tmp_path / "stack.yaml").write_text("name: m\nrepositories:\n  - {name: shop, url: 'http://127.0.0.1:1'}\n"
                                         "releases:\n  - {name: a, chart: shpo/demo}\n")
    stack = load_stack(str(tmp_path / "stack.yaml"))
    with pytest.raises(StackError) as caught:
        chart_path(stack, stack.releases[0])
    assert str(caught.value) == (f"{tmp_path}/stack.yaml:5: release default/a: chart shpo/demo: there is no path "
                                 f"{tmp_path}/shpo/demo, and 'shpo' is no repository of the stack (shop) or of "
                                 "helm (none); did you mean shop/demo?")

"""A stack split over several files (``-f DIR``) and releases sharing settings through ``templates:``."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.stack.errors import StackError
from engine.stack.loader import load_stack

DEMO = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"

BASE = f"""apiVersion: pyhelm/v1
name: split
defaults: {{namespace: apps}}
templates:
  service:
    chart: {DEMO}
    wait: true
    values: {{service: {{port: 8080}}}}
  small:
    values: {{replicaCount: 1}}
environments:
  dev:
    releases:
      web: {{values: {{replicaCount: 2}}}}
"""
APPS = """releases:
  - name: web
    inherit: [service, small]
    values: {image: {tag: "1.0"}}
  - name: worker
    inherit: [service]
    wait: false
"""
DATA = """releases:
  - name: cache
    chart: ../cache-chart
"""


@pytest.fixture
def split(tmp_path) -> Path:
    stack = tmp_path / "stack.d"
    stack.mkdir()
    (stack / "00-base.yaml").write_text(BASE)
    (stack / "10-apps.yaml").write_text(APPS)
    (stack / "20-data.yml").write_text(DATA)
    (stack / "README.md").write_text("not a stack file\n")
    return stack


def test_a_directory_is_one_stack_in_name_order(split) -> None:
    stack = load_stack(str(split), "dev")
    assert stack.name == "split" and [r.name for r in stack.releases] == ["web", "worker", "cache"]
    web, worker, cache = stack.releases
    assert web.chart == str(DEMO) and web.wait and not worker.wait and web.namespace == "apps"
    assert web.values == [{"service": {"port": 8080}}, {"replicaCount": 1}, {"image": {"tag": "1.0"}},
                          {"replicaCount": 2}]  # templates in order, then its own, then the environment's
    assert web.where == f"{split / '10-apps.yaml'}:2" and cache.where == f"{split / '20-data.yml'}:2"
    assert stack.base_dir == str(split)  # relative charts and files are taken from the directory


def test_names_are_unique_across_files(split) -> None:
    (split / "30-more.yaml").write_text("releases:\n  - name: web\n    chart: x\n    namespace: apps\n")
    with pytest.raises(StackError, match=rf"{split / '30-more.yaml'}:2: release apps/web is defined twice "
                                         rf"\(first at {split / '10-apps.yaml'}:2\)"):
        load_stack(str(split), "dev")


def test_a_stack_has_one_name_and_one_definition_of_each_environment(split) -> None:
    (split / "30-other.yaml").write_text("name: other\nreleases: []\n")
    with pytest.raises(StackError, match=r"30-other.yaml:1: name: differs from .*00-base.yaml:2; a stack has one"):
        load_stack(str(split), "dev")
    (split / "30-other.yaml").write_text("environments:\n  dev: {}\n")
    with pytest.raises(StackError, match="environment dev is defined in both .*00-base.yaml and .*30-other.yaml"):
        load_stack(str(split), "dev")


def test_inheriting_an_unknown_template_or_no_chart_is_refused(split) -> None:
    (split / "10-apps.yaml").write_text(APPS.replace("[service, small]", "[servise]"))
    with pytest.raises(StackError, match=r"10-apps.yaml:2: inherit: template 'servise' is not defined; did you "
                                         r"mean service\?"):
        load_stack(str(split), "dev")
    (split / "10-apps.yaml").write_text("releases:\n  - name: web\n    inherit: [small]\n")
    with pytest.raises(StackError, match=r"10-apps.yaml:2: release web has no chart: set chart, or inherit a "
                                         "template that sets one"):
        load_stack(str(split), "dev")


def test_an_override_of_a_release_the_stack_lacks_names_its_line(split) -> None:
    (split / "10-apps.yaml").write_text(APPS.replace("name: web", "name: webb"))
    with pytest.raises(StackError, match=r"00-base.yaml:14: environments.dev.releases.web: overrides release web, "
                                         r"which the stack does not define; did you mean webb\?"):
        load_stack(str(split), "dev")


def test_each_file_is_validated_with_its_own_lines(split) -> None:
    (split / "20-data.yml").write_text(DATA + "    wiat: true\n")
    with pytest.raises(StackError, match=r"20-data.yml:4: releases.0.wiat: unknown field 'wiat'"):
        load_stack(str(split), "dev")

"""Loading stack files: schema errors with file and line, environments, defaults and overrides, templating."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from engine.stack.errors import StackError
from engine.stack.loader import load_stack

STACK = textwrap.dedent("""\
    apiVersion: pyhelm/v1
    name: shop
    defaults:
      namespace: shop
      timeout: 2m
      labels: {team: web}
    environments:
      staging:
        kubeContext: staging-ctx
        values: {domain: staging.example.com, replicas: 1}
        releases:
          web:
            version: 1.2.0
            values: {replicaCount: 1}
      prod:
        values: {domain: example.com, replicas: 3}
        defaults: {wait: true, atomic: true}
        releases:
          web:
            version: 1.1.0
    releases:
      - name: db
        chart: ./charts/db
        namespace: data
      - name: web
        chart: ./charts/web
        version: 1.0.0
        needs: [db]
        values:
          host: "web.{{ env.values.domain }}"
          replicaCount: {{ env.values.replicas }}
        set: {image.tag: "2.1"}
        secretValues:
          auth.password: {env: WEB_PASSWORD}
    """)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    return str(path)


def test_environment_overrides_layer_over_release_and_defaults(tmp_path: Path) -> None:
    stack = load_stack(write(tmp_path, STACK), "prod")
    web = stack.release("shop/web")
    assert (web.version, web.wait, web.atomic, web.timeout, web.labels) == ("1.1.0", True, True, 120.0, {"team": "web"})
    assert web.values == [{"host": "web.example.com", "replicaCount": 3}]
    assert stack.release("data/db").namespace == "data"


def test_staging_values_and_context(tmp_path: Path) -> None:
    stack = load_stack(write(tmp_path, STACK), "staging")
    web = stack.release("shop/web")
    assert web.kube_context == "staging-ctx"
    assert web.values == [{"host": "web.staging.example.com", "replicaCount": 1}, {"replicaCount": 1}]
    assert web.secret_values["auth.password"].env == "WEB_PASSWORD"


def test_unknown_environment_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(StackError, match=r'environment "qa" is not defined \(environments: prod, staging\)'):
        load_stack(write(tmp_path, STACK), "qa")


def test_schema_error_names_file_line_and_field(tmp_path: Path) -> None:
    text = STACK.replace("    version: 1.0.0\n", "    version: 1.0.0\n    wiat: true\n")
    path = write(tmp_path, text)
    line = text.splitlines().index("    wiat: true") + 1
    with pytest.raises(StackError, match=rf"{path}:{line}: releases\.1\.wiat: unknown field 'wiat'"):
        load_stack(path, "prod")


def test_bad_release_name_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "name: s\nreleases:\n  - name: Bad_Name\n    chart: x\n")
    with pytest.raises(StackError, match=r"stack.yaml:3: releases\.0\.name: 'Bad_Name' does not have the expected form"):
        load_stack(path)


def test_undefined_template_variable_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "name: s\nreleases:\n  - name: a\n    chart: '{{ env.values.nope }}'\n")
    with pytest.raises(StackError, match="template error"):
        load_stack(path, None)


def test_duplicate_release_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "name: s\nreleases:\n  - name: a\n    chart: x\n  - name: a\n    chart: y\n")
    with pytest.raises(StackError, match=r"stack.yaml:5: release default/a is defined twice \(first at line 3\)"):
        load_stack(path)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: s\nreleases:\n  - name: a\n   chart: [\n")
    with pytest.raises(StackError, match=r"stack.yaml:4: invalid YAML"):
        load_stack(path)

"""``pyhelm validate``: a whole stack rendered and checked without a cluster, as a CI step before any plan."""
from __future__ import annotations

import contextlib
import gc
import io
from pathlib import Path

import pytest

from engine.cli.main import main

CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets, singular: widget}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: string, enum: [small, large]}
                count: {type: integer, minimum: 1}
                port: {x-kubernetes-int-or-string: true}
                note: {type: string, nullable: true}
"""

CHARTS = {
    "widgets": {"crds/widget.yaml": CRD},
    "app": {"templates/deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {{ .Values.replicas }}
  {{- if .Values.typo }}
  replica: 2
  {{- end }}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx
          ports: [{containerPort: {{ .Values.port }}}]
""", "templates/widget.yaml": """{{- if .Capabilities.APIVersions.Has "example.com/v1" }}
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  size: {{ .Values.size }}
  count: {{ .Values.count }}
  port: http
  note: null
  token: {{ .Values.token | quote }}
{{- end }}
""", "templates/gadget.yaml": """{{- if .Values.gadget }}
apiVersion: gadgets.example.com/v1
kind: Gadget
metadata: {name: g}
{{- end }}
""", "values.yaml": "replicas: 1\nport: 80\nsize: small\ncount: 1\ntypo: false\ngadget: false\ntoken: ''\n"},
}

STACK = """apiVersion: pyhelm/v1
name: checked
defaults: {namespace: apps}
environments:
  good: {}
  bad:
    releases:
      app:
        values: {replicas: three, port: web-port, size: medium, count: 0}
  loose:
    releases:
      app:
        values: {typo: true, gadget: true}
releases:
  - name: widgets
    chart: ./widgets
  - name: app
    chart: ./app
    needs: [widgets]
    secretValues:
      token: {env: CHECKED_TOKEN}
"""


def pyhelm(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = main(list(args))
    gc.enable()
    return status, out.getvalue()


@pytest.fixture
def stack(tmp_path, monkeypatch) -> str:
    """A stack of a CRD-providing release and an app, with no cluster, no kubeconfig and no secret set."""
    for chart, files in CHARTS.items():
        (tmp_path / chart / "Chart.yaml").parent.mkdir(parents=True)
        (tmp_path / chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {chart}\nversion: 1.0.0\n")
        for rel, text in files.items():
            (tmp_path / chart / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / chart / rel).write_text(text)
    (tmp_path / "stack.yaml").write_text(STACK)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "no-such-kubeconfig"))
    monkeypatch.delenv("CHECKED_TOKEN", raising=False)
    return str(tmp_path / "stack.yaml")


def test_a_valid_stack_passes_without_cluster_or_secrets(stack) -> None:
    status, out = pyhelm("validate", "-f", stack, "-e", "good")
    assert status == 0, out
    assert "apps/app: 2 object(s), ok" in out  # the Widget rendered: the stack's CRD API version is known
    assert "Validated 2 release(s), 3 object(s) against Kubernetes 1.36: no problems." in out


def test_each_problem_names_release_template_object_and_field(stack) -> None:
    status, out = pyhelm("validate", "-f", stack, "-e", "bad")
    assert status == 1
    lines = [line.strip() for line in out.splitlines()]
    assert "apps/app: app/templates/deployment.yaml: Deployment web: spec.replicas: 'three' is not of type " \
           "'integer', 'null'" in lines
    assert any(line.startswith("apps/app: app/templates/deployment.yaml: Deployment web: "
                               "spec.template.spec.containers[0].ports[0].containerPort: 'web-port' is not of type")
               for line in lines), out
    assert "apps/app: app/templates/widget.yaml: Widget w: spec.size: 'medium' is not one of ['small', 'large']" \
        in lines
    assert "apps/app: app/templates/widget.yaml: Widget w: spec.count: 0 is less than the minimum of 1" in lines
    assert "4 problem(s)." in out


def test_strict_refuses_unknown_fields_and_kinds_without_schema(stack) -> None:
    status, out = pyhelm("validate", "-f", stack, "-e", "loose")
    assert status == 0 and "warning: app/templates/gadget.yaml: Gadget g: no schema for Gadget" in out
    status, out = pyhelm("validate", "-f", stack, "-e", "loose", "--strict")
    assert status == 1
    assert "Deployment web: spec: Additional properties are not allowed ('replica' was unexpected)" in out
    assert "Widget w: spec: Additional properties are not allowed ('token' was unexpected)" in out
    assert "error: app/templates/gadget.yaml: Gadget g: no schema for Gadget" in out


def test_an_unsupported_kubernetes_version_is_refused(stack) -> None:
    status, out = pyhelm("validate", "-f", stack, "-e", "good", "--kube-version", "1.2")
    assert status == 1 and "Error: no Kubernetes schemas for version 1.2: the oldest available is 1." in out

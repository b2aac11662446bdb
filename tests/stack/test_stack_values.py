"""A stack release's values (files, inline values, ``set`` keys with escaped dots) render as helm v4.1.4 renders
the same values given as a values file: numbers are float64 at every depth, ``\\.`` keeps a dot in a key."""
from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from engine.render.pipeline import RenderOptions, render_release
from engine.stack.charts import load_release_chart
from engine.stack.loader import load_stack
from engine.stack.values import release_values

TEMPLATE = ("out: '{{ toJson .Values }}|{{ typeOf .Values.num }}|{{ typeOf .Values.nested.m }}"
            "|{{ typeOf (index .Values.list 0) }}|{{ typeOf .Values.deep.key }}|{{ typeOf .Values.fromFile }}'\n")
STACK = textwrap.dedent("""\
    apiVersion: pyhelm/v1
    name: typed
    releases:
      - name: app
        namespace: ns
        chart: ./c
        valuesFiles: [values.yaml]
        values:
          num: 1
          nested: {m: 2, s: text}
          list: [3, [4]]
        set:
          'a\\.b': dotted
          '\\.lead': leading dot
          deep.key: 5
    """)
# the same values as one values file, for helm
EQUIVALENT = textwrap.dedent("""\
    fromFile: 6
    num: 1
    nested: {m: 2, s: text}
    list: [3, [4]]
    a.b: dotted
    .lead: leading dot
    deep: {key: 5}
    """)


def _chart(tmp_path: Path) -> None:
    chart = tmp_path / "c"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "out.yaml").write_text(TEMPLATE)


def test_stack_values_render_as_the_same_values_file_does_with_helm(tmp_path: Path, helm) -> None:
    _chart(tmp_path)
    (tmp_path / "values.yaml").write_text("fromFile: 6\n")
    (tmp_path / "stack.yaml").write_text(STACK)
    stack = load_stack(str(tmp_path / "stack.yaml"))
    release = stack.release("ns/app")
    rendered = render_release(load_release_chart(stack, release), release_values(stack, release),
                              RenderOptions(release_name="app", namespace="ns"))
    ours = "".join(manifest.content for manifest in rendered.manifests)
    (tmp_path / "equivalent.yaml").write_text(EQUIVALENT)
    theirs = subprocess.run([helm, "template", "app", str(tmp_path / "c"), "-n", "ns", "-f",
                             str(tmp_path / "equivalent.yaml"), "--show-only", "templates/out.yaml"],
                            capture_output=True, text=True, check=True).stdout
    assert ours.strip() == theirs.split("\n", 2)[2].strip()  # helm's output starts with ---, # Source: …
    assert "|float64|float64|float64|float64|float64'" in ours

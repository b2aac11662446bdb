"""``bases:``: a stack file builds on shared stack files (environments, defaults, templates, releases), as
helmfile's bases do; they are read before it, are part of what a saved plan is checked against, and every
mistake in listing them is one clear error."""
from __future__ import annotations

from pathlib import Path

from engine.sandbox import Sandbox
from stack.test_plan_apply import pyhelm

DEMO = Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo"

ENVIRONMENTS = """environments:
  dev: {values: {replicas: 1}}
  prod: {values: {replicas: 3}, defaults: {namespace: prod}}
defaults: {namespace: shared}
"""
TEMPLATES = f"""bases: [environments.yaml]
templates:
  demo: {{chart: {DEMO}, labels: {{tier: web}}}}
releases:
  - name: common
    inherit: [demo]
"""
STACK = """apiVersion: pyhelm/v1
name: built
bases: [common/templates.yaml]
releases:
  - name: web
    inherit: [demo]
    values:
      replicaCount: {{ env.values.replicas }}
"""


def _stack(tmp_path: Path, stack: str = STACK) -> Path:
    (tmp_path / "common").mkdir(exist_ok=True)
    (tmp_path / "common" / "environments.yaml").write_text(ENVIRONMENTS)
    (tmp_path / "common" / "templates.yaml").write_text(TEMPLATES)
    (tmp_path / "stack.yaml").write_text(stack)
    return tmp_path / "stack.yaml"


def test_a_stack_takes_environments_defaults_templates_and_releases_from_its_bases(tmp_path) -> None:
    stack = _stack(tmp_path)
    status, out, err = pyhelm("graph", "-f", str(stack), "-e", "prod")
    assert status == 0, err
    assert out == "prod/common\nprod/web\n"
    status, out, err = pyhelm("graph", "-f", str(stack), "-e", "dev", "-l", "tier=web")
    assert status == 0 and out == "shared/common\nshared/web\n", err
    status, out, err = pyhelm("validate", "-f", str(stack), "-e", "prod")
    assert status == 0, out + err
    from engine.stack.loader import environment_names, load_stack
    from engine.stack.values import release_values

    assert environment_names(str(stack)) == ["dev", "prod"]
    loaded = load_stack(str(stack), "prod")
    assert release_values(loaded, loaded.release("prod/web")) == {"replicaCount": 3}
    assert loaded.files == [str(tmp_path / "common" / "environments.yaml"), str(tmp_path / "common" /
                                                                            "templates.yaml"), str(stack)]


def test_mistakes_in_bases_are_one_clear_error(tmp_path) -> None:
    stack = _stack(tmp_path)
    cases = {
        "bases: [common/missing.yaml]": f"{stack}: bases: common/missing.yaml: no such file (relative to {tmp_path})",
        "bases: common/templates.yaml": f"{stack}:3: bases: must be a list of stack file paths",
        "bases: [stack.yaml]": f"{stack}: bases: stack.yaml is a base of itself",
        "bases: [common/templates.yaml, common/environments.yaml]":
            f"{tmp_path / 'common' / 'environments.yaml'} is part of the stack twice (as a base of "
            f"{tmp_path / 'common' / 'templates.yaml'} and as a base of {stack}); list it once",
    }
    for bases, message in cases.items():
        stack.write_text(STACK.replace("bases: [common/templates.yaml]", bases))
        status, out, err = pyhelm("graph", "-f", str(stack), "-e", "dev")
        assert status == 1 and out == "" and err.startswith(f"Error: {message}"), (bases, err)
        assert "Traceback" not in err
    (tmp_path / "common" / "environments.yaml").write_text("bases: [templates.yaml]\n" + ENVIRONMENTS)
    stack.write_text(STACK)
    status, _out, err = pyhelm("graph", "-f", str(stack), "-e", "dev")
    assert status == 1 and "is a base of itself (through " in err, err
    stack.write_text(STACK + "  - name: common\n    inherit: [demo]\n")
    (tmp_path / "common" / "environments.yaml").write_text(ENVIRONMENTS)
    status, _out, err = pyhelm("graph", "-f", str(stack), "-e", "dev")
    assert status == 1 and "release shared/common is defined twice (first at " in err and "templates.yaml:" in err


def test_a_saved_plan_is_refused_once_a_base_changed(tmp_path, monkeypatch) -> None:
    stack = _stack(tmp_path)
    with Sandbox(ready=True) as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        monkeypatch.setenv("HOME", str(tmp_path))
        saved = tmp_path / "plan.json"
        assert pyhelm("plan", "-f", str(stack), "-e", "dev", "--out", str(saved))[0] == 0
        (tmp_path / "common" / "environments.yaml").write_text(ENVIRONMENTS.replace("replicas: 1", "replicas: 2"))
        status, out, err = pyhelm("apply", str(saved))
        assert status == 1 and "environments.yaml changed since planning" in err, out + err
        assert sandbox.store.items(("", "secrets"), "shared") == []

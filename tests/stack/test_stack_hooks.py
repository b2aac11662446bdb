"""Stack hooks run around a run and around each release, show their output, and a failing one stops what it
guards as a failed release does."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

from test_plan_apply import pyhelm, record_labels, shop  # noqa: F401

from engine.sandbox import Sandbox

LOG_HOOK = f"""      - events: [{{events}}]
        command: {sys.executable}
        args: ["-c", "import os,sys; open('hooks.log','a').write(os.environ['PYHELM_EVENT'] + ' ' + os.environ['PYHELM_RELEASE'] + '\\\\n'); print('said ' + os.environ['PYHELM_EVENT']); sys.exit(int(os.environ.get('HOOK_FAIL_' + os.environ['PYHELM_EVENT'], '0')))"]
"""


def _with_hooks(stack: str) -> Path:
    text = Path(stack).read_text()
    api_hooks = "    hooks:\n" + "".join(LOG_HOOK.format(events=e) for e in ("prepare", "presync", "postsync",
                                                                               "cleanup"))
    text = text.replace("    secretValues:\n      config.apiToken: {env: SHOP_API_TOKEN}\n",
                        "    secretValues:\n      config.apiToken: {env: SHOP_API_TOKEN}\n" + api_hooks)
    stack_hooks = "hooks:\n" + LOG_HOOK.format(events="cleanup").replace("      - ", "  - ").replace(
        "        ", "    ")
    Path(stack).write_text(text.replace("releases:\n  - name: cache", stack_hooks + "releases:\n  - name: cache"))
    return Path(stack).parent / "hooks.log"


def test_hooks_run_in_order_and_their_output_is_shown(shop) -> None:  # noqa: F811
    _sandbox, stack = shop
    log = _with_hooks(stack)
    status, out, err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 0, err
    assert "hooks: presync: " in out and "postsync: " in out and "[shop/api" not in out
    assert "[api prepare hook" in err and "said prepare" in err  # on stderr: -o json stays a document
    assert log.read_text() == "prepare api\n"
    status, out, err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 0, out + err
    assert log.read_text().splitlines()[1:] == ["prepare api", "presync api", "postsync api", "cleanup api",
                                                "cleanup "]
    assert "shop/api: [api presync hook" in out and "said presync" in out


def test_a_failing_presync_fails_the_release_and_skips_its_dependents(shop, monkeypatch) -> None:  # noqa: F811
    sandbox, stack = shop
    log = _with_hooks(stack)
    monkeypatch.setenv("HOOK_FAIL_presync", "3")
    status, out, _err = pyhelm("apply", "-f", stack, "-e", "staging", "--auto-approve")
    assert status == 1
    assert "api presync hook" in out and "failed with exit status 3" in out
    assert "shop/web: skipped: needs shop/api, which did not complete" in out
    assert record_labels(sandbox, "shop", "api") == {}  # nothing applied
    assert "cleanup api" in log.read_text()  # cleanup ran all the same


def test_a_failing_prepare_stops_the_plan(shop, monkeypatch) -> None:  # noqa: F811
    _sandbox, stack = shop
    _with_hooks(stack)
    monkeypatch.setenv("HOOK_FAIL_prepare", "1")
    status, _out, err = pyhelm("plan", "-f", stack, "-e", "staging")
    assert status == 1 and "api prepare hook" in err and "failed with exit status 1" in err
    assert "Traceback" not in err


ENV_HOOK = f"""- events: [prepare]
  command: {sys.executable}
  args: ["-c", "import os; print(' '.join(k + '=' + os.environ[k] for k in ('PYHELM_STACK', 'PYHELM_ENVIRONMENT', 'PYHELM_EVENT', 'PYHELM_RELEASE', 'PYHELM_NAMESPACE', 'PYHELM_KUBE_CONTEXT')))"]
"""


def test_hooks_are_told_where_they_run_and_nothing_where_nothing_is_set(tmp_path, monkeypatch) -> None:
    """No environment chosen, no kube context, a stack-level hook: those variables are set and empty."""
    shutil.copytree(Path(__file__).resolve().parents[2] / "examples" / "charts" / "demo", tmp_path / "demo")
    indented = "".join("      " + line + "\n" for line in ENV_HOOK.splitlines())
    (tmp_path / "stack.yaml").write_text("apiVersion: pyhelm/v1\nname: envs\nhooks:\n"
                                         + "".join("  " + line + "\n" for line in ENV_HOOK.splitlines())
                                         + "releases:\n  - name: app\n    namespace: apps\n    chart: ./demo\n"
                                         + "    hooks:\n" + indented)
    with Sandbox(ready=True) as sandbox:
        monkeypatch.setenv("KUBECONFIG", str(sandbox.write_kubeconfig(tmp_path / "kubeconfig")))
        monkeypatch.setenv("HOME", str(tmp_path))
        status, _out, err = pyhelm("plan", "-f", str(tmp_path / "stack.yaml"))
    assert status == 0, err
    told = [line.split("] ", 1)[1] for line in err.splitlines() if "prepare hook" in line]
    assert told == ["PYHELM_STACK=envs PYHELM_ENVIRONMENT= PYHELM_EVENT=prepare PYHELM_RELEASE= PYHELM_NAMESPACE= "
                    "PYHELM_KUBE_CONTEXT=",
                    "PYHELM_STACK=envs PYHELM_ENVIRONMENT= PYHELM_EVENT=prepare PYHELM_RELEASE=app "
                    "PYHELM_NAMESPACE=apps PYHELM_KUBE_CONTEXT="]

"""Hooks of an event run in weight order, ties by name — as helm runs them — even where their names sort
the other way (the lifecycle chart's names sort like their weights, so it cannot tell)."""
from __future__ import annotations

from release_records import PYHELM, run, write_chart

# (name, weight annotation or None) in document order: neither the names nor the document order is the weight
# order, and the two of weight 0 come in reverse name order
HOOKS = [("d-zero", "0"), ("a-heavy", "10"), ("c-unweighted", None), ("b-light", "-10"), ("e-minus-three", "-3")]
RUN_ORDER = ["b-light", "e-minus-three", "c-unweighted", "d-zero", "a-heavy"]
EVENTS = ("pre-install", "post-install", "pre-upgrade", "post-upgrade")


def _hooks_yaml() -> str:
    documents = []
    for event in EVENTS:
        for name, weight in HOOKS:
            annotations = f"    helm.sh/hook: {event}\n"
            if weight is not None:
                annotations += f'    helm.sh/hook-weight: "{weight}"\n'
            documents.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {event}-{name}\n  annotations:\n"
                             f"{annotations}data:\n  revision: \"{{{{ .Release.Revision }}}}\"\n")
    return "---\n".join(documents)


def _creation_order(sandbox, namespace: str, event: str) -> list[str]:
    """The hook ConfigMaps of ``event`` in the order the API server stored them (last write first to last)."""
    items = [o for o in sandbox.store.items(("", "configmaps"), namespace)
             if o["metadata"]["name"].startswith(event + "-")]
    items.sort(key=lambda o: int(o["metadata"]["resourceVersion"]))
    return [o["metadata"]["name"].removeprefix(event + "-") for o in items]


def test_hooks_run_by_weight_then_name_as_helms_do(cluster, helm, tmp_path) -> None:
    sandbox, env = cluster
    chart = write_chart(tmp_path, "order", {"hooks.yaml": _hooks_yaml()})
    for namespace, tool in (("ours", PYHELM), ("theirs", [helm])):
        for argv in (["install", "rel", str(chart), "--create-namespace"], ["upgrade", "rel", str(chart)]):
            result = run([*tool, *argv, "-n", namespace], env)
            assert result.returncode == 0, result.stderr
    for event in EVENTS:
        assert _creation_order(sandbox, "theirs", event) == RUN_ORDER, event  # what helm does
        assert _creation_order(sandbox, "ours", event) == RUN_ORDER, event

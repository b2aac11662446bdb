"""`pyhelm stack push` puts a stack directory in an OCI registry; a Stack pinned to its digest is applied
by the controller, and a tag moved elsewhere is refused."""
from __future__ import annotations

import re

from harness import stack_file, wait_for

from engine.cli.main import main


def _push(path, remote: str, capsys) -> str:
    assert main(["stack", "push", str(path), remote, "--plain-http"]) == 0
    out = capsys.readouterr().out
    return re.search(r"Digest: (sha256:[0-9a-f]{64})", out).group(1)


def test_a_pushed_stack_is_reproducible_and_applied_by_digest(cluster, registry, tmp_path, capsys) -> None:
    source = tmp_path / "stack"
    (source / "values").mkdir(parents=True)
    (source / "values" / "front.yaml").write_text("replicaCount: 2\n")
    (source / "stack.yaml").write_text(stack_file({"front": {}}).replace(
        "  values: {}", "  valuesFiles: [values/front.yaml]"))
    digest = _push(source / "stack.yaml", f"oci://{registry}/stacks/web:1.0.0", capsys)
    assert _push(source / "stack.yaml", f"oci://{registry}/stacks/web:again", capsys) == digest  # same bytes

    cluster.start_controller()
    cluster.namespace("apps")
    cluster.stack("apps", "web", {"source": {"oci": {"url": f"oci://{registry}/stacks/web:1.0.0", "digest": digest,
                                                     "plainHTTP": True}}})
    status = cluster.wait_ready("apps", "web")
    assert status["lastAppliedDigest"] == digest
    deployment = cluster.sandbox.store.get(("apps", "deployments"), "team-a", "front-demo")
    assert deployment["spec"]["replicas"] == 2

    (source / "values" / "front.yaml").write_text("replicaCount: 4\n")
    moved = _push(source / "stack.yaml", f"oci://{registry}/stacks/web:1.0.0", capsys)
    assert moved != digest
    refused = wait_for(lambda: (c := cluster.condition("apps", "web", "Ready")).get("reason") == "SourceUnavailable"
                       and c, "the moved tag to be refused")
    assert f"not the pinned {digest}" in refused["message"]
    assert cluster.revision("team-a", "front") == (1, "deployed")


def test_push_refuses_what_it_cannot_push(tmp_path, capsys) -> None:
    assert main(["stack", "push", str(tmp_path / "nothing.yaml"), "oci://127.0.0.1:1/x:1"]) == 1
    assert "no such file or directory" in capsys.readouterr().err
    assert main(["stack", "push", str(tmp_path), "127.0.0.1:1/x:1"]) == 1
    assert 'scheme prefix missing' in capsys.readouterr().err

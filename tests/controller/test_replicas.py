"""Several controller replicas: one leader per shard reconciles; a leader killed with SIGKILL is replaced
within the lease duration; shards split the Stacks; no release ends with two deployed revisions or a
pending latest one."""
from __future__ import annotations

import datetime as dt
import time

from harness import assert_sound_histories, stack_file, wait_for

LEASE_SECONDS = 3  # harness.FAST's --lease-duration


def _holder(cluster, shard: str = "default") -> str:
    lease = cluster.sandbox.store.get(("coordination.k8s.io", "leases"), "default", f"pyhelm-controller-{shard}")
    return ((lease or {}).get("spec") or {}).get("holderIdentity") or ""


def _identity(controller) -> str:
    return next(line["identity"] for line in controller.logs() if line.get("msg") == "controller started")


def _stacks(cluster, count: int, shard: str = "") -> list[str]:
    cluster.namespace("apps")
    names = []
    for n in range(count):
        name = f"s{shard}{n}"
        cluster.config_map("apps", f"{name}-files", {"stack.yaml": stack_file({"app": {}}, namespace=f"ns-{name}",
                                                                              name=name)})
        cluster.stack("apps", name, {"source": {"configMap": {"name": f"{name}-files"}}},
                      labels={"pyhelm.dev/shard": shard} if shard else None)
        names.append(name)
    return names


def test_one_of_three_replicas_reconciles_and_a_killed_leader_is_replaced(cluster) -> None:
    replicas = [cluster.start_controller() for _ in range(3)]
    names = _stacks(cluster, 2)
    for name in names:
        cluster.wait_ready("apps", name)
    leader = next(r for r in replicas if _identity(r) == _holder(cluster))
    assert leader.reconciled() == {f"apps/{name}" for name in names}
    assert all(r.reconciled() == set() for r in replicas if r is not leader)

    leader.process.kill()
    killed_at = time.monotonic()
    new_identity = wait_for(lambda: (h := _holder(cluster)) not in ("", _identity(leader)) and h,
                            "another replica to take the Lease", LEASE_SECONDS * 3)
    assert time.monotonic() - killed_at <= LEASE_SECONDS + 2  # the lease duration plus a retry period's slack
    successor = next(r for r in replicas if _identity(r) == new_identity)
    cluster.config_map("apps", "s0-files", {"stack.yaml": stack_file({"app": {"replicaCount": 2}}, namespace="ns-s0",
                                                                     name="s0")})
    wait_for(lambda: cluster.revision("ns-s0", "app") == (2, "deployed"), "the successor to upgrade")
    assert "apps/s0" in successor.reconciled()
    assert_sound_histories(cluster, [(f"ns-{name}", "app") for name in names])


def test_shards_split_the_stacks_between_replicas(cluster) -> None:
    shard_a = [cluster.start_controller("--shard", "a") for _ in range(2)]
    shard_b = cluster.start_controller("--shard", "b")
    in_a, in_b = _stacks(cluster, 2, "a"), _stacks(cluster, 2, "b")
    for name in in_a + in_b:
        cluster.wait_ready("apps", name)
    leader_a = next(r for r in shard_a if _identity(r) == _holder(cluster, "a"))
    assert leader_a.reconciled() == {f"apps/{name}" for name in in_a}
    assert all(r.reconciled() == set() for r in shard_a if r is not leader_a)
    assert shard_b.reconciled() == {f"apps/{name}" for name in in_b}
    assert _holder(cluster, "b") == _identity(shard_b)


def test_a_renewed_lease_is_never_taken_over(cluster) -> None:
    replicas = [cluster.start_controller() for _ in range(2)]
    leader_identity = wait_for(lambda: _holder(cluster), "a leader")
    lease = cluster.sandbox.store.get(("coordination.k8s.io", "leases"), "default", "pyhelm-controller-default")
    first_renewal = lease["spec"]["renewTime"]
    wait_for(lambda: dt.datetime.fromisoformat(cluster.sandbox.store.get(
        ("coordination.k8s.io", "leases"), "default", "pyhelm-controller-default")["spec"]["renewTime"].rstrip("Z"))
        > dt.datetime.fromisoformat(first_renewal.rstrip("Z")) + dt.timedelta(seconds=LEASE_SECONDS * 2),
        "renewals over two lease durations", LEASE_SECONDS * 4)
    assert _holder(cluster) == leader_identity
    assert sum(1 for r in replicas if any(line.get("msg") == "became leader" for line in r.logs())) == 1

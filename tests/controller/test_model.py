"""The Stack model, stack artifacts' packing, the work queue and back-off: the parts a reconciliation
relies on, each with the failures it must name."""
from __future__ import annotations

import io
import tarfile
import threading

import pytest

from engine.controller.artifact import pack_directory, unpack_into
from engine.controller.loop import LoopOptions, backoff
from engine.controller.resource import SpecError, parse_stack
from engine.controller.workqueue import WorkQueue
from engine.registry.errors import RegistryError


def _stack(**spec) -> dict:
    return {"metadata": {"name": "web", "namespace": "apps", "generation": 3},
            "spec": {"source": {"configMap": {"name": "files"}}, **spec}}


def test_a_stack_spec_becomes_the_model() -> None:
    stack = parse_stack(_stack(interval="2m", driftDetection="warn", serviceAccountName="deployer", prune=False,
                               environment="prod", retries=2))
    assert (stack.key, stack.generation, stack.interval, stack.drift_detection, stack.prune, stack.retries) == (
        "apps/web", 3, 120.0, "warn", False, 2)
    assert stack.impersonated_user == "system:serviceaccount:apps:deployer"
    assert parse_stack(_stack()).impersonated_user == ""
    assert (parse_stack(_stack(timeout="90s")).timeout, parse_stack(_stack()).timeout) == (90.0, None)


def test_the_stack_timeout_limits_every_release_operation(tmp_path) -> None:
    from engine.controller.reconciler import with_timeout
    from engine.stack.loader import load_stack

    chart = tmp_path / "chart"
    chart.mkdir()
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (tmp_path / "stack.yaml").write_text("apiVersion: pyhelm/v1\nname: s\nreleases:\n"
                                         "  - {name: a, namespace: n, chart: ./chart, timeout: 10m}\n"
                                         "  - {name: b, namespace: n, chart: ./chart}\n")
    stack = load_stack(str(tmp_path / "stack.yaml"), None)
    assert [r.timeout for r in stack.releases] == [600.0, 300.0]
    assert [r.timeout for r in with_timeout(stack, 45.0).releases] == [45.0, 45.0]
    assert [r.timeout for r in with_timeout(load_stack(str(tmp_path / "stack.yaml"), None), None).releases] == [
        600.0, 300.0]


@pytest.mark.parametrize("spec, message", [
    ({"interval": "soon"}, 'spec.interval: "soon" is not a duration'),
    ({"interval": "0s"}, "spec.interval: must be more than 0"),
    ({"driftDetection": "fix"}, 'spec.driftDetection: "fix" is not one of correct, warn, off'),
    ({"retries": -1}, "spec.retries: must be a whole number"),
    ({"timeout": "forever"}, 'spec.timeout: "forever" is not a duration'),
    ({"source": {}}, "spec.source: set exactly one of configMap.name and oci.url"),
    ({"source": {"oci": {"url": "https://r/x"}}}, 'spec.source.oci.url: "https://r/x" is not an oci://'),
])
def test_an_unusable_spec_names_its_field(spec, message) -> None:
    with pytest.raises(SpecError, match=message.replace("(", r"\(")):
        parse_stack(_stack(**spec))


def test_packing_is_reproducible_and_unpacking_stays_inside(tmp_path) -> None:
    (tmp_path / "src" / "values").mkdir(parents=True)
    (tmp_path / "src" / "stack.yaml").write_text("name: web\n")
    (tmp_path / "src" / "values" / "a.yaml").write_text("a: 1\n")
    (tmp_path / "src" / ".git").mkdir()
    (tmp_path / "src" / ".git" / "HEAD").write_text("ref\n")
    packed = pack_directory(str(tmp_path / "src"))
    assert pack_directory(str(tmp_path / "src")) == packed
    unpack_into(packed, str(tmp_path / "out"))
    assert (tmp_path / "out" / "values" / "a.yaml").read_text() == "a: 1\n"
    assert not (tmp_path / "out" / ".git").exists()

    hostile = io.BytesIO()
    with tarfile.open(fileobj=hostile, mode="w:gz") as archive:
        info = tarfile.TarInfo("../escaped")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(RegistryError, match="not a file inside it"):
        unpack_into(hostile.getvalue(), str(tmp_path / "out2"))
    assert not (tmp_path / "escaped").exists()
    with pytest.raises(RegistryError, match="not a readable tar"):
        unpack_into(b"not a tarball", str(tmp_path / "out3"))


def test_back_off_doubles_up_to_its_cap_and_the_interval() -> None:
    options = LoopOptions(backoff_base=1.0, backoff_cap=10.0)
    assert [backoff(n, options, 300.0) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert backoff(5, options, 3.0) == 3.0


def test_the_queue_hands_a_key_to_one_worker_at_a_time() -> None:
    queue = WorkQueue()
    queue.add("a")
    assert queue.get() == "a"
    queue.add("a")  # while a worker holds it
    taken: list[str | None] = []
    waiter = threading.Thread(target=lambda: taken.append(queue.get()))
    waiter.start()
    waiter.join(0.3)
    assert taken == [] and waiter.is_alive()
    queue.done("a")
    waiter.join(5)
    assert taken == ["a"]
    queue.close()
    assert queue.get() is None


def test_cluster_slots_bound_the_stacks_working_on_one_cluster() -> None:
    from engine.controller.slots import ClusterSlots

    slots, inside, most = ClusterSlots(1), {"a": 0, "b": 0}, {"a": 0, "b": 0}
    lock, both_clusters_at_once = threading.Lock(), threading.Event()

    def work(cluster: str) -> None:
        with slots.hold([cluster]):
            with lock:
                inside[cluster] += 1
                most[cluster] = max(most[cluster], inside[cluster])
                if inside["a"] and inside["b"]:
                    both_clusters_at_once.set()
            both_clusters_at_once.wait(2)  # another cluster's Stack gets in meanwhile
            with lock:
                inside[cluster] -= 1

    threads = [threading.Thread(target=work, args=(c,)) for c in "aabb"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert most == {"a": 1, "b": 1} and both_clusters_at_once.is_set()
    with ClusterSlots(0).hold(["a"]), ClusterSlots(0).hold(["a"]):  # 0: no limit
        pass

"""Rendering a stack's releases as install or upgrade would: in the planning process, or — for many releases
on a machine with more than one CPU — in worker processes (rendering is CPU-bound Python, which threads do
not spread over CPUs). Workers render exactly what the planning process would: the same function, with the
capabilities the planning process discovered (one discovery per cluster) and ``lookup`` through a connection
of their own, made only when a chart looks something up."""
from __future__ import annotations

import dataclasses
import os
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from engine.stack.errors import StackError
from engine.stack.model import ReleaseSpec, Stack
from engine.stack.plan import ENVIRONMENT_LABEL, STACK_LABEL, record_digest
from engine.stack.secrets import secret_path_labels, secret_paths

PROCESSES_ENV = "PYHELM_RENDER_PROCESSES"  # 1: render in the planning process; N: in N worker processes
PARALLEL_FROM = 24  # releases: for fewer, starting workers costs more than it saves
MAX_PROCESSES = 8


def stack_labels(stack: Stack) -> dict[str, str]:
    """The labels that mark a release record as installed by this stack and environment."""
    return {STACK_LABEL: stack.name, ENVIRONMENT_LABEL: stack.environment or "default"}


def release_options(stack: Stack, release: ReleaseSpec, dry_run: str = "none"):
    """The install/upgrade options a stack release asks for."""
    from engine.action.install import ReleaseOptions

    return ReleaseOptions(
        namespace=release.namespace, create_namespace=release.create_namespace, dry_run=dry_run,
        description=release.description,
        labels={**release.labels, **stack_labels(stack), **secret_path_labels(secret_paths(stack, release))},
        no_hooks=release.disable_hooks, timeout=release.timeout, take_ownership=release.take_ownership,
        skip_crds=release.skip_crds, skip_schema_validation=release.skip_schema_validation,
        history_max=release.history_max, force_conflicts=release.force, wait=release.wait,
        wait_for_jobs=release.wait_for_jobs, rollback_on_failure=release.atomic,
        cleanup_on_fail=release.cleanup_on_fail, reset_values=True)


def render_release(stack: Stack, release: ReleaseSpec, config, chart: Any, values: dict[str, Any], revision: int,
                   upgrade: bool) -> Any:
    """The release's desired state rendered against the cluster, as install or upgrade would render it."""
    from engine.action.config import ActionError
    from engine.action.install import render

    try:
        return render(config, chart, values, release.name, release_options(stack, release, "server"), revision,
                      upgrade=upgrade)
    except ActionError as exc:
        raise StackError(f"{release.where}: release {release.id}: {exc}") from None


@dataclass
class RenderJob:
    """One release to render: what render_release takes besides the cluster."""

    release: ReleaseSpec
    chart: Any
    values: dict[str, Any]
    revision: int
    upgrade: bool
    record: Any = None  # the latest stored record: its digest is computed where the release renders


@dataclass
class Rendered:
    """A job done: the release's desired state, and the digest of its latest stored record ('' for none)."""

    release: Any
    record_digest: str


def render_job(stack: Stack, job: RenderJob, config) -> Rendered:
    """The CPU-bound work of planning one release, the same in the planning process and in a worker."""
    return Rendered(render_release(stack, job.release, config, job.chart, job.values, job.revision, job.upgrade),
                    "" if job.record is None else record_digest(job.record))


def render_processes(releases: int) -> int:
    """How many processes render ``releases`` releases: PYHELM_RENDER_PROCESSES when set, else one per CPU
    this process may use (at most MAX_PROCESSES) when there are PARALLEL_FROM releases or more, else 1."""
    text = os.environ.get(PROCESSES_ENV, "").strip()
    if text:
        if not text.isdigit() or int(text) < 1:
            raise StackError(f"{PROCESSES_ENV}={text!r}: not a number of processes (1 renders in this process)")
        return int(text)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cpus, MAX_PROCESSES) if releases >= PARALLEL_FROM else 1


class _LookupOnlyCluster:
    """The cluster as a worker's rendering sees it (``config.kube``): the planning process's capabilities,
    and ``lookup`` through a client connected on first use (most charts never look anything up)."""

    def __init__(self, capabilities: Any, connect: Callable[[], Any]):
        self._capabilities, self._connect, self._client = capabilities, connect, None

    @property
    def kube(self) -> "_LookupOnlyCluster":
        return self

    def capabilities(self) -> Any:
        return self._capabilities

    def lookup(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
        if self._client is None:
            self._client = self._connect()
        return self._client.lookup(api_version, kind, namespace, name)


_worker: dict[str, Any] = {}  # a worker process's stack, jobs and clusters (set by _start_worker)


def _start_worker(stack: Stack, jobs: list[RenderJob], kubeconfig: str | None, context: str | None,
                  capabilities: dict[str | None, Any]) -> None:
    """Set up a worker: Ctrl-C is the planning process's to handle; the jobs (charts loaded once) are kept."""
    import signal

    from engine.gotemplate.parallel_compile import compile_in_this_process_only
    from engine.stack.clusters import Clusters

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    compile_in_this_process_only()  # the pool already has a worker per CPU
    _worker.update(stack=stack, jobs=jobs, capabilities=capabilities, clusters=Clusters(kubeconfig, context),
                   views={})


def _render_in_worker(index: int) -> Rendered:
    """Do job ``index``; the result leaves out the chart, which the planning process already has."""
    job: RenderJob = _worker["jobs"][index]
    release = job.release
    key = (release.kube_context, release.namespace)
    if key not in _worker["views"]:
        _worker["views"][key] = _LookupOnlyCluster(
            _worker["capabilities"][release.kube_context],
            lambda: _worker["clusters"].config(release.kube_context, release.namespace).kube)
    result = render_job(_worker["stack"], job, _worker["views"][key])
    result.release = dataclasses.replace(result.release, chart=None)
    return result


class RenderPool:
    """Worker processes doing ``jobs``; ``result(index)`` is job ``index``'s result, or raises what rendering
    it raised (a failed render names its release, as in process)."""

    def __init__(self, processes: int, stack: Stack, jobs: list[RenderJob], clusters: Any):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        capabilities = {job.release.kube_context: None for job in jobs}
        for context in capabilities:
            capabilities[context] = _capabilities_or_none(clusters, context)
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None  # workers inherit the jobs
        self._jobs = jobs
        self._executor = ProcessPoolExecutor(  # no more workers than jobs (none start before a job is submitted)
            max(1, min(processes, len(jobs))), multiprocessing.get_context(method), initializer=_start_worker,
            initargs=(stack, jobs, clusters.kubeconfig, clusters.context, capabilities))
        self._futures: list[Future] = [self._executor.submit(_render_in_worker, i) for i in range(len(jobs))]

    def result(self, index: int) -> Rendered:
        from concurrent.futures.process import BrokenProcessPool

        try:
            result = self._futures[index].result()
        except BrokenProcessPool:
            raise StackError(f"a render worker process ended abruptly (out of memory?); set {PROCESSES_ENV}=1 "
                             "to render in the planning process") from None
        result.release = dataclasses.replace(result.release, chart=self._jobs[index].chart)
        return result

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "RenderPool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def rendered_in_order(stack: Stack, jobs: list[RenderJob], clusters: Any, processes: int) -> Iterator[Rendered]:
    """Each job's result in the order of ``jobs``: done in this process (``processes`` 1), else by that many
    worker processes (close the iterator to stop them early)."""
    if processes <= 1:
        for job in jobs:
            yield render_job(stack, job, clusters.for_release(job.release))
        return
    with RenderPool(processes, stack, jobs, clusters) as pool:
        for index in range(len(jobs)):
            yield pool.result(index)


def _capabilities_or_none(clusters: Any, context: str | None) -> Any:
    """The capabilities of a kube context's cluster, as install.render finds them (None: offline defaults)."""
    try:
        return clusters.config(context, "default").kube.capabilities()
    except Exception:  # a cluster without discovery still renders, with offline capabilities (as install.render)
        return None

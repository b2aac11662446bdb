"""A large chart's first render compiles its templates on every CPU: forked workers fill the code cache.

Parsing, generating and compiling a chart the size of kube-prometheus-stack takes over a second on one core,
and a CI runner starts with an empty cache on every run. Before a template set is parsed, the templates whose
code is not cached yet are shared out by size among forked copies of this process; each compiles its share
into the disk cache, the parent compiles its own, and once the workers are done the ordinary parse loads
their code. Nothing else changes: a template that fails to parse is skipped by the workers and reported by
the ordinary parse, and a worker that dies only leaves its share to be compiled by the parent then.

Forking is skipped where it cannot help or is unsafe: no disk cache, one CPU, no ``os.fork``, little to
compile, a process that is itself one of a pool of workers, or other threads running (a fork copies their
locks in whatever state they are in).
"""
from __future__ import annotations

import os
import signal
import threading
from typing import TYPE_CHECKING

from engine.gotemplate.code_cache import STORE, is_cached

if TYPE_CHECKING:
    from engine.gotemplate.template_set import TemplateSet

MIN_PARALLEL_BYTES = 192 * 1024  # template text below which a fork costs more than it saves
MAX_WORKERS = 8
_allowed = [True]  # False in a process that is already one of several workers

Source = tuple[str, str]  # (template name, text)


def precompile(templates: "TemplateSet", sources: list[Source]) -> int:
    """Compile the uncached ``sources`` into the code cache on all CPUs; returns the workers forked."""
    workers = min(_cpus(), MAX_WORKERS)
    if workers < 2 or not _allowed[0] or not hasattr(os, "fork") or threading.active_count() > 1 \
            or STORE.directory() is None:
        return 0
    if sum(len(text) for _, text in sources) < MIN_PARALLEL_BYTES:
        return 0  # a small chart: not worth looking for its entries twice
    signature = templates.signature()
    missing = [(name, text) for name, text in sources if not is_cached(name, text, signature)]
    if sum(len(text) for _, text in missing) < MIN_PARALLEL_BYTES:
        return 0
    templates.prepare_compiling()  # imported before forking: a child never takes the import lock
    own, *shares = _shares(missing, workers)
    children = [pid for pid in (_fork_worker(templates, share) for share in shares) if pid]
    try:
        _compile_all(templates, own)
    finally:
        for pid in children:
            _wait(pid)
    return len(children)


def compile_in_this_process_only() -> None:
    """Never fork compile workers from this process (it is one of a pool that already uses every CPU)."""
    _allowed[0] = False


def _fork_worker(templates: "TemplateSet", share: list[Source]) -> int:
    """Fork a worker compiling ``share``; 0 when the fork failed (the parent compiles it later)."""
    try:
        pid = os.fork()
    except OSError:
        return 0
    if pid:
        return pid
    status = 1
    try:  # the worker: killed by the signals that stop the run, never returns into the caller's code
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_DFL)
        _compile_all(templates, share)
        status = 0
    finally:
        os._exit(status)  # no Python buffers flushed: what the parent wrote stays written once


def _compile_all(templates: "TemplateSet", share: list[Source]) -> None:
    from engine.gotemplate.errors import TemplateError

    for name, text in share:
        try:
            templates.compile_to_cache(name, text)
        except (TemplateError, RecursionError, MemoryError):  # the ordinary parse reports it
            continue


def _wait(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _shares(sources: list[Source], count: int) -> list[list[Source]]:
    """``sources`` in ``count`` shares of about equal text size (largest first, each to the lightest share)."""
    shares: list[list[Source]] = [[] for _ in range(count)]
    sizes = [0] * count
    for source in sorted(sources, key=lambda item: len(item[1]), reverse=True):
        lightest = sizes.index(min(sizes))
        shares[lightest].append(source)
        sizes[lightest] += len(source[1])
    return shares


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1

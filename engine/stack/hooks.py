"""Stack hooks: commands run around a stack's work, as helmfile's hooks are.

Events: ``prepare`` (before planning; stack-level hooks once, a release's before that release is planned),
``presync`` and ``postsync`` (before and after a release is applied), ``cleanup`` (after a release's apply
whatever happened, and stack-level hooks at the end of the run). A command runs with its arguments and no
shell unless ``shell: true`` asks for one, in the stack's directory, with PYHELM_* variables saying where it
runs; its output is reported line by line (through the redactor, as all output is); a failure stops what it
guards as a failed release does."""
from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass, field
from typing import Callable

from engine import cancellation
from engine.stack.errors import StackError

EVENTS = ("prepare", "presync", "postsync", "cleanup")
DEFAULT_TIMEOUT = 600.0
POLL_SECONDS = 0.1  # how often a running hook's timeout and the run's cancellation are checked
Report = Callable[[str], None]


@dataclass(frozen=True)
class StackHook:
    events: tuple[str, ...]
    command: str
    args: tuple[str, ...] = ()
    shell: bool = False
    timeout: float = DEFAULT_TIMEOUT
    where: str = ""  # file:line of its definition

    def describe(self, events: tuple[str, ...] = EVENTS) -> str:
        shown = self.command if self.shell else " ".join([self.command, *self.args])
        taken = [event for event in self.events if event in events]
        return f"{','.join(taken)}: {shown}{' (shell)' if self.shell else ''}"


@dataclass
class HookContext:
    """Where a hook runs: the stack, its environment and (for a release's hooks) the release."""

    stack: str
    environment: str | None
    base_dir: str
    release: str = ""
    namespace: str = ""
    kube_context: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def environ(self, event: str) -> dict[str, str]:
        values = {"PYHELM_STACK": self.stack, "PYHELM_ENVIRONMENT": self.environment or "",
                  "PYHELM_EVENT": event, "PYHELM_RELEASE": self.release, "PYHELM_NAMESPACE": self.namespace,
                  "PYHELM_KUBE_CONTEXT": self.kube_context or ""}
        return {**os.environ, **values, **self.extra}


def run_hooks(hooks: list[StackHook], event: str, context: HookContext, report: Report) -> None:
    """Run, in order, the hooks that take ``event``; the first that fails raises StackError."""
    for hook in hooks:
        if event in hook.events:
            _run(hook, event, context, report)


def describe(hooks: list[StackHook], events: tuple[str, ...]) -> list[str]:
    """How a plan lists the hooks that will run for ``events``."""
    return [hook.describe(events) for hook in hooks if set(hook.events) & set(events)]


def _run(hook: StackHook, event: str, context: HookContext, report: Report) -> None:
    label = f"{context.release or 'stack'} {event} hook {hook.command}"
    argv: str | list[str] = hook.command if hook.shell else [hook.command, *hook.args]
    if cancellation.requested():
        raise StackError(f"{hook.where}: {label}: not run: the run was interrupted")
    try:
        process = subprocess.Popen(argv, shell=hook.shell, cwd=context.base_dir, env=context.environ(event),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    except FileNotFoundError:
        raise StackError(f"{hook.where}: {label}: command not found") from None
    except PermissionError:
        raise StackError(f"{hook.where}: {label}: not executable") from None
    with process:
        output = _output(process, hook, label)
    for line in output.decode(errors="replace").splitlines():
        report(f"[{label}] {line}")
    if process.returncode != 0:
        raise StackError(f"{hook.where}: {label} failed with exit status {process.returncode}")


def _output(process: subprocess.Popen, hook: StackHook, label: str) -> bytes:
    """What the hook's process printed, once it exits; it is killed when it outlives its timeout or the run is
    cancelled (checked every POLL_SECONDS), or when anything interrupts the wait."""
    deadline = time.monotonic() + hook.timeout
    try:
        while True:
            try:
                return process.communicate(timeout=POLL_SECONDS)[0]
            except subprocess.TimeoutExpired:
                if cancellation.requested():
                    raise StackError(f"{hook.where}: {label}: stopped: the run was interrupted") from None
                if time.monotonic() > deadline:
                    raise StackError(f"{hook.where}: {label}: did not finish within {hook.timeout:g}s") from None
    except BaseException:
        process.kill()
        process.wait()
        raise

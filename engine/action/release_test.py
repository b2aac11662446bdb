"""``test``: run a deployed release's test hooks and record their outcome on the release."""
from __future__ import annotations

import dataclasses

from engine.action.config import ActionConfig, ActionError
from engine.action.hooks import run_hooks
from engine.release.record import Hook, Release


@dataclasses.dataclass
class TestFilter:
    """``--filter name=X`` runs only the named tests; ``--filter '!name=X'`` skips them."""

    include: list[str] = dataclasses.field(default_factory=list)
    exclude: list[str] = dataclasses.field(default_factory=list)

    def selects(self, hook: Hook) -> bool:
        return hook.name not in self.exclude and (not self.include or hook.name in self.include)


def _test_hooks(release: Release, selection: TestFilter) -> list[Hook]:
    hooks = [h for h in release.hooks if "test" in h.events and selection.selects(h)]
    return sorted(hooks, key=lambda h: h.weight)


def run_tests(config: ActionConfig, namespace: str, name: str, timeout: float, selection: TestFilter | None = None
              ) -> tuple[Release, ActionError | None]:
    """Run the selected test hooks of the last deployed revision; returns it (with each hook's last run
    stored) and the failure, if a test failed."""
    from engine.storage.secrets import StorageError

    selection = selection or TestFilter()
    try:
        release = config.storage.deployed(namespace, name)
    except StorageError as exc:
        raise ActionError(str(exc)) from None
    skipped = [h for h in release.hooks if "test" in h.events and not selection.selects(h)]
    for hook in skipped:
        hook.events = [e for e in hook.events if e != "test"]
    failure = None
    try:
        run_hooks(config, release, "test", timeout)
    except ActionError as exc:
        failure = exc
    finally:
        for hook in skipped:
            hook.events.append("test")
    config.storage.update(release)
    return release, failure


def pod_logs(config: ActionConfig, release: Release, selection: TestFilter | None = None) -> list[tuple[str, str]]:
    """(pod name, its log) for the selected test hooks, in weight order, as ``helm test --logs`` prints them."""
    from engine.kube.client import KubeError

    logs = []
    for hook in _test_hooks(release, selection or TestFilter()):
        try:
            logs.append((hook.name, config.kube.pod_log(release.namespace, hook.name)))
        except KubeError as exc:
            raise ActionError(f"unable to get pod logs for {hook.name}: {exc}") from None
    return logs

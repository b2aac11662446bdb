"""``test``: run a deployed release's test hooks and record their outcome on the release."""
from __future__ import annotations

from engine.action.config import ActionConfig, ActionError
from engine.action.hooks import run_hooks
from engine.release.record import Release


def run_tests(config: ActionConfig, namespace: str, name: str, timeout: float
              ) -> tuple[Release, ActionError | None]:
    """Run the test hooks of the last deployed revision; returns it (with each hook's last run stored) and
    the failure, if a test failed."""
    from engine.storage.secrets import StorageError

    try:
        release = config.storage.deployed(namespace, name)
    except StorageError as exc:
        raise ActionError(str(exc)) from None
    failure = None
    try:
        run_hooks(config, release, "test", timeout)
    except ActionError as exc:
        failure = exc
    config.storage.update(release)
    return release, failure


def pod_logs(config: ActionConfig, release: Release) -> list[tuple[str, str]]:
    """(pod name, its log) for every test Pod that ran; a log the cluster cannot give says why."""
    from engine.kube.client import KubeError

    logs = []
    for hook in release.hooks:
        if "test" not in hook.events or hook.kind != "Pod" or not (hook.last_run or {}).get("started_at"):
            continue
        try:
            text = config.kube.pod_log(release.namespace, hook.name)
        except KubeError as exc:
            text = f"(no log: {exc})"
        logs.append((hook.name, text))
    return logs

"""Helm's Storage over a driver: history, last and deployed revisions, history pruning."""
from __future__ import annotations

from typing import Any

from engine.release.record import Release
from engine.storage.secrets import StorageError


class Storage:
    def __init__(self, driver: Any):
        self.driver = driver

    def history(self, namespace: str, name: str) -> list[Release]:
        """All revisions of a release, oldest first."""
        return sorted(self.driver.query(namespace, name), key=lambda r: r.version)

    def last(self, namespace: str, name: str) -> Release | None:
        history = self.history(namespace, name)
        return history[-1] if history else None

    def deployed(self, namespace: str, name: str) -> Release:
        deployed = [r for r in self.history(namespace, name) if r.info.status == "deployed"]
        if not deployed:
            raise StorageError(f'"{name}" has no deployed releases')
        return deployed[-1]

    def create(self, release: Release, history_max: int = 0) -> None:
        if history_max > 0:
            self.prune(release.namespace, release.name, history_max)
        self.driver.create(release)

    def update(self, release: Release) -> None:
        self.driver.update(release)

    def delete(self, release: Release) -> None:
        self.driver.delete(release)

    def supersede_others(self, release: Release) -> None:
        """Mark every deployed revision but ``release`` superseded. Done before ``release`` is marked deployed
        (as Helm's upgrade and rollback do), so an interruption between the writes leaves no deployed
        revision, which an upgrade or rollback recovers from, rather than two."""
        for other in self.history(release.namespace, release.name):
            if other.version != release.version and other.info.status == "deployed":
                other.info.status = "superseded"
                self.driver.update(other)

    def prune(self, namespace: str, name: str, history_max: int) -> None:
        """Delete the oldest revisions until history_max-1 remain, never the latest deployed one."""
        history = self.history(namespace, name)
        deployed = [r.version for r in history if r.info.status == "deployed"]
        keep_deployed = deployed[-1] if deployed else None
        removable = [r for r in history if r.version != keep_deployed]
        while len(history) > history_max - 1 and removable:
            victim = removable.pop(0)
            self.driver.delete(victim)
            history.remove(victim)

"""``list``: the latest revision of each release, filtered and sorted as Helm v4's List action does."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.action.config import ActionConfig, ActionError
from engine.release.record import PENDING, Release, parse_time


@dataclass
class ListOptions:
    """Helm's ``list`` flags. With no state flag every state is shown (Helm v4's default)."""

    all_namespaces: bool = False
    states: set[str] = field(default_factory=set)  # deployed, failed, pending, superseded, uninstalled, uninstalling
    name_filter: str = ""
    selector: str = ""
    by_date: bool = False
    reverse: bool = False
    limit: int = 256
    offset: int = 0


def _wanted_states(states: set[str]) -> set[str] | None:
    """The release statuses the state flags select; None for all."""
    if not states:
        return None
    wanted = set(states) - {"pending"}
    if "pending" in states:
        wanted.update(PENDING)
    return wanted


def _all_labels(release: Release) -> dict[str, str]:
    """The labels of the record object a selector sees: custom labels and Helm's system labels."""
    return {**release.labels, "name": release.name, "owner": "helm", "status": release.info.status,
            "version": str(release.version)}


def _sorted(releases: list[Release], options: ListOptions) -> list[Release]:
    if options.by_date:  # by whole seconds, as Helm compares LastDeployed.Unix(); ties keep name order
        def when(release: Release) -> int:
            moment = parse_time(release.info.last_deployed)
            return int(moment.timestamp()) if moment else 0

        by_name = sorted(releases, key=lambda r: r.name)
        return sorted(by_name, key=when, reverse=options.reverse)
    return sorted(releases, key=lambda r: r.name, reverse=options.reverse)


def list_releases(config: ActionConfig, options: ListOptions | None = None) -> list[Release]:
    """Releases in ``config.namespace`` (or all namespaces), one entry per release unless only superseded
    revisions are asked for, in which case every superseded revision is listed."""
    options = options or ListOptions()
    try:
        name_pattern = re.compile(options.name_filter) if options.name_filter else None
    except re.error as exc:
        raise ActionError(f"error parsing regexp: {exc}") from None
    from engine.kube.labels import SelectorError, parse_label_selector

    try:
        selector = parse_label_selector(options.selector)
    except SelectorError as exc:
        raise ActionError(str(exc)) from None
    records = config.storage.driver.query(None if options.all_namespaces else config.namespace)
    records = [r for r in records if name_pattern is None or name_pattern.search(r.name)]
    if options.states != {"superseded"}:
        latest: dict[tuple[str, str], Release] = {}
        for record in records:
            key = (record.namespace, record.name)
            if key not in latest or record.version > latest[key].version:
                latest[key] = record
        records = list(latest.values())
    wanted = _wanted_states(options.states)
    records = [r for r in records if (wanted is None or r.info.status in wanted) and selector(_all_labels(r))]
    records = _sorted(records, options)
    if options.offset >= len(records):
        return []
    limit = options.limit if options.limit > 0 else len(records)
    return records[options.offset:options.offset + limit]

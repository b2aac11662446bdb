"""Repairing what an interrupted run (a kill, a crash, a lost connection) leaves in a release's history.

A release operation writes several records one after another; stopped between two writes it can leave
a revision pending (or uninstalling) forever, two revisions deployed, or a failed revision on top of a
deployed one. The
planner shows each such shape as a ``recover`` with the reason ``history_repair`` gives, and apply first
puts the history right with ``repair_history`` and then upgrades as planned.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.release.record import PENDING

UNINSTALLING = "uninstalling"  # an uninstall that has not finished deleting the release's objects


@dataclass(frozen=True)
class HistoryRepair:
    """What apply puts right in a release's history, and why (``reasons``, as the plan shows them)."""

    reasons: tuple[str, ...]
    upgrades: bool  # the release is not deployed as it should be: apply upgrades after the repair in any case


def last_good_revision(history: list) -> Any:
    """The newest revision that was deployed successfully (deployed or superseded), if any."""
    return next((r for r in reversed(history) if r.info.status in ("deployed", "superseded")), None)


def _revisions(records: list) -> str:
    numbers = [str(r.version) for r in records]
    return numbers[0] if len(numbers) == 1 else f"{', '.join(numbers[:-1])} and {numbers[-1]}"


def history_repair(history: list) -> HistoryRepair | None:
    """The repair ``history`` (oldest first) needs, or None when it is sound."""
    if not history or history[-1].info.status == "uninstalled":
        return None
    latest, reasons = history[-1], []
    stale = [r for r in history[:-1] if r.info.status in PENDING]
    if stale:
        reasons.append(f"revision{'s' if len(stale) > 1 else ''} {_revisions(stale)} "
                       f"{'were' if len(stale) > 1 else 'was'} left pending by an interrupted run: apply marks "
                       f"{'them' if len(stale) > 1 else 'it'} failed")
    deployed = [r for r in history if r.info.status == "deployed"]
    if len(deployed) > 1:
        reasons.append(f"revisions {_revisions(deployed)} are {'both' if len(deployed) == 2 else 'all'} deployed "
                       f"(an interrupted run): apply marks {_revisions(deployed[:-1])} superseded")
    if latest.info.status in PENDING:
        good = last_good_revision(history[:-1])
        then = (f"rolls back to revision {good.version}, then upgrades" if good else "uninstalls it, then installs")
        reasons.append(f"revision {latest.version} was left {latest.info.status} by an interrupted run: apply marks "
                       f"it failed, {then}")
    elif latest.info.status == UNINSTALLING:
        reasons.append(f"revision {latest.version} was left uninstalling by an interrupted uninstall: apply marks it "
                       "failed, then upgrades to put its objects back")
    elif latest.info.status == "failed":
        start = deployed[-1] if deployed else latest
        still = f"revision {start.version} is still deployed" if deployed else "no revision is deployed"
        reasons.append(f"revision {latest.version} failed (an interrupted or failed run) and {still}: apply upgrades "
                       f"from revision {start.version}")
    if not reasons:
        return None
    return HistoryRepair(tuple(reasons), upgrades=latest.info.status in (*PENDING, UNINSTALLING, "failed"))


def repair_history(config, history: list, timeout: float) -> str:
    """Carry out ``history_repair(history)`` up to the upgrade (which apply does next); what was done (empty
    when that upgrade is the whole repair)."""
    from engine.action.rollback import rollback
    from engine.action.uninstall import uninstall

    latest = history[-1]
    latest_was_pending = latest.info.status in PENDING
    done = []
    for record in (r for r in history if r.info.status in (*PENDING, UNINSTALLING)):
        record.info.description = f"Interrupted while {record.info.status}: marked failed by a later apply"
        record.info.status = "failed"
        config.storage.update(record)
        done.append(f"marked revision {record.version} failed")
    deployed = [r for r in history if r.info.status == "deployed"]
    for record in deployed[:-1]:
        record.info.status, record.info.description = "superseded", "superseded by new release"
        config.storage.update(record)
        done.append(f"marked revision {record.version} superseded")
    if latest_was_pending:  # what it did is unknown: back to the last good revision, or to nothing
        good = last_good_revision(history[:-1])
        if good is not None:
            rollback(config, latest.namespace, latest.name, good.version, timeout=timeout)
            done.append(f"rolled back to revision {good.version}")
        else:
            uninstall(config, latest.namespace, latest.name)
            done.append("uninstalled it")
    return "; ".join(done)

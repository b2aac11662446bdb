"""Drift: how a release's live objects differ from its last applied manifest, per object, as a diff of the
fields that manifest sets (fields the server or controllers add, such as status or defaults, are not drift)."""
from __future__ import annotations

import difflib
from typing import Any

from engine.stack.diff import ObjectChange, ObjectKey, mask_pair, yaml_lines


def _live_view(desired: Any, live: Any) -> Any:
    """The part of ``live`` that ``desired`` speaks about: mapping keys the manifest sets, list items by
    position (a live list longer than the manifest's shows its extra items)."""
    if isinstance(desired, dict) and isinstance(live, dict):
        return {key: _live_view(value, live[key]) for key, value in desired.items() if key in live}
    if isinstance(desired, list) and isinstance(live, list):
        return [_live_view(d, item) for d, item in zip(desired, live)] + live[len(desired):]
    return live


def _differs(desired: Any, live: Any) -> bool:
    if isinstance(desired, dict):
        return not isinstance(live, dict) or any(_differs(v, live.get(k)) for k, v in desired.items())
    if isinstance(desired, list):
        return not isinstance(live, list) or len(desired) != len(live) or any(
            _differs(d, item) for d, item in zip(desired, live))
    return desired != live and not (isinstance(desired, (int, float)) and str(desired) == str(live))


def _key(ref) -> ObjectKey:
    return ObjectKey(ref.api_version.rpartition("/")[0], ref.kind, ref.namespace, ref.name)


def drift_changes(kube, manifest: str, context: int = 3) -> list[ObjectChange]:
    """One change per object of ``manifest`` that is missing (``missing``) or differs live (``drift``), with
    a diff from the last applied fields to their live values (Secret values masked)."""
    from engine.action.apply import manifest_objects

    changes = []
    for obj in manifest_objects(manifest):
        ref = kube.ref(obj)
        live = kube.get(ref)
        applied = {k: v for k, v in obj.items() if k != "status"}
        if live is not None and not _differs(applied, live):
            continue
        shown_applied, shown_live = mask_pair(applied, None if live is None else _live_view(applied, live))
        key = _key(ref)
        text = "".join(difflib.unified_diff(yaml_lines(shown_applied), yaml_lines(shown_live),
                                            fromfile=f"a/{key} (last applied)", tofile=f"b/{key} (live)", n=context))
        changes.append(ObjectChange(key, "missing" if live is None else "drift", text))
    return changes


def drift_reason(change: ObjectChange) -> str:
    return f"{change.key} is missing" if change.action == "missing" else f"{change.key} was changed outside the release"


def with_conflict_hint(message: str, release_id: str, where: str) -> str:
    """``message``, with what to do when it is server-side apply's field-manager conflict (someone changed a
    field the release sets, and now owns it)."""
    if "Apply failed with" not in message or "conflict" not in message:
        return message
    return (f"{message}\n  another field manager changed fields this release sets: set `force: true` on release "
            f"{release_id} ({where}) to take them over, or run `pyhelm apply --detect-drift` to see the drift and "
            "take it back")

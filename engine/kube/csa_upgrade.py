"""Moving a client-side manager's fields to its server-side apply entry (csaupgrade), so a release that
Helm 3 created can be upgraded with server-side apply and still prune the fields it drops."""
from __future__ import annotations

import copy
from typing import Any


def _union(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(left)
    for key, value in right.items():
        merged[key] = _union(merged.get(key) or {}, value) if isinstance(value, dict) else value
    return merged


def upgraded_managed_fields(entries: list[dict[str, Any]], manager: str) -> list[dict[str, Any]] | None:
    """``managedFields`` with ``manager``'s Update entries folded into its Apply entry; None when there are
    no such Update entries."""
    updates = [e for e in entries if e.get("manager") == manager and e.get("operation") == "Update"]
    if not updates:
        return None
    apply_entry = next((e for e in entries if e.get("manager") == manager and e.get("operation") == "Apply"),
                       None)
    fields: dict[str, Any] = copy.deepcopy((apply_entry or {}).get("fieldsV1") or {})
    for entry in updates:
        fields = _union(fields, entry.get("fieldsV1") or {})
    template = apply_entry or updates[0]
    merged = {**template, "operation": "Apply", "fieldsType": "FieldsV1", "fieldsV1": fields}
    merged.pop("subresource", None)
    # the merged entry takes the place of the one it grew from; the other entries of the manager go
    return [merged if entry is template else entry for entry in entries
            if entry is template or entry.get("manager") != manager or entry.get("operation") not in ("Update",
                                                                                                      "Apply")]

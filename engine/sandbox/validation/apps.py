"""The apps group (``pkg/apis/apps/validation``): ValidateDeployment(Update), ValidateStatefulSet(Update),
ValidateDaemonSet(Update), ValidateReplicaSet(Update)."""
from __future__ import annotations

import re
from typing import Any

from engine.sandbox.validation import names, pods
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules, immutable
from engine.sandbox.validation.selectors import workload_selector

_PERCENT = re.compile(r"^[0-9]+%$")
STATEFULSET_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                       "persistentVolumeClaimRetentionPolicy", "minReadySeconds")


def int_or_percent(errors: Errors, path: str, value: Any) -> None:
    """ValidatePositiveIntOrPercent and IsNotMoreThan100Percent."""
    if isinstance(value, str):
        if not _PERCENT.match(value):
            errors.invalid(path, value, "a valid percent string must be a numeric string followed by an ending '%' "
                                        "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")
        elif int(value[:-1]) > 100:
            errors.invalid(path, value, "must not be greater than 100%")
    else:
        errors.non_negative(path, value)


def _is_zero(value: Any) -> bool:
    return value in (0, "0%")


def _common(errors: Errors, spec: dict[str, Any], kind: str, warnings: list[str]) -> None:
    errors.non_negative("spec.replicas", spec.get("replicas"))
    errors.non_negative("spec.minReadySeconds", spec.get("minReadySeconds"))
    errors.non_negative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))
    workload_selector(errors, spec, kind)
    claims = tuple(((c or {}).get("metadata") or {}).get("name") or "" for c in spec.get("volumeClaimTemplates") or [])
    pods.pod_template(errors, spec.get("template"), "spec.template", warnings, ["Always"], claims)


def deployment(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    _common(errors, spec, "deployment", warnings)
    strategy = spec.get("strategy") or {}
    if strategy.get("type") not in ("Recreate", "RollingUpdate"):
        errors.not_supported("spec.strategy.type", strategy.get("type"), ["Recreate", "RollingUpdate"])
    rolling = strategy.get("rollingUpdate")
    if strategy.get("type") == "Recreate" and rolling is not None:
        errors.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
    elif isinstance(rolling, dict):
        int_or_percent(errors, "spec.strategy.rollingUpdate.maxUnavailable", rolling.get("maxUnavailable"))
        int_or_percent(errors, "spec.strategy.rollingUpdate.maxSurge", rolling.get("maxSurge"))
        if _is_zero(rolling.get("maxUnavailable")) and _is_zero(rolling.get("maxSurge")):
            errors.invalid("spec.strategy.rollingUpdate.maxUnavailable", rolling.get("maxUnavailable"),
                           "may not be 0 when `maxSurge` is 0")
    deadline = spec.get("progressDeadlineSeconds")
    errors.non_negative("spec.progressDeadlineSeconds", deadline)
    if isinstance(deadline, int) and deadline <= (spec.get("minReadySeconds") or 0):
        errors.invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds")
    name = (obj.get("metadata") or {}).get("name") or ""
    label_problems = names.dns1123_label(name)
    if "." in name and label_problems:
        warnings.append("metadata.name: this is used in Pod names and hostnames, which can result in surprising "
                        f"behavior; a DNS label is recommended: [{', '.join(label_problems)}]")


def selector_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    immutable(errors, "spec.selector", (new.get("spec") or {}).get("selector"), (old.get("spec") or {}).get("selector"))


def statefulset(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    _common(errors, spec, "statefulset", warnings)
    if spec.get("podManagementPolicy") not in ("OrderedReady", "Parallel"):
        errors.invalid("spec.podManagementPolicy", spec.get("podManagementPolicy"),
                       "must be 'OrderedReady' or 'Parallel'")
    strategy = (spec.get("updateStrategy") or {}).get("type")
    if strategy not in ("RollingUpdate", "OnDelete"):
        errors.invalid("spec.updateStrategy.type", strategy, "must be 'RollingUpdate' or 'OnDelete'")
    for i, template in enumerate(spec.get("volumeClaimTemplates") or []):
        name = ((template or {}).get("metadata") or {}).get("name") or ""
        if not name:
            errors.required(f"spec.volumeClaimTemplates[{i}].metadata.name", "name or generateName is required")


def statefulset_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    """ValidateStatefulSetUpdate: only the listed fields of the spec may change."""
    strip = lambda spec: {k: v for k, v in (spec or {}).items() if k not in STATEFULSET_MUTABLE}  # noqa: E731
    if strip(new.get("spec")) != strip(old.get("spec")):
        errors.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                                 "'template', 'updateStrategy', 'revisionHistoryLimit', "
                                 "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")


def daemonset(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    _common(errors, spec, "daemonset", warnings)
    strategy = (spec.get("updateStrategy") or {}).get("type")
    if strategy not in ("RollingUpdate", "OnDelete"):
        errors.not_supported("spec.updateStrategy.type", strategy, ["OnDelete", "RollingUpdate"])


def replicaset(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    _common(errors, obj.get("spec") or {}, "replicaset", warnings)


RULES = {
    "Deployment": Rules(check=deployment, update=selector_update),
    "StatefulSet": Rules(check=statefulset, update=statefulset_update),
    "DaemonSet": Rules(check=daemonset, update=selector_update),
    "ReplicaSet": Rules(check=replicaset, update=selector_update),
}

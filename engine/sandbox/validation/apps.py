"""The apps group (``pkg/apis/apps/validation``): ValidateDeployment(Spec, Strategy, RollingUpdateDeployment),
ValidateReplicaSet(Spec), ValidatePodTemplateSpecForReplicaSet, ValidateDaemonSet(Spec, UpdateStrategy,
RollingUpdateDaemonSet), ValidateStatefulSet(Spec, Update), ValidatePodTemplateSpecForStatefulSet,
validateRollingUpdateStatefulSet, ValidatePositiveIntOrPercent and IsNotMoreThan100Percent.

As kube-apiserver does, a StatefulSet's pod template is checked only for its labels, annotations, restart policy
and active deadline (ValidatePodTemplateSpecForStatefulSet leaves the pod spec to the controller)."""
from __future__ import annotations

import re
from typing import Any

from engine.sandbox.validation import names, pods
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules, immutable
from engine.sandbox.validation.selectors import label_selector, matches

_PERCENT = re.compile(r"^[0-9]+%$")
_PERCENT_TEXT = ("a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', "
                 "regex used for validation is '[0-9]+%')")
STATEFULSET_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                       "persistentVolumeClaimRetentionPolicy", "minReadySeconds")
RETENTION_POLICIES = ["Retain", "Delete"]


def int_or_percent(errors: Errors, path: str, value: Any) -> None:
    """ValidatePositiveIntOrPercent."""
    if isinstance(value, str):
        if not _PERCENT.match(value):
            errors.invalid(path, value, _PERCENT_TEXT)
    else:
        errors.non_negative(path, value)


def not_over_100_percent(errors: Errors, path: str, value: Any) -> None:
    """IsNotMoreThan100Percent."""
    if isinstance(value, str) and _PERCENT.match(value) and int(value[:-1]) > 100:
        errors.invalid(path, value, "must not be greater than 100%")


def _amount(value: Any) -> int:
    """getIntOrPercentValue: the number of a count or of a valid percentage (0 for anything else)."""
    if isinstance(value, str):
        return int(value[:-1]) if _PERCENT.match(value) else 0
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _selector_and_template(errors: Errors, spec: dict[str, Any], kind: str, warnings: list[str]) -> None:
    """The selector (required, valid, not empty) and a template it selects, validated as a pod template —
    skipped, as in Go, when the selector cannot be used."""
    selector = spec.get("selector")
    if selector is None:
        errors.required("spec.selector")
    else:
        usable = label_selector(errors, selector, "spec.selector")
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            errors.invalid("spec.selector", selector, f"empty selector is invalid for {kind}")
        if not usable:
            errors.invalid("spec.selector", selector, "invalid label selector")
            return
    _selected(errors, spec, selector)
    pods.pod_template(errors, spec.get("template"), "spec.template", warnings)
    pods.controller_template(errors, spec.get("template"), "spec.template", ["Always"], _KINDS[kind])


def _selected(errors: Errors, spec: dict[str, Any], selector: Any) -> None:
    """A selector (no selector selects nothing, an empty one everything) must select the template's labels."""
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    everything = isinstance(selector, dict) and not selector.get("matchLabels") and not selector.get("matchExpressions")
    if not everything and (selector is None or not matches(selector, labels)):
        errors.invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`")


_KINDS = {"deployment": "ReplicaSet", "replicaset": "ReplicaSet", "daemonset": "DaemonSet"}


def deployment(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    errors.non_negative("spec.replicas", spec.get("replicas"))
    _selector_and_template(errors, spec, "deployment", warnings)
    strategy = spec.get("strategy") or {}
    rolling = strategy.get("rollingUpdate")
    if strategy.get("type") == "Recreate":
        if rolling is not None:
            errors.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
    elif strategy.get("type") == "RollingUpdate":
        if not isinstance(rolling, dict):
            errors.required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil")
        else:
            here = "spec.strategy.rollingUpdate"
            int_or_percent(errors, f"{here}.maxUnavailable", rolling.get("maxUnavailable"))
            int_or_percent(errors, f"{here}.maxSurge", rolling.get("maxSurge"))
            if _amount(rolling.get("maxUnavailable")) == 0 and _amount(rolling.get("maxSurge")) == 0:
                errors.invalid(f"{here}.maxUnavailable", rolling.get("maxUnavailable"),
                               "may not be 0 when `maxSurge` is 0")
            not_over_100_percent(errors, f"{here}.maxUnavailable", rolling.get("maxUnavailable"))
    else:
        errors.not_supported("spec.strategy", strategy, ["Recreate", "RollingUpdate"])
    errors.non_negative("spec.minReadySeconds", spec.get("minReadySeconds"))
    errors.non_negative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))
    deadline = spec.get("progressDeadlineSeconds")
    if deadline is not None:
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


def replicaset(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    errors.non_negative("spec.replicas", spec.get("replicas"))
    errors.non_negative("spec.minReadySeconds", spec.get("minReadySeconds"))
    _selector_and_template(errors, spec, "replicaset", warnings)


def daemonset(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    """ValidateDaemonSetSpec: its selector need not be there (no selector selects nothing)."""
    spec = obj.get("spec") or {}
    selector = spec.get("selector")
    usable = label_selector(errors, selector, "spec.selector")
    if usable:
        _selected(errors, spec, selector)
    if isinstance(selector, dict) and not selector.get("matchLabels") and not selector.get("matchExpressions"):
        errors.invalid("spec.selector", selector, "empty selector is invalid for daemonset")
    pods.pod_template(errors, spec.get("template"), "spec.template", warnings)
    pods.controller_template(errors, spec.get("template"), "spec.template", ["Always"], "DaemonSet")
    errors.non_negative("spec.minReadySeconds", spec.get("minReadySeconds"))
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type") == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if not isinstance(rolling, dict):
            errors.required("spec.updateStrategy.rollingUpdate")
        else:
            _daemonset_rolling_update(errors, rolling, "spec.updateStrategy.rollingUpdate")
    elif strategy.get("type") != "OnDelete":
        errors.not_supported("spec.updateStrategy", strategy, ["RollingUpdate", "OnDelete"])
    errors.non_negative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))


def _daemonset_rolling_update(errors: Errors, rolling: dict[str, Any], path: str) -> None:
    """ValidateRollingUpdateDaemonSet: counts or percentages, at most 100%, exactly one of them non-zero."""
    for key in ("maxUnavailable", "maxSurge"):
        int_or_percent(errors, f"{path}.{key}", rolling.get(key))
    for key in ("maxUnavailable", "maxSurge"):
        not_over_100_percent(errors, f"{path}.{key}", rolling.get(key))
    unavailable, surge = _amount(rolling.get("maxUnavailable")) != 0, _amount(rolling.get("maxSurge")) != 0
    if unavailable and surge:
        errors.invalid(f"{path}.maxSurge", rolling.get("maxSurge"), "may not be set when maxUnavailable is non-zero")
    elif not unavailable and not surge:
        errors.required(f"{path}.maxUnavailable", "cannot be 0 when maxSurge is 0")


def statefulset(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    policy = spec.get("podManagementPolicy")
    if not policy:
        errors.required("spec.podManagementPolicy")
    elif policy not in ("OrderedReady", "Parallel"):
        errors.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'")
    _statefulset_strategy(errors, spec.get("updateStrategy") or {})
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if isinstance(retention, dict):
        for key in ("whenDeleted", "whenScaled"):
            if retention.get(key) not in RETENTION_POLICIES:
                errors.not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{key}", retention.get(key) or "",
                                     RETENTION_POLICIES)
    errors.non_negative("spec.replicas", spec.get("replicas"))
    errors.non_negative("spec.minReadySeconds", spec.get("minReadySeconds"))
    if isinstance(spec.get("ordinals"), dict):
        errors.non_negative("spec.ordinals.start", spec["ordinals"].get("start"))
    selector = spec.get("selector")
    if selector is None:
        errors.required("spec.selector")
    else:
        if not label_selector(errors, selector, "spec.selector"):
            errors.invalid("spec.selector", selector, "")
            selector = {}
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            errors.invalid("spec.selector", selector, "empty selector is invalid for statefulset")
    template = spec.get("template") or {}
    if selector is None or selector:
        _selected(errors, spec, selector)
    pods.template_metadata(errors, template, "spec.template")
    pods.pod_template(Errors(), template, "spec.template", warnings)  # its warnings, not its errors
    pods.controller_template(errors, template, "spec.template", ["Always"], "StatefulSet")


def _statefulset_strategy(errors: Errors, strategy: dict[str, Any]) -> None:
    kind, rolling = strategy.get("type"), strategy.get("rollingUpdate")
    if not kind:
        errors.required("spec.updateStrategy")
    elif kind == "OnDelete":
        if rolling is not None:
            errors.invalid("spec.updateStrategy.rollingUpdate", rolling, "only allowed for updateStrategy 'RollingUpdate'")
    elif kind == "RollingUpdate":
        if isinstance(rolling, dict):
            here = "spec.updateStrategy.rollingUpdate"
            errors.non_negative(f"{here}.partition", rolling.get("partition"))
            if rolling.get("maxUnavailable") is not None:
                int_or_percent(errors, f"{here}.maxUnavailable", rolling["maxUnavailable"])
                if _amount(rolling["maxUnavailable"]) == 0:
                    errors.invalid(f"{here}.maxUnavailable", rolling["maxUnavailable"], "cannot be 0")
                not_over_100_percent(errors, f"{here}.maxUnavailable", rolling["maxUnavailable"])
    else:
        errors.invalid("spec.updateStrategy", strategy, "must be 'RollingUpdate' or 'OnDelete'")


def statefulset_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    """ValidateStatefulSetUpdate: only the listed fields of the spec may change."""
    strip = lambda spec: {k: v for k, v in (spec or {}).items() if k not in STATEFULSET_MUTABLE}  # noqa: E731
    if strip(new.get("spec")) != strip(old.get("spec")):
        errors.forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                                 "'template', 'updateStrategy', 'revisionHistoryLimit', "
                                 "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")


RULES = {
    "Deployment": Rules(check=deployment, update=selector_update),
    "StatefulSet": Rules(name=names.dns1123_label, check=statefulset, update=statefulset_update),
    "DaemonSet": Rules(check=daemonset, update=selector_update),
    "ReplicaSet": Rules(check=replicaset, update=selector_update),
}

"""The batch group (``pkg/apis/batch/validation``): ValidateJob(Update), ValidateGeneratedSelector,
ValidateCronJobCreate (with robfig/cron's schedule parser wording)."""
from __future__ import annotations

import functools
import re
import zoneinfo
from typing import Any

from engine.sandbox.validation import names, pods
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules, immutable
from engine.sandbox.validation.selectors import matches

CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
_CRON_FIELDS = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 6))
_NAMES = {3: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
          4: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]}
_DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}


def _job_spec(errors: Errors, spec: dict[str, Any], path: str, uid: str, warnings: list[str]) -> None:
    for key in ("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds", "ttlSecondsAfterFinished"):
        errors.non_negative(f"{path}.{key}", spec.get(key))
    if spec.get("completionMode") not in (None, "NonIndexed", "Indexed"):
        errors.not_supported(f"{path}.completionMode", spec["completionMode"], ["NonIndexed", "Indexed"])
    pods.pod_template(errors, spec.get("template"), f"{path}.template", warnings)
    pods.controller_template(errors, spec.get("template"), f"{path}.template", ["OnFailure", "Never"], "Job")
    if uid is None:
        return
    selector = spec.get("selector") or {}
    if not spec.get("manualSelector") and selector != {"matchLabels": {CONTROLLER_UID: uid}}:
        errors.invalid(f"{path}.selector", selector, "`selector` not auto-generated")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if selector and not matches(selector, labels):
        errors.invalid(f"{path}.template.metadata.labels", labels, "`selector` does not match template `labels`")


def job(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    _job_spec(errors, obj.get("spec") or {}, "spec", (obj.get("metadata") or {}).get("uid", ""), warnings)


def job_update(errors: Errors, new: dict[str, Any], old: dict[str, Any]) -> None:
    """ValidateJobSpecUpdate: selector, completions and the pod template stay as created."""
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    immutable(errors, "spec.selector", new_spec.get("selector"), old_spec.get("selector"))
    immutable(errors, "spec.template", new_spec.get("template"), old_spec.get("template"))
    if new_spec.get("completionMode") != "Indexed":
        immutable(errors, "spec.completions", new_spec.get("completions"), old_spec.get("completions"))


def _cron_value(text: str, index: int) -> int:
    if text.lower() in _NAMES.get(index, []):
        return _NAMES[index].index(text.lower()) + (1 if index == 3 else 0)
    if not text.isdigit():
        raise ValueError(f"failed to parse int from {text}: strconv.Atoi: parsing {text!r}: invalid syntax"
                         .replace("'", '"'))
    return int(text)


def _cron_field(text: str, index: int) -> None:
    low, high = _CRON_FIELDS[index]
    for part in text.split(","):
        span, _, step = part.partition("/")
        if span in ("*", "?"):
            start, end = low, high
        else:
            first, _, last = span.partition("-")
            start = _cron_value(first, index)
            end = _cron_value(last, index) if last else start
        if start < low:
            raise ValueError(f"beginning of range ({start}) below minimum ({low}): {part}")
        if end > high:
            raise ValueError(f"end of range ({end}) above maximum ({high}): {part}")
        if start > end:
            raise ValueError(f"beginning of range ({start}) beyond end of range ({end}): {part}")
        if step and (not step.isdigit() or int(step) == 0):
            raise ValueError(f"step of range should be a positive number: {part}")


def cron_schedule_problem(schedule: str) -> str | None:
    """robfig/cron's ParseStandard error for ``schedule``, or None when it parses."""
    text = re.sub(r"^(CRON_)?TZ=\S+\s+", "", schedule.strip())
    if text.startswith("@"):
        return None if text in _DESCRIPTORS or text.startswith("@every ") else \
            f"unrecognized descriptor: {text}"
    fields = text.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]"
    try:
        for index, value in enumerate(fields):
            _cron_field(value, index)
    except ValueError as exc:
        return str(exc)
    return None


_ZONE_PART = re.compile(r"^[A-Za-z\.\-_0-9+]{1,14}$")


def time_zone(errors: Errors, zone: Any) -> None:
    """validateTimeZone: an IANA zone Go's time.LoadLocation knows, named explicitly."""
    if zone is None:
        return
    if zone == "":
        errors.invalid("spec.timeZone", zone, "timeZone must be nil or non-empty string")
        return
    if any(part in (".", "..") or part.startswith("-") or not _ZONE_PART.match(part) for part in zone.split("/")):
        errors.invalid("spec.timeZone", zone, f"unknown time zone {zone}")
        return
    if zone.lower() == "local":
        errors.invalid("spec.timeZone", zone, "timeZone must be an explicit time zone as defined in "
                                              "https://www.iana.org/time-zones")
        return
    known = _known_zones()
    if known and zone not in known:  # (a machine without zone data cannot tell: the zone is accepted)
        errors.invalid("spec.timeZone", zone, f"unknown time zone {zone}")


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones()) | {"UTC"}


def cronjob(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    spec = obj.get("spec") or {}
    schedule = spec.get("schedule") or ""
    if not schedule:
        errors.required("spec.schedule")
    else:
        problem = cron_schedule_problem(schedule)
        if problem:
            errors.invalid("spec.schedule", schedule, problem)
        elif "TZ=" in schedule:
            errors.invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    time_zone(errors, spec.get("timeZone"))
    if spec.get("concurrencyPolicy") not in ("Allow", "Forbid", "Replace"):
        errors.not_supported("spec.concurrencyPolicy", spec.get("concurrencyPolicy"), ["Allow", "Forbid", "Replace"])
    for key in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        errors.non_negative(f"spec.{key}", spec.get(key))
    _job_spec(errors, (spec.get("jobTemplate") or {}).get("spec") or {}, "spec.jobTemplate.spec", None, warnings)


def cronjob_name(name: str) -> list[str]:
    """A CronJob's name leaves room for the 11 characters of its Jobs' suffix: at most 52."""
    problems = names.dns1123_subdomain(name)
    return problems + (["must be no more than 52 characters"] if len(name) > 52 and not problems else [])


RULES = {
    "Job": Rules(check=job, update=job_update),
    "CronJob": Rules(name=cronjob_name, check=cronjob),
}

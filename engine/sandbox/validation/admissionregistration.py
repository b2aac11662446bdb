"""The admissionregistration group (``pkg/apis/admissionregistration/validation``): validateWebhook,
ValidateWebhookClientConfig."""
from __future__ import annotations

from typing import Any

from engine.sandbox.validation import names
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules


def _webhooks(errors: Errors, obj: dict[str, Any], warnings: list[str]) -> None:
    seen: set[str] = set()
    for i, hook in enumerate(obj.get("webhooks") or []):
        hook, here = hook or {}, f"webhooks[{i}]"
        name = hook.get("name") or ""
        errors.messages(f"{here}.name", name, names.dns1123_subdomain(name))
        if name.count(".") < 2:
            errors.invalid(f"{here}.name", name, "should be a domain with at least three segments separated by dots")
        if name in seen:
            errors.duplicate(f"{here}.name", name)
        seen.add(name)
        if hook.get("sideEffects") not in ("None", "NoneOnDryRun"):
            errors.not_supported(f"{here}.sideEffects", hook.get("sideEffects") or "", ["None", "NoneOnDryRun"])
        if not hook.get("admissionReviewVersions"):
            errors.required(f"{here}.admissionReviewVersions", "must specify one of v1, v1beta1")
        client = hook.get("clientConfig") or {}
        if bool(client.get("url")) == bool(client.get("service")):
            errors.required(f"{here}.clientConfig", "exactly one of url or service is required")
        if hook.get("failurePolicy") not in (None, "Fail", "Ignore"):
            errors.not_supported(f"{here}.failurePolicy", hook["failurePolicy"], ["Fail", "Ignore"])
        timeout = hook.get("timeoutSeconds")
        if isinstance(timeout, int) and not 1 <= timeout <= 30:
            errors.invalid(f"{here}.timeoutSeconds", timeout, "the timeout value must be between 1 and 30 seconds")


RULES = {"MutatingWebhookConfiguration": Rules(check=_webhooks),
         "ValidatingWebhookConfiguration": Rules(check=_webhooks)}

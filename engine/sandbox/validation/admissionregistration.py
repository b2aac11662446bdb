"""The admissionregistration group (``pkg/apis/admissionregistration/validation``): validateValidatingWebhook,
validateMutatingWebhook, ValidateWebhookClientConfig, validateWebhookURL, validateRuleWithOperations."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from engine.sandbox.validation import names
from engine.sandbox.validation.field import Errors
from engine.sandbox.validation.rules import Rules

OPERATIONS = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"]
SCOPES = ["*", "Cluster", "Namespaced"]
REINVOCATION_POLICIES = ["IfNeeded", "Never"]


def _client_config(errors: Errors, client: dict[str, Any], path: str) -> None:
    """ValidateWebhookClientConfig: a URL or a service, and an https URL without user, fragment or query."""
    if bool(client.get("url")) == bool(client.get("service")):
        errors.required(path, "exactly one of url or service is required")
        return
    if client.get("url"):
        url = urlsplit(str(client["url"]))
        if url.scheme != "https":
            errors.invalid(f"{path}.url", url.scheme, "'https' is the only allowed URL scheme")
        if not url.hostname:
            errors.invalid(f"{path}.url", url.hostname or "", "host must be specified")
        if url.username or url.password:
            errors.invalid(f"{path}.url", url.netloc, "user information is not permitted in the URL")
        if url.fragment:
            errors.invalid(f"{path}.url", url.fragment, "fragments are not permitted in the URL")
        if url.query:
            errors.invalid(f"{path}.url", url.query, "query parameters are not permitted in the URL")


def _rules(errors: Errors, rules: Any, path: str) -> None:
    """validateRuleWithOperations: known operations (``*`` alone), groups, versions, resources, a known scope."""
    for i, rule in enumerate(rules or []):
        rule, here = rule or {}, f"{path}[{i}]"
        operations = rule.get("operations") or []
        if not operations:
            errors.required(f"{here}.operations")
        if len(operations) > 1 and "*" in operations:
            errors.invalid(f"{here}.operations", operations, "if '*' is present, must not specify other operations")
        for j, operation in enumerate(operations):
            if operation not in OPERATIONS:
                errors.not_supported(f"{here}.operations[{j}]", operation, OPERATIONS)
        for key in ("apiGroups", "apiVersions", "resources"):
            if not rule.get(key):
                errors.required(f"{here}.{key}")
        if rule.get("scope") is not None and rule["scope"] not in SCOPES:
            errors.not_supported(f"{here}.scope", rule["scope"], SCOPES)


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
        if hook.get("sideEffects") is None:
            errors.required(f"{here}.sideEffects", "must specify one of None, NoneOnDryRun")
        elif hook["sideEffects"] not in ("None", "NoneOnDryRun"):
            errors.not_supported(f"{here}.sideEffects", hook["sideEffects"], ["None", "NoneOnDryRun"])
        if not hook.get("admissionReviewVersions"):
            errors.required(f"{here}.admissionReviewVersions", "must specify one of v1, v1beta1")
        _client_config(errors, hook.get("clientConfig") or {}, f"{here}.clientConfig")
        _rules(errors, hook.get("rules"), f"{here}.rules")
        if obj.get("kind") == "MutatingWebhookConfiguration" and hook.get("reinvocationPolicy") is not None and \
                hook["reinvocationPolicy"] not in REINVOCATION_POLICIES:
            errors.not_supported(f"{here}.reinvocationPolicy", hook["reinvocationPolicy"], REINVOCATION_POLICIES)
        if hook.get("failurePolicy") not in (None, "Fail", "Ignore"):
            errors.not_supported(f"{here}.failurePolicy", hook["failurePolicy"], ["Fail", "Ignore"])
        timeout = hook.get("timeoutSeconds")
        if isinstance(timeout, int) and not 1 <= timeout <= 30:
            errors.invalid(f"{here}.timeoutSeconds", timeout, "the timeout value must be between 1 and 30 seconds")


RULES = {"MutatingWebhookConfiguration": Rules(check=_webhooks),
         "ValidatingWebhookConfiguration": Rules(check=_webhooks)}

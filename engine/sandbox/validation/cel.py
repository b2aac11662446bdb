"""``x-kubernetes-validations`` CEL rules (apiextensions-apiserver ``pkg/apiserver/schema/cel``), evaluated
with cel-python. A failing rule is a field error on the node that holds it (``message`` or ``failed rule:
<rule>``; ``reason`` and ``fieldPath`` honoured); transition rules (``oldSelf``) run only on update; a rule
cel-python cannot run is accepted with a warning that names it."""
from __future__ import annotations

import functools
from typing import Any

from engine.sandbox.validation.field import OMIT, Errors, FieldError

_REASONS = {"FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"}


@functools.lru_cache(maxsize=512)
def _program(rule: str) -> Any:
    import celpy

    environment = celpy.Environment()
    return environment.program(environment.compile(rule))


def evaluate_rules(errors: Errors, schema: dict[str, Any], value: Any, path: str, warnings: list[str],
                   old: Any = OMIT) -> None:
    for spec in schema.get("x-kubernetes-validations") or []:
        rule = spec.get("rule") or ""
        if "oldSelf" in rule and old is OMIT:
            continue
        try:
            import celpy

            variables = {"self": celpy.json_to_cel(value)}
            if old is not OMIT:
                variables["oldSelf"] = celpy.json_to_cel(old)
            result = _program(rule).evaluate(variables)
        except Exception as exc:  # noqa: BLE001 - any failure of the library means "not supported here"
            warnings.append(f"{path or '<root>'}: x-kubernetes-validations rule {rule!r} was not evaluated: the "
                            f"sandbox cannot run it ({type(exc).__name__}); a real cluster will")
            continue
        if isinstance(result, Exception):
            warnings.append(f"{path or '<root>'}: x-kubernetes-validations rule {rule!r} was not evaluated: the "
                            "sandbox cannot run it; a real cluster will")
            continue
        if not bool(result):
            where = path + (spec.get("fieldPath") or "") if spec.get("fieldPath") else path
            reason = spec.get("reason") if spec.get("reason") in _REASONS else "FieldValueInvalid"
            detail = spec.get("message") or f"failed rule: {rule}"
            errors.append(FieldError(reason, where or "<nil>", OMIT, detail))

"""values.schema.json validation with the jsonschema package, errors worded as Helm v4 reports them."""
from __future__ import annotations

import json
from typing import Any

from engine.chart.model import Chart
from engine.values.errors import ValuesError
from engine.values.schema_regex import invalid_regexes, with_re2

HEADER = "values don't meet the specifications of the schema(s) in the following chart(s):\n"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _quote_list(values: Any) -> str:
    return ", ".join(_literal(v) for v in values)


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    return json.dumps(value)


def _quote(text: str) -> str:
    """santhosh-tekuri/jsonschema's quote: Go's %q inside single quotes."""
    from engine.gotemplate.gofmt import go_quote

    return "'" + go_quote(text)[1:-1].replace('\\"', '"').replace("'", "\\'") + "'"


def _number(value: Any) -> str:
    from engine.gotemplate.gofmt import format_value

    return format_value(value)


def _message(error: Any) -> str:
    """The message santhosh-tekuri/jsonschema v6 gives for a failed keyword."""
    kind, instance, expected = error.validator, error.instance, error.validator_value
    if kind == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        return f"got {_json_type(instance)}, want {', '.join(wanted)}"
    if kind == "required":
        missing = [p for p in expected if isinstance(instance, dict) and p not in instance]
        if len(missing) == 1:
            return f"missing property '{missing[0]}'"
        return "missing properties " + ", ".join(f"'{m}'" for m in missing)
    if kind == "enum":
        return f"value must be one of {_quote_list(expected)}"
    if kind == "const":
        return f"value must be {_literal(expected)}"
    if kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
        return f"{kind}: got {_number(instance)}, want {_number(expected)}"
    if kind in ("minLength", "maxLength"):
        return f"{kind}: got {len(instance)}, want {expected}"
    if kind in ("minItems", "maxItems"):
        return f"{kind}: got {len(instance)}, want {expected}"
    if kind in ("minProperties", "maxProperties"):
        return f"{kind}: got {len(instance)}, want {expected}"
    if kind == "pattern":
        return f"'{instance}' does not match pattern {_quote(expected)}"
    if kind in ("additionalProperties", "unevaluatedProperties"):
        extra = [k for k in instance if k not in (error.schema.get("properties") or {})] if isinstance(
            instance, dict) else []
        return f"{kind} {_quote_list(sorted(extra))} not allowed"
    if kind == "format":
        return f"'{instance}' is not valid {expected}"
    if kind == "uniqueItems":
        return "items are not unique"
    if kind == "not":
        return "'not' failed"
    if kind in ("oneOf", "anyOf"):
        return f"{kind} failed, none matched"
    if kind == "allOf":
        return "allOf failed"
    return error.message


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def validate_single(values: dict[str, Any], schema_bytes: bytes) -> str:
    """Errors of ``values`` against one schema as ``- at '/path': message`` lines ('' when valid)."""
    import jsonschema

    try:
        schema = json.loads(schema_bytes)
    except json.JSONDecodeError as exc:
        return f"- at '': invalid schema: {exc}\n"
    bad_regexes = invalid_regexes(schema)
    if bad_regexes:
        return bad_regexes
    try:
        validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        validator = with_re2(validator_class)(schema)
        errors = sorted(validator.iter_errors(values), key=lambda e: (list(map(str, e.absolute_path)),
                                                                      e.validator))  # one type failure hides the rest
    except (jsonschema.SchemaError, jsonschema.exceptions.RefResolutionError, Exception) as exc:
        return f"- at '': unable to validate schema: {exc}\n"
    type_failures = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    errors = [e for e in errors if e.validator == "type" or tuple(e.absolute_path) not in type_failures]
    return "".join(f"- at '{_pointer(e.absolute_path)}': {_message(e)}\n" for e in errors)


def _collect(chart: Chart, values: dict[str, Any]) -> str:
    from engine.gotemplate.gotypes import go_type_name

    out = ""
    if chart.schema is not None:
        problems = validate_single(values, chart.schema)
        if problems:
            out += f"{chart.name}:\n{problems}"
    for sub in chart.subcharts:
        raw = values.get(sub.name)
        if raw is None:
            continue
        if not isinstance(raw, dict):
            out += f"{sub.name}:\ninvalid type for values: expected object (map), got {go_type_name(raw)}\n"
            continue
        out += _collect(sub, raw)
    return out


def validate_values(chart: Chart, values: dict[str, Any]) -> None:
    """Validate the final values of ``chart`` and its subcharts; raises ValuesError with Helm's text."""
    problems = _collect(chart, values)
    if problems:
        raise ValuesError(HEADER + problems)

"""values.schema.json validation with the jsonschema package, errors worded as Helm v4 reports them."""
from __future__ import annotations

from typing import Any

from engine.chart.model import Chart
from engine.values.errors import ValuesError

HEADER = "values don't meet the specifications of the schema(s) in the following chart(s):\n"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):  # values reach the validator as JSON numbers, integral or not
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
    import json  # this module is imported by every render, json only by the charts with a schema

    return json.dumps(value)


def _quote(text: str) -> str:
    """santhosh-tekuri/jsonschema's quote: Go's %q inside single quotes."""
    from engine.gotemplate.gofmt import go_quote

    return "'" + go_quote(text)[1:-1].replace('\\"', '"').replace("'", "\\'") + "'"


def _number(value: Any) -> str:
    """A number as santhosh-tekuri/jsonschema prints it (golang.org/x/text's printer): digits grouped."""
    from engine.gotemplate.gofmt import format_value

    text = format_value(value)
    if "e" in text:
        return text
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, fraction = digits.partition(".")
    return f"{sign}{int(whole):,}{dot}{fraction}"


def _first_duplicate(items: list[Any]) -> tuple[int, int]:
    """The first pair of equal items, as santhosh-tekuri/jsonschema looks for them."""
    from jsonschema._utils import equal

    return next((j, i) for i in range(1, len(items)) for j in range(i) if equal(items[i], items[j]))


def _message(error: Any) -> str:
    """The message santhosh-tekuri/jsonschema v6 gives for a failed keyword."""
    kind, instance, expected = error.validator, error.instance, error.validator_value
    if kind == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        return f"got {_json_type(instance)}, want {' or '.join(sorted(wanted))}"
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
        return f"{'additional properties' if kind == 'additionalProperties' else kind} " \
               f"{_quote_list(sorted(extra))} not allowed"
    if kind == "format":
        return f"'{instance}' is not valid {expected}"
    if kind == "uniqueItems":
        return "items at {} and {} are equal".format(*_first_duplicate(instance))
    if kind == "not":
        return "'not' failed"
    if kind == "oneOf":
        return "'oneOf' failed, none matched"
    if kind in ("anyOf", "allOf"):
        return f"'{kind}' failed"
    return error.message


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _all_of(validator: Any, all_of: list[Any], instance: Any, schema: dict[str, Any]) -> Any:
    """allOf failing as one error holding its subschemas' errors (jsonschema yields them loose)."""
    from jsonschema import ValidationError

    errors = [error for index, sub in enumerate(all_of)
              for error in validator.descend(instance, sub, schema_path=index)]
    if errors:
        yield ValidationError("allOf failed", context=errors)


def _lines(errors: list[Any], indent: str = "") -> list[str]:
    """``- at '/path': message`` for each error, the errors of its subschemas indented under it; a message
    repeated at one path once (jsonschema reports each missing required property apart)."""
    lines: list[str] = []
    for error in errors:
        line = f"{indent}- at '{_pointer(error.absolute_path)}': {_message(error)}\n"
        if line not in lines:
            lines.append(line)
        lines += _lines(error.context, indent + "  ") if error.validator in ("allOf", "anyOf", "oneOf") else []
    return lines


def validate_single(values: dict[str, Any], schema_bytes: bytes) -> str:
    """Errors of ``values`` against one schema as ``- at '/path': message`` lines ('' when valid).

    Values the quick check proves valid skip the jsonschema package (engine/values/schema_precheck.py)."""
    import json

    from engine.values.schema_precheck import certainly_valid, mentions_regex

    try:
        schema = json.loads(schema_bytes)
    except json.JSONDecodeError as exc:
        from engine.gotemplate.json_syntax import syntax_error

        return syntax_error(schema_bytes) or str(exc)  # helm prints no newline after it
    bad_regexes = _invalid_regexes(schema) if mentions_regex(schema) else ""  # Helm compiles them all first
    if bad_regexes:
        return bad_regexes
    if certainly_valid(schema, values):
        return ""
    import jsonschema

    from engine.values.schema_regex import with_re2  # RE2: only charts with a schema

    try:
        validator_class = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        validator = jsonschema.validators.extend(with_re2(validator_class), {"allOf": _all_of})(schema)
        errors = sorted(validator.iter_errors(values), key=lambda e: (list(map(str, e.absolute_path)),
                                                                      e.validator))  # one type failure hides the rest
    except (jsonschema.SchemaError, jsonschema.exceptions.RefResolutionError, Exception) as exc:
        return f"- at '': unable to validate schema: {exc}\n"
    type_failures = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    errors = [e for e in errors if e.validator == "type" or tuple(e.absolute_path) not in type_failures]
    return "".join(_lines(errors))


def _invalid_regexes(schema: Any) -> str:
    """Helm's report of the schema's regexes Go cannot compile ('')."""
    from engine.values.schema_regex import invalid_regexes  # RE2: only for a schema with regexes

    return invalid_regexes(schema)


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

"""A quick proof that values meet a values.schema.json, so that valid values skip the jsonschema package.

Importing jsonschema (with attrs, referencing and its format checkers) takes tens of milliseconds, more than
rendering a typical chart, and almost every render of a chart with a schema has valid values. This checks
the keywords charts use with jsonschema's own semantics (as our validator runs them: the schema's draft,
format not asserted, unknown keywords ignored) and answers VALID only when every check passed. Anything it
does not handle exactly (a remote or anchored ``$ref``, conditionals, drafts 3 and 4, a malformed keyword)
makes it answer UNKNOWN, and so does every failure: the errors always come from jsonschema. Patterns match
with RE2, as our validator's do (engine/values/schema_regex.py), once every regex in the schema compiles.
"""
from __future__ import annotations

from typing import Any, Callable

VALID, INVALID, UNKNOWN = True, False, None
_MAX_REF_DEPTH = 64  # $refs followed without descending into the values (a cycle otherwise)

_DRAFTS = {  # $schema (without a trailing '#') -> draft; any other $schema is validated as 2020-12
    "http://json-schema.org/draft-03/schema": 3, "http://json-schema.org/draft-04/schema": 4,
    "http://json-schema.org/draft-06/schema": 6, "http://json-schema.org/draft-07/schema": 7,
    "https://json-schema.org/draft/2019-09/schema": 2019, "https://json-schema.org/draft/2020-12/schema": 2020,
}
# keywords some draft validates or resolves with, that this module does not check: their presence is UNKNOWN
_UNCHECKED = frozenset({
    "$dynamicRef", "$recursiveRef", "$id", "id", "$anchor", "$dynamicAnchor", "$recursiveAnchor", "additionalItems",
    "contains", "dependencies", "dependentRequired", "dependentSchemas", "disallow", "divisibleBy", "extends", "if",
    "then", "else", "maxContains", "minContains", "multipleOf", "prefixItems", "propertyNames", "unevaluatedItems",
    "unevaluatedProperties",
})
_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})


def mentions_regex(schema: Any) -> bool:
    """Whether any object in ``schema``, used or not, has a ``pattern`` or ``patternProperties`` key: every
    regex is compiled as Go compiles it before validating (engine/values/schema_regex.py), which is not
    this module's to skip."""
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if "pattern" in node or "patternProperties" in node:
                return True
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return False


def certainly_valid(schema: Any, values: Any) -> bool:
    """True only when ``values`` meet ``schema`` exactly as jsonschema would decide."""
    if not isinstance(schema, dict):
        return False
    declared = schema.get("$schema", "")
    draft = _DRAFTS.get(declared.removesuffix("#"), 2020) if isinstance(declared, str) else None
    if draft is None or draft < 6:
        return False
    if isinstance(schema.get("$id"), str):  # the root's own URI: local $refs still resolve in this document
        schema = {keyword: value for keyword, value in schema.items() if keyword != "$id"}
    return _Check(schema, draft).schema(schema, values, 0) is VALID


class _Check:
    def __init__(self, root: dict, draft: int) -> None:
        self.root, self.draft = root, draft

    def schema(self, schema: Any, instance: Any, ref_depth: int) -> bool | None:
        if schema is True:
            return VALID
        if schema is False:
            return INVALID
        if not isinstance(schema, dict) or not _UNCHECKED.isdisjoint(schema):
            return UNKNOWN
        if "$ref" in schema and self.draft <= 7:  # before 2019-09 a $ref's siblings are ignored
            return self.ref(schema["$ref"], instance, ref_depth)
        verdict = VALID
        for keyword, value in schema.items():
            check = _KEYWORDS.get(keyword)
            if check is None:
                continue  # an annotation, or a keyword no draft knows: jsonschema ignores it
            result = check(self, value, instance, ref_depth, schema)
            if result is INVALID:
                return INVALID
            if result is UNKNOWN:
                verdict = UNKNOWN
        return verdict

    def ref(self, reference: Any, instance: Any, ref_depth: int) -> bool | None:
        if not isinstance(reference, str) or not (reference == "#" or reference.startswith("#/")) \
                or "%" in reference or ref_depth >= _MAX_REF_DEPTH:
            return UNKNOWN
        target: Any = self.root
        for part in reference[2:].split("/") if reference != "#" else ():
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                return UNKNOWN
        return self.schema(target, instance, ref_depth + 1)

    def descend(self, schema: Any, instance: Any) -> bool | None:
        return self.schema(schema, instance, 0)


def _all(results: Any) -> bool | None:
    verdict = VALID
    for result in results:
        if result is INVALID:
            return INVALID
        if result is UNKNOWN:
            verdict = UNKNOWN
    return verdict


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_type(value: Any, name: str) -> bool:
    """jsonschema's type checker of drafts 6 and later (an integral float is an integer)."""
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "object":
        return isinstance(value, dict)
    if name == "array":
        return isinstance(value, list)
    if name == "string":
        return isinstance(value, str)
    if name == "number":
        return _is_number(value)
    return _is_number(value) and (isinstance(value, int) or value.is_integer())  # integer


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: booleans are not numbers, 1 equals 1.0, containers compare deeply."""
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_equal(one[key], two[key]) for key in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    return one == two


def _type(check: _Check, types: Any, instance: Any, _depth: int, _schema: dict) -> bool | None:
    names = types if isinstance(types, list) else [types]
    if not names or not all(isinstance(name, str) and name in _TYPES for name in names):
        return UNKNOWN  # jsonschema fails on an unknown type: the error is its to report
    return VALID if any(_is_type(instance, name) for name in names) else INVALID


def _properties(check: _Check, properties: Any, instance: Any, _depth: int, _schema: dict) -> bool | None:
    if not isinstance(properties, dict):
        return UNKNOWN
    if not isinstance(instance, dict):
        return VALID
    return _all(check.descend(sub, instance[name]) for name, sub in properties.items() if name in instance)


def _search(pattern: str, text: str) -> bool | None:
    """Whether Go's regexp ``pattern`` matches somewhere in ``text`` (as our validator matches, with RE2);
    UNKNOWN for a pattern Go does not compile."""
    from engine.gotemplate.goregexp import GoRegexpError, compile_go

    try:
        return compile_go(pattern).search(text) is not None
    except GoRegexpError:
        return UNKNOWN


def _pattern(check: _Check, pattern: Any, instance: Any, _depth: int, _schema: dict) -> bool | None:
    if not isinstance(pattern, str):
        return UNKNOWN
    return _search(pattern, instance) if isinstance(instance, str) else VALID


def _pattern_properties(check: _Check, patterns: Any, instance: Any, _depth: int, _schema: dict) -> bool | None:
    if not isinstance(patterns, dict):
        return UNKNOWN
    if not isinstance(instance, dict):
        return VALID
    results = []
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            found = _search(pattern, name)
            if found is UNKNOWN:
                return UNKNOWN
            if found:
                results.append(check.descend(subschema, value))
    return _all(results)


def _additional_properties(check: _Check, additional: Any, instance: Any, _depth: int, schema: dict
                           ) -> bool | None:
    properties, patterns = schema.get("properties", {}), schema.get("patternProperties", {})
    if not isinstance(properties, dict) or not isinstance(patterns, dict):
        return UNKNOWN
    if not isinstance(instance, dict):
        return VALID
    joined = "|".join(patterns)  # jsonschema matches one alternation of them all (a flag reaches the rest)
    results = []
    for name in instance:
        if name in properties:
            continue
        found = _search(joined, name) if joined else False
        if found is UNKNOWN:
            return UNKNOWN
        if not found:
            results.append(check.descend(additional, instance[name]))
    return _all(results)


def _required(check: _Check, required: Any, instance: Any, _depth: int, _schema: dict) -> bool | None:
    if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
        return UNKNOWN
    if not isinstance(instance, dict):
        return VALID
    return VALID if all(name in instance for name in required) else INVALID


def _enum(check: _Check, options: Any, instance: Any, _depth: int, _schema: dict) -> bool | None:
    if not isinstance(options, list):
        return UNKNOWN
    return VALID if any(_equal(instance, option) for option in options) else INVALID


def _const(check: _Check, value: Any, instance: Any, _depth: int, _schema: dict) -> bool | None:
    return VALID if _equal(instance, value) else INVALID


def _items(check: _Check, items: Any, instance: Any, _depth: int, _schema: dict) -> bool | None:
    if not isinstance(items, (dict, bool)):
        return UNKNOWN  # the positional (array) form
    if not isinstance(instance, list):
        return VALID
    return _all(check.descend(items, item) for item in instance)


def _unique_items(check: _Check, unique: Any, instance: Any, _depth: int, _schema: dict) -> bool | None:
    if not isinstance(unique, bool):
        return UNKNOWN
    if not unique or not isinstance(instance, list):
        return VALID
    for i in range(1, len(instance)):
        if any(_equal(instance[i], instance[j]) for j in range(i)):
            return INVALID
    return VALID


def _bound(kind: str, applies: Any, measure: Any) -> Any:
    """A numeric keyword: ``applies(instance)`` says whether it concerns the instance, ``measure`` gives the
    measured number, and ``kind`` how it compares with the keyword's value."""
    def check(_check: _Check, limit: Any, instance: Any, _depth: int, _schema: dict) -> bool | None:
        if not _is_number(limit):
            return UNKNOWN
        if not applies(instance):
            return VALID
        value = measure(instance)
        passed = {"min": value >= limit, "max": value <= limit, "exclusive-min": value > limit,
                  "exclusive-max": value < limit}[kind]
        return VALID if passed else INVALID
    return check


def _combinator(verdict: Callable[[list], bool | None]) -> Any:
    """allOf, anyOf or oneOf: ``verdict`` of its subschemas' results (a malformed keyword is UNKNOWN)."""
    def check(check_: _Check, subschemas: Any, instance: Any, depth: int, _schema: dict) -> bool | None:
        if not isinstance(subschemas, list) or not subschemas:
            return UNKNOWN
        return verdict([check_.schema(sub, instance, depth) for sub in subschemas])
    return check


def _any_valid(results: list) -> bool | None:
    if VALID in results:
        return VALID
    return UNKNOWN if UNKNOWN in results else INVALID


def _exactly_one_valid(results: list) -> bool | None:
    if UNKNOWN in results:
        return UNKNOWN
    return VALID if results.count(VALID) == 1 else INVALID


def _not(check: _Check, subschema: Any, instance: Any, depth: int, _schema: dict) -> bool | None:
    result = check.schema(subschema, instance, depth)
    return UNKNOWN if result is UNKNOWN else not result


def _ref(check: _Check, reference: Any, instance: Any, depth: int, _schema: dict) -> bool | None:
    return check.ref(reference, instance, depth)


def _ignored(_check: _Check, _value: Any, _instance: Any, _depth: int, _schema: dict) -> bool | None:
    return VALID


_KEYWORDS = {
    "type": _type, "properties": _properties, "additionalProperties": _additional_properties,
    "required": _required, "enum": _enum, "const": _const, "items": _items, "uniqueItems": _unique_items,
    "minimum": _bound("min", _is_number, float), "maximum": _bound("max", _is_number, float),
    "exclusiveMinimum": _bound("exclusive-min", _is_number, float),
    "exclusiveMaximum": _bound("exclusive-max", _is_number, float),
    "minLength": _bound("min", lambda value: isinstance(value, str), len),
    "maxLength": _bound("max", lambda value: isinstance(value, str), len),
    "minItems": _bound("min", lambda value: isinstance(value, list), len),
    "maxItems": _bound("max", lambda value: isinstance(value, list), len),
    "minProperties": _bound("min", lambda value: isinstance(value, dict), len),
    "maxProperties": _bound("max", lambda value: isinstance(value, dict), len),
    "allOf": _combinator(_all), "anyOf": _combinator(_any_valid), "oneOf": _combinator(_exactly_one_valid),
    "not": _not, "$ref": _ref, "pattern": _pattern, "patternProperties": _pattern_properties,
    "format": _ignored,  # our validator asserts no format, as jsonschema does without a format checker
}

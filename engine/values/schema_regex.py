"""values.schema.json regexes with Go's semantics: RE2 matching (linear time) and Go's compile errors.

jsonschema matches ``pattern``, ``patternProperties`` (and, through them, ``additionalProperties`` and
``unevaluatedProperties``) with Python's backtracking ``re``, where ``^(a+)+$`` against a long string
never finishes; Helm's validator uses Go's regexp. The keyword functions here are jsonschema's own, run
with RE2 in place of ``re``; before validating, every pattern is compiled as Go compiles it, and a bad one
is reported as Helm reports it (the schema fails its metaschema).
"""
from __future__ import annotations

import types
from functools import cache
from typing import Any, Callable

from engine.gotemplate.goregexp import GoRegexpError, RE2Module, compile_go

METASCHEMA_FAILURE = ('"file:///values.schema.json#" is not valid against metaschema: jsonschema validation failed '
                      "with 'https://json-schema.org/draft/2020-12/schema#'\n")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_VALUES = ("items", "additionalItems", "additionalProperties", "unevaluatedItems", "unevaluatedProperties",
                  "contains", "propertyNames", "not", "if", "then", "else")


def _rebind(function: Callable, **names: Any) -> tuple[Callable, dict[str, Any]]:
    """``function`` (jsonschema's code, unchanged) seeing ``names`` in place of its module's globals."""
    namespace = {**function.__globals__, **names}
    return types.FunctionType(function.__code__, namespace, function.__name__, function.__defaults__,
                              function.__closure__), namespace


@cache
def re2_keywords() -> dict[str, Callable]:
    """jsonschema's regex-using keyword implementations, matching with RE2."""
    from jsonschema import _keywords, _utils

    find_evaluated, namespace = _rebind(_utils.find_evaluated_property_keys_by_schema, re=RE2Module)
    namespace["find_evaluated_property_keys_by_schema"] = find_evaluated  # it recurses through its global name
    find_additional, _ = _rebind(_utils.find_additional_properties, re=RE2Module)
    return {
        "pattern": _rebind(_keywords.pattern, re=RE2Module)[0],
        "patternProperties": _rebind(_keywords.patternProperties, re=RE2Module)[0],
        "additionalProperties": _rebind(_keywords.additionalProperties,
                                        find_additional_properties=find_additional)[0],
        "unevaluatedProperties": _rebind(_keywords.unevaluatedProperties,
                                         find_evaluated_property_keys_by_schema=find_evaluated)[0],
    }


@cache
def with_re2(validator_class: type) -> type:
    """``validator_class`` with RE2 regex keywords."""
    import jsonschema

    return jsonschema.validators.extend(validator_class, re2_keywords())


def invalid_regexes(schema: Any) -> str:
    """Helm's report of the patterns in ``schema`` that Go cannot compile ('' when all compile)."""
    tree: dict[tuple, list[str]] = {}
    pending: list[tuple[tuple[str, ...], Any]] = [((), schema)]
    while pending:
        path, node = pending.pop()
        if not isinstance(node, dict):
            continue
        problems = _node_problems(path, node)
        if problems:
            tree[path] = problems
        for keyword in _SCHEMA_MAPS:
            if isinstance(node.get(keyword), dict):
                pending.extend(((*path, keyword, name), sub) for name, sub in node[keyword].items())
        for keyword in _SCHEMA_LISTS:
            if isinstance(node.get(keyword), list):
                pending.extend(((*path, keyword, str(i)), sub) for i, sub in enumerate(node[keyword]))
        for keyword in _SCHEMA_VALUES:
            value = node.get(keyword)
            if isinstance(value, list):
                pending.extend(((*path, keyword, str(i)), sub) for i, sub in enumerate(value))
            elif isinstance(value, dict):
                pending.append(((*path, keyword), value))
    return _report(tree) if tree else ""


def _node_problems(path: tuple[str, ...], node: dict[str, Any]) -> list[str]:
    """The lines (relative to the schema at ``path``) for its bad ``pattern`` and patternProperties names."""
    lines = []
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        problem = _compile_problem(pattern)
        if problem:
            lines.append(f"- at '{_pointer((*path, 'pattern'))}': '{pattern}' is not valid regex: {problem}")
    for name in node.get("patternProperties") or {} if isinstance(node.get("patternProperties"), dict) else {}:
        problem = _compile_problem(name)
        if problem:
            lines.append(f"- at '': invalid propertyName '{name}'\n  - at '': '{name}' is not valid regex: {problem}")
    return lines


def _compile_problem(pattern: str) -> str | None:
    try:
        compile_go(pattern)
    except GoRegexpError as exc:
        return str(exc)
    return None


def _pointer(path: tuple[str, ...]) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)


def _report(tree: dict[tuple, list[str]]) -> str:
    """The nested ``'allOf' failed`` lines Helm's metaschema check prints down to each bad pattern."""
    out = [METASCHEMA_FAILURE]
    printed: set[tuple] = set()
    for path in sorted(tree, key=_pointer):
        ancestors = [path[:i] for i in range(len(path) + 1) if i == 0 or _is_schema_path(path[:i])]
        for depth, ancestor in enumerate(ancestors):
            if ancestor not in printed:
                printed.add(ancestor)
                out.append(f"{'  ' * depth}- at '{_pointer(ancestor)}': 'allOf' failed\n")
        indent = "  " * len(ancestors)
        for problem in tree[path]:
            out.extend(f"{indent}{line}\n" for line in problem.split("\n"))
    return "".join(out).removesuffix("\n")  # Helm prints no blank line after this report


def _is_schema_path(path: tuple[str, ...]) -> bool:
    """Whether ``path`` ends at a subschema (not at a keyword holding a map or list of them)."""
    keyword = path[-1]
    if keyword in _SCHEMA_VALUES:
        return True
    return len(path) >= 2 and path[-2] in (*_SCHEMA_MAPS, *_SCHEMA_LISTS, *_SCHEMA_VALUES)

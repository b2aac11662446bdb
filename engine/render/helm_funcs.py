"""Helm's own template functions, layered over Sprig (Helm's pkg/engine funcs and initFunMap).

``required`` and ``fail`` wrap their message in HELM_ERR_START/END markers, as Helm does, so the error
reformatting in :mod:`engine.render.errors` can report ``execution error at (file:line:col): msg``.
"""
from __future__ import annotations

from typing import Any, Callable

from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, gofunc

WARN_START, WARN_END = "HELM_ERR_START", "HELM_ERR_END"
MAX_INCLUDE_DEPTH = 1000
TPL_TEMPLATE_NAME = "gotpl"  # Helm parses tpl strings under its root template's name

Lookup = Callable[[str, str, str, str], dict]


def _wrap_warning(msg: str) -> str:
    return WARN_START + msg + WARN_END


def _encoders(funcs: FuncMap) -> None:
    """toYaml, toJson, fromYaml … — Helm's versions, which replace Sprig's."""
    from engine.gotemplate import gojson, goyaml

    @gofunc(funcs, "toYaml", "any")
    def to_yaml(value: Any) -> str:
        try:
            return goyaml.to_yaml(value).removesuffix("\n")
        except Exception:  # Helm returns "" when marshalling fails
            return ""

    @gofunc(funcs, "mustToYaml", "any")
    def must_to_yaml(value: Any) -> str:
        try:
            return goyaml.to_yaml(value).removesuffix("\n")
        except Exception as exc:
            raise FuncError(str(exc)) from exc

    @gofunc(funcs, "toYamlPretty", "any")
    def to_yaml_pretty(value: Any) -> str:
        try:
            return goyaml.to_yaml_pretty(value).removesuffix("\n")
        except Exception:
            return ""

    @gofunc(funcs, "fromYaml", "string")
    def from_yaml(text: str) -> dict:
        try:
            loaded = goyaml.load(text)
        except goyaml.YAMLError as exc:
            return {"Error": str(exc)}
        if loaded is None:
            return {}
        if not isinstance(loaded, dict):
            return {"Error": _unmarshal_error(loaded, "map[string]interface {}")}
        return loaded

    @gofunc(funcs, "fromYamlArray", "string")
    def from_yaml_array(text: str) -> list:
        try:
            loaded = goyaml.load(text)
        except goyaml.YAMLError as exc:
            return [str(exc)]
        if loaded is None:
            return []
        if not isinstance(loaded, list):
            return [_unmarshal_error(loaded, "[]interface {}")]
        return loaded

    @gofunc(funcs, "toJson", "any")
    def to_json(value: Any) -> str:
        try:
            return gojson.to_json(value)
        except Exception:
            return ""

    @gofunc(funcs, "mustToJson", "any")
    def must_to_json(value: Any) -> str:
        try:
            return gojson.to_json(value)
        except Exception as exc:
            raise FuncError(str(exc)) from exc

    @gofunc(funcs, "fromJson", "string")
    def from_json(text: str) -> dict:
        try:
            loaded = gojson.load(text)
        except Exception as exc:
            return {"Error": str(exc)}
        if loaded is None:
            return {}
        if not isinstance(loaded, dict):
            return {"Error": _json_type_error(loaded, "map[string]interface {}")}
        return loaded

    @gofunc(funcs, "fromJsonArray", "string")
    def from_json_array(text: str) -> list:
        try:
            loaded = gojson.load(text)
        except Exception as exc:
            return [str(exc)]
        if loaded is None:
            return []
        if not isinstance(loaded, list):
            return [_json_type_error(loaded, "[]interface {}")]
        return loaded

    @gofunc(funcs, "toToml", "any")
    def to_toml(value: Any) -> str:
        if value is None:  # the encoder reflects on the value before it can return an error
            raise FuncError("reflect: call of reflect.Value.Type on zero Value")
        from engine.gotemplate import gotoml  # tomllib: only templates that use TOML

        try:
            return gotoml.to_toml(value)
        except Exception as exc:  # Helm prints the encoder's error text
            return str(exc)

    @gofunc(funcs, "fromToml", "string")
    def from_toml(text: str) -> dict:
        from engine.gotemplate import gotoml

        try:
            return gotoml.load(text)
        except Exception as exc:
            return {"Error": str(exc)}


def _json_type_error(value: Any, go_type: str) -> str:
    from engine.gotemplate.gojson import json_kind

    return f"json: cannot unmarshal {json_kind(value)} into Go value of type {go_type}"


def _unmarshal_error(value: Any, go_type: str) -> str:
    return "error unmarshaling JSON: while decoding JSON: " + _json_type_error(value, go_type)


def _templating(funcs: FuncMap, lint_mode: bool) -> None:
    """include, tpl, required and fail."""

    @gofunc(funcs, "include", "string", "any", needs_state=True)
    def include(state: Any, name: str, data: Any) -> str:
        depths: dict[str, int] = state.scratch.setdefault("include_depth", {})
        depth = depths.get(name, 0)
        if depth > MAX_INCLUDE_DEPTH:
            raise FuncError(f"rendering template has a nested reference name: {name}: "
                            "unable to execute template")
        depths[name] = depth + 1
        try:
            return state.execute_template(name, data)
        finally:
            depths[name] -= 1

    @gofunc(funcs, "tpl", "string", "any", needs_state=True)
    def tpl(state: Any, text: str, data: Any) -> str:
        from engine.gotemplate.errors import ParseError, TemplateError

        try:
            out = state.template_set.execute_text(TPL_TEMPLATE_NAME, text, data, scratch=state.scratch)
        except ParseError as exc:
            raise FuncError(f"cannot parse template {_go_quote(text)}: {exc}") from exc
        except TemplateError as exc:
            raise FuncError(f"error during tpl function execution for {_go_quote(text)}: {exc}") from exc
        return out.replace("<no value>", "")

    @gofunc(funcs, "required", "string", "any")
    def required(message: str, value: Any) -> Any:
        if value is None or value == "":
            if lint_mode:
                return ""
            raise FuncError(_wrap_warning(message))
        return value

    @gofunc(funcs, "fail", "string")
    def fail(message: str) -> str:
        if lint_mode:
            return ""
        raise FuncError(_wrap_warning(message))


def _go_quote(text: str) -> str:
    from engine.gotemplate.gofmt import sprintf

    return sprintf("%q", [text])


def helm_funcs(lint_mode: bool = False, lookup: Lookup | None = None, enable_dns: bool = False) -> FuncMap:
    """Helm's additions to the Sprig function map; ``lookup`` reaches a live cluster when given."""
    funcs: FuncMap = {}
    _encoders(funcs)
    _templating(funcs, lint_mode)

    @gofunc(funcs, "lookup", "string", "string", "string", "string")
    def lookup_func(api_version: str, kind: str, namespace: str, name: str) -> dict:
        if lookup is None or lint_mode:
            return {}
        return lookup(api_version, kind, namespace, name)

    if not enable_dns:
        @gofunc(funcs, "getHostByName", "string")
        def get_host_by_name(_name: str) -> str:
            return ""

    return funcs

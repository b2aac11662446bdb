"""Render every template of a chart tree with Helm's render objects (Helm's pkg/engine Render).

A chart's templates are parsed once into a :class:`TemplateSet` that is cached and reused for every
later render of the same templates (many releases of one chart in a stack).
"""
from __future__ import annotations

import posixpath
from collections import OrderedDict
from typing import Any

from engine.chart.model import Chart
from engine.gotemplate.errors import ParseError, TemplateError
from engine.gotemplate.funcs import FuncMap
from engine.render.errors import RenderError, exec_error_message, parse_error_message
from engine.render.helm_funcs import TPL_TEMPLATE_NAME

_CACHE_SIZE = 32
_template_sets: "OrderedDict[tuple, Any]" = OrderedDict()


class _Renderable:
    """One template file: its text, the render object of its chart and its base path."""

    __slots__ = ("text", "values", "base_path")

    def __init__(self, text: str, values: dict[str, Any], base_path: str):
        self.text, self.values, self.base_path = text, values, base_path


def _template_objects(chart: Chart, parent: dict[str, Any], out: dict[str, _Renderable]) -> dict[str, Any]:
    """Build the render object of ``chart`` (and its subcharts) and collect its templates into ``out``."""
    from engine.chart.files import Files
    from engine.chart.metadata import chart_value_for_templates

    from engine.render.values_object import as_template_values

    subcharts: dict[str, Any] = {}
    values: Any = parent["Values"] if chart.is_root else as_template_values({})
    if not chart.is_root:
        section = parent["Values"].get(chart.name) if isinstance(parent["Values"], dict) else None
        if isinstance(section, dict):
            values = as_template_values(section)
    context: dict[str, Any] = {
        "Chart": chart_value_for_templates(chart),
        "Files": Files(chart.files),
        "Release": parent.get("Release"),
        "Capabilities": parent.get("Capabilities"),
        "Values": values,
        "Subcharts": subcharts,
    }
    for sub in chart.subcharts:
        subcharts[sub.name] = _template_objects(sub, context, out)
    base = chart.chart_path
    library = chart.metadata.type == "library"
    for template in chart.templates:
        if library and not posixpath.basename(template.name).startswith("_"):
            continue
        out[posixpath.join(base, template.name)] = _Renderable(
            template.data.decode("utf-8", errors="replace"), context, posixpath.join(base, "templates"))
    return context


def _parse_order(names: list[str]) -> list[str]:
    """Deepest paths first, ties in reverse lexical order (Helm's sortTemplates)."""
    return sorted(names, key=lambda n: (n.count("/"), n), reverse=True)


def _template_set(keys: list[str], templates: dict[str, _Renderable], funcs: FuncMap, strict: bool) -> Any:
    """The parsed template set for these templates, from the cache when they were parsed before."""
    from engine.gotemplate.template_set import TemplateSet

    cache_key = (tuple((k, templates[k].text) for k in keys), id(funcs), strict)
    cached = _template_sets.get(cache_key)
    if cached is not None:
        _template_sets.move_to_end(cache_key)
        return cached
    template_set = TemplateSet(funcs, missingkey="error" if strict else "zero", name=TPL_TEMPLATE_NAME)
    template_set.precompile([(name, templates[name].text) for name in keys])
    for name in keys:
        try:
            template_set.parse(name, templates[name].text, chart_file=True)
        except ParseError as exc:
            raise RenderError(parse_error_message(name, str(exc))) from exc
    _template_sets[cache_key] = template_set
    if len(_template_sets) > _CACHE_SIZE:
        _template_sets.popitem(last=False)
    return template_set


def render_templates(chart: Chart, top: dict[str, Any], funcs: FuncMap, strict: bool = False) -> dict[str, str]:
    """Render all templates of ``chart`` and its subcharts; returns template path → rendered text.

    ``top`` holds ``Values``, ``Release`` and ``Capabilities`` as Helm's ToRenderValues builds them.
    Partials (basename ``_*``) are parsed but not rendered; ``<no value>`` is removed from the output.
    """
    templates: dict[str, _Renderable] = {}
    _template_objects(chart, top, templates)
    keys = _parse_order(list(templates))
    template_set = _template_set(keys, templates, funcs, strict)
    rendered: dict[str, str] = {}
    for name in keys:
        if posixpath.basename(name).startswith("_"):
            continue
        renderable = templates[name]
        renderable.values["Template"] = {"Name": name, "BasePath": renderable.base_path}
        try:
            text = template_set.execute(name, renderable.values)
        except TemplateError as exc:
            raise RenderError(exec_error_message(name, str(exc))) from exc
        except RecursionError as exc:
            raise RenderError(f"rendering template failed: {name}: recursion too deep") from exc
        rendered[name] = text.replace("<no value>", "")
    return rendered

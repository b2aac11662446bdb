"""Coalescing user values with chart defaults, subcharts and globals (Helm's chartutil coalesce)."""
from __future__ import annotations

from typing import Any, Callable

from engine.chart.model import Chart
from engine.values.copying import copy_values
from engine.values.errors import ValuesError

Warn = Callable[[str], None]
GLOBAL = "global"


def _prefix(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def _show(value: Any) -> str:
    from engine.gotemplate.gofmt import format_value

    return format_value(value)


def coalesce_values(chart: Chart, user_values: dict[str, Any] | None, warn: Warn = lambda m: None,
                    merge: bool = False) -> dict[str, Any]:
    """The final values: a copy of ``user_values`` coalesced with the chart tree's defaults."""
    dest = copy_values(user_values) if user_values else {}
    return _coalesce(chart, dest, "", merge, warn)


def _coalesce(chart: Chart, dest: dict[str, Any], prefix: str, merge: bool, warn: Warn) -> dict[str, Any]:
    _coalesce_chart_values(chart, dest, prefix, merge, warn)
    return _coalesce_dependencies(chart, dest, prefix, merge, warn)


def _coalesce_dependencies(chart: Chart, dest: dict[str, Any], prefix: str, merge: bool, warn: Warn
                           ) -> dict[str, Any]:
    for sub in chart.subcharts:
        if sub.name not in dest:
            dest[sub.name] = {}
        elif not isinstance(dest[sub.name], dict):
            from engine.gotemplate.gofmt import sprintf

            raise ValuesError(f"type mismatch on {sub.name}: {sprintf('%t', [dest[sub.name]])}")
        section = dest[sub.name]
        sub_prefix = _prefix(prefix, chart.name)
        _coalesce_globals(section, dest, sub_prefix, warn)
        dest[sub.name] = _coalesce(sub, section, sub_prefix, merge, warn)
    return dest


def _coalesce_globals(dest: dict[str, Any], src: dict[str, Any], prefix: str, warn: Warn) -> None:
    """Copy the parent's globals into a subchart's section; the parent's win."""
    if GLOBAL not in dest:
        dest_globals: dict[str, Any] = {}
    elif isinstance(dest[GLOBAL], dict):
        dest_globals = dest[GLOBAL]
    else:
        warn(f"warning: skipping globals because destination {GLOBAL} is not a table.")
        return
    if GLOBAL not in src:
        src_globals: dict[str, Any] = {}
    elif isinstance(src[GLOBAL], dict):
        src_globals = src[GLOBAL]
    else:
        warn(f"warning: skipping globals because source {GLOBAL} is not a table.")
        return
    for key, value in src_globals.items():
        if isinstance(value, dict):
            copied = dict(value)
            if key not in dest_globals:
                dest_globals[key] = copied
            elif not isinstance(dest_globals[key], dict):
                warn(f'Conflict: cannot merge map onto non-map for "{key}". Skipping.')
            else:
                coalesce_tables(copied, dest_globals[key], _prefix(prefix, key), True, warn)
                dest_globals[key] = copied
        elif isinstance(dest_globals.get(key), dict):
            warn(f"key {key} is table. Skipping")
        else:
            dest_globals[key] = value
    dest[GLOBAL] = dest_globals


def _coalesce_chart_values(chart: Chart, dest: dict[str, Any], prefix: str, merge: bool, warn: Warn) -> None:
    sub_prefix = _prefix(prefix, chart.name)
    subchart_names = {sub.name for sub in chart.subcharts}
    for key, default in copy_values(chart.values).items():
        if key in dest:
            value = dest[key]
            if value is None and not merge:
                del dest[key]
            elif isinstance(value, dict):
                if not isinstance(default, dict):
                    if default is not None:
                        warn(f"warning: skipped value for {sub_prefix}.{key}: Not a table.")
                else:
                    coalesce_tables(value, default, _prefix(sub_prefix, key), merge or key in subchart_names, warn)
        else:
            dest[key] = default


def coalesce_tables(dst: dict[str, Any] | None, src: dict[str, Any] | None, prefix: str = "", merge: bool = False,
                    warn: Warn = lambda m: None) -> dict[str, Any] | None:
    """Helm's coalesceTablesFullKey: ``src`` fills ``dst``; ``null`` in ``dst`` deletes (unless merging)."""
    if src is None:
        return dst
    if dst is None:
        return src
    src_non_nil = {k for k, v in src.items() if v is not None}
    for key, value in dst.items():
        if value is None:
            src[key] = None
    for key, value in src.items():
        full_key = _prefix(prefix, key)
        present = key in dst
        if present and not merge and dst[key] is None and key in src_non_nil:
            del dst[key]
        elif not present:
            dst[key] = value
        elif isinstance(value, dict):
            if isinstance(dst[key], dict):
                coalesce_tables(dst[key], value, full_key, merge, warn)
            else:
                warn(f"warning: cannot overwrite table with non table for {full_key} ({_show(value)})")
        elif isinstance(dst[key], dict) and value is not None:
            warn(f"warning: destination for {full_key} is a table. Ignoring non-table value ({_show(value)})")
    return dst


def merge_tables(dst: dict[str, Any] | None, src: dict[str, Any] | None) -> dict[str, Any] | None:
    """Helm's MergeTables: like coalescing but ``null`` values are kept."""
    return coalesce_tables(dst, src, "", True)

"""The user-supplied values of a command: -f files, then --set-json, --set, --set-string, --set-file,
--set-literal, in Helm's order of precedence by flag type."""
from __future__ import annotations

import sys
from typing import Any, TextIO

from engine.values.errors import ValuesError


def read_value_source(name: str, stdin: TextIO | None) -> bytes:
    """A values file, ``-`` for standard input, or an http(s) URL."""
    if name == "-":
        stream = stdin or sys.stdin
        return stream.read().encode() if hasattr(stream, "read") else b""
    if name.startswith(("http://", "https://")):  # as helm: its chart getter, deadline and size cap included
        from engine.net.limits import INDEX
        from engine.repo.errors import RepoError
        from engine.repo.http import fetch

        try:
            return fetch(name, cap=INDEX)
        except RepoError as exc:
            raise ValuesError(str(exc)) from None
    try:
        with open(name, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ValuesError(f"open {name}: {(exc.strerror or str(exc)).lower()}") from None


def build_user_values(value_files: list[str], set_json: list[str], set_values: list[str], set_string: list[str],
                      set_file: list[str], set_literal: list[str], stdin: TextIO | None = None) -> dict[str, Any]:
    """Merge every values flag into one map; raises ValuesError worded as Helm."""
    from engine.chart.errors import ChartError
    from engine.chart.loader import load_values_bytes, merge_maps

    base: dict[str, Any] = {}
    for name in value_files:
        try:
            current = load_values_bytes(read_value_source(name, stdin), name)
        except ChartError as exc:
            message = str(exc).removeprefix(f"cannot load {name}: ")
            raise ValuesError(f"failed to parse {name}: {message}") from None
        base = merge_maps(base, current)
    if any((set_json, set_values, set_string, set_file, set_literal)):
        base = _with_set_flags(base, set_json, set_values, set_string, set_file, set_literal, stdin)
    return base


def _with_set_flags(base: dict[str, Any], set_json: list[str], set_values: list[str], set_string: list[str],
                    set_file: list[str], set_literal: list[str], stdin: TextIO | None) -> dict[str, Any]:
    """``base`` with the --set flags and their kin applied in Helm's order (their parser loads only for them)."""
    from engine.chart.loader import merge_maps
    from engine.gotemplate import gojson
    from engine.values import strvals

    for value in set_json:
        trimmed = value.strip()
        if trimmed.startswith("{"):
            try:
                parsed = gojson.load(trimmed)
            except ValueError:
                raise ValuesError(f"failed parsing --set-json data JSON: {value}") from None
            base = merge_maps(base, parsed)
            continue
        try:
            strvals.parse_set_json(value, base)
        except strvals.StrvalsError:
            raise ValuesError(f"failed parsing --set-json data {value}") from None
    for flag, parse, items in (("--set", strvals.parse_set, set_values),
                               ("--set-string", strvals.parse_set_string, set_string)):
        for value in items:
            try:
                parse(value, base)
            except strvals.StrvalsError as exc:
                raise ValuesError(f"failed parsing {flag} data: {exc}") from None
    for value in set_file:
        try:
            strvals.parse_set_file(value, base, lambda path: read_value_source(path, stdin).decode(
                "utf-8", errors="replace"))
        except strvals.StrvalsError as exc:
            raise ValuesError(f"failed parsing --set-file data: {exc}") from None
    for value in set_literal:
        try:
            strvals.parse_set_literal(value, base)
        except strvals.StrvalsError as exc:
            raise ValuesError(f"failed parsing --set-literal data: {exc}") from None
    return base

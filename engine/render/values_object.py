"""``.Values`` in templates: Helm's common.Values, a map with AsMap, Table, PathValue and YAML methods."""
from __future__ import annotations

from typing import Any

from engine.gotemplate.errors import FuncError
from engine.gotemplate.gotypes import GoStruct


class Values(dict, GoStruct):
    """A values map as templates see it (``typeOf .Values`` is ``common.Values``)."""

    go_type = "common.Values"
    go_methods = {"AsMap": (), "Table": ("string",), "PathValue": ("string",), "YAML": ()}

    def AsMap(self) -> dict:
        return dict(self)

    def Table(self, name: str) -> "Values":
        from engine.values.dependencies import _MISSING, table

        found = table(self, name)
        if found is _MISSING:
            raise FuncError(f"no table named {name!r}")
        return Values(found)

    def PathValue(self, path: str) -> Any:
        from engine.values.dependencies import _MISSING, path_value

        if not path:
            raise FuncError("YAML path cannot be empty")
        found = path_value(self, path)
        if found is _MISSING:
            raise FuncError(f"no value for key '{path.split('.')[-1]}'")
        return found

    def YAML(self) -> str:
        from engine.gotemplate.goyaml import to_yaml

        return to_yaml(dict(self))


def as_template_values(values: dict[str, Any]) -> Values:
    """A chart's ``.Values``: a common.Values over the same keys (nested maps are shared, not copied).

    Helm types only a chart's own ``.Values`` as common.Values; the same section seen from the parent
    (``.Values.child``) stays a plain map, so the parent's map is left as it is.
    """
    return Values(values)

"""Errors of values handling."""
from __future__ import annotations


class ValuesError(Exception):
    """Bad values input (a values file, a --set expression, a schema violation); ``str()`` is Helm's text."""

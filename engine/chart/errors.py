"""Errors of chart loading, validation and packaging."""
from __future__ import annotations


class ChartError(Exception):
    """A chart that cannot be loaded or is invalid; ``str()`` is Helm's message."""

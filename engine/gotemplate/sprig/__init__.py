"""The Sprig v3 function library (TxtFuncMap) as Helm uses it; ``SPRIG_FUNCS`` is the whole map.

Helm removes ``env`` and ``expandenv`` and replaces the JSON/YAML helpers with its own (see
engine/render/helm_funcs.py); both are done by the caller, so this map is Sprig's complete one.
"""
from __future__ import annotations

from engine.gotemplate.funcs import FuncMap
from engine.gotemplate.sprig import collections, conversion, crypto, dates, encoding, math, regex, semver, strings

SPRIG_FUNCS: FuncMap = {}
for _module in (conversion, strings, math, collections, regex, encoding, semver, dates, crypto):
    SPRIG_FUNCS.update(_module.FUNCS)

__all__ = ["SPRIG_FUNCS"]

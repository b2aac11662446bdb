"""The Sprig v3 function library (TxtFuncMap) as Helm uses it; ``SPRIG_FUNCS`` is the whole map.

Helm removes ``env`` and ``expandenv`` and replaces the JSON/YAML helpers with its own (see
engine/render/helm_funcs.py); both are done by the caller, so this map is Sprig's complete one.

The modules most charts call (strings, collections, conversion, encoding) are imported with the map. The
others are imported only when a template first calls one of their functions: every ``pyhelm template``
would otherwise pay for their imports (dates and certificates pull in time zones, hashing, HMAC …). Parsing
and code generation need each function's name and Go signature before any call, so those are declared in
``ON_FIRST_CALL``; tests/gotemplate/test_sprig_map.py checks them against the modules' own declarations.
"""
from __future__ import annotations

import importlib
from typing import Any, Callable

from engine.gotemplate.funcs import FuncMap, GoFunc
from engine.gotemplate.sprig import collections, conversion, encoding, strings

# module of engine.gotemplate.sprig → its functions' Go parameter types (none of them needs the executor state)
ON_FIRST_CALL: dict[str, dict[str, tuple[str, ...]]] = {
    "math": {
        "add1": ("any",), "add": ("...any",), "sub": ("any", "any"), "div": ("any", "any"), "mod": ("any", "any"),
        "mul": ("any", "...any"), "max": ("any", "...any"), "biggest": ("any", "...any"), "min": ("any", "...any"),
        "maxf": ("any", "...any"), "minf": ("any", "...any"), "floor": ("any",), "ceil": ("any",),
        "round": ("any", "int", "...float64"), "addf": ("...any",), "add1f": ("any",), "subf": ("any", "...any"),
        "mulf": ("any", "...any"), "divf": ("any", "...any"), "until": ("int",), "untilStep": ("int", "int", "int"),
        "seq": ("...int",),
    },
    "regex": {
        "regexMatch": ("string", "string"), "mustRegexMatch": ("string", "string"),
        "regexFindAll": ("string", "string", "int"), "mustRegexFindAll": ("string", "string", "int"),
        "regexFind": ("string", "string"), "mustRegexFind": ("string", "string"),
        "regexReplaceAll": ("string", "string", "string"), "mustRegexReplaceAll": ("string", "string", "string"),
        "regexReplaceAllLiteral": ("string", "string", "string"),
        "mustRegexReplaceAllLiteral": ("string", "string", "string"), "regexSplit": ("string", "string", "int"),
        "mustRegexSplit": ("string", "string", "int"), "regexQuoteMeta": ("string",),
    },
    "semver": {
        "semver": ("string",), "semverCompare": ("string", "string"),
    },
    "dates": {
        "now": (), "dateInZone": ("string", "any", "string"), "date": ("string", "any"), "htmlDate": ("any",),
        "htmlDateInZone": ("any", "string"), "unixEpoch": ("time.Time",), "dateModify": ("string", "time.Time"),
        "mustDateModify": ("string", "time.Time"), "toDate": ("string", "string"),
        "mustToDate": ("string", "string"), "ago": ("any",), "duration": ("any",), "durationRound": ("any",),
    },
    "crypto": {
        "genCA": ("string", "int"), "genCAWithKey": ("string", "int", "string"),
        "genSelfSignedCert": ("string", "[]any", "[]any", "int"),
        "genSelfSignedCertWithKey": ("string", "[]any", "[]any", "int", "string"),
        "genSignedCert": ("string", "[]any", "[]any", "int", "sprig.certificate"),
        "genSignedCertWithKey": ("string", "[]any", "[]any", "int", "sprig.certificate", "string"),
        "buildCustomCert": ("string", "string"), "genPrivateKey": ("string",), "htpasswd": ("string", "string"),
        "bcrypt": ("string",), "derivePassword": ("uint32", "string", "string", "string", "string"),
        "encryptAES": ("string", "string"), "decryptAES": ("string", "string"), "randBytes": ("int",),
        "randInt": ("int", "int"),
    },
}


def _loaded_on_first_call(module: str, name: str) -> Callable[..., Any]:
    """Function ``name`` of sprig module ``module``, which is imported when the function is first called."""
    implementation: Callable[..., Any] | None = None

    def call(*args: Any) -> Any:
        nonlocal implementation
        if implementation is None:
            implementation = importlib.import_module(f"{__name__}.{module}").FUNCS[name].impl
        return implementation(*args)

    return call


def _lazy_funcs(module: str) -> FuncMap:
    return {name: GoFunc(name, _loaded_on_first_call(module, name), params)
            for name, params in ON_FIRST_CALL[module].items()}


SPRIG_FUNCS: FuncMap = {**conversion.FUNCS, **strings.FUNCS, **_lazy_funcs("math"), **collections.FUNCS,
                        **_lazy_funcs("regex"), **encoding.FUNCS, **_lazy_funcs("semver"), **_lazy_funcs("dates"),
                        **_lazy_funcs("crypto")}

__all__ = ["SPRIG_FUNCS"]

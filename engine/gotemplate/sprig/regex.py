"""Sprig's regular-expression functions with Go's RE2 syntax (google-re2) and Go's ``$1`` expansion."""
from __future__ import annotations

import re as pyre

from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, GoFunc
from engine.gotemplate.gotypes import StrList

FUNCS: FuncMap = {}
_GROUP_REF = pyre.compile(r"\$(?:\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]+)|(\$))")


def compile_go(pattern: str):
    """Compile a Go regexp; raises FuncError with Go's message."""
    from engine.gotemplate import goregexp  # RE2 loads only when a template uses a regular expression

    try:
        return goregexp.compile_go(pattern)
    except goregexp.GoRegexpError as exc:
        raise FuncError(str(exc)) from None


def _expand(template: str, match) -> str:
    """Go's Regexp.Expand: $1, ${1}, $name, ${name}; unknown groups expand to nothing."""
    import re2  # loaded already: ``match`` is one of its matches

    def replace(ref: pyre.Match) -> str:
        if ref.group(3):
            return "$"
        name = ref.group(1) if ref.group(1) is not None else ref.group(2)
        try:
            value = match.group(int(name)) if name.isdigit() else match.group(name)
        except (IndexError, KeyError, ValueError, re2.error):
            return ""
        return value or ""
    return _GROUP_REF.sub(replace, template)


def _replace_all(pattern: str, text: str, repl: str, literal: bool) -> str:
    regex = compile_go(pattern)
    out, last = [], 0
    for match in regex.finditer(text):
        out.append(text[last:match.start()])
        out.append(repl if literal else _expand(repl, match))
        last = match.end()
    out.append(text[last:])
    return "".join(out)


def _find_all(pattern: str, text: str, count: int) -> StrList:
    matches = [m.group(0) for m in compile_go(pattern).finditer(text)]
    return StrList(matches if count < 0 else matches[:count])


def _split(pattern: str, text: str, count: int) -> StrList:
    if count == 0:
        return StrList()
    regex = compile_go(pattern)
    if not pattern and len(text) > 0:
        parts = list(text)
    else:
        parts, last = [], 0
        for match in regex.finditer(text):
            if count > 0 and len(parts) == count - 1:
                break
            if match.end() == 0 and match.start() == 0:
                continue
            parts.append(text[last:match.start()])
            last = match.end()
        parts.append(text[last:])
    return StrList(parts)


def _compile_quote(pattern: str) -> str:
    """How regexp.MustCompile quotes the pattern in its panic: backquoted when Go's CanBackquote allows."""
    if all(c == "\t" or (c >= " " and c not in "`\x7f\ufeff") for c in pattern):
        return f"`{pattern}`"
    from engine.gotemplate.gofmt import go_quote

    return go_quote(pattern)


def _register(name: str, params: tuple[str, ...], impl, safe_default=None) -> None:
    """``name`` panics on a bad pattern (Go's MustCompile) or, given ``safe_default``, ignores it;
    ``mustName`` returns the compile error itself."""
    def plain(*args):
        try:
            return impl(*args)
        except FuncError as exc:
            if safe_default is not None:
                return safe_default()
            raise FuncError(f"regexp: Compile({_compile_quote(args[0])}): {exc}") from None

    must = "must" + name[0].upper() + name[1:]
    FUNCS[name] = GoFunc(name, plain, params)
    FUNCS[must] = GoFunc(must, impl, params)


_register("regexMatch", ("string", "string"), lambda p, s: compile_go(p).search(s) is not None, lambda: False)
_register("regexFindAll", ("string", "string", "int"), _find_all)
_register("regexFind", ("string", "string"), lambda p, s: (m.group(0) if (m := compile_go(p).search(s)) else ""))
_register("regexReplaceAll", ("string", "string", "string"), lambda p, s, r: _replace_all(p, s, r, False))
_register("regexReplaceAllLiteral", ("string", "string", "string"), lambda p, s, r: _replace_all(p, s, r, True))
_register("regexSplit", ("string", "string", "int"), _split)
FUNCS["regexQuoteMeta"] = GoFunc("regexQuoteMeta", lambda s: pyre.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", s),
                                 ("string",))

"""Sprig's string functions."""
from __future__ import annotations

import random
import re
from typing import Any

from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, GoFunc, gofunc
from engine.gotemplate.gotypes import StrList
from engine.gotemplate.sprig.conversion import strslice, strval

FUNCS: FuncMap = {}


@gofunc(FUNCS, "trim", "string")
def _trim(text: str) -> str:
    return text.strip(" \t\n\r\v\f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
                      "\u200a\u2028\u2029\u202f\u205f\u3000")


@gofunc(FUNCS, "trimAll", "string", "string")
def _trim_all(cutset: str, text: str) -> str:
    return text.strip(cutset) if cutset else text


@gofunc(FUNCS, "trimSuffix", "string", "string")
def _trim_suffix(suffix: str, text: str) -> str:
    return text[:-len(suffix)] if suffix and text.endswith(suffix) else text


@gofunc(FUNCS, "trimPrefix", "string", "string")
def _trim_prefix(prefix: str, text: str) -> str:
    return text[len(prefix):] if prefix and text.startswith(prefix) else text


@gofunc(FUNCS, "upper", "string")
def _upper(text: str) -> str:
    return text.upper()


@gofunc(FUNCS, "lower", "string")
def _lower(text: str) -> str:
    return text.lower()


def go_title(text: str) -> str:
    """strings.Title: upper-case the first letter of each word (words split by non-letters)."""
    out, previous = [], " "
    for char in text:
        is_separator = not (previous.isalnum() or previous == "_" or previous == "'")
        out.append(char.upper() if is_separator else char)
        previous = char
    return "".join(out)


@gofunc(FUNCS, "title", "string")
def _title(text: str) -> str:
    return go_title(text)


@gofunc(FUNCS, "untitle", "string")
def _untitle(text: str) -> str:
    out, previous = [], " "
    for char in text:
        out.append(char.lower() if previous.isspace() else char)
        previous = char
    return "".join(out)


@gofunc(FUNCS, "repeat", "int", "string")
def _repeat(count: int, text: str) -> str:
    if count < 0:
        raise FuncError("strings: negative Repeat count")
    return text * count


def go_string_slice(text: str, start: int | None, end: int | None) -> str:
    """Go's ``s[start:end]`` on the UTF-8 bytes of ``text``, with the runtime's panic messages."""
    data = text.encode()
    if end is not None and not 0 <= end <= len(data):
        raise FuncError(f"runtime error: slice bounds out of range [:{end}] with length {len(data)}")
    stop = len(data) if end is None else end
    if start is not None and not 0 <= start <= stop:
        raise FuncError(f"runtime error: slice bounds out of range [{start}:{stop}]")
    return data[start or 0:stop].decode(errors="replace")


@gofunc(FUNCS, "substr", "int", "int", "string")
def _substr(start: int, end: int, text: str) -> str:
    if start < 0:
        return go_string_slice(text, None, end)
    if end < 0 or end > len(text.encode()):
        return go_string_slice(text, start, None)
    return go_string_slice(text, start, end)


@gofunc(FUNCS, "nospace", "string")
def _nospace(text: str) -> str:
    return "".join(c for c in text if not c.isspace())


@gofunc(FUNCS, "trunc", "int", "string")
def _trunc(count: int, text: str) -> str:
    size = len(text.encode())
    if count < 0 and size + count > 0:
        return go_string_slice(text, size + count, None)
    if count >= 0 and size > count:
        return go_string_slice(text, None, count)
    return text


def _abbreviate_full(data: bytes, offset: int, width: int) -> bytes:
    """goutils.AbbreviateFull on bytes, as Go indexes strings (its error cases return "")."""
    if not data:
        return b""
    if width < 4:
        return b""
    if len(data) <= width:
        return data
    offset = min(offset, len(data))
    if len(data) - offset < width - 3:
        offset = len(data) - (width - 3)
    if offset <= 4:
        return data[:width - 3] + b"..."
    if width < 7:
        return b""
    if offset + width - 3 < len(data):
        return b"..." + _abbreviate_full(data[offset:], 0, width - 3)
    return b"..." + data[len(data) - (width - 3):]


@gofunc(FUNCS, "abbrev", "int", "string")
def _abbrev(width: int, text: str) -> str:
    if width < 4:
        return text
    return _abbreviate_full(text.encode(), 0, width).decode(errors="replace")


@gofunc(FUNCS, "abbrevboth", "int", "int", "string")
def _abbrevboth(left: int, right: int, text: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return text
    return _abbreviate_full(text.encode(), left, right).decode(errors="replace")


@gofunc(FUNCS, "initials", "string")
def _initials(text: str) -> str:
    return "".join(word[0] for word in text.split() if word)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"  # string.ascii_letters, without its import
_DIGITS = "0123456789"


def _random(alphabet: str, count: int) -> str:
    rng = random.SystemRandom()
    return "".join(rng.choice(alphabet) for _ in range(max(count, 0)))


@gofunc(FUNCS, "randAlphaNum", "int")
def _rand_alpha_num(count: int) -> str:
    return _random(_LETTERS + _DIGITS, count)


@gofunc(FUNCS, "randAlpha", "int")
def _rand_alpha(count: int) -> str:
    return _random(_LETTERS, count)


@gofunc(FUNCS, "randNumeric", "int")
def _rand_numeric(count: int) -> str:
    return _random(_DIGITS, count)


@gofunc(FUNCS, "randAscii", "int")
def _rand_ascii(count: int) -> str:
    return _random("".join(chr(c) for c in range(32, 127)), count)


def _wrap(width: int, text: str, newline: str = "\n") -> str:
    """Apache commons WordUtils.wrap as Sprig implements it (no long-word breaking)."""
    width = max(width, 1)
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        current = ""
        for word in words:
            if not current:
                current = word
            elif len(current) + 1 + len(word) <= width:
                current += " " + word
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return newline.join(lines)


@gofunc(FUNCS, "wrap", "int", "string")
def _wrap_func(width: int, text: str) -> str:
    return _wrap(width, text)


@gofunc(FUNCS, "wrapWith", "int", "string", "string")
def _wrap_with(width: int, newline: str, text: str) -> str:
    return _wrap(width, text, newline)


@gofunc(FUNCS, "contains", "string", "string")
def _contains(needle: str, text: str) -> bool:
    return needle in text


@gofunc(FUNCS, "hasPrefix", "string", "string")
def _has_prefix(prefix: str, text: str) -> bool:
    return text.startswith(prefix)


@gofunc(FUNCS, "hasSuffix", "string", "string")
def _has_suffix(suffix: str, text: str) -> bool:
    return text.endswith(suffix)


@gofunc(FUNCS, "quote", "...any")
def _quote(*values: Any) -> str:
    from engine.gotemplate.gofmt import go_quote

    return " ".join(go_quote(strval(v)) for v in values if v is not None)


@gofunc(FUNCS, "squote", "...any")
def _squote(*values: Any) -> str:
    return " ".join(f"'{strval(v)}'" for v in values if v is not None)


@gofunc(FUNCS, "cat", "...any")
def _cat(*values: Any) -> str:
    from engine.gotemplate.gofmt import format_value

    return " ".join(format_value(v) for v in values if v is not None)


@gofunc(FUNCS, "indent", "int", "string")
def _indent(spaces: int, text: str) -> str:
    pad = _repeat(spaces, " ")
    return pad + text.replace("\n", "\n" + pad)


@gofunc(FUNCS, "nindent", "int", "string")
def _nindent(spaces: int, text: str) -> str:
    return "\n" + _indent(spaces, text)


@gofunc(FUNCS, "replace", "string", "string", "string")
def _replace(old: str, new: str, text: str) -> str:
    if old == "":
        return new + new.join(text) + new if text else new
    return text.replace(old, new)


@gofunc(FUNCS, "plural", "string", "string", "int")
def _plural(one: str, many: str, count: int) -> str:
    return one if count == 1 else many


_CAMEL_SPLIT = re.compile(r"[_\-\s]+")


@gofunc(FUNCS, "camelcase", "string")
def _camelcase(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in _CAMEL_SPLIT.split(text) if part)


def _words(text: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return [w for w in re.split(r"[\s_\-.]+", spaced) if w]


@gofunc(FUNCS, "snakecase", "string")
def _snakecase(text: str) -> str:
    return "_".join(w.lower() for w in _words(text))


@gofunc(FUNCS, "kebabcase", "string")
def _kebabcase(text: str) -> str:
    return "-".join(w.lower() for w in _words(text))


@gofunc(FUNCS, "swapcase", "string")
def _swapcase(text: str) -> str:
    return text.swapcase()


_VECTOR_SHUFFLE = 100_000  # longer strings are shuffled by numpy: a Python loop takes ~1 s per 2M characters


@gofunc(FUNCS, "shuffle", "string")
def _shuffle(text: str) -> str:
    """Sprig's shuffle: the characters in random order (Go's math/rand, not meant for secrets)."""
    if len(text) >= _VECTOR_SHUFFLE:
        import numpy

        encoding, width = ("latin-1", numpy.uint8) if max(text) <= "\xff" else ("utf-32-le", numpy.uint32)
        codes = numpy.frombuffer(text.encode(encoding), dtype=width)
        return numpy.random.default_rng().permutation(codes).tobytes().decode(encoding)
    chars = list(text)
    random.shuffle(chars)
    return "".join(chars)


@gofunc(FUNCS, "split", "string", "string")
def _split(sep: str, text: str) -> dict:
    parts = text.split(sep) if sep else list(text)
    return {f"_{i}": part for i, part in enumerate(parts)}


@gofunc(FUNCS, "splitn", "string", "int", "string")
def _splitn(sep: str, count: int, text: str) -> dict:
    parts = text.split(sep, count - 1) if count > 0 else []
    return {f"_{i}": part for i, part in enumerate(parts)}


@gofunc(FUNCS, "splitList", "string", "string")
def _split_list(sep: str, text: str) -> StrList:
    return StrList(text.split(sep) if sep else list(text))


@gofunc(FUNCS, "join", "string", "any")
def _join(sep: str, values: Any) -> str:
    return sep.join(strslice(values))


@gofunc(FUNCS, "sortAlpha", "any")
def _sort_alpha(values: Any) -> StrList:
    if not isinstance(values, (list, tuple)):  # Sprig wraps anything else, nil included, as one string
        return StrList([strval(values)])
    return StrList(sorted(strslice(values)))


FUNCS["trimall"] = GoFunc("trimall", _trim_all, ("string", "string"))

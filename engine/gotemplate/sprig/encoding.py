"""Sprig's encodings, hashes, JSON helpers, paths, URLs and UUIDs.

Most charts call a few of these, so the codecs they stand on are imported by the functions using them."""
from __future__ import annotations

import posixpath
import zlib
from functools import cache
from typing import Any, Callable

from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, GoFunc, gofunc
from engine.gotemplate.gotypes import go_type_name
from engine.gotemplate.sprig.conversion import strval

FUNCS: FuncMap = {}


@gofunc(FUNCS, "b64enc", "string")
def _b64enc(text: str) -> str:
    import base64

    return base64.b64encode(text.encode("utf-8", errors="surrogateescape")).decode()


@gofunc(FUNCS, "b64dec", "string")
def _b64dec(text: str) -> str:
    from engine.gotemplate import gobase  # Go's strict decoder, loaded by the templates that decode

    try:
        return gobase.b64decode(text).decode("utf-8", errors="replace")
    except gobase.CorruptInput as exc:
        return str(exc)


@gofunc(FUNCS, "b32enc", "string")
def _b32enc(text: str) -> str:
    import base64

    return base64.b32encode(text.encode()).decode()


@gofunc(FUNCS, "b32dec", "string")
def _b32dec(text: str) -> str:
    from engine.gotemplate import gobase

    try:
        return gobase.b32decode(text).decode("utf-8", errors="replace")
    except gobase.CorruptInput as exc:
        return str(exc)


def _hash(name: str, algorithm: str, builtin_modules: tuple[str, ...]) -> None:
    FUNCS[name] = GoFunc(name, lambda text: _digest(algorithm, builtin_modules)(text.encode()).hexdigest(),
                         ("string",))


@cache
def _digest(algorithm: str, builtin_modules: tuple[str, ...]) -> Callable[[bytes], Any]:
    """Python's own implementation of ``algorithm`` (``builtin_modules``: where each Python version keeps it),
    not hashlib's: importing hashlib loads OpenSSL, which costs more than most renders (charts hash their
    config into a checksum annotation)."""
    import importlib

    for module in builtin_modules:
        try:
            return getattr(importlib.import_module(module), algorithm)
        except (ImportError, AttributeError):
            continue
    import hashlib

    return lambda data: hashlib.new(algorithm, data)


_hash("sha1sum", "sha1", ("_sha1",))
_hash("sha256sum", "sha256", ("_sha256", "_sha2"))
_hash("sha512sum", "sha512", ("_sha512", "_sha2"))


@gofunc(FUNCS, "adler32sum", "string")
def _adler32(text: str) -> str:
    return str(zlib.adler32(text.encode()))


def _json(name: str, encoder: str, must: bool) -> None:
    def encode(value: Any) -> str:
        from engine.gotemplate import gojson

        try:
            return getattr(gojson, encoder)(value)
        except Exception as exc:
            if must:
                raise FuncError(str(exc)) from exc
            return ""
    FUNCS[name] = GoFunc(name, encode, ("any",))


for _name, _encoder in (("toJson", "to_json"), ("toPrettyJson", "to_pretty_json"), ("toRawJson", "to_raw_json")):
    _json(_name, _encoder, False)
    _json("must" + _name[0].upper() + _name[1:], _encoder, True)


@gofunc(FUNCS, "fromJson", "string")
def _from_json(text: str) -> Any:
    from engine.gotemplate import gojson

    try:
        return gojson.load(text)
    except ValueError:
        return None


@gofunc(FUNCS, "mustFromJson", "string")
def _must_from_json(text: str) -> Any:
    from engine.gotemplate import gojson

    try:
        return gojson.load(text)
    except ValueError as exc:
        raise FuncError(str(exc)) from exc


@gofunc(FUNCS, "base", "string")
def _base(path: str) -> str:
    if not path:
        return "."
    stripped = path.rstrip("/")
    return posixpath.basename(stripped) if stripped else "/"


@gofunc(FUNCS, "dir", "string")
def _dir(path: str) -> str:
    directory = posixpath.dirname(path)
    return posixpath.normpath(directory) if directory else "."


@gofunc(FUNCS, "clean", "string")
def _clean(path: str) -> str:
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    return cleaned[1:] if cleaned.startswith("//") else cleaned


@gofunc(FUNCS, "ext", "string")
def _ext(path: str) -> str:
    base = path.rsplit("/", 1)[-1]
    index = base.rfind(".")
    return base[index:] if index >= 0 else ""


@gofunc(FUNCS, "isAbs", "string")
def _is_abs(path: str) -> bool:
    return path.startswith("/")


@gofunc(FUNCS, "uuidv4")
def _uuidv4() -> str:
    import uuid

    return str(uuid.uuid4())


@gofunc(FUNCS, "urlParse", "string")
def _url_parse(text: str) -> dict:
    from engine.gotemplate import gourl  # only the URL functions need Go's URL parser

    try:
        url = gourl.parse(text)
    except gourl.URLError as exc:
        raise FuncError(f"unable to parse url: {exc}") from None
    return {"scheme": url.scheme, "host": url.host, "hostname": url.hostname, "path": url.path,
            "query": url.raw_query, "opaque": url.opaque, "fragment": url.fragment, "userinfo": url.userinfo}


def _url_part(parts: dict, key: str) -> str:
    value = parts.get(key, "")
    if not isinstance(value, str):
        raise FuncError(f"unable to parse {key} key, must be of type string, but {go_type_name(value)} found")
    return value


@gofunc(FUNCS, "urlJoin", "map")
def _url_join(parts: dict) -> str:
    from engine.gotemplate import gourl

    url = gourl.URL(scheme=_url_part(parts, "scheme"), host=_url_part(parts, "host"), path=_url_part(parts, "path"),
                    raw_query=_url_part(parts, "query"), opaque=_url_part(parts, "opaque"),
                    fragment=_url_part(parts, "fragment"))
    userinfo = _url_part(parts, "userinfo")
    if userinfo:
        try:
            url.user = gourl.parse(f"proto://{userinfo}@host").user
        except gourl.URLError as exc:
            raise FuncError(f"unable to parse userinfo in dict: {exc}") from None
    return str(url)


@gofunc(FUNCS, "getHostByName", "string")
def _get_host_by_name(name: str) -> str:
    import socket

    try:
        return socket.gethostbyname(name)
    except OSError:
        return ""


@gofunc(FUNCS, "fail", "string")
def _fail(message: str) -> str:
    raise FuncError(message)


@gofunc(FUNCS, "env", "string")
def _env(name: str) -> str:
    import os

    return os.environ.get(name, "")


@gofunc(FUNCS, "expandenv", "string")
def _expandenv(text: str) -> str:
    import os

    return os.path.expandvars(text)


__all__ = ["FUNCS", "strval"]


@gofunc(FUNCS, "hello")
def _hello() -> str:
    return "Hello!"


for _name, _target in (("osBase", "base"), ("osClean", "clean"), ("osDir", "dir"), ("osExt", "ext"),
                       ("osIsAbs", "isAbs")):
    FUNCS[_name] = GoFunc(_name, FUNCS[_target].impl, FUNCS[_target].params)

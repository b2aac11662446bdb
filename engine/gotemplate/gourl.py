"""Go's net/url for Sprig's urlParse and urlJoin: how a URL splits into parts (opaque rootless paths,
unescaped path and fragment, a colon refused in a relative URL's first segment), which parts Go refuses
(``invalid port ":x" after host``, ``invalid URL escape "%zz"``) and how URL.String escapes them again."""
from __future__ import annotations

from dataclasses import dataclass

_HOST, _PATH, _USER, _FRAGMENT = "host", "path", "userinfo", "fragment"
_USERINFO_CHARS = frozenset("-._:~!$&'()*+,;=%@")
_HEX = "0123456789abcdefABCDEF"


class URLError(ValueError):
    """A URL Go's url.Parse refuses; ``str()`` is Go's message."""


@dataclass
class URL:
    scheme: str = ""
    opaque: str = ""
    user: tuple[str, str | None] | None = None  # (username, password or None when unset)
    host: str = ""
    path: str = ""
    omit_host: bool = False
    force_query: bool = False
    raw_query: str = ""
    fragment: str = ""

    @property
    def hostname(self) -> str:
        """URL.Hostname: the host without its port and IPv6 brackets."""
        host = self.host
        colon = host.rfind(":")
        if colon != -1 and _valid_port(host[colon:]):
            host = host[:colon]
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        return host

    @property
    def userinfo(self) -> str:
        """Userinfo.String."""
        if self.user is None:
            return ""
        name, password = self.user
        text = escape(name, _USER)
        return text if password is None else f"{text}:{escape(password, _USER)}"

    def __str__(self) -> str:
        """URL.String."""
        out = f"{self.scheme}:" if self.scheme else ""
        if self.opaque:
            out += self.opaque
        else:
            if (self.scheme or self.host or self.user is not None) and not (
                    self.omit_host and not self.host and self.user is None):
                if self.host or self.path or self.user is not None:
                    out += "//"
                if self.user is not None:
                    out += self.userinfo + "@"
                out += escape(self.host, _HOST)
            path = "*" if self.path == "*" else escape(self.path, _PATH)
            if path and path[0] != "/" and self.host:
                out += "/"
            if not out and ":" in path.split("/", 1)[0]:
                out += "./"
            out += path
        if self.force_query or self.raw_query:
            out += "?" + self.raw_query
        if self.fragment:
            out += "#" + escape(self.fragment, _FRAGMENT)
        return out


def _should_escape(c: str, mode: str) -> bool:
    if c.isascii() and c.isalnum():
        return False
    if mode == _HOST and c in "!$&'()*+,;=:[]<>\"":
        return False
    if c in "-_.~":
        return False
    if c in "$&+,/:;=?@":
        if mode == _PATH:
            return c == "?"
        if mode == _USER:
            return c in "@/?:"
        if mode == _FRAGMENT:
            return False
    return not (mode == _FRAGMENT and c in "!()*")


def escape(text: str, mode: str) -> str:
    """url.escape: each byte that must be escaped as %XX."""
    out = []
    for byte in text.encode():
        c = chr(byte)
        out.append(f"%{byte:02X}" if byte >= 0x80 or _should_escape(c, mode) else c)
    return "".join(out)


def _go_quote(text: str) -> str:
    from engine.gotemplate.gofmt import go_quote

    return go_quote(text)


def unescape(text: str, mode: str) -> str:
    """url.unescape: %XX decoded; malformed escapes and, in a host, ASCII that needs escaping refused."""
    data = text.encode()
    i = 0
    while i < len(data):
        c = chr(data[i])
        if c == "%":
            if i + 2 >= len(data) or chr(data[i + 1]) not in _HEX or chr(data[i + 2]) not in _HEX:
                raise URLError(f"invalid URL escape {_go_quote(data[i:i + 3].decode(errors='replace'))}")
            if mode == _HOST and int(chr(data[i + 1]), 16) < 8 and data[i:i + 3] != b"%25":
                raise URLError(f"invalid URL escape {_go_quote(data[i:i + 3].decode())}")
            i += 3
            continue
        if mode == _HOST and data[i] < 0x80 and _should_escape(c, mode):
            raise URLError(f"invalid character {_go_quote(c)} in host name")
        i += 1
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i] == ord("%"):
            out.append(int(data[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(data[i])
            i += 1
    return out.decode(errors="replace")


def _valid_port(port: str) -> bool:
    return port == "" or (port[0] == ":" and all("0" <= c <= "9" for c in port[1:]))


def _scheme(raw: str) -> tuple[str, str]:
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise URLError("missing protocol scheme")
            return raw[:i], raw[i + 1:]
        return "", raw
    return "", raw


def _host(host: str) -> str:
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            raise URLError("missing ']' in host")
        port = host[end + 1:]
    else:
        colon = host.rfind(":")
        port = host[colon:] if colon != -1 else ""
    if not _valid_port(port):
        raise URLError(f"invalid port {_go_quote(port)} after host")
    return unescape(host, _HOST)


def _authority(authority: str) -> tuple[tuple[str, str | None] | None, str]:
    at = authority.rfind("@")
    host = _host(authority[at + 1:] if at >= 0 else authority)
    if at < 0:
        return None, host
    userinfo = authority[:at]
    if not all((c.isascii() and c.isalnum()) or c in _USERINFO_CHARS for c in userinfo):
        raise URLError("net/url: invalid userinfo")
    name, colon, password = userinfo.partition(":")
    return (unescape(name, _USER), unescape(password, _USER) if colon else None), host


def _parse(raw: str) -> URL:
    if any(c < " " or c == "\x7f" for c in raw):
        raise URLError("net/url: invalid control character in URL")
    url = URL()
    if raw == "*":
        url.path = "*"
        return url
    scheme, rest = _scheme(raw)
    url.scheme = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        url.force_query, rest = True, rest[:-1]
    else:
        rest, _, url.raw_query = rest.partition("?")
    if not rest.startswith("/"):
        if url.scheme:
            url.opaque = rest
            return url
        if ":" in rest.split("/", 1)[0]:
            raise URLError("first path segment in URL cannot contain colon")
    if (url.scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        url.user, url.host = _authority(authority)
        rest = slash + path
    elif url.scheme and rest.startswith("/"):
        url.omit_host = True
    url.path = unescape(rest, _PATH)
    return url


def parse(raw: str) -> URL:
    """url.Parse; raises URLError worded as Go's url.Error (``parse "RAW": why``)."""
    before, hash_sign, fragment = raw.partition("#")
    try:
        url = _parse(before)
    except URLError as exc:
        raise URLError(f"parse {_go_quote(before)}: {exc}") from None
    if hash_sign:
        try:
            url.fragment = unescape(fragment, _FRAGMENT)
        except URLError as exc:
            raise URLError(f"parse {_go_quote(raw)}: {exc}") from None
    return url

"""The requests session every download uses: connections a ``Deadline`` can cut, Go's redirect limit, and
redirect bodies never read (a redirect answer may stream without end)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from engine.net.deadline import Deadline, watch_socket
from engine.net.errors import DownloadError

MAX_REDIRECTS = 10  # Go's http.Client stops after 10 requests of a redirect chain


class _Watched:
    """A urllib3 connection whose socket the current thread's deadline may cut."""

    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        watch_socket(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch_socket(self.sock)  # a kept-alive connection, connected under an earlier deadline
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS managers bring pools of their own
            manager.pool_classes_by_scheme = _POOLS
        return manager


class DownloadSession(requests.Session):
    """A session for downloads; requests and bodies are read under a ``Deadline`` (see ``send``)."""

    def __init__(self) -> None:
        super().__init__()
        self.max_redirects = MAX_REDIRECTS - 1  # requests counts redirects followed, Go counts requests made
        self.headers["Accept-Encoding"] = "identity"  # bytes as served: digests are of those
        adapter = _WatchedAdapter()
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def get_redirect_target(self, resp: requests.Response) -> str | None:
        target = super().get_redirect_target(resp)
        if target:
            resp.raw.close()  # requests would read the whole body before following the redirect
        return target


def send(session: requests.Session, method: str, url: str, deadline: Deadline, **kwargs: Any) -> requests.Response:
    """``session.request`` streamed under ``deadline``: its headers, redirects and body all count against it.

    A redirect chain longer than Go's is refused, and a failure the deadline caused is reported as the
    deadline; other request failures are raised as requests raises them, for the caller to word or retry.
    """
    try:
        response = session.request(method, url, stream=True, timeout=deadline.socket_timeout(), **kwargs)
    except requests.TooManyRedirects as exc:
        last = exc.response
        location = urljoin(last.url, last.headers.get("Location", "")) if last is not None else url
        raise DownloadError(f'{method.capitalize()} "{location}": stopped after {MAX_REDIRECTS} redirects') from None
    except requests.RequestException:
        deadline.check(url, method.capitalize())
        raise
    if deadline.expired:  # headers a cut socket ended early are not an answer
        response.close()
        deadline.check(url, method.capitalize())
    return response

"""HTTP(S) downloads for repositories (Helm's HTTPGetter): an overall deadline, size caps, retries, basic auth
and TLS options."""
from __future__ import annotations

import io
import os
import ssl
import time
from dataclasses import dataclass
from typing import BinaryIO
from urllib.parse import urlsplit

from engine.net.body import Received, receive
from engine.net.errors import DownloadError
from engine.net.limits import ARCHIVE, Cap, download_timeout
from engine.repo.errors import RepoError
from engine.version import __version__

RETRIES = 3  # attempts after the first for connection errors and 5xx answers
BACKOFF = 0.25  # seconds before the first retry, doubled for each further one
CHART_ACCEPT = "application/gzip,application/octet-stream"


@dataclass(frozen=True)
class ClientOptions:
    """Credentials and TLS settings for one repository (its repositories.yaml entry or command flags)."""

    username: str = ""
    password: str = ""
    pass_credentials_all: bool = False
    cert_file: str = ""
    key_file: str = ""
    ca_file: str = ""
    insecure_skip_tls_verify: bool = False
    timeout: float = 0.0  # seconds for each download, connection to last byte; 0: PYHELM_DOWNLOAD_TIMEOUT or 2m


def _same_origin(a: str, b: str) -> bool:
    left, right = urlsplit(a), urlsplit(b)
    return (left.scheme, left.netloc) == (right.scheme, right.netloc)


def _tls(options: ClientOptions) -> tuple[bool | str, tuple[str, str] | None]:
    """requests' ``verify`` and ``cert`` arguments; files are checked first so the error names them."""
    for path in (options.ca_file, options.cert_file, options.key_file):
        if path and not os.path.isfile(path):
            raise RepoError(f"can't create TLS config for client: open {path}: no such file or directory")
    verify: bool | str = options.ca_file or True
    if options.insecure_skip_tls_verify:
        verify = False
    cert = (options.cert_file, options.key_file) if options.cert_file and options.key_file else None
    return verify, cert


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and the exceptions it wraps (requests nests urllib3's, which nest the socket's)."""
    chain: list[BaseException] = []
    cause: object = exc
    while isinstance(cause, BaseException) and cause not in chain:
        chain.append(cause)
        nested = next((a for a in cause.args if isinstance(a, BaseException)), None)
        cause = nested or getattr(cause, "reason", None) or cause.__cause__ or cause.__context__
    return chain


def _reason(exc: BaseException) -> str:
    """The innermost cause of a connection failure, in a few words."""
    for cause in reversed(_causes(exc)):
        if isinstance(cause, ssl.SSLError):
            return f"tls: {cause.args[1] if len(cause.args) > 1 else cause}"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
    return str(exc)


def fetch(url: str, options: ClientOptions = ClientOptions(), credentials_url: str = "", accept: str = "",
          cap: Cap = ARCHIVE) -> bytes:
    """GET ``url`` and return its body (for small files: an index, a provenance file); see ``fetch_into``."""
    buffer = io.BytesIO()
    fetch_into(buffer, url, options, credentials_url, accept, cap)
    return buffer.getvalue()


def fetch_into(sink: BinaryIO, url: str, options: ClientOptions = ClientOptions(), credentials_url: str = "",
               accept: str = "", cap: Cap = ARCHIVE) -> Received:
    """GET ``url`` into ``sink`` within one overall deadline and ``cap``; any status other than 200 is an error.

    Basic auth is sent only to the scheme and host of ``credentials_url`` (the repository) unless
    ``pass_credentials_all``; connection failures and 5xx answers are retried with exponential backoff while
    the deadline leaves time. As in Helm, no compression is negotiated and a ``Content-Encoding`` is not
    undone: archives keep their digest.
    """
    import requests
    import urllib3

    from engine.net.deadline import Deadline
    from engine.net.session import DownloadSession, send

    headers = {"User-Agent": f"pyhelm/{__version__}"}
    if accept:
        headers["Accept"] = accept
    auth = None
    if options.username and options.password and (options.pass_credentials_all
                                                   or _same_origin(credentials_url or url, url)):
        auth = (options.username, options.password)
    verify, cert = _tls(options)
    if verify is False:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    with DownloadSession() as session, Deadline(options.timeout or download_timeout()) as deadline:
        attempt = 0
        while True:
            try:
                response = send(session, "GET", url, deadline, headers=headers, auth=auth, verify=verify,
                                cert=cert)
                if response.status_code == 200:
                    return receive(response, sink, cap, deadline)
                response.close()
                failure = RepoError(f"failed to fetch {url} : {response.status_code} {response.reason}")
                if response.status_code < 500:
                    raise failure
            except DownloadError as exc:
                raise RepoError(str(exc)) from None
            except requests.exceptions.SSLError as exc:
                raise RepoError(f'Get "{url}": {_reason(exc)}') from None
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
                failure = RepoError(f'Get "{url}": {_reason(exc)}')
            pause = BACKOFF * 2 ** attempt
            if attempt == RETRIES or pause >= deadline.remaining():
                raise failure
            time.sleep(pause)
            sink.seek(0)
            sink.truncate()
            attempt += 1

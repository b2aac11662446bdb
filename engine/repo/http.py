"""HTTP(S) downloads for repositories (Helm's HTTPGetter) with timeouts, retries, basic auth and TLS options."""
from __future__ import annotations

import os
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from engine.repo.errors import RepoError
from engine.version import __version__

DEFAULT_TIMEOUT = 120.0
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
    timeout: float = DEFAULT_TIMEOUT


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
    import requests

    for cause in reversed(_causes(exc)):
        if isinstance(cause, ssl.SSLError):
            return f"tls: {cause.args[1] if len(cause.args) > 1 else cause}"
        if isinstance(cause, OSError) and cause.strerror:
            return cause.strerror.lower()
    if isinstance(exc, requests.exceptions.Timeout):
        return "timeout awaiting response headers"
    return str(exc)


def fetch(url: str, options: ClientOptions = ClientOptions(), credentials_url: str = "",
          accept: str = "") -> bytes:
    """GET ``url`` and return its body; any status other than 200 is an error, as in Helm.

    Basic auth is sent only to the scheme and host of ``credentials_url`` (the repository) unless
    ``pass_credentials_all``; connection failures and 5xx answers are retried with exponential backoff.
    As in Helm, no compression is negotiated and a ``Content-Encoding`` is not undone: archives keep their digest.
    """
    import requests
    import urllib3

    headers = {"User-Agent": f"pyhelm/{__version__}", "Accept-Encoding": "identity"}
    if accept:
        headers["Accept"] = accept
    auth = None
    if options.username and options.password and (options.pass_credentials_all
                                                   or _same_origin(credentials_url or url, url)):
        auth = (options.username, options.password)
    verify, cert = _tls(options)
    if verify is False:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    attempt = 0
    while True:
        try:
            with requests.get(url, headers=headers, auth=auth, verify=verify, cert=cert, timeout=options.timeout,
                              stream=True) as response:
                if response.status_code == 200:
                    return response.raw.read(decode_content=False)  # bytes as served, never un-gzipped
                status = f"{response.status_code} {response.reason}"
                if response.status_code < 500 or attempt == RETRIES:
                    raise RepoError(f"failed to fetch {url} : {status}")
        except requests.exceptions.SSLError as exc:
            raise RepoError(f'Get "{url}": {_reason(exc)}') from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
            if attempt == RETRIES:
                raise RepoError(f'Get "{url}": {_reason(exc)}') from None
        time.sleep(BACKOFF * 2 ** attempt)
        attempt += 1

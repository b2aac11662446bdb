"""A small client of the OCI distribution API: tags, manifests and blobs, with basic and bearer-token auth.

Every call runs under one deadline (``PYHELM_DOWNLOAD_TIMEOUT``) and reads its answer within a cap: API
answers and manifests in memory up to ``PYHELM_MAX_MANIFEST_BYTES``, blobs streamed with their declared size
and digest checked while they arrive (``PYHELM_MAX_BLOB_BYTES``).
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterator

import requests
import urllib3

from engine.net.body import read_small, receive
from engine.net.deadline import Deadline
from engine.net.errors import DownloadError
from engine.net.limits import BLOB, MANIFEST, download_timeout
from engine.net.session import DownloadSession, send
from engine.registry.errors import RegistryError

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')
DIGEST = re.compile(r"(sha256|sha384|sha512):[0-9a-f]+")  # the digests this client can check


@dataclass
class RegistryClient:
    """One registry host; credentials from the call or from Helm's registry config."""

    host: str
    plain_http: bool = False
    insecure: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 0.0  # seconds for each call, connection to last byte; 0: PYHELM_DOWNLOAD_TIMEOUT or 2m
    _session: requests.Session = field(default_factory=DownloadSession, repr=False)
    _token: dict[str, str] = field(default_factory=dict, repr=False)  # scope -> bearer token

    def __post_init__(self) -> None:
        if not self.username:
            from engine.registry.credentials import lookup

            stored = lookup(self.host)
            if stored:
                self.username, self.password = stored
        self._session.verify = not self.insecure

    @property
    def base(self) -> str:
        return f"{'http' if self.plain_http else 'https'}://{self.host}/v2/"

    @contextlib.contextmanager
    def _call(self) -> Iterator[Deadline]:
        """One API call: its deadline, and its failures worded as registry errors."""
        try:
            with Deadline(self.timeout or download_timeout()) as deadline:
                yield deadline
        except DownloadError as exc:
            raise RegistryError(str(exc)) from None
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:  # the latter: a body cut short
            raise RegistryError(f"{self.host}: registry unreachable: {exc}") from None

    def _json(self, response: requests.Response, deadline: Deadline) -> Any:
        data = read_small(response, MANIFEST, deadline)
        try:
            return json.loads(data)
        except ValueError:
            raise RegistryError(f'Get "{response.url}": the registry answered with invalid JSON') from None

    def _bearer(self, challenge: str, scope: str, deadline: Deadline) -> str:
        params = dict(_CHALLENGE.findall(challenge))
        query = {k: v for k, v in (("service", params.get("service")), ("scope", params.get("scope") or scope))
                 if v}
        auth = (self.username, self.password) if self.username else None
        response = send(self._session, "GET", params.get("realm", ""), deadline, params=query, auth=auth)
        if response.status_code != 200:
            response.close()
            raise RegistryError(f"{self.host}: authentication failed ({response.status_code}): check the "
                                "credentials (pyhelm registry login)")
        body = self._json(response, deadline)
        return (body.get("token") or body.get("access_token") or "") if isinstance(body, dict) else ""

    def request(self, method: str, url: str, deadline: Deadline, scope: str = "", **kwargs: Any
                ) -> requests.Response:
        """A request (its body not yet read) that answers 401 challenges (basic, or a bearer token for
        ``scope``) once."""
        url = url if url.startswith("http") else self.base + url
        headers = dict(kwargs.pop("headers", {}))
        if scope in self._token:
            headers["Authorization"] = f"Bearer {self._token[scope]}"
        response = send(self._session, method, url, deadline, headers=headers, **kwargs)
        if response.status_code == 401:
            response.close()
            challenge = response.headers.get("WWW-Authenticate", "")
            if challenge.lower().startswith("bearer"):
                self._token[scope] = self._bearer(challenge, scope, deadline)
                headers["Authorization"] = f"Bearer {self._token[scope]}"
                response = send(self._session, method, url, deadline, headers=headers, **kwargs)
            elif self.username:
                response = send(self._session, method, url, deadline, headers=headers,
                                auth=(self.username, self.password), **kwargs)
        if response.status_code == 401:
            response.close()
            raise RegistryError(f"{self.host}: unauthorized: log in with `pyhelm registry login {self.host}`")
        return response

    def check(self, response: requests.Response, what: str, deadline: Deadline) -> requests.Response:
        """``response`` when it succeeded; otherwise the registry's error answer as one line."""
        if response.status_code < 400:
            return response
        detail = ""
        try:
            errors = self._json(response, deadline).get("errors") or []
            detail = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors)
        except (RegistryError, DownloadError, AttributeError, TypeError):
            pass
        raise RegistryError(f"{what}: {response.status_code} {detail or response.reason}")

    def ping(self) -> None:
        """GET /v2/ — what ``registry login`` checks."""
        with self._call() as deadline:
            self.check(self.request("GET", "", deadline), f"{self.host}: login failed", deadline).close()

    def tags(self, repository: str) -> list[str]:
        scope = f"repository:{repository}:pull"
        with self._call() as deadline:
            response = self.check(self.request("GET", f"{repository}/tags/list", deadline, scope=scope),
                                  f"{self.host}/{repository}: cannot list tags", deadline)
            answer = self._json(response, deadline)
        return list((answer.get("tags") if isinstance(answer, dict) else None) or [])

    def manifest(self, repository: str, reference: str) -> tuple[bytes, str]:
        """(manifest bytes, its digest); a manifest beyond ``PYHELM_MAX_MANIFEST_BYTES`` is refused."""
        scope = f"repository:{repository}:pull"
        with self._call() as deadline:
            response = self.check(self.request("GET", f"{repository}/manifests/{reference}", deadline, scope=scope,
                                               headers={"Accept": MANIFEST_TYPE}),
                                  f"{self.host}/{repository}:{reference}: not found", deadline)
            data = read_small(response, MANIFEST, deadline)
        return data, "sha256:" + hashlib.sha256(data).hexdigest()

    def blob(self, repository: str, digest: str, size: int | None = None) -> bytes:
        """A small blob (a config, a provenance file) in memory; see ``blob_into``."""
        buffer = io.BytesIO()
        self.blob_into(buffer, repository, digest, size)
        return buffer.getvalue()

    def blob_into(self, sink: BinaryIO, repository: str, digest: str, size: int | None = None) -> None:
        """Stream a blob into ``sink``, refusing at once one larger than its declared ``size`` (or the cap),
        and afterwards one shorter than declared or whose digest differs."""
        where = f"{self.host}/{repository}: blob {digest}"
        if not DIGEST.fullmatch(digest):
            raise RegistryError(f"{where}: not a digest this client can check (sha256, sha384 or sha512)")
        if size is not None and size > BLOB.limit():
            raise RegistryError(f"{where}: the manifest declares {size} bytes, more than {BLOB.describe()}")
        scope = f"repository:{repository}:pull"
        with self._call() as deadline:
            response = self.check(self.request("GET", f"{repository}/blobs/{digest}", deadline, scope=scope),
                                  where, deadline)
            received = receive(response, sink, BLOB, deadline, expected_size=size,
                               algorithm=digest.partition(":")[0])
        if received.digest != digest:
            raise RegistryError(f"{where} does not match its digest (the registry sent {received.digest})")

    def push_blob(self, repository: str, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        scope = f"repository:{repository}:pull,push"
        with self._call() as deadline:
            exists = self.request("HEAD", f"{repository}/blobs/{digest}", deadline, scope=scope)
            exists.close()
            if exists.status_code == 200:
                return digest
            started = self.check(self.request("POST", f"{repository}/blobs/uploads/", deadline, scope=scope),
                                 f"{self.host}/{repository}: cannot start upload", deadline)
            started.close()
        location = started.headers.get("Location", "")
        if location.startswith("/"):
            location = f"{'http' if self.plain_http else 'https'}://{self.host}{location}"
        separator = "&" if "?" in location else "?"
        with self._call() as deadline:
            self.check(self.request("PUT", f"{location}{separator}digest={digest}", deadline, scope=scope, data=data,
                                    headers={"Content-Type": "application/octet-stream"}),
                       f"{self.host}/{repository}: upload of {digest} failed", deadline).close()
        return digest

    def push_manifest(self, repository: str, tag: str, data: bytes) -> str:
        scope = f"repository:{repository}:pull,push"
        with self._call() as deadline:
            self.check(self.request("PUT", f"{repository}/manifests/{tag}", deadline, scope=scope, data=data,
                                    headers={"Content-Type": MANIFEST_TYPE}),
                       f"{self.host}/{repository}:{tag}: manifest upload failed", deadline).close()
        return "sha256:" + hashlib.sha256(data).hexdigest()

"""A small client of the OCI distribution API: tags, manifests and blobs, with basic and bearer-token auth."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import requests

from engine.registry.errors import RegistryError

MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json"
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class RegistryClient:
    """One registry host; credentials from the call or from Helm's registry config."""

    host: str
    plain_http: bool = False
    insecure: bool = False
    username: str = ""
    password: str = ""
    timeout: float = 60.0
    _session: requests.Session = field(default_factory=requests.Session, repr=False)
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

    def _bearer(self, challenge: str, scope: str) -> str:
        params = dict(_CHALLENGE.findall(challenge))
        query = {k: v for k, v in (("service", params.get("service")), ("scope", params.get("scope") or scope))
                 if v}
        auth = (self.username, self.password) if self.username else None
        response = self._session.get(params.get("realm", ""), params=query, auth=auth, timeout=self.timeout)
        if response.status_code != 200:
            raise RegistryError(f"{self.host}: authentication failed ({response.status_code}): check the "
                                "credentials (pyhelm registry login)")
        body = response.json()
        return body.get("token") or body.get("access_token") or ""

    def request(self, method: str, url: str, scope: str = "", **kwargs: Any) -> requests.Response:
        """A request that answers 401 challenges (basic, or a bearer token for ``scope``) once."""
        url = url if url.startswith("http") else self.base + url
        headers = dict(kwargs.pop("headers", {}))
        if scope in self._token:
            headers["Authorization"] = f"Bearer {self._token[scope]}"
        try:
            response = self._session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            if response.status_code == 401:
                challenge = response.headers.get("WWW-Authenticate", "")
                if challenge.lower().startswith("bearer"):
                    self._token[scope] = self._bearer(challenge, scope)
                    headers["Authorization"] = f"Bearer {self._token[scope]}"
                    response = self._session.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
                elif self.username:
                    response = self._session.request(method, url, headers=headers, timeout=self.timeout,
                                                     auth=(self.username, self.password), **kwargs)
        except requests.RequestException as exc:
            raise RegistryError(f"{self.host}: registry unreachable: {exc}") from None
        if response.status_code == 401:
            raise RegistryError(f"{self.host}: unauthorized: log in with `pyhelm registry login {self.host}`")
        return response

    def check(self, response: requests.Response, what: str) -> requests.Response:
        if response.status_code >= 400:
            detail = ""
            try:
                errors = response.json().get("errors") or []
                detail = "; ".join(f"{e.get('code')}: {e.get('message')}" for e in errors)
            except ValueError:
                pass
            raise RegistryError(f"{what}: {response.status_code} {detail or response.reason}")
        return response

    def ping(self) -> None:
        """GET /v2/ — what ``registry login`` checks."""
        self.check(self.request("GET", "", scope=""), f"{self.host}: login failed")

    def tags(self, repository: str) -> list[str]:
        scope = f"repository:{repository}:pull"
        response = self.check(self.request("GET", f"{repository}/tags/list", scope=scope),
                              f"{self.host}/{repository}: cannot list tags")
        return list(response.json().get("tags") or [])

    def manifest(self, repository: str, reference: str) -> tuple[bytes, str]:
        """(manifest bytes, its digest)."""
        scope = f"repository:{repository}:pull"
        response = self.check(self.request("GET", f"{repository}/manifests/{reference}", scope=scope,
                                           headers={"Accept": MANIFEST_TYPE}),
                              f"{self.host}/{repository}:{reference}: not found")
        return response.content, "sha256:" + hashlib.sha256(response.content).hexdigest()

    def blob(self, repository: str, digest: str) -> bytes:
        scope = f"repository:{repository}:pull"
        data = self.check(self.request("GET", f"{repository}/blobs/{digest}", scope=scope),
                          f"{self.host}/{repository}: blob {digest}").content
        if "sha256:" + hashlib.sha256(data).hexdigest() != digest:
            raise RegistryError(f"{self.host}/{repository}: blob {digest} does not match its digest")
        return data

    def push_blob(self, repository: str, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        scope = f"repository:{repository}:pull,push"
        if self.request("HEAD", f"{repository}/blobs/{digest}", scope=scope).status_code == 200:
            return digest
        started = self.check(self.request("POST", f"{repository}/blobs/uploads/", scope=scope),
                             f"{self.host}/{repository}: cannot start upload")
        location = started.headers.get("Location", "")
        if location.startswith("/"):
            location = f"{'http' if self.plain_http else 'https'}://{self.host}{location}"
        separator = "&" if "?" in location else "?"
        self.check(self.request("PUT", f"{location}{separator}digest={digest}", scope=scope, data=data,
                                headers={"Content-Type": "application/octet-stream"}),
                   f"{self.host}/{repository}: upload of {digest} failed")
        return digest

    def push_manifest(self, repository: str, tag: str, data: bytes) -> str:
        scope = f"repository:{repository}:pull,push"
        self.check(self.request("PUT", f"{repository}/manifests/{tag}", scope=scope, data=data,
                                headers={"Content-Type": MANIFEST_TYPE}),
                   f"{self.host}/{repository}:{tag}: manifest upload failed")
        return "sha256:" + hashlib.sha256(data).hexdigest()

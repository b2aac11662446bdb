"""HTTP front of the sandbox API server: routing, bodies, Status errors, chunked watch streams."""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from engine.sandbox import decoding, discovery
from engine.sandbox.api import API, Request
from engine.sandbox.errors import APIError, bad_request

MAX_BODY = 3 * 1024 * 1024  # kube-apiserver's --max-request-bytes for writes (3 MiB)
_RESOURCE_PATH = re.compile(r"^/(?:api/(?P<v1>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))(?P<rest>(?:/[^/]+)*)/?$")


class FailureInjector:
    """Fail the next matching requests with a given status (for tests of error handling)."""

    def __init__(self) -> None:
        self.rules: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    def add(self, method: str, path_regex: str, status: int, count: int) -> None:
        with self.lock:
            self.rules.append({"method": method.upper(), "path": re.compile(path_regex), "status": status,
                               "count": count})

    def take(self, method: str, path: str) -> int | None:
        with self.lock:
            for rule in self.rules:
                if rule["count"] > 0 and rule["method"] in (method, "*") and rule["path"].search(path):
                    rule["count"] -= 1
                    return rule["status"]
        return None


class RequestLog:
    """Every request served, as (method, path with query), so tests and benches can count what a command asks
    of the cluster. Off unless ``enabled``: a long-running sandbox must not grow without bound."""

    def __init__(self, enabled: bool = False) -> None:
        self.enabled = enabled
        self.entries: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def add(self, method: str, path: str) -> None:
        if not self.enabled:
            return
        with self.lock:
            self.entries.append((method, path))

    def snapshot(self) -> list[tuple[str, str]]:
        with self.lock:
            return list(self.entries)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small header and body writes must not wait for the client's delayed ACK
    server: "SandboxHTTPServer"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    # plumbing -------------------------------------------------------------------------------------------
    def _body(self) -> bytes:
        """The request body, read once: 400 for a malformed length or chunk, 413 over the size limit (the rest
        of an oversized body is not read: the connection closes after the answer)."""
        if getattr(self, "_read_body", None) is not None:
            return self._read_body
        self._read_body = b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline(64).split(b";")[0].strip()
                try:
                    size = int(line, 16)
                except ValueError:
                    self.close_connection = True
                    raise bad_request("invalid chunked encoding: bad chunk size") from None
                if size == 0:
                    self.rfile.readline()
                    break
                if len(data) + size > MAX_BODY:
                    self.close_connection = True
                    raise _too_large()
                data += self.rfile.read(size)
                self.rfile.readline()
            self._read_body = data
            return data
        text = self.headers.get("Content-Length") or "0"
        if not text.strip().isdigit():
            self.close_connection = True
            raise bad_request(f"invalid Content-Length: {text!r}")
        length = int(text)
        if length > MAX_BODY:
            self.close_connection = True
            self._discard(length)
            raise _too_large()
        self._read_body = self.rfile.read(length) if length else b""
        if len(self._read_body) < length:
            self.close_connection = True
            raise bad_request("the request body is shorter than its Content-Length")
        return self._read_body

    def _discard(self, length: int) -> None:
        """Read (and drop) a moderately oversized body, so the client gets to read the 413."""
        remaining = length if length <= 16 * MAX_BODY else 0
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                return
            remaining -= len(chunk)

    def _send(self, status: int, body: Any, content_type: str = "application/json",
              warnings: list[str] = ()) -> None:
        data = body.encode() if isinstance(body, str) else json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for text in dict.fromkeys(warnings):
            escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
            self.send_header("Warning", f'299 - "{escaped}"')
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def _decode(self, raw: bytes) -> Any:
        content_type = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip()
        if content_type == "application/vnd.kubernetes.protobuf":
            from engine.sandbox.protobuf import decode_object

            return decode_object(raw)
        if not raw:
            return None
        if content_type in ("application/yaml", "text/yaml"):
            return decoding.plain(decoding.parse_yaml(raw)[0])
        return decoding.parse_json(raw)

    def _handle(self, method: str) -> None:
        self.server.requests.add(method, self.path)
        if self.server.latency:  # a real API server's round trip, modelled for benches
            time.sleep(self.server.latency)
        try:
            parts = urlsplit(self.path)
            injected = self.server.failures.take(method, parts.path)
            if injected is not None:
                self._body()
                raise APIError(injected, "InternalError" if injected >= 500 else "Injected",
                               f"injected failure {injected}")
            if method in ("POST", "PUT", "PATCH", "DELETE") or self.headers.get("Content-Length") or \
                    self.headers.get("Transfer-Encoding"):
                self._body()  # read before any answer (a GET's too), so the connection stays usable whatever is refused
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            applying = (self.headers.get("Content-Type") or "").startswith("application/apply-patch")
            if not query.get("fieldManager") and not applying:  # as kube-apiserver: the user agent's product name
                agent = (self.headers.get("User-Agent") or "unknown").split("/", 1)[0].strip()
                query["fieldManager"] = agent or "unknown"
            self._route(method, parts.path, query)
        except _PageNotFound:
            self._send(404, "404 page not found\n", "text/plain; charset=utf-8")
        except APIError as exc:
            self._send(exc.code, exc.status())
        except (BrokenPipeError, ConnectionResetError):
            return
        except Exception as exc:  # the server must not die on a bad request
            self._send(500, APIError(500, "InternalError", f"internal error: {exc}").status())
        finally:
            self._read_body = None

    do_GET = lambda self: self._handle("GET")  # noqa: E731
    do_POST = lambda self: self._handle("POST")  # noqa: E731
    do_PUT = lambda self: self._handle("PUT")  # noqa: E731
    do_PATCH = lambda self: self._handle("PATCH")  # noqa: E731
    do_DELETE = lambda self: self._handle("DELETE")  # noqa: E731

    # routing --------------------------------------------------------------------------------------------
    def _route(self, method: str, path: str, query: dict[str, str]) -> None:
        api: API = self.server.api
        registry = api.registry
        if method == "GET":
            static = self._discovery(path, registry)
            if static is not None:
                self._send(200, static)
                return
        match = _RESOURCE_PATH.match(path)
        if not match:
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        group = match.group("group") or ""
        version = match.group("v1") or match.group("version")
        if version not in registry.group_versions().get(group, []):
            raise _PageNotFound()  # an unserved group/version is the mux's plain-text 404, not a Status
        segments = [s for s in (match.group("rest") or "").split("/") if s]
        if not segments:
            body = discovery.resource_list(registry, group, version) if method == "GET" else None
            if body is None:
                raise APIError(404, "NotFound", "the server could not find the requested resource")
            self._send(200, body)
            return
        namespace = ""
        if segments[0] == "namespaces" and len(segments) >= 3:
            namespace, segments = segments[1], segments[2:]
        plural, name, subresource = segments[0], segments[1] if len(segments) > 1 else "", \
            segments[2] if len(segments) > 2 else ""
        resource = registry.find(group, version, plural)
        if resource is None or len(segments) > 3 or (subresource and subresource not in resource.subresources):
            raise APIError(404, "NotFound", "the server could not find the requested resource")
        all_namespaces = resource.namespaced and not namespace
        request = Request(resource, namespace, name, subresource, query)
        self._authorize_impersonated(api, method, request)
        self._dispatch(api, method, request, all_namespaces)

    def _authorize_impersonated(self, api: API, method: str, request: Request) -> None:
        """A request made as another user (``Impersonate-User``) gets only what that user's RBAC allows."""
        user = self.headers.get("Impersonate-User")
        if not user:
            return
        from engine.sandbox.authorization import Attributes, authorize, request_verb

        resource = request.resource
        plural = f"{resource.plural}/{request.subresource}" if request.subresource else resource.plural
        verb = request_verb(method, request.name, request.query.get("watch") in ("true", "1"))
        authorize(api.store, user, self.headers.get_all("Impersonate-Group") or [],
                  Attributes(verb, resource.group, plural, request.namespace if resource.namespaced else "",
                             request.name))

    def _discovery(self, path: str, registry) -> dict[str, Any] | None:
        path = path.rstrip("/") or "/"
        if path == "/version":
            return discovery.KUBERNETES_VERSION
        if path == "/api":
            return discovery.api_versions()
        if path == "/apis":
            return discovery.api_groups(registry)
        if path == "/openapi/v3":
            return discovery.openapi_root(registry)
        if path.startswith("/openapi/v3/"):
            rest = path[len("/openapi/v3/"):].split("/")
            group, version = ("", rest[1]) if rest[0] == "api" else (rest[1], rest[2])
            document = discovery.openapi_group_version(registry, group, version)
            if document is None:
                raise APIError(404, "NotFound", "the server could not find the requested resource")
            return document
        if path in ("/healthz", "/readyz", "/livez"):
            return {"status": "ok"}
        match = re.match(r"^/apis/([^/]+)$", path)
        if match:
            group = discovery.api_group(registry, match.group(1))
            if group is None:
                raise APIError(404, "NotFound", "the server could not find the requested resource")
            return group
        return None

    def _dispatch(self, api: API, method: str, request: Request, all_namespaces: bool) -> None:
        if method == "GET":
            if request.subresource == "log":  # no container ever runs here: a pod's log is empty
                api.get(request)
                self._send(200, "", "text/plain")
            elif request.name:
                self._send(200, api.get(request))
            elif request.query.get("watch") in ("true", "1"):
                self._stream(api, request, all_namespaces)
            else:
                self._send(200, api.list(request, all_namespaces))
        elif method == "POST":
            if request.name and request.resource.plural != "namespaces":
                raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            status, body = api.create(request, self._decode(self._body()))
            self._send(status, body, warnings=request.warnings)
        elif method == "PUT":
            if not request.name:
                raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
            self._send(200, api.replace(request, self._decode(self._body())), warnings=request.warnings)
        elif method == "PATCH":
            if not request.name:
                raise APIError(405, "MethodNotAllowed",
                               "the server does not allow this method on the requested resource")
            status, body = api.patch(request, self.headers.get("Content-Type") or "", self._body())
            self._send(status, body, warnings=request.warnings)
        elif method == "DELETE":
            options = self._decode(self._body())
            if options is not None and not isinstance(options, dict):
                kind = {list: "array", str: "string", bool: "bool"}.get(type(options), "number")
                raise bad_request('DeleteOptions in version "v1" cannot be handled as a DeleteOptions: json: cannot '
                                  f"unmarshal {kind} into Go value of type v1.DeleteOptions")
            if request.name:
                if isinstance(options, dict) and options.get("dryRun") == ["All"]:
                    request.query["dryRun"] = "All"
                self._send(200, api.delete(request, options))
            else:
                self._send(200, api.delete_collection(request))
        else:
            raise APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")

    def _stream(self, api: API, request: Request, all_namespaces: bool) -> None:
        events = api.watch(request, all_namespaces)
        first = next(events, None)  # errors in the request surface before the 200
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def chunk(data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        try:
            if first is not None:
                chunk(json.dumps(first, separators=(",", ":")).encode() + b"\n")
            for event in events:
                chunk(json.dumps(event, separators=(",", ":")).encode() + b"\n")
            chunk(b"")  # the stream ends whole: the connection stays usable, as Go's server keeps it
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _PageNotFound(Exception):
    """A path no API group serves."""


def _too_large() -> APIError:
    return APIError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {MAX_BODY}")


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256  # clients open many connections at once (helm writes a kind's objects in parallel)

    def __init__(self, address: tuple[str, int], api: API, latency: float = 0.0, record_requests: bool = False):
        super().__init__(address, Handler)
        self.api = api
        self.failures = FailureInjector()
        self.requests = RequestLog(record_requests)
        self.latency = latency  # seconds added to every request before it is answered

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-request (killed, timed out) is normal; anything else is reported."""
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

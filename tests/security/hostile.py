"""Hostile servers for the supply-chain tests, on 127.0.0.1 only: an HTTP server whose answers each test
scripts (drips, floods, redirect loops, lying sizes), a fake OCI registry built on it, and chart archives."""
from __future__ import annotations

import contextlib
import hashlib
import http.server
import io
import json
import tarfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator

Answer = Callable[["Handler"], None]
CHUNK = 64 * 1024


@dataclass
class Hostile:
    """What the server answers (path → answer, ``*`` for any other path) and what it saw."""

    routes: dict[str, Answer]
    url: str = ""
    requests: list[str] = field(default_factory=list)
    sent: int = 0  # body bytes the server managed to write before the client hung up

    @property
    def host(self) -> str:
        return self.url.removeprefix("http://")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        hostile = self.server.hostile
        hostile.requests.append(self.path)
        answer = hostile.routes.get(self.path.split("?")[0]) or hostile.routes.get("*") or body(b"", 404)
        try:
            answer(self)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up, as it should

    do_HEAD = do_GET

    def write(self, data: bytes) -> None:
        if self.command != "HEAD":
            self.wfile.write(data)
            self.wfile.flush()
            self.server.hostile.sent += len(data)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    hostile: Hostile

    def handle_error(self, request: object, client_address: object) -> None:
        return None  # a client hanging up mid-answer is what these servers provoke


@contextlib.contextmanager
def serving(routes: dict[str, Answer]) -> Iterator[Hostile]:
    """Serve ``routes`` on 127.0.0.1 while the block runs."""
    server = _Server(("127.0.0.1", 0), Handler)
    server.hostile = Hostile(routes, url=f"http://127.0.0.1:{server.server_address[1]}")
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        yield server.hostile
    finally:
        server.shutdown()
        server.server_close()


def _start(handler: Handler, status: int, length: int | None, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    if length is None:
        handler.send_header("Connection", "close")  # the body ends when the connection does
        handler.close_connection = True
    else:
        handler.send_header("Content-Length", str(length))
    handler.end_headers()


def body(data: bytes, status: int = 200, length: int | None = -1, **headers: str) -> Answer:
    """Answer ``data`` with its Content-Length (or the false ``length`` given, or none for None)."""
    def answer(handler: Handler) -> None:
        _start(handler, status, len(data) if length == -1 else length, headers)
        handler.write(data)
    return answer


def cut_short(data: bytes, promised: int) -> Answer:
    """Announce ``promised`` bytes, send ``data`` and hang up."""
    def answer(handler: Handler) -> None:
        _start(handler, 200, promised, {})
        handler.write(data)
        handler.close_connection = True
    return answer


def drip(count: int, interval: float, sized: bool = True) -> Answer:
    """Send the headers at once, then one body byte every ``interval`` seconds."""
    def answer(handler: Handler) -> None:
        _start(handler, 200, count if sized else None, {})
        for _ in range(count):
            handler.write(b"a")
            time.sleep(interval)
    return answer


def drip_headers(interval: float, count: int = 40) -> Answer:
    """Send the status line, then one byte of a header every ``interval`` seconds."""
    def answer(handler: Handler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(count):
            handler.wfile.write(b"a")
            handler.wfile.flush()
            time.sleep(interval)
        handler.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
    return answer


def flood(total: int, length: int | None = None) -> Answer:
    """Stream ``total`` bytes as fast as the client takes them (declaring ``length``, or no length)."""
    def answer(handler: Handler) -> None:
        _start(handler, 200, length, {})
        chunk = b"\0" * CHUNK
        for _ in range(total // CHUNK):
            handler.write(chunk)
    return answer


def redirect_loop(body_size: int = 0) -> Answer:
    """Redirect every request to a new path (each redirect answer carrying ``body_size`` bytes)."""
    def answer(handler: Handler) -> None:
        _start(handler, 302, body_size, {"Location": f"/hop{len(handler.server.hostile.requests)}"})
        handler.write(b"\0" * body_size)
    return answer


def tgz(members: list[tuple[str, bytes]]) -> bytes:
    """A gzipped tar archive of regular files, in the order given."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def chart_yaml(name: str, version: str = "0.1.0") -> bytes:
    return f"apiVersion: v2\nname: {name}\nversion: {version}\n".encode()


def index_yaml(name: str, version: str, archive: bytes, url: str) -> bytes:
    """A repository index listing one chart version at ``url`` with its digest."""
    return index_of([(name, version, archive, url)])


def index_of(charts: list[tuple[str, str, bytes, str]]) -> bytes:
    """A repository index listing each (name, version, archive, url), with the archive's digest."""
    entries = "".join(f"  {name}:\n  - apiVersion: v2\n    name: {name}\n    version: {version}\n"
                      f"    digest: {hashlib.sha256(archive).hexdigest()}\n    urls: [{url}]\n"
                      for name, version, archive, url in charts)
    return f"apiVersion: v1\nentries:\n{entries}generated: '2024-01-01T00:00:00Z'\n".encode()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
CONFIG = "application/vnd.cncf.helm.config.v1+json"


def registry_routes(repository: str, version: str, chart: bytes, declared_size: int | None = None,
                    chart_blob: Answer | None = None, padding: int = 0) -> dict[str, Answer]:
    """A registry serving ``chart`` as ``repository:version``: the manifest may declare a false layer size,
    the chart blob may be answered by ``chart_blob``, and ``padding`` bytes inflate the manifest."""
    config = json.dumps({"apiVersion": "v2", "name": repository.rsplit("/", 1)[-1], "version": version}).encode()
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": CONFIG, "digest": digest(config), "size": len(config)},
                "layers": [{"mediaType": CHART_LAYER, "digest": digest(chart),
                            "size": len(chart) if declared_size is None else declared_size}]}
    if padding:
        manifest["annotations"] = {"padding": "x" * padding}
    raw = json.dumps(manifest).encode()
    prefix = f"/v2/{repository}"
    return {
        "/v2/": body(b"{}"),
        f"{prefix}/tags/list": body(json.dumps({"name": repository, "tags": [version]}).encode()),
        f"{prefix}/manifests/{version}": body(raw, **{"Content-Type": manifest["mediaType"],
                                                      "Docker-Content-Digest": digest(raw)}),
        f"{prefix}/blobs/{digest(config)}": body(config),
        f"{prefix}/blobs/{digest(chart)}": chart_blob or body(chart),
    }

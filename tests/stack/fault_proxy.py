"""A fault-injecting HTTP/1.1 proxy for tests: it sits in front of an API server (127.0.0.1 only, plain
HTTP, one thread per client connection) and, for a share of the requests, drops the connection before
forwarding, drops it after the server answered (the request took effect, its answer is lost), answers 429
or 503 itself, or delays the request. Watch requests are relayed untouched. ``on_answer`` lets a test act
at an exact point of a client's work: it is called with each request's head once the server has answered
it, before the answer is relayed."""
from __future__ import annotations

import random
import re
import socket
import threading
import time
from collections import Counter
from typing import Callable

FAULTS = ("drop-before", "drop-after", "429", "503", "delay")
_STATUS_TEXT = {"429": "Too Many Requests", "503": "Service Unavailable"}


class _Closed(Exception):
    """The peer closed its side in the middle of (or before) a message."""


class _Reader:
    """Buffered reads of HTTP messages from one socket."""

    def __init__(self, sock: socket.socket):
        self.sock, self.buffer = sock, b""

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise _Closed()
        self.buffer += data

    def until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            self._fill()
        index = self.buffer.index(marker) + len(marker)
        data, self.buffer = self.buffer[:index], self.buffer[index:]
        return data

    def exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self._fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def rest(self) -> bytes:
        """Everything until the peer closes."""
        try:
            while True:
                self._fill()
        except (_Closed, OSError):
            pass
        data, self.buffer = self.buffer, b""
        return data

    def message(self, has_body: bool = True) -> tuple[bytes, bytes]:
        """(head, body) of the next message; a body without length runs until the peer closes."""
        head = self.until(b"\r\n\r\n")
        headers = _headers(head)
        if not has_body:
            return head, b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                size_line = self.until(b"\r\n")
                body += size_line
                size = int(size_line.split(b";")[0].strip(), 16)
                body += self.exactly(size + 2) if size else self.until(b"\r\n")
                if size == 0:
                    return head, body
        if "content-length" in headers:
            return head, self.exactly(int(headers["content-length"]))
        is_request = not head.startswith(b"HTTP/")
        return head, b"" if is_request else self.rest()


def _headers(head: bytes) -> dict[str, str]:
    lines = head.decode("latin-1").split("\r\n")[1:]
    return {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)
            if name}


def _status_answer(code: str) -> bytes:
    body = (f'{{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected {code}",'
            f'"reason":"{_STATUS_TEXT[code].replace(" ", "")}","code":{code}}}').encode()
    return (f"HTTP/1.1 {code} {_STATUS_TEXT[code]}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


class FaultProxy:
    """``with FaultProxy(("127.0.0.1", port), rate=0.1, seed=7) as proxy:`` — point clients at ``proxy.url``;
    ``proxy.injected`` counts the faults by kind and ``proxy.requests`` every request seen."""

    def __init__(self, upstream: tuple[str, int], rate: float = 0.1, faults: tuple[str, ...] = FAULTS,
                 seed: int | None = None, delay: float = 0.3, on_answer: Callable[[bytes], None] | None = None):
        self.upstream, self.rate, self.faults, self.delay = upstream, rate, faults, delay
        self.on_answer = on_answer
        self._lost_answers: list[list] = []  # [method, path pattern, how many more]
        self.injected: Counter[str] = Counter()
        self.requests = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._open: set[socket.socket] = set()
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> "FaultProxy":
        threading.Thread(target=self._accept, name="fault-proxy", daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopped.set()
        self._listener.close()
        with self._lock:
            for sock in list(self._open):
                _close(sock)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), name="fault-proxy-conn", daemon=True).start()

    def lose_answer(self, method: str, path_regex: str, count: int = 1) -> None:
        """Drop the connection after the server answered the next ``count`` requests matching ``method`` and
        ``path_regex`` (besides the random faults)."""
        with self._lock:
            self._lost_answers.append([method.encode(), re.compile(path_regex.encode()), count])

    def _choose(self, request_line: bytes) -> str | None:
        method, _, rest = request_line.partition(b" ")
        path = rest.partition(b" ")[0].partition(b"?")[0]
        with self._lock:
            self.requests += 1
            for rule in self._lost_answers:
                if rule[2] > 0 and rule[0] == method and rule[1].search(path):
                    rule[2] -= 1
                    self.injected["drop-after"] += 1
                    return "drop-after"
            if self._random.random() >= self.rate:
                return None
            fault = self._random.choice(self.faults)
            self.injected[fault] += 1
            return fault

    def _track(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._open.add(sock)
        return sock

    def _serve(self, client: socket.socket) -> None:
        """Relay the requests of one client connection, each subject to a fault, until one side closes."""
        upstream: socket.socket | None = None
        self._track(client)
        try:
            reader = _Reader(client)
            upstream_reader: _Reader | None = None
            while not self._stopped.is_set():
                head, body = reader.message()
                request_line = head.split(b"\r\n", 1)[0]
                if b"watch=true" in request_line:
                    upstream = upstream or self._track(socket.create_connection(self.upstream))
                    upstream.sendall(head + body + reader.buffer)
                    _pipe(client, upstream)
                    return
                fault = self._choose(request_line)
                if fault == "drop-before":
                    return
                if fault in _STATUS_TEXT:
                    client.sendall(_status_answer(fault))
                    continue
                if fault == "delay":
                    time.sleep(self.delay)
                if upstream is None:
                    upstream = self._track(socket.create_connection(self.upstream))
                    upstream_reader = _Reader(upstream)
                upstream.sendall(head + body)
                answer_head, answer_body = upstream_reader.message(has_body=not head.startswith(b"HEAD "))
                if self.on_answer is not None:
                    self.on_answer(head)
                if fault == "drop-after":
                    return
                client.sendall(answer_head + answer_body)
                if b"connection: close" in answer_head.lower():
                    return
        except (_Closed, OSError):
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    _close(sock)
                    with self._lock:
                        self._open.discard(sock)


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    """Copy bytes both ways until either side closes (for streams such as watches)."""
    def copy(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        _close(target)

    back = threading.Thread(target=copy, args=(upstream, client), daemon=True)
    back.start()
    copy(client, upstream)
    back.join()


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()

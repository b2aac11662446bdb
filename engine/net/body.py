"""Copying a response body into a file (or a buffer) in chunks, refusing it as soon as it is too large.

The body is never held whole in memory: at most one chunk beyond the limit is read before a refusal.
A declared size (an OCI descriptor's) is checked against the ``Content-Length`` before the first byte and
against the bytes themselves while they arrive, as ORAS does for helm.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

from engine.net.deadline import Deadline
from engine.net.errors import DownloadError
from engine.net.limits import Cap

if TYPE_CHECKING:
    import requests

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Received:
    """What was copied: its size and its digest (``algorithm:hex``)."""

    size: int
    digest: str


def _declared_length(response: requests.Response) -> int | None:
    text = response.headers.get("Content-Length", "")
    return int(text) if text.isdigit() else None


def receive(response: requests.Response, sink: BinaryIO, cap: Cap, deadline: Deadline,
            expected_size: int | None = None, algorithm: str = "sha256") -> Received:
    """Copy ``response``'s body into ``sink`` under ``deadline``; refuse more than ``cap`` (or than
    ``expected_size``) at once and fewer than ``expected_size`` at the end."""
    import urllib3

    where = f'Get "{response.url}"'
    limit = cap.limit()
    length = _declared_length(response)
    if expected_size is not None and length is not None and length != expected_size:
        raise DownloadError(f"{where}: mismatch Content-Length: expected {expected_size} bytes, the answer's "
                            f"Content-Length is {length}")
    if length is not None and length > limit:
        raise DownloadError(f"{where}: the answer is {length} bytes, more than {cap.describe()}")
    bound = limit if expected_size is None else min(limit, expected_size)
    hasher = hashlib.new(algorithm)
    size = 0
    try:
        while chunk := response.raw.read(CHUNK, decode_content=False):
            size += len(chunk)
            if size > bound:
                if expected_size is not None and size > expected_size:
                    raise DownloadError(f"{where}: trailing data: more than the {expected_size} bytes expected")
                raise DownloadError(f"{where}: the answer is larger than {cap.describe()}")
            hasher.update(chunk)
            sink.write(chunk)
    except (OSError, urllib3.exceptions.HTTPError):
        deadline.check(response.url, reading_body=True)  # a read the deadline cut short
        raise
    finally:
        response.close()
    deadline.check(response.url, reading_body=True)  # a cut socket also looks like the end of an unsized body
    if expected_size is not None and size != expected_size:
        raise DownloadError(f"{where}: expected content size of {expected_size}, got {size}")
    return Received(size, f"{algorithm}:{hasher.hexdigest()}")


def read_small(response: requests.Response, cap: Cap, deadline: Deadline) -> bytes:
    """A body small enough for memory (an index, a manifest, an API answer), within ``cap``."""
    buffer = io.BytesIO()
    receive(response, buffer, cap, deadline)
    return buffer.getvalue()

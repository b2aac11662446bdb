"""Writing client files safely: atomic replacement through a temporary file, and Helm's advisory file lock."""
from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from typing import Iterator

from engine.repo.errors import RepoError


def atomic_write(path: str, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def lock_path_for(path: str) -> str:
    """Helm's lock file beside a config file: the extension replaced by ``.lock``."""
    stem, extension = os.path.splitext(path)
    return stem + ".lock" if extension and stem else path + ".lock"


@contextlib.contextmanager
def file_lock(path: str, timeout: float = 30.0) -> Iterator[None]:
    """Hold an exclusive flock on ``path`` (created 0600), waiting up to ``timeout`` seconds as helm does."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RepoError(f"timed out waiting for the lock on {path}") from None
                time.sleep(0.1)
        yield
    finally:
        os.close(descriptor)

"""Writing client files safely: atomic replacement through a temporary file, and Helm's advisory file lock."""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
import time
from typing import BinaryIO, Iterator

from engine.repo.errors import RepoError


class StagedFile:
    """A temporary file beside ``path`` that becomes ``path`` on ``commit()`` and vanishes otherwise, so
    readers see the old file or the complete new one, never a part (``path`` may also be chosen at commit)."""

    def __init__(self, path: str, mode: int = 0o644) -> None:
        self.path = path
        self.mode = mode
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        descriptor, self.temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.")
        self.handle: BinaryIO = os.fdopen(descriptor, "w+b")
        self.committed = False

    def commit(self, path: str = "") -> str:
        """Move the written content into place (at ``path`` when given, in the same directory); returns it."""
        target = path or self.path
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.chmod(self.temporary, self.mode)
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        os.replace(self.temporary, target)
        self.committed = True
        return target

    def __enter__(self) -> "StagedFile":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.handle.close()
        if not self.committed:
            with contextlib.suppress(OSError):
                os.unlink(self.temporary)


def atomic_write(path: str, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the new one, never a part."""
    with StagedFile(path, mode) as staged:
        staged.handle.write(data)
        staged.commit()


def atomic_copy(source: str, path: str, mode: int = 0o644) -> None:
    """Copy the file ``source`` to ``path`` in chunks, atomically as ``atomic_write``."""
    with StagedFile(path, mode) as staged, open(source, "rb") as handle:
        shutil.copyfileobj(handle, staged.handle)
        staged.commit()


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

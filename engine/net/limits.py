"""How long one download may take and how large what it fetches may be, with the settings that change them.

Every limit can be set in the environment, so CI jobs and tests can tighten or relax it without flags:
``PYHELM_DOWNLOAD_TIMEOUT`` (a Go duration, default ``2m0s`` as helm's HTTP getter) and the byte caps below.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from engine.goduration import parse_duration
from engine.net.errors import DownloadError

TIMEOUT_SETTING = "PYHELM_DOWNLOAD_TIMEOUT"
DEFAULT_TIMEOUT = 120.0  # helm's getter.DefaultHTTPTimeout
MIB = 1024 * 1024


@dataclass(frozen=True)
class Cap:
    """The largest body accepted for one kind of download, overridable by an environment variable."""

    what: str
    setting: str
    default: int

    def limit(self) -> int:
        text = os.environ.get(self.setting, "").strip()
        if not text:
            return self.default
        if not text.isdigit() or int(text) == 0:
            raise DownloadError(f'{self.setting}="{text}" is not valid: give the largest {self.what} to accept, '
                                "in bytes (a whole number above 0)")
        return int(text)

    def describe(self) -> str:
        """``the N-byte limit for a <what> (<setting>)``, for refusals."""
        return f"the {self.limit()}-byte limit for a {self.what} ({self.setting})"


INDEX = Cap("repository index or values file", "PYHELM_MAX_INDEX_BYTES", 256 * MIB)
ARCHIVE = Cap("chart archive or provenance file", "PYHELM_MAX_ARCHIVE_BYTES", 128 * MIB)
MANIFEST = Cap("manifest or registry API answer", "PYHELM_MAX_MANIFEST_BYTES", 4 * MIB)  # as ORAS's default
BLOB = Cap("registry blob", "PYHELM_MAX_BLOB_BYTES", 128 * MIB)


def download_timeout() -> float:
    """Seconds one download may take from connecting to its last byte (``PYHELM_DOWNLOAD_TIMEOUT``)."""
    text = os.environ.get(TIMEOUT_SETTING, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise DownloadError(f"{TIMEOUT_SETTING}: {exc}: use a Go duration such as 90s or 2m") from None
    if seconds <= 0:
        raise DownloadError(f'{TIMEOUT_SETTING}="{text}" is not valid: the timeout must be above 0')
    return seconds

"""repositories.yaml: the configured chart repositories (Helm's repo.File), read and written as helm does."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Iterator

from engine.repo.errors import RepoError
from engine.repo.files import atomic_write, file_lock, lock_path_for
from engine.repo.marshal import ZERO_TIME, load_yaml, to_yaml

# (YAML key, attribute) in Helm's struct order
ENTRY_KEYS = (("name", "name"), ("url", "url"), ("username", "username"), ("password", "password"),
              ("certFile", "cert_file"), ("keyFile", "key_file"), ("caFile", "ca_file"),
              ("insecure_skip_tls_verify", "insecure_skip_tls_verify"),
              ("pass_credentials_all", "pass_credentials_all"))


@dataclass
class Entry:
    """One configured repository: its name, URL, credentials and TLS settings."""

    name: str
    url: str
    username: str = ""
    password: str = ""
    cert_file: str = ""
    key_file: str = ""
    ca_file: str = ""
    insecure_skip_tls_verify: bool = False
    pass_credentials_all: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {key: getattr(self, attribute) for key, attribute in ENTRY_KEYS}

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "Entry":
        values: dict[str, Any] = {}
        for key, attribute in ENTRY_KEYS:
            value = raw.get(key)
            if attribute in ("insecure_skip_tls_verify", "pass_credentials_all"):
                values[attribute] = value is True
            else:
                values[attribute] = "" if value is None else str(value)
        return cls(**values)


@dataclass
class RepoFile:
    """The contents of repositories.yaml (a file ``repo add`` creates has an empty apiVersion, as in Helm)."""

    api_version: str = ""
    generated: str = ZERO_TIME
    repositories: list[Entry] = field(default_factory=list)

    def get(self, name: str) -> Entry | None:
        return next((entry for entry in self.repositories if entry.name == name), None)

    def update(self, entry: Entry) -> None:
        """Replace the entry of the same name, or append ``entry``."""
        for position, existing in enumerate(self.repositories):
            if existing.name == entry.name:
                self.repositories[position] = entry
                return
        self.repositories.append(entry)

    def remove(self, name: str) -> bool:
        kept = [entry for entry in self.repositories if entry.name != name]
        found = len(kept) != len(self.repositories)
        self.repositories = kept
        return found

    def to_yaml(self) -> str:
        return to_yaml({"apiVersion": self.api_version, "generated": self.generated,
                        "repositories": [entry.to_dict() for entry in self.repositories]})


def parse_repo_file(data: bytes) -> RepoFile:
    """Parse repositories.yaml (non-strict, as helm reads it)."""
    raw = load_yaml(data) if data.strip() else {}
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise RepoError("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal into Go value of "
                        "type repo.File")
    entries = [Entry.from_dict(item) for item in raw.get("repositories") or [] if isinstance(item, dict)]
    return RepoFile(api_version=str(raw.get("apiVersion") or ""), generated=str(raw.get("generated") or ZERO_TIME),
                    repositories=entries)


def load_repo_file(path: str) -> RepoFile:
    """Read repositories.yaml; FileNotFoundError when it does not exist."""
    with open(path, "rb") as handle:
        return parse_repo_file(handle.read())


def load_repo_file_or_empty(path: str) -> RepoFile:
    """Read repositories.yaml, or an empty configuration when there is none yet."""
    try:
        return load_repo_file(path)
    except FileNotFoundError:
        return RepoFile()


def write_repo_file(repo_file: RepoFile, path: str) -> None:
    """Write repositories.yaml atomically with mode 0600 (it may hold passwords)."""
    atomic_write(path, repo_file.to_yaml().encode(), 0o600)


@contextlib.contextmanager
def locked(path: str) -> Iterator[None]:
    """Hold Helm's ``repositories.lock`` beside ``path`` while reading, changing and writing it."""
    with file_lock(lock_path_for(path)):
        yield



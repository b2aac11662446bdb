"""The stack model: what a stack file says once an environment has been applied to it."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from engine.goduration import parse_duration as parse_go_duration
from engine.stack.errors import StackError


def parse_duration(text: str) -> float:
    """Seconds in a Go duration such as ``5m``, ``90s`` or ``1h30m``."""
    try:
        return parse_go_duration(text)
    except ValueError:
        raise StackError(f'invalid duration "{text}": use a Go duration such as 300s, 5m or 1h30m') from None


@dataclass(frozen=True)
class SecretRef:
    """A secret value taken from an environment variable or a file when the stack runs."""

    env: str | None = None
    file: str | None = None

    def resolve(self, base_dir: str) -> str:
        """The value, registered with the redactor so that no output of this process can show it."""
        from engine.redaction import REDACTOR, SecretTooShortError

        value = self._read(base_dir)
        try:
            REDACTOR.add(value)
        except SecretTooShortError as exc:
            raise StackError(f"secret value from {self.source(base_dir)}: {exc}; a shorter value cannot be "
                             "masked reliably in output") from None
        return value

    def available(self, base_dir: str) -> bool:
        """Whether the value can be read here (its variable is set, its file exists)."""
        return self.env in os.environ if self.env is not None else os.path.isfile(self.source(base_dir))

    def source(self, base_dir: str) -> str:
        return f"environment variable {self.env}" if self.env is not None else \
            os.path.join(base_dir, self.file or "")

    def _read(self, base_dir: str) -> str:
        if self.env is not None:
            if self.env not in os.environ:
                raise StackError(f"secret value: environment variable {self.env} is not set")
            return os.environ[self.env]
        path = self.source(base_dir)
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read().rstrip("\n")
        except OSError as exc:
            raise StackError(f"secret value: cannot read {path}: {exc.strerror}") from exc


@dataclass(frozen=True)
class Repository:
    """A chart repository (http or oci) the stack's charts come from."""

    name: str
    url: str
    username_env: str | None = None
    password_env: str | None = None
    ca_file: str | None = None
    cert_file: str | None = None
    key_file: str | None = None
    insecure_skip_tls_verify: bool = False
    plain_http: bool = False
    verify: bool = False  # check every chart from here against its provenance (as helm's --verify)
    keyring: str | None = None  # public keys for verify (default ~/.gnupg/pubring.gpg)

    @property
    def is_oci(self) -> bool:
        return self.url.startswith("oci://")


@dataclass
class ReleaseSpec:
    """One release as the chosen environment wants it."""

    name: str
    namespace: str
    chart: str
    version: str = ""
    values_files: list[str] = field(default_factory=list)
    secret_files: list[str] = field(default_factory=list)  # sops-encrypted values files, merged after them
    values: list[dict[str, Any]] = field(default_factory=list)  # inline values, merged in order
    set_values: dict[str, Any] = field(default_factory=dict)
    secret_values: dict[str, SecretRef] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    needs: list[str] = field(default_factory=list)
    installed: bool = True
    kube_context: str | None = None
    create_namespace: bool = True
    wait: bool = False
    wait_for_jobs: bool = False
    timeout: float = 300.0
    atomic: bool = False
    cleanup_on_fail: bool = False
    history_max: int = 10
    skip_crds: bool = False
    skip_schema_validation: bool = False
    disable_hooks: bool = False
    force: bool = False
    take_ownership: bool = False
    description: str = ""
    verify: bool | None = None  # provenance check of the chart; None: as its repository says
    keyring: str | None = None  # public keys for verify; None: the repository's, else ~/.gnupg/pubring.gpg
    hooks: list = field(default_factory=list)  # engine.stack.hooks.StackHook: this release's own
    source_line: int = 0
    source_file: str = ""  # the stack file that defines the release (a stack may be a directory of files)

    @property
    def where(self) -> str:
        """``file:line`` of the release's entry, for messages."""
        return f"{self.source_file}:{self.source_line}"

    @property
    def id(self) -> str:
        """``namespace/name``: unique within a stack."""
        return f"{self.namespace}/{self.name}"


@dataclass
class Stack:
    """A loaded stack file for one environment."""

    name: str
    path: str
    environment: str | None
    env_values: dict[str, Any]
    repositories: list[Repository]
    releases: list[ReleaseSpec]
    kube_context: str | None = None  # the environment's kubeContext, if it sets one
    base: str = ""  # the directory relative paths are taken from (the stack file's, or the stack directory)
    hooks: list = field(default_factory=list)  # engine.stack.hooks.StackHook: around the whole run, every release
    files: list[str] = field(default_factory=list)  # the stack files read (one, or a stack directory's)
    env_values_files: list[str] = field(default_factory=list)  # the environment's valuesFiles, as written
    env_secret_files: list[str] = field(default_factory=list)  # the environment's secretFiles, as written
    lock_namespace: str = "default"  # where the stack's lock (a Lease per cluster) lives

    @property
    def kube_contexts(self) -> set[str | None]:
        """Every context the stack's releases may live in (None: the kubeconfig's current context)."""
        return {r.kube_context for r in self.releases} | {self.kube_context, None}

    @property
    def base_dir(self) -> str:
        return self.base or os.path.dirname(os.path.abspath(self.path))

    def release(self, release_id: str) -> ReleaseSpec:
        for release in self.releases:
            if release.id == release_id:
                return release
        raise KeyError(release_id)

"""The Stack custom resource (``pyhelm.dev/v1alpha1``): its spec read into a typed model, with one clear
error for anything the schema lets through but the controller cannot act on."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.goduration import parse_duration

GROUP, VERSION, KIND, PLURAL = "pyhelm.dev", "v1alpha1", "Stack", "stacks"
API_VERSION = f"{GROUP}/{VERSION}"
DRIFT_MODES = ("correct", "warn", "off")
SHARD_LABEL = "pyhelm.dev/shard"


class SpecError(Exception):
    """A Stack whose spec cannot be acted on; the message names the field."""


@dataclass(frozen=True)
class Source:
    """Where the stack's files come from: a ConfigMap of the Stack's namespace, or an OCI artifact."""

    config_map: str = ""
    oci_url: str = ""
    oci_digest: str = ""
    plain_http: bool = False
    insecure: bool = False

    def describe(self) -> str:
        return f"ConfigMap {self.config_map}" if self.config_map else self.oci_url


@dataclass(frozen=True)
class StackResource:
    """One Stack object: its identity, generation and spec."""

    namespace: str
    name: str
    generation: int
    source: Source
    path: str = ""
    environment: str | None = None
    interval: float = 300.0
    suspend: bool = False
    prune: bool = True
    drift_detection: str = "off"
    service_account: str = ""
    retries: int = 5
    timeout: float | None = None  # each release operation's limit (helm --timeout); None: the stack file's

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def impersonated_user(self) -> str:
        """The Kubernetes user the controller acts as for this stack's releases ("" : its own identity)."""
        if not self.service_account:
            return ""
        return f"system:serviceaccount:{self.namespace}:{self.service_account}"


def positive_duration(text: str, what: str) -> float:
    """Seconds in a Go duration above 0; ValueError naming ``what`` otherwise."""
    try:
        seconds = parse_duration(str(text))
    except ValueError:
        raise ValueError(f'{what}: "{text}" is not a duration (such as 90s, 5m, 1h)') from None
    if seconds <= 0:
        raise ValueError(f"{what}: must be more than 0")
    return seconds


def _duration(spec: dict[str, Any], field: str, default: float) -> float:
    text = spec.get(field)
    if text in (None, ""):
        return default
    try:
        return positive_duration(str(text), f"spec.{field}")
    except ValueError as exc:
        raise SpecError(str(exc)) from None


def _source(spec: dict[str, Any]) -> Source:
    source = spec.get("source") or {}
    config_map = (source.get("configMap") or {}).get("name") or ""
    oci = source.get("oci") or {}
    if bool(config_map) == bool(oci.get("url")):
        raise SpecError("spec.source: set exactly one of configMap.name and oci.url")
    url = str(oci.get("url") or "")
    if url and not url.startswith("oci://"):
        raise SpecError(f'spec.source.oci.url: "{url}" is not an oci:// reference')
    return Source(config_map, url, str(oci.get("digest") or ""), bool(oci.get("plainHTTP")),
                  bool(oci.get("insecure")))


def parse_stack(obj: dict[str, Any]) -> StackResource:
    """The model of a Stack object; SpecError names the first field that cannot be used."""
    metadata = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    drift = str(spec.get("driftDetection") or "off")
    if drift not in DRIFT_MODES:
        raise SpecError(f'spec.driftDetection: "{drift}" is not one of {", ".join(DRIFT_MODES)}')
    retries = spec.get("retries", 5)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise SpecError("spec.retries: must be a whole number, 0 or more")
    return StackResource(
        namespace=metadata.get("namespace") or "default", name=metadata.get("name") or "",
        generation=int(metadata.get("generation") or 0), source=_source(spec),
        path=str(spec.get("path") or ""), environment=spec.get("environment") or None,
        interval=_duration(spec, "interval", 300.0), suspend=bool(spec.get("suspend")),
        prune=spec.get("prune", True) is not False, drift_detection=drift,
        service_account=str(spec.get("serviceAccountName") or ""), retries=retries,
        timeout=_duration(spec, "timeout", 0.0) or None)

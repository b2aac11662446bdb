"""``.Capabilities``: the Kubernetes and Helm versions a chart is rendered for.

Offline (``template``, client dry-run, lint) Helm v4.1.4 assumes Kubernetes v1.35.0 and the API versions
compiled into its client (default_api_versions.txt); ``--kube-version`` and ``--api-versions`` change them.
"""
from __future__ import annotations

import os
import re
from functools import cache
from typing import Iterable

from engine.gotemplate.gotypes import GoStruct, StrList

DEFAULT_KUBE_VERSION = "v1.35.0"
HELM_VERSION = "v4.1.4"
HELM_GIT_COMMIT = "05fa37973dc9e42b76e1d2883494c87174b6074f"
GO_VERSION = "go1.25.9"
KUBE_CLIENT_VERSION = "v1.35"

_GENERIC_VERSION = re.compile(r"^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)$")


class CapabilitiesError(ValueError):
    """A Kubernetes version string that cannot be parsed."""


class KubeVersion(GoStruct):
    """Helm's common.KubeVersion: printed by templates through its String method."""

    go_type = "common.KubeVersion"
    go_fields = ("Version", "normalizedVersion", "Major", "Minor")
    go_methods = {"String": (), "GitVersion": ()}

    def __init__(self, version: str, normalized: str, major: str, minor: str):
        self.Version, self.normalizedVersion, self.Major, self.Minor = version, normalized, major, minor

    def String(self) -> str:
        return self.normalizedVersion or self.Version

    def GitVersion(self) -> str:
        return self.Version


class VersionSet(StrList, GoStruct):
    """Helm's common.VersionSet: a list of ``group/version`` strings with a ``Has`` method."""

    go_type = "common.VersionSet"
    go_methods = {"Has": ("string",)}

    def Has(self, api_version: str) -> bool:
        return api_version in self


class HelmBuildInfo(GoStruct):
    """Helm's version.BuildInfo."""

    go_type = "version.BuildInfo"
    go_fields = ("Version", "GitCommit", "GitTreeState", "GoVersion", "KubeClientVersion")

    def __init__(self) -> None:
        self.Version, self.GitCommit, self.GitTreeState = HELM_VERSION, HELM_GIT_COMMIT, "clean"
        self.GoVersion, self.KubeClientVersion = GO_VERSION, KUBE_CLIENT_VERSION


class Capabilities(GoStruct):
    """Helm's common.Capabilities."""

    go_type = "*common.Capabilities"
    go_fields = ("KubeVersion", "APIVersions", "HelmVersion")

    def __init__(self, kube_version: KubeVersion, api_versions: VersionSet):
        self.KubeVersion, self.APIVersions, self.HelmVersion = kube_version, api_versions, HelmBuildInfo()


def parse_kube_version(text: str) -> KubeVersion:
    """Parse a version as Kubernetes' ParseGeneric does (``1.30``, ``v1.30.2-gke.1``)."""
    match = _GENERIC_VERSION.match(text)
    parts = match.group(1).split(".") if match else []
    if len(parts) < 2:
        raise CapabilitiesError(f'could not parse "{text}" as version')
    numbers = [str(int(p)) for p in parts]
    git_version = text if text.startswith("v") else "v" + text
    return KubeVersion(git_version, "v" + ".".join(numbers), numbers[0], numbers[1])


@cache
def default_api_versions() -> tuple[str, ...]:
    """The API versions helm v4.1.4 assumes without a cluster (read beside this module, as the template code
    cache reads the generator's sources: importlib.resources would cost every render its import)."""
    with open(os.path.join(os.path.dirname(__file__), "default_api_versions.txt"), encoding="utf-8") as handle:
        text = handle.read()
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def offline_capabilities(kube_version: str | None = None, extra_api_versions: Iterable[str] = ()
                         ) -> Capabilities:
    """Capabilities for rendering without a cluster, as ``helm template`` computes them."""
    version = parse_kube_version(kube_version or DEFAULT_KUBE_VERSION)
    return Capabilities(version, VersionSet([*default_api_versions(), *extra_api_versions]))

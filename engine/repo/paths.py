"""Helm's client file locations (helmpath): HELM_*_HOME, then XDG_*_HOME/helm, then the ~/.cache defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass


def _home(helm_variable: str, xdg_variable: str, default: str) -> str:
    """A Helm home directory: the HELM_ variable as is, else ``<XDG dir or ~/default>/helm``."""
    base = os.environ.get(helm_variable)
    if base:
        return base
    return os.path.join(os.environ.get(xdg_variable) or os.path.join(os.path.expanduser("~"), default), "helm")


def cache_home() -> str:
    return _home("HELM_CACHE_HOME", "XDG_CACHE_HOME", ".cache")


def config_home() -> str:
    return _home("HELM_CONFIG_HOME", "XDG_CONFIG_HOME", ".config")


def data_home() -> str:
    return _home("HELM_DATA_HOME", "XDG_DATA_HOME", os.path.join(".local", "share"))


def cache_index_file(name: str) -> str:
    """``<name>-index.yaml``, the cached index of a repository."""
    return f"{name}-index.yaml" if name else "index.yaml"


def cache_charts_file(name: str) -> str:
    """``<name>-charts.txt``, the chart names of a repository's cached index, one a line."""
    return f"{name}-charts.txt" if name else "charts.txt"


@dataclass(frozen=True)
class HelmPaths:
    """The files repository commands read and write, as ``helm env`` reports them."""

    repository_config: str
    repository_cache: str
    content_cache: str

    @classmethod
    def from_environment(cls) -> "HelmPaths":
        return cls(
            repository_config=os.environ.get("HELM_REPOSITORY_CONFIG")
            or os.path.join(config_home(), "repositories.yaml"),
            repository_cache=os.environ.get("HELM_REPOSITORY_CACHE") or os.path.join(cache_home(), "repository"),
            content_cache=os.environ.get("HELM_CONTENT_CACHE") or os.path.join(cache_home(), "content"))

    def index_path(self, repo_name: str) -> str:
        return os.path.join(self.repository_cache, cache_index_file(repo_name))

    def charts_path(self, repo_name: str) -> str:
        return os.path.join(self.repository_cache, cache_charts_file(repo_name))

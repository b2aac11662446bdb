"""Helm's client file locations: pyhelm finds the same files helm reports in ``helm env``."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from engine.repo.paths import HelmPaths, cache_home, config_home, data_home

VARIABLES = ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME",
             "XDG_DATA_HOME", "HELM_REPOSITORY_CONFIG", "HELM_REPOSITORY_CACHE", "HELM_CONTENT_CACHE")


@pytest.mark.parametrize("settings", [
    {},
    {"XDG_CACHE_HOME": "xdg-cache", "XDG_CONFIG_HOME": "xdg-config", "XDG_DATA_HOME": "xdg-data"},
    {"HELM_CACHE_HOME": "hc", "HELM_CONFIG_HOME": "hcfg", "HELM_DATA_HOME": "hd", "XDG_CACHE_HOME": "ignored"},
    {"HELM_REPOSITORY_CONFIG": "repos.yaml", "HELM_REPOSITORY_CACHE": "repo-cache", "HELM_CONTENT_CACHE": "cc"},
])
def test_locations_match_helm_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, helm: str,
                                  settings: dict[str, str]) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name, value in settings.items():
        monkeypatch.setenv(name, str(tmp_path / value))
    reported = dict(line.split("=", 1) for line in subprocess.run(
        [helm, "env"], capture_output=True, text=True, check=True, env=dict(os.environ)).stdout.splitlines())
    paths = HelmPaths.from_environment()
    ours = {"HELM_CACHE_HOME": cache_home(), "HELM_CONFIG_HOME": config_home(), "HELM_DATA_HOME": data_home(),
            "HELM_REPOSITORY_CONFIG": paths.repository_config, "HELM_REPOSITORY_CACHE": paths.repository_cache,
            "HELM_CONTENT_CACHE": paths.content_cache}
    assert {name: f'"{value}"' for name, value in ours.items()} == {name: reported[name] for name in ours}

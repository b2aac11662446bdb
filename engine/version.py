"""pyhelm's own version and the Helm version it follows."""
from __future__ import annotations

import sys

__version__ = "0.1.0"
HELM_COMPAT_VERSION = "v4.1.4"


def build_info() -> dict[str, str]:
    """What ``pyhelm version`` reports, as a map usable from ``--template``."""
    return {"Version": f"v{__version__}", "HelmCompatible": HELM_COMPAT_VERSION,
            "PythonVersion": sys.version.split()[0]}  # what platform.python_version() says, without its import


def version_line(short: bool = False) -> str:
    """``pyhelm version``'s line: ``version.BuildInfo{...}``, or only the version number."""
    info = build_info()
    if short:
        return info["Version"]
    fields = ", ".join(f'{key}:"{value}"' for key, value in info.items())
    return f"version.BuildInfo{{{fields}}}"


def flag_line() -> str:
    """``pyhelm --version``'s line."""
    return f"pyhelm v{__version__}"

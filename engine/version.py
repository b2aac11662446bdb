"""pyhelm's own version and the Helm version it follows."""
from __future__ import annotations

__version__ = "0.1.0"
HELM_COMPAT_VERSION = "v4.1.4"

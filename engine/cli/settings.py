"""Settings every command shares: namespace, kubeconfig, context, debug (flags over HELM_* variables)."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class Settings:
    namespace: str | None
    kubeconfig: str | None
    kube_context: str | None
    debug: bool
    kubeconfig_flag: str | None = None  # --kubeconfig as given, without the KUBECONFIG fallback

    @classmethod
    def from_environment(cls, namespace: str | None, kubeconfig: str | None, kube_context: str | None,
                         debug: bool) -> "Settings":
        return cls(namespace=namespace or os.environ.get("HELM_NAMESPACE") or None,
                   kubeconfig=kubeconfig or os.environ.get("KUBECONFIG") or None,
                   kube_context=kube_context or os.environ.get("HELM_KUBECONTEXT") or None,
                   debug=debug or os.environ.get("HELM_DEBUG", "").lower() in ("1", "true"),
                   kubeconfig_flag=kubeconfig)

    @property
    def offline_namespace(self) -> str:
        """The namespace for commands that never reach a cluster (template, lint)."""
        return self.namespace or "default"

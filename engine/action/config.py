"""What every release operation needs: the cluster client and release storage for a namespace."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any


from engine.kube.client import KubeError
from engine.storage.secrets import StorageError


class ActionError(Exception):
    """A release operation that cannot go on; ``str()`` is the message helm would print."""


# what a release operation may raise: its own refusals, failed API calls, failed record storage
OPERATION_ERRORS = (ActionError, KubeError, StorageError)


@dataclass
class ActionConfig:
    kube: Any
    storage: Any
    namespace: str

    @classmethod
    def create(cls, kubeconfig: str | None = None, context: str | None = None,
               namespace: str | None = None) -> "ActionConfig":
        """Connect as helm does (HELM_DRIVER selects secret, configmap or memory)."""
        from engine.kube.client import KubeClient
        from engine.storage.secrets import KubeDriver, MemoryDriver
        from engine.storage.storage import Storage

        kube = KubeClient.from_config(kubeconfig, context, namespace)
        driver_name = os.environ.get("HELM_DRIVER", "secret").lower()
        if driver_name in ("", "secret", "secrets"):
            driver = KubeDriver(kube, "Secret")
        elif driver_name in ("configmap", "configmaps"):
            driver = KubeDriver(kube, "ConfigMap")
        elif driver_name == "memory":
            driver = MemoryDriver()
        else:
            raise ActionError(f'unknown driver "{driver_name}"')
        return cls(kube, Storage(driver), kube.namespace)

    @classmethod
    def offline(cls, namespace: str) -> "ActionConfig":
        """No cluster and no release storage: enough for ``install --dry-run=client``, which renders with
        Helm's default capabilities and never reads or writes a release (as helm needs no kubeconfig for it)."""
        return cls(None, None, namespace)

    def in_namespace(self, namespace: str) -> "ActionConfig":
        """The same cluster connection and release storage, for another namespace."""
        return ActionConfig(self.kube.with_namespace(namespace), self.storage, namespace)

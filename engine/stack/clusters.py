"""The clusters a stack's releases live in: one connection (and discovery) per kube context, one list of
release records per namespace."""
from __future__ import annotations

from typing import Any

from engine.stack.model import ReleaseSpec


class Clusters:
    """One ActionConfig per (kube context, namespace), created on first use."""

    def __init__(self, kubeconfig: str | None = None, context: str | None = None):
        self.kubeconfig, self.context = kubeconfig, context
        self._configs: dict[tuple[str | None, str | None], Any] = {}  # (context, None): the context's base
        self._records: dict[tuple[str | None, str], Any] = {}  # (context, namespace): its release histories

    def config(self, kube_context: str | None, namespace: str):
        from engine.action.config import ActionConfig

        key = (self.context or kube_context, namespace)
        if key not in self._configs:
            base = self._configs.get((key[0], None))
            if base is None:
                base = self._configs[(key[0], None)] = ActionConfig.create(self.kubeconfig, key[0], namespace)
            self._configs[key] = base.in_namespace(namespace)
        return self._configs[key]

    def describe(self, kube_context: str | None) -> dict[str, str]:
        """{context, server}: which cluster a kube context (None: the current one) reaches, for the plan's
        header and for apply to see that it still reaches the same one."""
        from kubernetes import config as kubeconfig
        from kubernetes.config.config_exception import ConfigException

        name = self.context or kube_context
        if name is None:
            try:
                name = kubeconfig.list_kube_config_contexts(config_file=self.kubeconfig)[1]["name"]
            except (ConfigException, FileNotFoundError, TypeError, KeyError):
                name = "(in-cluster)"
        return {"context": name, "server": self.config(kube_context, "default").kube.api_client.configuration.host}

    def for_release(self, release: ReleaseSpec):
        return self.config(release.kube_context, release.namespace)

    def history(self, release: ReleaseSpec) -> list:
        """Every stored revision of ``release``, oldest first; one list request per namespace."""
        return self.records(release.kube_context, release.namespace, release.name)

    def records(self, kube_context: str | None, namespace: str, name: str) -> list:
        """Every stored revision of release ``namespace/name``, oldest first, from one list request per
        namespace (read once, until forget_records; only the releases asked about are decoded)."""
        key = (self.context or kube_context, namespace)
        if key not in self._records:
            self._records[key] = self.config(kube_context, namespace).storage.driver.histories(namespace)
        history = self._records[key].get((namespace, name))
        return history() if history else []

    def forget_records(self) -> None:
        """Read release records afresh from now on (what was listed before may have changed since)."""
        self._records.clear()

"""Settings every command shares: namespace, kubeconfig, context, debug (flags over HELM_* variables)."""
from __future__ import annotations

import os


class Settings:
    """The global flags of one command (a plain class: every command builds one, at start-up)."""

    __slots__ = ("namespace", "kubeconfig", "kube_context", "debug", "kubeconfig_flag")

    def __init__(self, namespace: str | None, kubeconfig: str | None, kube_context: str | None, debug: bool,
                 kubeconfig_flag: str | None = None):
        self.namespace = namespace
        self.kubeconfig = kubeconfig
        self.kube_context = kube_context
        self.debug = debug
        self.kubeconfig_flag = kubeconfig_flag  # --kubeconfig as given, without the KUBECONFIG fallback

    @classmethod
    def from_environment(cls, namespace: str | None, kubeconfig: str | None, kube_context: str | None,
                         debug: bool) -> "Settings":
        return cls(namespace=namespace or os.environ.get("HELM_NAMESPACE") or None,
                   kubeconfig=kubeconfig or os.environ.get("KUBECONFIG") or None,
                   kube_context=kube_context or os.environ.get("HELM_KUBECONTEXT") or None,
                   debug=debug or os.environ.get("HELM_DEBUG", "").lower() in ("1", "true"),
                   kubeconfig_flag=kubeconfig)

    @property
    def release_namespace(self) -> str:
        """Helm's namespace choice: ``-n``/HELM_NAMESPACE, else the kubeconfig context's, else ``default``.

        Read without a cluster connection, so template, lint and ``--dry-run=client`` need no kubeconfig."""
        return self.namespace or context_namespace(self.kubeconfig, self.kube_context) or "default"


def context_namespace(kubeconfig: str | None, context: str | None) -> str | None:
    """The namespace the chosen (or current) context of the kubeconfig files names, if any.

    ``kubeconfig`` may list several files (``a:b``), merged as kubectl does: the first one to set a
    context or the current context wins. Unreadable or missing files are passed over."""
    import yaml

    contexts: dict[str, dict] = {}
    current = None
    for path in (kubeconfig or os.path.join("~", ".kube", "config")).split(os.pathsep):
        try:
            with open(os.path.expanduser(path), encoding="utf-8") as handle:
                data = yaml.safe_load(handle)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(data, dict):
            continue
        current = current or data.get("current-context")
        for entry in data.get("contexts") or []:
            if isinstance(entry, dict) and isinstance(entry.get("context"), dict):
                contexts.setdefault(str(entry.get("name")), entry["context"])
    namespace = contexts.get(str(context or current), {}).get("namespace")
    return namespace if isinstance(namespace, str) and namespace else None

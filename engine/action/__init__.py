"""Release operations — the library the ``pyhelm`` release commands are thin clients of.

    from engine.action import ActionConfig, ReleaseOptions, install, upgrade, rollback, uninstall
    from engine.chart.loader import load_chart

    config = ActionConfig.create(kubeconfig="~/.kube/config", namespace="web")
    release = install(config, "shop", load_chart("charts/shop"), {"replicaCount": 2},
                      ReleaseOptions(namespace="web", create_namespace=True, wait=True))

Every operation stores its records exactly as Helm v4 does and raises ActionError (its text is the message
helm would print) when it cannot go on; docs/python-api.md describes each one.
"""
from engine.action.config import ActionConfig, ActionError
from engine.action.install import ReleaseOptions, install
from engine.action.listing import ListOptions, list_releases
from engine.action.release_test import TestFilter, run_tests
from engine.action.rollback import rollback
from engine.action.uninstall import uninstall
from engine.action.upgrade import upgrade, upgrade_or_install

__all__ = ["ActionConfig", "ActionError", "ListOptions", "ReleaseOptions", "TestFilter", "install",
           "list_releases", "rollback", "run_tests", "uninstall", "upgrade", "upgrade_or_install"]

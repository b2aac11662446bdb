"""Manifest diffs for plans: changed objects, added/removed ones, and secrets never shown."""
from __future__ import annotations

from engine.stack.diff import diff_manifests

OLD = """---
# Source: c/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  level: info
  keep: same
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
data:
  password: b2xk
  user: YWRtaW4=
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
"""

NEW = OLD.replace("level: info", "level: debug").replace("password: b2xk", "password: bmV3") \
    .replace("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n",
             "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n")


def test_only_changed_objects_are_reported_with_a_unified_diff() -> None:
    changes = {str(c.key): c for c in diff_manifests(OLD, NEW, "shop")}
    assert set(changes) == {"ConfigMap shop/cfg", "Secret shop/creds", "Deployment.apps shop/web", "Service shop/web"}
    config = changes["ConfigMap shop/cfg"]
    assert config.action == "change"
    assert "-  level: info\n+  level: debug\n" in config.diff
    assert changes["Deployment.apps shop/web"].action == "remove"
    assert changes["Service shop/web"].action == "add"


def test_secret_values_never_appear_but_the_change_is_visible() -> None:
    secret = next(c for c in diff_manifests(OLD, NEW) if c.key.kind == "Secret")
    assert "b2xk" not in secret.diff and "bmV3" not in secret.diff and "YWRtaW4=" not in secret.diff
    assert "password: (sensitive value, changed)" in secret.diff
    assert secret.paths == ["(secret data)"]


def test_identical_manifests_have_no_changes_whatever_the_key_order() -> None:
    reordered = "apiVersion: v1\nmetadata:\n  name: cfg\nkind: ConfigMap\ndata:\n  keep: same\n  level: info\n"
    assert diff_manifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {level: info, keep: same}\n",
                          reordered) == []

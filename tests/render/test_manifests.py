"""Splitting rendered files into documents and ordering them as Helm's SortManifests does."""
from __future__ import annotations

import pytest

import random
import re

from engine.render.manifests import INSTALL_ORDER, UNINSTALL_ORDER, kind_sort_key, sort_manifests, split_manifests


def test_split_drops_empty_documents_and_trims() -> None:
    assert split_manifests("\n---\na: 1\n---\n\nb: 2\n\n---\n\n") == ["a: 1", "b: 2"]


def test_split_swallows_newline_after_separator_so_double_separator_keeps_one() -> None:
    # Helm's separator regex (?:^|\s*\n)---\s* eats the newline after "---", so in "---\n---" the second
    # separator has no newline before it and stays in the document (helm template prints "---\nb: 2")
    assert split_manifests("a: 1\n---\n---\nb: 2") == ["a: 1", "---\nb: 2"]


def test_known_kinds_follow_install_order_unknown_kinds_go_last_alphabetically() -> None:
    kinds = ["Widget", "Deployment", "Alpha", "Namespace", "Service", ""]
    ordered = sorted(kinds, key=kind_sort_key)
    assert ordered == ["Namespace", "Service", "Deployment", "", "Alpha", "Widget"]


def test_uninstall_order_is_the_reverse_of_install_order_for_every_kind() -> None:
    assert set(INSTALL_ORDER) == set(UNINSTALL_ORDER)
    assert kind_sort_key("Namespace", UNINSTALL_ORDER) > kind_sort_key("Deployment", UNINSTALL_ORDER)


def test_sort_separates_hooks_and_keeps_file_order_for_equal_kinds() -> None:
    files = {
        "c/templates/b.yaml": "kind: ConfigMap\nmetadata:\n  name: second\n",
        "c/templates/a.yaml": "kind: ConfigMap\nmetadata:\n  name: first\n---\nkind: Namespace\nmetadata:\n  name: ns\n",
        "c/templates/_partial.yaml": "kind: Secret\n",
        "c/templates/hook.yaml": ("kind: Job\nmetadata:\n  name: j\n  annotations:\n"
                                  "    helm.sh/hook: Pre-Install, post-upgrade\n    helm.sh/hook-weight: \"-3\"\n"
                                  "    helm.sh/hook-delete-policy: hook-succeeded,Before-Hook-Creation\n"),
        "c/templates/unknown.yaml": "kind: Job\nmetadata:\n  name: u\n  annotations:\n    helm.sh/hook: crd-install\n",
    }
    hooks, manifests = sort_manifests(files)
    assert [(m.head.kind, m.head.name) for m in manifests] == [
        ("Namespace", "ns"), ("ConfigMap", "first"), ("ConfigMap", "second")]
    assert len(hooks) == 1
    hook = hooks[0]
    assert (hook.name, hook.events, hook.weight) == ("j", ["pre-install", "post-upgrade"], -3)
    assert hook.delete_policies == ["hook-succeeded", "before-hook-creation"]


def test_invalid_yaml_names_the_file() -> None:
    from engine.render.manifests import ManifestError

    with pytest.raises(ManifestError, match=r"^YAML parse error on c/templates/x.yaml: "):
        sort_manifests({"c/templates/x.yaml": "a: ["})


# Helm's separator regex, with RE2's \s (space, \t, \n, \f, \r: no vertical tab) spelled out for Python's re
HELM_SEPARATOR = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")


def test_documents_split_where_helms_separator_regex_splits():
    pieces = ["-", "--", "---", "\n", "\n---", " ", "\t", "\r", "\f", "\v", "a", "\u2028"]
    rng = random.Random(7)
    for _ in range(50000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        stripped = text.strip()
        expected = [doc.strip() for doc in HELM_SEPARATOR.split(stripped) if doc.strip()]
        assert split_manifests(text) == expected, repr(text)

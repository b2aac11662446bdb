"""A manifest's head (what Helm's SortManifests reads) comes from a read that skips the rest of the document:
it must give the same head, and fail with the same error, as reading the whole document would."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.gotemplate import goyaml
from engine.gotemplate.goyaml_read import read
from engine.gotemplate.yaml_events import SKIPPED
from engine.render.manifests import split_manifests


def _head(data: Any) -> Any:
    """What the head reader looks at: the types and values of apiVersion, kind, metadata's name and
    annotations (SKIPPED must never be among them)."""
    if not isinstance(data, dict):
        return ("not a map", data)
    metadata = data.get("metadata")
    if isinstance(metadata, dict):
        metadata = (metadata.get("name"), metadata.get("annotations"))
    return (data.get("apiVersion"), data.get("kind"), metadata)


def _outcome(reader, document: str) -> Any:
    try:
        return ("head", _head(reader(document)))
    except goyaml.YAMLError as exc:
        return ("error", str(exc))


def _whole(document: str) -> Any:
    found = read(document, typed=False, first_only=True)
    return found[0] if found else None


# what could change a whole read's outcome, placed where the head reader skips (under spec, which every
# mutation adds to the document) or where it reads
SPEC_MUTATIONS = [
    "spec:\n  a: &x {b: 1}\n  c: *x\n",
    "spec:\n  a: *nowhere\n",
    "spec:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"  {name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n" for previous, name in zip("abcdef", "bcdefg")),
    "spec:\n  a: [1, 2]\nmetadata:\n  name: *y\n",  # an alias to nothing, where the head is read
    "spec:\n  a: &y n\nmetadata:\n  name: *y\n",  # an alias in the head to an anchor in a skipped part
    "spec:\n  a: !!binary '***'\n",
    "spec:\n  a: !!int 'x'\n",
    "spec:\n  a: !!str 1\n",
    "spec:\n  <<: 1\n",
    "spec:\n  <<: {a: 1}\n",
    "spec:\n  ~: 1\n",
    "spec:\n  - {null: 1}\n",
    "spec:\n  ? [a]\n  : b\n",
    "spec:\n  a: .nan\n",
    "spec:\n  a: [-.Inf]\n",
    "spec:\n  a: '.nan'\n",
    "spec:\n  a: 1e400\n",
    "spec:\n  a: [\n",
    "spec:\n  a: b: c\n",
    "spec:\n  a:\n  - x\n  b\n",
    "spec:\n  a: 'unterminated\n",
    "spec: " + "[" * 1200 + "]" * 1200 + "\n",
    "spec: " + "[" * 10001 + "]" * 10001 + "\n",
    "spec:\n  a: 1\nkind: Replaced\n",
    "spec:\n  a: 1\nmetadata:\n  name: second\n",
    "spec:\n  a: 1\nmetadata: [1]\n",
    "spec:\n  a: 1\nkind: [1]\n",
    "spec:\n  a: 1\n...\nkind: [\n",
    "spec:\n  a: \ufeff1\n",
    "spec: {a: 1, b: [2, {c: 3}], d: {}}\n",
]
METADATA_MUTATIONS = [
    "  labels: {a: &l 1}\n  name: *l\n",
    "  labels:\n    a: !!binary '%%'\n",
    "  labels:\n    <<: [1]\n",
    "  annotations:\n    a: {b: 1}\n",
    "  annotations:\n    helm.sh/hook-weight: 5\n",
    "  annotations: [x]\n",
    "  finalizers: [a, b]\n  annotations:\n    k: v\n",
    "  labels:\n    ~: x\n",
    "  name: [n]\n",
]


def _corpus_documents(corpus: Path) -> list[str]:
    documents = []
    for golden in sorted(corpus.glob("*.golden*.yaml")):
        documents.extend(split_manifests(golden.read_text(encoding="utf-8")))
    return documents


def test_the_head_of_every_corpus_manifest_is_what_a_whole_read_gives(corpus: Path) -> None:
    documents = _corpus_documents(corpus)
    assert len(documents) > 1000
    for document in documents:
        assert _outcome(goyaml.load_manifest_head, document) == _outcome(_whole, document), document[:300]


@pytest.mark.parametrize("mutation", SPEC_MUTATIONS)
def test_what_could_change_a_whole_read_is_decided_by_one(mutation: str) -> None:
    document = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\n  annotations:\n    a: b\n" + mutation
    assert _outcome(goyaml.load_manifest_head, document) == _outcome(_whole, document)


@pytest.mark.parametrize("mutation", METADATA_MUTATIONS)
def test_metadata_outside_name_and_annotations_is_skipped_only_when_that_changes_nothing(mutation: str) -> None:
    document = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n" + mutation + "spec:\n  x: 1\n"
    assert _outcome(goyaml.load_manifest_head, document) == _outcome(_whole, document)


def test_skipped_parts_are_left_unread() -> None:
    data = goyaml.load_manifest_head("kind: A\nmetadata:\n  name: x\n  labels: {a: b}\nspec:\n  x: [1]\ndata: d\n")
    assert data == {"kind": "A", "metadata": {"name": "x", "labels": SKIPPED}, "spec": SKIPPED, "data": "d"}


def test_corpus_mutations_placed_in_real_manifests_agree(corpus: Path) -> None:
    """Each mutation under a top-level key of real documents (and in their metadata), which exercises the
    skipping inside real nesting."""
    documents = [d for d in _corpus_documents(corpus) if "\nspec:\n" in d][:40]
    assert documents
    for document in documents:
        for mutation in SPEC_MUTATIONS:
            mutated = document.replace("\nspec:\n", "\n" + mutation.replace("spec:", "extra:", 1) + "spec:\n", 1)
            assert _outcome(goyaml.load_manifest_head, mutated) == _outcome(_whole, mutated), mutated[:300]

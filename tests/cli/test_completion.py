"""Shell completion offers the stack's environments and its release names, namespaces and labels."""
from __future__ import annotations

from pathlib import Path

from repo.repo_support import pyhelm

SHOP = str(Path(__file__).resolve().parents[2] / "examples" / "stacks" / "shop" / "stack.yaml")


def _complete(monkeypatch, words: str) -> list[str]:
    monkeypatch.setenv("_PYHELM_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split(" ")) - 1))
    result = pyhelm()
    assert result.returncode == 0, result.stderr
    return [line.split(",", 1)[1] for line in result.stdout.splitlines() if line]


def test_environments_of_the_stack_file(monkeypatch) -> None:
    assert _complete(monkeypatch, f"pyhelm plan -f {SHOP} -e ") == ["dev", "prod", "staging"]
    assert _complete(monkeypatch, f"pyhelm validate -f {SHOP} -e st") == ["staging"]


def test_selectors_from_release_names_namespaces_and_labels(monkeypatch) -> None:
    offered = _complete(monkeypatch, f"pyhelm apply -f {SHOP} -e prod -l ")
    assert {"name=api", "name=web", "namespace=ops", "namespace=shop", "team=ops", "team=shop"} <= set(offered)
    assert _complete(monkeypatch, f"pyhelm destroy -f {SHOP} -e prod -l name=c") == ["name=cache"]


def test_an_unreadable_stack_completes_nothing(monkeypatch, tmp_path) -> None:
    assert _complete(monkeypatch, f"pyhelm plan -f {tmp_path / 'missing.yaml'} -e ") == []

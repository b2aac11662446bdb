"""Go's filepath.Match, which .helmignore and ``template --show-only`` patterns follow: ``*`` and ``?`` never
cross ``/``. Plain, ``*suffix`` and ``prefix*`` patterns are tested without a regular expression; they must
answer as the general matcher does."""
from __future__ import annotations

import itertools

import pytest

from engine.gomatch import _compile, go_path_match

CASES = [
    ("*.swp", "x.swp", True), ("*.swp", "a/x.swp", False), ("*/foo", "a/foo", True), ("*/foo", "a/b/foo", False),
    ("*", "", True), ("*", "a/b", False), ("a*", "abc", True), ("a*", "ab/c", False), ("ab/*", "ab/c", True),
    ("ab/*", "ab/c/d", False), ("", "", True), ("", "a", False), ("OWNERS", "OWNERS", True),
    ("OWNERS", "x/OWNERS", False), ("*~", "a~", True), ("*~", "~", True), ("*.tar.gz", "d/f.tar.gz", False),
    ("te*/x", "tex/x", True), ("te*/x", "te/y/x", False), ("a?c", "abc", True), ("a?c", "a/c", False),
    ("[ab]x", "bx", True), ("[^ab]x", "bx", False), ("\\*", "*", True), ("\\*", "a", False), ("[a", "[a", False),
]


@pytest.mark.parametrize(("pattern", "name", "expected"), CASES)
def test_go_path_match(pattern: str, name: str, expected: bool) -> None:
    assert go_path_match(pattern, name) is expected


def test_string_tests_answer_as_the_regular_expression_does() -> None:
    parts = ["", "a", "ab", "/", ".", "~", "a/b", "x.y"]
    patterns = {f"{p}*{s}" for p, s in itertools.product(parts, repeat=2)} | set(parts)
    names = {"".join(combination) for combination in itertools.product(parts, repeat=3)}
    for pattern in patterns:
        for name in names:
            assert go_path_match(pattern, name) is (_compile(pattern).fullmatch(name) is not None), (pattern, name)

"""Chart versions as Helm orders and selects them (Masterminds/semver v3)."""
from __future__ import annotations

import functools
from typing import Callable, Sequence, TypeVar

from engine.gotemplate.sprig.semver import SemverError, Version, compare, constraint_matches, parse_constraint
from engine.gotemplate.sprig.semver import parse_version as _parse
from engine.repo.errors import RepoError

T = TypeVar("T")
STABLE = ">0.0.0"
DEVEL = ">0.0.0-0"


def parse_version(text: str) -> Version | None:
    """The version ``text`` names, or None when it is not a semantic version."""
    try:
        return _parse(text)
    except SemverError:
        return None


def newest_first(items: Sequence[T], version_of: Callable[[T], str]) -> list[T]:
    """``items`` sorted by version, newest first; unparsable versions last (a stable sort)."""
    def order(a: T, b: T) -> int:
        left, right = parse_version(version_of(a)), parse_version(version_of(b))
        if left is None or right is None:
            return (left is None) - (right is None)
        return -compare(left, right)

    return sorted(items, key=functools.cmp_to_key(order))


def check_constraint(constraint: str) -> None:
    """Raise RepoError worded as Masterminds' NewConstraint when ``constraint`` is malformed."""
    try:
        parse_constraint(constraint)
    except SemverError as exc:
        raise RepoError(str(exc)) from None


def satisfies(constraint: str, version: str) -> bool:
    """True when ``version`` parses and meets ``constraint`` (pre-releases only when the constraint has one)."""
    try:
        return constraint_matches(constraint, version)
    except SemverError:
        return False

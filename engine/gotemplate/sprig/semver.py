"""Semantic versions and constraints as Masterminds/semver v3 evaluates them (Sprig's semver functions)."""
from __future__ import annotations

import re
from functools import lru_cache

from engine.gotemplate.errors import FuncError
from engine.gotemplate.funcs import FuncMap, gofunc
from engine.gotemplate.gotypes import GoStruct, Int64

FUNCS: FuncMap = {}

_VERSION = re.compile(
    r"^v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?"
    r"(?:-([0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?(?:\+([0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?$")


class SemverError(ValueError):
    pass


class Version(GoStruct):
    """A parsed version (Masterminds' *semver.Version), equal to another with the same parts. A plain class,
    as the rest of this module's: most renders import it (charts compare Kubernetes versions) and
    dataclasses would generate their methods at every start-up."""

    __slots__ = ("major", "minor", "patch", "prerelease", "metadata", "original")
    go_type = "*semver.Version"
    go_methods = {"String": (), "Original": ()}

    def __init__(self, major: int, minor: int, patch: int, prerelease: str = "", metadata: str = "",
                 original: str = ""):
        self.major, self.minor, self.patch = major, minor, patch
        self.prerelease, self.metadata, self.original = prerelease, metadata, original

    def _parts(self) -> tuple[int, int, int, str, str, str]:
        return self.major, self.minor, self.patch, self.prerelease, self.metadata, self.original

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._parts() == other._parts()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._parts())

    def __repr__(self) -> str:
        return f"Version{self._parts()!r}"

    def String(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + self.prerelease
        if self.metadata:
            text += "+" + self.metadata
        return text

    def Original(self) -> str:
        return self.original

    @property
    def Major(self) -> Int64:
        return Int64(self.major)

    @property
    def Minor(self) -> Int64:
        return Int64(self.minor)

    @property
    def Patch(self) -> Int64:
        return Int64(self.patch)

    @property
    def Prerelease(self) -> str:
        return self.prerelease

    @property
    def Metadata(self) -> str:
        return self.metadata


Version.go_fields = ("Major", "Minor", "Patch", "Prerelease", "Metadata")


@lru_cache(maxsize=4096)
def parse_version(text: str) -> Version:
    """semver.NewVersion (lenient: ``1``, ``1.2``, leading ``v``)."""
    match = _VERSION.match(text.strip()) if text else None
    if not match:
        raise SemverError("invalid semantic version")
    major, minor, patch, pre, meta = match.groups()
    for part in (minor, patch):
        if part is not None and len(part) > 1 and part.startswith("0"):
            raise SemverError("invalid semantic version")
    return Version(int(major), int(minor or 0), int(patch or 0), pre or "", meta or "", text)


def _compare_prerelease(a: str, b: str) -> int:
    if a == b:
        return 0
    if not a:
        return 1
    if not b:
        return -1
    left, right = a.split("."), b.split(".")
    for x, y in zip(left, right):
        if x == y:
            continue
        xn, yn = x.isdigit(), y.isdigit()
        if xn and yn:
            return -1 if int(x) < int(y) else 1
        if xn:
            return -1
        if yn:
            return 1
        return -1 if x < y else 1
    return (len(left) > len(right)) - (len(left) < len(right))


def compare(a: Version, b: Version) -> int:
    for x, y in ((a.major, b.major), (a.minor, b.minor), (a.patch, b.patch)):
        if x != y:
            return -1 if x < y else 1
    return _compare_prerelease(a.prerelease, b.prerelease)


_OPS = r"(=|!=|>=|=>|<=|=<|>|<|~>|~|\^)"
_CONSTRAINT = re.compile(r"^\s*" + _OPS + r"?\s*(v?[0-9xX*]+(?:\.[0-9xX*]+)?(?:\.[0-9xX*]+)?"
                         r"(?:-[0-9A-Za-z\-.]+)?(?:\+[0-9A-Za-z\-.]+)?)\s*$")


class _Term:
    """One term of a constraint: operator and version (``>=1.2``)."""

    __slots__ = ("op", "version", "wildcard", "original")

    def __init__(self, op: str, version: Version, wildcard: int, original: str):
        self.op, self.version, self.original = op, version, original
        self.wildcard = wildcard  # 0 none, 1 minor wildcard (1.x), 2 patch wildcard (1.2.x), 3 major wildcard (*)


def _parse_term(text: str) -> _Term:
    match = _CONSTRAINT.match(text)
    if not match:
        raise SemverError(f"improper constraint: {text}")
    op, raw = match.group(1) or "", match.group(2)
    core = raw.lstrip("v").split("-")[0].split("+")[0]
    parts = core.split(".")
    wildcard = 0
    for index, part in enumerate(parts):
        if part in ("x", "X", "*"):
            wildcard = {0: 3, 1: 1, 2: 2}[index]
            parts = parts[:index]
            break
    if not parts:
        return _Term(op, Version(0, 0, 0), 3, raw)
    padded = ".".join(parts + ["0"] * (3 - len(parts)))
    suffix = raw[len(raw.split("-")[0].split("+")[0]):] if ("-" in raw or "+" in raw) else ""
    version = parse_version(padded + suffix)
    if wildcard == 0 and len(parts) < 3:
        wildcard = {1: 1, 2: 2}[len(parts)]
    return _Term(op, version, wildcard, raw)


def _term_matches(term: _Term, v: Version) -> bool:
    op, c = term.op, term.version
    if v.prerelease and not c.prerelease and op not in ("!=",):
        return False
    if op in ("", "="):
        if term.wildcard == 3:
            return True
        if term.wildcard == 1:
            return v.major == c.major
        if term.wildcard == 2:
            return v.major == c.major and v.minor == c.minor
        return compare(v, c) == 0
    if op == "!=":
        if term.wildcard == 1:
            return v.major != c.major
        if term.wildcard == 2:
            return not (v.major == c.major and v.minor == c.minor)
        return compare(v, c) != 0
    if op == ">":
        if term.wildcard == 1:
            return v.major > c.major
        if term.wildcard == 2:
            return (v.major, v.minor) > (c.major, c.minor)
        return compare(v, c) > 0
    if op in (">=", "=>"):
        return compare(v, c) >= 0
    if op == "<":
        return compare(v, c) < 0
    if op in ("<=", "=<"):
        if term.wildcard == 1:
            return v.major <= c.major
        if term.wildcard == 2:
            return (v.major, v.minor) <= (c.major, c.minor)
        return compare(v, c) <= 0
    if op in ("~", "~>"):
        if compare(v, c) < 0:
            return False
        if term.wildcard == 3:
            return True
        if term.wildcard == 1:
            return v.major == c.major
        return v.major == c.major and v.minor == c.minor
    if op == "^":
        if compare(v, c) < 0:
            return False
        if c.major > 0 or term.wildcard == 1:
            return v.major == c.major
        if c.minor > 0 or term.wildcard == 2:
            return v.major == 0 and v.minor == c.minor
        return v.major == 0 and v.minor == 0 and v.patch == c.patch
    return False


@lru_cache(maxsize=1024)
def parse_constraint(text: str) -> tuple[tuple[_Term, ...], ...]:
    """semver.NewConstraint: ``||`` alternatives of comma/space separated terms, hyphen ranges."""
    alternatives = []
    for alternative in text.split("||"):
        alternative = alternative.strip()
        hyphen = re.match(r"^\s*(\S+)\s+-\s+(\S+)\s*$", alternative)
        if hyphen:
            terms = [_parse_term(">=" + hyphen.group(1)), _parse_term("<=" + hyphen.group(2))]
        else:
            pieces = re.findall(r"(?:=|!=|>=|=>|<=|=<|>|<|~>|~|\^)?\s*[^\s,]+", alternative.replace(",", " "))
            if not pieces:
                raise SemverError(f"improper constraint: {text}")
            terms = [_parse_term(p) for p in pieces]
        alternatives.append(tuple(terms))
    return tuple(alternatives)


def constraint_matches(constraint: str, version: str) -> bool:
    """True when ``version`` satisfies ``constraint`` (raises SemverError on bad input)."""
    parsed_version = parse_version(version)
    return any(all(_term_matches(t, parsed_version) for t in terms) for terms in parse_constraint(constraint))


@gofunc(FUNCS, "semver", "string")
def _semver(text: str) -> Version:
    try:
        return parse_version(text)
    except SemverError as exc:
        raise FuncError(str(exc)) from exc


@gofunc(FUNCS, "semverCompare", "string", "string")
def _semver_compare(constraint: str, version: str) -> bool:
    try:
        parse_constraint(constraint)
    except SemverError as exc:
        raise FuncError(str(exc)) from exc
    try:
        return constraint_matches(constraint, version)
    except SemverError as exc:
        raise FuncError(str(exc)) from exc

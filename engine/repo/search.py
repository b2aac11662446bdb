"""``search repo``: Helm's client-side search over cached indexes (scores, ordering, version filtering)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import re2

from engine.repo import versions
from engine.repo.errors import RepoError
from engine.repo.index import ChartVersion, IndexFile

SEPARATOR = "\v"
MAX_SCORE = 25  # a match scoring this or more is not a match


@dataclass
class Result:
    """A search hit: ``repo/chart``, the chart version, and its score (lower is closer)."""

    name: str
    chart: ChartVersion
    score: int = 0


@dataclass
class _Line:
    name: str
    text: str  # chart name, repo/chart, description and keywords, separated by \v
    chart: ChartVersion


def _line(repo_name: str, chart: ChartVersion) -> str:
    metadata = chart.metadata
    return SEPARATOR.join((metadata.name, f"{repo_name}/{metadata.name}", metadata.description,
                           " ".join(metadata.keywords)))


class SearchIndex:
    """Every chart (or every version, with ``all_versions``) of the repositories added to it."""

    def __init__(self) -> None:
        self.lines: list[_Line] = []

    def add_repo(self, repo_name: str, index: IndexFile, all_versions: bool) -> None:
        for name, entries in index.entries.items():
            for chart in entries if all_versions else entries[:1]:
                self.lines.append(_Line(f"{repo_name}/{name}", _line(repo_name, chart), chart))

    def all(self) -> list[Result]:
        return [Result(line.name, line.chart) for line in self.lines]

    def search(self, term: str, regexp: bool) -> list[Result]:
        """Lines containing ``term`` (case-insensitive) or matching it as a regular expression."""
        if regexp:
            try:
                pattern = re2.compile(term)
            except re2.error as exc:
                raise RepoError(f"error parsing regexp: {exc}") from None
            positions = [(line, m.start() if (m := pattern.search(line.text)) else -1) for line in self.lines]
        else:
            lowered = term.lower()
            positions = [(line, line.text.lower().find(lowered)) for line in self.lines]
        results = []
        for line, position in positions:
            score = line.text[:max(position, 0)].count(SEPARATOR)
            if position >= 0 and score < MAX_SCORE:
                results.append(Result(line.name, line.chart, score))
        return results


def _order(a: Result, b: Result) -> int:
    """Lower score first, then name, then newest version first."""
    if a.score != b.score:
        return -1 if a.score < b.score else 1
    if a.name != b.name:
        return -1 if a.name < b.name else 1
    left, right = versions.parse_version(a.chart.version), versions.parse_version(b.chart.version)
    if left is None or right is None:
        return 0
    return -versions.compare(left, right)


def sort_results(results: list[Result]) -> list[Result]:
    return sorted(results, key=functools.cmp_to_key(_order))


def apply_constraint(results: list[Result], constraint: str, all_versions: bool) -> list[Result]:
    """Keep the results meeting ``constraint`` (only the first per chart unless ``all_versions``)."""
    try:
        versions.check_constraint(constraint)
    except RepoError as exc:
        raise RepoError(f"an invalid version/constraint format: {exc}") from None
    kept: list[Result] = []
    seen: set[str] = set()
    for result in results:
        if not all_versions and result.name in seen:
            continue
        if versions.satisfies(constraint, result.chart.version):
            kept.append(result)
            seen.add(result.name)
    return kept

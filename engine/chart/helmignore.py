""".helmignore rules exactly as Helm applies them (first decisive rule wins, quirky negation included)."""
from __future__ import annotations

import posixpath

from engine.chart.errors import ChartError
from engine.gomatch import go_path_match

DEFAULT_RULE = "templates/.?*"


class _Rule:
    """One .helmignore line: its pattern, whether it is negated (``!``) or only for directories (``/``)."""

    __slots__ = ("pattern", "negate", "must_dir", "scope")

    def __init__(self, pattern: str, negate: bool, must_dir: bool, scope: str):
        self.pattern, self.negate, self.must_dir = pattern, negate, must_dir
        self.scope = scope  # "root", "path" or "base"

    def matches(self, path: str, base: str) -> bool:
        return go_path_match(self.pattern, base if self.scope == "base" else path)


class IgnoreRules:
    """Parsed .helmignore rules."""

    def __init__(self, lines: list[str] = ()):
        self.rules: list[_Rule] = []
        for line in lines:
            self.add(line)

    def add(self, rule: str) -> None:
        rule = rule.strip()
        if not rule or rule.startswith("#"):
            return
        if "**" in rule:
            raise ChartError("double-star (**) syntax is not supported")
        negate = rule.startswith("!")
        rule = rule[1:] if negate else rule
        must_dir = rule.endswith("/")
        rule = rule.rstrip("/") if must_dir else rule
        if rule.startswith("/"):
            self.rules.append(_Rule(rule.lstrip("/"), negate, must_dir, "root"))
        elif "/" in rule:
            self.rules.append(_Rule(rule, negate, must_dir, "path"))
        else:
            self.rules.append(_Rule(rule, negate, must_dir, "base"))

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Helm's Rules.Ignore for a path relative to the chart root (``/`` separators)."""
        if path in ("", ".", "./"):
            return False
        base = posixpath.basename(path)
        for rule in self.rules:
            if rule.negate:
                if rule.must_dir and not is_dir:
                    return True
                if not rule.matches(path, base):
                    return True
                continue
            if rule.must_dir and not is_dir:
                continue
            if rule.matches(path, base):
                return True
        return False


def parse_helmignore(text: str) -> IgnoreRules:
    """Rules from a .helmignore file's text (a UTF-8 BOM on the first line is ignored)."""
    return IgnoreRules(text.lstrip("\ufeff").splitlines())

"""The process-wide redactor: a registry of secret values and the one function that removes them from text."""
from __future__ import annotations

import re
import threading

MASK = "(sensitive value)"
CHANGED_MASK = "(sensitive value, changed)"
MIN_SECRET = 4  # shorter values would mask ordinary words everywhere; they are refused as secrets


class SecretTooShortError(ValueError):
    """A value too short to be masked reliably was given as a secret."""


class Redactor:
    """Replaces every registered secret, in every form it can take, by its mask.

    A value registered as changed (a rotated secret's new value) is shown as ``(sensitive value, changed)``,
    so a diff still says which side changed without showing either."""

    def __init__(self) -> None:
        self._masks: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, value: str, changed: bool = False) -> None:
        """Register ``value`` (refused below four characters: that would mask ordinary text)."""
        if len(value) < MIN_SECRET:
            raise SecretTooShortError(f"a secret value must be at least {MIN_SECRET} characters long")
        from engine.redaction.forms import forms_of  # json, base64, urllib: only a run with secrets needs them

        mask = CHANGED_MASK if changed else MASK
        with self._lock:
            for form in forms_of(value):
                if self._masks.get(form) != CHANGED_MASK:
                    self._masks[form] = mask
            self._pattern = None

    def add_recorded(self, value: object) -> None:
        """Register a value found where a secret is kept in a stored release (shorter ones were never
        accepted as secrets by a stack, so they are not masked)."""
        if isinstance(value, (str, int, float)) and not isinstance(value, bool) and len(str(value)) >= MIN_SECRET:
            self.add(str(value))

    def clear(self) -> None:
        with self._lock:
            self._masks.clear()
            self._pattern = None

    def redact(self, text: str) -> str:
        if not self._masks or not text:
            return text
        with self._lock:
            if self._pattern is None:
                ordered = sorted(self._masks, key=len, reverse=True)  # the longest form wins at a position
                self._pattern = re.compile("|".join(map(re.escape, ordered)))
            pattern, masks = self._pattern, dict(self._masks)
        return pattern.sub(lambda match: masks[match.group(0)], text)


REDACTOR = Redactor()

"""Secrets never leave the process: every secret value of a run is registered here, and all text the process
emits (stdout, stderr, plan files) passes through one redactor that replaces each form a value can take."""
from engine.redaction.redactor import CHANGED_MASK, MASK, REDACTOR, Redactor, SecretTooShortError

__all__ = ["CHANGED_MASK", "MASK", "REDACTOR", "Redactor", "SecretTooShortError"]

"""Errors of the stack engine."""
from __future__ import annotations


class StackError(Exception):
    """A stack file or an operation on a stack that cannot go on; ``str()`` says where and what to do."""

"""``bases:``: stack files that a stack file builds on (shared environments, defaults, templates, repositories,
releases), read before it as if they and it were the files of one stack directory."""
from __future__ import annotations

import os
from typing import Callable

from engine.stack.errors import StackError

MAX_BASES = 100  # a stack built on more files than this is a mistake (or a loop through many names)


def with_bases(files: list[str], bases_of: Callable[[str], list[str]]) -> list[str]:
    """``files`` with the bases each lists (relative to its own directory, their own bases first) placed
    before it; ``bases_of(file)`` reads a file's ``bases:``. A file reached twice, or a base that lists a file
    that lists it, is an error naming both."""
    ordered: list[str] = []
    seen: dict[str, str] = {}  # real path -> how it was reached, for messages

    def visit(name: str, reached_by: str, chain: tuple[str, ...], written: str) -> None:
        real = os.path.realpath(name)
        if real in chain:
            raise StackError(f"{reached_by}: bases: {written} is a base of itself (through "
                             f"{' -> '.join(chain[chain.index(real):] + (real,))}); remove one of the bases")
        how = f"a base of {reached_by}" if reached_by else "a file of the stack"
        if real in seen:
            raise StackError(f"{name} is part of the stack twice (as {seen[real]} and as {how}); list it once")
        seen[real] = how
        for base in bases_of(name):
            path = base if os.path.isabs(base) else os.path.join(os.path.dirname(name), base)
            if not os.path.isfile(path):
                raise StackError(f"{name}: bases: {base}: no such file (relative to {os.path.dirname(name) or '.'})")
            visit(path, name, (*chain, real), base)
        ordered.append(name)
        if len(ordered) > MAX_BASES:
            raise StackError(f"{name}: a stack may be made of at most {MAX_BASES} files with its bases")

    for one in files:
        visit(one, "", (), one)
    return ordered

"""A set of named templates: parse once, execute many times (Go's *template.Template with its associates)."""
from __future__ import annotations

import sys
from typing import Any

from engine.gotemplate.builtins import BUILTINS
from engine.gotemplate.compiler import Compiler, Source, State
from engine.gotemplate.errors import ExecError, NoTemplateError, TemplateError
from engine.gotemplate.funcs import FuncMap
from engine.gotemplate.parse_cache import cached_parse
from engine.gotemplate.parser import is_empty, parse

_RECURSION_LIMIT = 60000


class TemplateSet:
    """Named templates sharing one function map; ``parse`` adds, ``execute`` renders."""

    def __init__(self, funcs: FuncMap | None = None, missingkey: str = "zero", name: str = ""):
        self.name = name  # the root template's name, which Go's "no template" error names
        self.funcs: FuncMap = {**BUILTINS, **(funcs or {})}
        self.function_names = frozenset(self.funcs)
        self.missingkey = missingkey
        self.templates: dict[str, Any] = {}

    def parse(self, name: str, text: str) -> None:
        """Parse ``text`` as template ``name``; its defines are added too (later parses win)."""
        trees = cached_parse(name, text, self.function_names, lambda: parse(name, text, self.function_names))
        compiler = Compiler(Source(name, text), self.funcs, self.missingkey)
        for tree_name, tree in trees.items():
            if tree_name in self.templates and is_empty(tree):
                continue  # Go keeps an existing template rather than replace it with an empty one
            self.templates[tree_name] = _Pending(compiler, tree)

    def execute_text(self, name: str, text: str, data: Any, scratch: dict | None = None) -> str:
        """Parse ``text`` as template ``name`` into a clone and run that parse's own body (Helm's tpl).

        As in Go, the new body runs even when it is empty and an existing template of that name is kept.
        """
        twin = self.clone()
        trees = parse(name, text, twin.function_names)
        compiler = Compiler(Source(name, text), twin.funcs, twin.missingkey)
        body = None
        for tree_name, tree in trees.items():
            compiled = compiler.compile_list(tree)
            if tree_name == name:
                body = compiled
            if tree_name not in twin.templates or not is_empty(tree):
                twin.templates[tree_name] = compiled
        state = State(twin, scratch)
        return twin._run_body(name, body, data, state)

    def has(self, name: str) -> bool:
        return name in self.templates

    def clone(self) -> "TemplateSet":
        twin = TemplateSet.__new__(TemplateSet)
        twin.funcs, twin.function_names, twin.missingkey = self.funcs, self.function_names, self.missingkey
        twin.name = self.name
        twin.templates = dict(self.templates)
        return twin

    def execute(self, name: str, data: Any, scratch: dict | None = None) -> str:
        """Render template ``name`` with dot ``data``."""
        state = State(self, scratch)
        limit = sys.getrecursionlimit()
        if limit < _RECURSION_LIMIT:
            sys.setrecursionlimit(_RECURSION_LIMIT)
        try:
            return self._run(name, data, state)
        except RecursionError as exc:
            raise TemplateError(f"template: {name}: exceeded maximum template depth") from exc
        finally:
            if limit < _RECURSION_LIMIT:
                sys.setrecursionlimit(limit)

    def _check_defined(self, name: str) -> None:
        if name not in self.templates:
            root = self.name or name
            raise NoTemplateError(f'template: no template "{name}" associated with template "{root}"')

    def _run(self, name: str, data: Any, state: State) -> str:
        self._check_defined(name)
        body = self.templates[name]
        if body.__class__ is _Pending:
            body = self.templates[name] = body.compile()
        return self._run_body(name, body, data, state)

    def _run_body(self, name: str, body: Any, data: Any, state: State) -> str:
        saved_vars, saved_name = state.vars, state.template_name
        state.vars, state.template_name = [["$", data]], name
        state.depth += 1
        out: list[str] = []
        try:
            body(state, data, out)
        finally:
            state.vars, state.template_name = saved_vars, saved_name
            state.depth -= 1
        return "".join(out)


class _Pending:
    """A parsed template compiled on first use (charts define many helpers they never call)."""

    __slots__ = ("compiler", "tree", "compiled")

    def __init__(self, compiler: Compiler, tree: Any):
        self.compiler, self.tree, self.compiled = compiler, tree, None

    def compile(self) -> Any:
        if self.compiled is None:
            self.compiled = self.compiler.compile_list(self.tree)
        return self.compiled


__all__ = ["TemplateSet", "ExecError", "TemplateError"]

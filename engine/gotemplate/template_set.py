"""A set of named templates: parse once, execute many times (Go's *template.Template with its associates)."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable

from engine.gotemplate.builtins import BUILTINS
from engine.gotemplate.cache_store import content_digest
from engine.gotemplate.code_cache import cached_code
from engine.gotemplate.codegen_runtime import GENERATED_CODE_GLOBALS, State
from engine.gotemplate.errors import ExecError, NoTemplateError, TemplateError
from engine.gotemplate.funcs import FuncMap

if TYPE_CHECKING:
    from engine.gotemplate.codegen import CompiledModule

Body = Callable[[State, Any, list], None]

_RECURSION_LIMIT = 60000


class TemplateSet:
    """Named templates sharing one function map; ``parse`` adds, ``execute`` renders."""

    def __init__(self, funcs: FuncMap | None = None, missingkey: str = "zero", name: str = ""):
        self.name = name  # the root template's name, which Go's "no template" error names
        self.funcs: FuncMap = {**BUILTINS, **(funcs or {})}
        self.function_names = frozenset(self.funcs)
        self.missingkey = missingkey
        self.templates: dict[str, Body] = {}
        self._signature: bytes | None = None

    def parse(self, name: str, text: str, chart_file: bool = False) -> None:
        """Parse ``text`` as template ``name``; its defines are added too (later parses win). Only the code of a
        ``chart_file`` (a chart's own template) is kept in the disk cache: other text (a flag's template, values
        rendered with tpl) may hold secrets, which never leave the process."""
        for tree_name, (body, empty) in self._load(name, text, chart_file).items():
            if tree_name in self.templates and empty:
                continue  # Go keeps an existing template rather than replace it with an empty one
            self.templates[tree_name] = body

    def execute_text(self, name: str, text: str, data: Any, scratch: dict | None = None) -> str:
        """Parse ``text`` as template ``name`` into a clone and run that parse's own body (Helm's tpl).

        As in Go, the new body runs even when it is empty and an existing template of that name is kept.
        """
        twin = self.clone()
        templates = twin._load(name, text, chart_file=False)
        for tree_name, (body, empty) in templates.items():
            if tree_name not in twin.templates or not empty:
                twin.templates[tree_name] = body
        state = State(twin, scratch)
        return twin._run_body(name, templates[name][0], data, state)

    def _load(self, name: str, text: str, chart_file: bool) -> dict[str, tuple[Body, bool]]:
        """The functions of the templates ``text`` defines, each with whether it is empty: the compiled
        module from the code cache (on disk only for a ``chart_file``), or parsed and generated now."""
        code, constants = cached_code(name, text, self.signature(), lambda: self._compile(name, text), chart_file)
        namespace = {**GENERATED_CODE_GLOBALS, "FUNCS": self.funcs, "MISSING_ERROR": self.missingkey == "error",
                     "CONSTANTS": constants}
        exec(code, namespace)
        return namespace["TEMPLATES"]

    def _compile(self, name: str, text: str) -> "CompiledModule":
        """Parse and generate: only on a cache miss, so a warm run never imports the parser or generator."""
        from engine.gotemplate.codegen import compile_module
        from engine.gotemplate.parser import parse

        return compile_module(name, text, parse(name, text, self.function_names), self.funcs)

    def prepare_compiling(self) -> None:
        """Import what compiling needs (before forking workers that compile)."""
        import importlib

        for module in ("engine.gotemplate.codegen", "engine.gotemplate.parser"):
            importlib.import_module(module)

    def compile_to_cache(self, name: str, text: str) -> None:
        """Compile a chart's own template ``text`` into the code cache without adding it to this set (parse
        errors propagate)."""
        cached_code(name, text, self.signature(), lambda: self._compile(name, text), on_disk=True)

    def precompile(self, sources: list[tuple[str, str]]) -> None:
        """Fill the code cache with the code of a chart's templates, (name, text) pairs, on all CPUs, ahead of
        parsing them."""
        from engine.gotemplate.parallel_compile import precompile

        precompile(self, sources)

    def signature(self) -> bytes:
        """A digest of what generated code depends on in the function map: names, Go signatures, and
        whether ``call`` is the built-in one."""
        if self._signature is None:
            call = self.funcs.get("call")
            parts = [f"{n}:{','.join(f.params)}:{f.needs_state}" for n, f in sorted(self.funcs.items())]
            parts.append(f"builtin-call:{call is not None and call.impl is BUILTINS['call'].impl}")
            self._signature = content_digest("\0".join(parts).encode())
        return self._signature

    def has(self, name: str) -> bool:
        return name in self.templates

    def clone(self) -> "TemplateSet":
        twin = TemplateSet.__new__(TemplateSet)
        twin.funcs, twin.function_names, twin.missingkey = self.funcs, self.function_names, self.missingkey
        twin.name, twin._signature = self.name, self._signature
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
        return self._run_body(name, self.templates[name], data, state)

    def _run_body(self, name: str, body: Body, data: Any, state: State) -> str:
        saved_name = state.template_name
        state.template_name = name
        state.depth += 1
        out: list[str] = []
        try:
            body(state, data, out)
        finally:
            state.template_name = saved_name
            state.depth -= 1
        return "".join(out)


__all__ = ["TemplateSet", "ExecError", "TemplateError"]

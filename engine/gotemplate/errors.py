"""Errors of the template engine, worded as Go's text/template words them."""
from __future__ import annotations


class TemplateError(Exception):
    """Base of every error the engine raises; ``str()`` is Go's message."""


class ParseError(TemplateError):
    """``template: NAME:LINE: MSG`` — a template that does not parse."""

    def __init__(self, name: str, line: int, msg: str):
        self.name, self.line, self.msg = name, line, msg
        super().__init__(f"template: {name}:{line}: {msg}")


class ExecError(TemplateError):
    """``template: NAME:LINE:COL: executing "NAME" at <NODE>: MSG`` — a failure while rendering.

    ``msg`` is the innermost message (for function failures ``error calling FN: MSG``).
    """

    def __init__(self, name: str, line: int, col: int, node: str, msg: str, exec_name: str | None = None):
        self.name, self.line, self.col, self.node, self.msg = name, line, col, node, msg
        self.exec_name = exec_name or name
        super().__init__(f'template: {name}:{line}:{col}: executing "{self.exec_name}" at <{node}>: {msg}')


class NoTemplateError(TemplateError):
    """``template: no template "NAME" associated with template "ROOT"``."""


class FuncError(Exception):
    """Raised by a template function; the executor reports it as ``error calling NAME: <str(self)>``."""

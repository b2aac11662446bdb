"""Jinja2 templating of stack and values files, in a sandbox: no file, process or attribute escape.

Templates see ``env`` (``env.name``, ``env.values``) and, in values files, ``release`` (``name``,
``namespace``, ``chart``, ``version``). Undefined names are errors, so a typo never renders as "".

A stack file is configuration, so its templates get small budgets: at most ``MAX_OUTPUT`` characters of
output, ``CPU_SECONDS`` of CPU time (which bounds loops and recursion), no ``*``/``**`` whose result would
be huge, and no other file (``include``, ``import``, ``extends``). Exceeding one is a StackError naming
the file and, where Jinja knows it, the line.
"""
from __future__ import annotations

import signal
import threading
import types
from functools import cache
from typing import Any, Iterator

from engine.stack.errors import StackError

MAX_OUTPUT = 16 * 1024 * 1024  # characters a template may produce
CPU_SECONDS = 1.0  # CPU time one template may use
MAX_POWER_BITS = 65536  # the largest integer ``**`` may produce
MAX_RECURSION = 400  # Python frames a template may nest (Jinja's macro calls also nest C frames)
_INT_DIGITS = "the template produced an integer of more than 4300 digits"


class _OutOfTime(Exception):
    """Raised inside a template that used up its CPU time."""


@cache
def _environment():
    from jinja2 import BaseLoader, StrictUndefined, TemplateNotFound
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

    class NoFiles(BaseLoader):
        """Stack templates are self-contained: every include/import/extends is refused."""

        def get_source(self, environment, template):
            raise TemplateNotFound(f"{template} (stack templates cannot include, import or extend other files)")

    class Sandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset(["*", "**"])

        def call_binop(self, context, operator, left, right):
            if operator == "**" and _power_too_big(left, right):
                raise SecurityError(f"{left!r} ** {right!r} is too large")
            if operator == "*" and _repeat_too_big(left, right):
                raise SecurityError(f"repeating a value {max(_as_count(left), _as_count(right))} times would "
                                    f"exceed the output limit of {MAX_OUTPUT} characters")
            return super().call_binop(context, operator, left, right)

    env = Sandbox(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False, loader=NoFiles())
    env.filters["toyaml"] = _to_yaml
    return env


def _as_count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _repeat_too_big(left: Any, right: Any) -> bool:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int):
            return len(sequence) * count > MAX_OUTPUT
    return False


def _power_too_big(base: Any, exponent: Any) -> bool:
    if not (isinstance(base, int) and isinstance(exponent, int)) or exponent < 0 or abs(base) < 2:
        return False
    return abs(base).bit_length() * exponent > MAX_POWER_BITS


def _to_yaml(value: Any) -> str:
    import yaml

    try:
        return yaml.safe_dump(_plain_data(value), default_flow_style=False, sort_keys=True).rstrip("\n")
    except yaml.YAMLError as exc:
        raise ValueError(f"toyaml: {exc}") from None


def _plain_data(value: Any) -> Any:
    """``value`` as plain YAML data (environments are namespaces, lenient placeholders dict subclasses)."""
    if isinstance(value, types.SimpleNamespace):
        value = vars(value)
    if isinstance(value, dict):
        return {_plain_data(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain_data(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise ValueError(f"toyaml cannot write a value of type {type(value).__name__}")


def render(text: str, context: dict[str, Any], source: str) -> str:
    """Render ``text`` (from file ``source``) with ``context``; raises StackError naming file and line."""
    if "{{" not in text and "{%" not in text and "{#" not in text:
        return text
    from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError

    try:
        with _cpu_budget(), _recursion_cap():
            return _collect(_environment().from_string(text).generate(**context))
    except TemplateSyntaxError as exc:
        raise StackError(f"{source}:{exc.lineno}: template error: {exc.message}") from exc
    except UndefinedError as exc:
        raise StackError(f"{_where(source, exc)}: template error: {exc.message} (defined names: "
                         f"{', '.join(sorted(context))})") from exc
    except TemplateError as exc:
        raise StackError(f"{_where(source, exc)}: template error: {exc}") from exc
    except _OutOfTime as exc:
        raise StackError(f"{_where(source, exc)}: template error: the template used more than {CPU_SECONDS:g} s of "
                         "CPU time (a loop or recursion that does not end?)") from None
    except RecursionError as exc:
        raise StackError(f"{_where(source, exc)}: template error: recursion too deep") from None
    except MemoryError as exc:
        raise StackError(f"{_where(source, exc)}: template error: the template needs more memory than there "
                         "is") from None
    except (ArithmeticError, ValueError, TypeError, LookupError) as exc:  # errors of the template's own code
        reason = _INT_DIGITS if "integer string conversion" in str(exc) else str(exc)
        raise StackError(f"{_where(source, exc)}: template error: {reason}") from None


def _collect(chunks: Iterator[str]) -> str:
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise ValueError(f"the template's output exceeds {MAX_OUTPUT} characters")
        out.append(chunk)
    return "".join(out)


def _where(source: str, exc: BaseException) -> str:
    """``file:line`` from the innermost template frame of the traceback (Jinja maps its lines back)."""
    line = None
    traceback = exc.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return f"{source}:{line}" if line else source


class _cpu_budget:
    """Interrupt the template once it used CPU_SECONDS (only where signals can be used: the main thread)."""

    def __enter__(self) -> None:
        self.armed = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
        if self.armed:
            self.previous = signal.signal(signal.SIGVTALRM, self._expired)
            signal.setitimer(signal.ITIMER_VIRTUAL, CPU_SECONDS)

    def __exit__(self, *exc_info: Any) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            signal.signal(signal.SIGVTALRM, self.previous)

    @staticmethod
    def _expired(signum: int, frame: Any) -> None:
        raise _OutOfTime()


class _recursion_cap:
    """Lower the recursion limit while a template runs: a recursive macro must fail cleanly with
    RecursionError long before its C frames (Jinja joins macro output in C) exhaust the stack."""

    def __enter__(self) -> None:
        import sys

        self.previous = sys.getrecursionlimit()
        sys.setrecursionlimit(min(self.previous, _current_depth() + MAX_RECURSION))

    def __exit__(self, *exc_info: Any) -> None:
        import sys

        sys.setrecursionlimit(self.previous)


def _current_depth() -> int:
    import sys

    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth

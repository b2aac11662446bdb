"""Template errors reworded as Helm words them (pkg/engine: cleanupParseError, reformatExecErrorMsg)."""
from __future__ import annotations

import re
from typing import NamedTuple

from engine.render.helm_funcs import WARN_END, WARN_START

# patterns of failed renders only, compiled (and cached by re) when a render fails
_WARNING = "(?s)" + re.escape(WARN_START) + r"(.*)" + re.escape(WARN_END)
_INCLUDE_LINK = "error calling include: "
_FAILING_CALL = r'(?s)template: .*?: executing ".*?" at <.*?>: (.*)\Z'
_CALL = r"error calling (\w+): "


class RenderError(Exception):
    """A chart that cannot be rendered; ``str()`` is Helm's message (without the CLI's ``Error:``)."""


def parse_error_message(filename: str, message: str) -> str:
    """Helm's cleanupParseError: ``parse error at (file:line): msg``."""
    tokens = message.split(": ")
    if len(tokens) == 1:
        return f"parse error in ({filename}): {message}"
    return f"parse error at ({tokens[1]}): {tokens[-1]}"


class _Trace(NamedTuple):
    location: str = ""
    function: str = ""
    message: str = ""

    def __str__(self) -> str:
        out = f"{self.location}\n  " if self.location else ""
        out += f"{self.function}\n    " if self.function else ""
        return out + (f"{self.message}\n" if self.message else "")


def _parse_trace(text: str) -> _Trace | None:
    """One link of Go's error chain as Helm's parseTemplateExecErrorString reads it."""
    prefix = "template: "
    if not text.startswith(prefix):
        return None
    rest = text[len(prefix):]
    if rest.startswith("no template "):
        return _Trace(message=text)
    name, sep, after = rest.partition(": executing ")
    if sep and after.startswith('"'):
        end = after.find('"', 1)
        if end != -1 and after[end + 1:].startswith(" at <"):
            location, found, message = after[end + 1 + len(" at <"):].partition(">: ")
            if found:
                message = message.split(" template:", 1)[0]
                return _Trace(name, f'executing "{after[1:end]}" at <{location}>:', message)
    cut = rest.rfind(": ")
    if cut == -1:
        return None
    return _Trace(location=rest[:cut], message=rest[cut + 2:].split(" template:", 1)[0])


def _error_chain(message: str) -> list[str] | None:
    """Go's unwrapped error chain for an execution error, or None when a link is not a template error.

    Only ``include`` wraps another template's error; any other failing function ends the chain with its
    own plain message, which Helm does not reformat.
    """
    links = [message]
    while True:
        failing = re.match(_FAILING_CALL, links[-1])  # the call that failed in this link
        if failing is None or not failing.group(1).startswith(_INCLUDE_LINK + "template: "):
            break
        links.append(failing.group(1)[len(_INCLUDE_LINK):])
    last_call = None
    for last_call in re.finditer(_CALL, links[-1]):
        pass
    if last_call is not None:
        return None
    return links


def exec_error_message(filename: str, message: str) -> str:
    """Helm's reformatExecErrorMsg for the error text of a failed template execution."""
    tokens = message.split(": ", 2)
    if len(tokens) != 3:
        return f"execution error in ({filename}): {message}"
    warning = re.search(_WARNING, tokens[2])
    if warning:
        return f"execution error at ({tokens[1]}): {warning.group(1)}"
    chain = _error_chain(message)
    traces: list[_Trace] = []
    for link in chain or []:
        trace = _parse_trace(link)
        if trace is None:
            return message
        if not traces or traces[-1] != trace:
            traces.append(trace)
    if not traces:
        return message
    return "".join(str(t) for t in traces).strip()

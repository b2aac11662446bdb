"""Parse tree of Go text/template: node classes with Go's ``String()`` forms (used in error messages)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Node:
    pos: int  # byte offset in the template source


@dataclass
class TextNode(Node):
    text: str

    def __str__(self) -> str:
        return repr(self.text)


@dataclass
class DotNode(Node):
    def __str__(self) -> str:
        return "."


@dataclass
class NilNode(Node):
    def __str__(self) -> str:
        return "nil"


@dataclass
class BoolNode(Node):
    value: bool

    def __str__(self) -> str:
        return "true" if self.value else "false"


@dataclass
class NumberNode(Node):
    text: str
    is_int: bool
    is_float: bool
    int_value: int = 0
    float_value: float = 0.0
    as_interface: Any = None  # the value an interface{} parameter receives (int or float)

    def __str__(self) -> str:
        return self.text


@dataclass
class StringNode(Node):
    quoted: str
    value: str

    def __str__(self) -> str:
        return self.quoted


@dataclass
class IdentifierNode(Node):
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass
class FieldNode(Node):
    idents: list[str]

    def __str__(self) -> str:
        return "".join("." + i for i in self.idents)


@dataclass
class VariableNode(Node):
    idents: list[str]  # first is the variable name ($x), then fields

    def __str__(self) -> str:
        return ".".join(self.idents)


@dataclass
class ChainNode(Node):
    node: Node
    fields: list[str]

    def __str__(self) -> str:
        inner = str(self.node)
        if isinstance(self.node, PipeNode):
            inner = "(" + inner + ")"
        return inner + "".join("." + f for f in self.fields)


@dataclass
class CommandNode(Node):
    args: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        out = []
        for arg in self.args:
            text = str(arg)
            out.append("(" + text + ")" if isinstance(arg, PipeNode) else text)
        return " ".join(out)


@dataclass
class PipeNode(Node):
    line: int
    is_assign: bool = False
    decl: list[VariableNode] = field(default_factory=list)
    cmds: list[CommandNode] = field(default_factory=list)

    def __str__(self) -> str:
        text = ""
        if self.decl:
            text = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return text + " | ".join(str(c) for c in self.cmds)


@dataclass
class ListNode(Node):
    nodes: list[Node] = field(default_factory=list)

    def __str__(self) -> str:
        return "".join(str(n) if not isinstance(n, TextNode) else n.text for n in self.nodes)


@dataclass
class ActionNode(Node):
    line: int
    pipe: PipeNode

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


@dataclass
class BranchNode(Node):
    keyword: str  # if, range, with
    line: int
    pipe: PipeNode
    body: ListNode
    else_body: ListNode | None = None

    def __str__(self) -> str:
        text = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.body)
        if self.else_body is not None:
            text += "{{else}}" + str(self.else_body)
        return text + "{{end}}"


@dataclass
class BreakNode(Node):
    line: int

    def __str__(self) -> str:
        return "{{break}}"


@dataclass
class ContinueNode(Node):
    line: int

    def __str__(self) -> str:
        return "{{continue}}"


@dataclass
class TemplateNode(Node):
    line: int
    name: str
    pipe: PipeNode | None

    def __str__(self) -> str:
        if self.pipe is None:
            return "{{template " + _go_quote(self.name) + "}}"
        return "{{template " + _go_quote(self.name) + " " + str(self.pipe) + "}}"


def _go_quote(text: str) -> str:
    from engine.gotemplate.gofmt import go_quote

    return go_quote(text)

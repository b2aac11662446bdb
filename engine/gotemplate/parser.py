"""Parser of Go's text/template: items → parse trees (one per template name), with Go's parse errors."""
from __future__ import annotations

import re

from engine.gotemplate.errors import ParseError
from engine.gotemplate.lexer import Item, LexError, lex
from engine.gotemplate.nodes import (ActionNode, BoolNode, BranchNode, BreakNode, ChainNode, CommandNode,
                                     ContinueNode, DotNode, FieldNode, IdentifierNode, ListNode, NilNode, Node,
                                     NumberNode, PipeNode, StringNode, TemplateNode, TextNode, VariableNode)

_SIMPLE_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
                   "'": "'", '"': '"'}
_OCTAL_INT = re.compile(r"^[+-]?0[0-7_]+$")


class _End:
    def __init__(self, pos: int, line: int, kind: str):
        self.pos, self.line, self.kind = pos, line, kind

    def __str__(self) -> str:
        return "{{" + self.kind + "}}"


def go_unquote(literal: str, quote: str) -> str:
    """strconv.Unquote of a Go string or char literal; raises ValueError."""
    body = literal[1:-1]
    if quote == "`":
        return body.replace("\r", "")
    out, i = [], 0
    while i < len(body):
        char = body[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        if i + 1 >= len(body):
            raise ValueError("invalid syntax")
        esc = body[i + 1]
        if esc in _SIMPLE_ESCAPES:
            if (esc == "'" and quote == '"') or (esc == '"' and quote == "'"):
                raise ValueError("invalid syntax")
            out.append(_SIMPLE_ESCAPES[esc])
            i += 2
        elif esc in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i + 2:i + 2 + size]
            if len(digits) != size or not all(c in "0123456789abcdefABCDEF" for c in digits):
                raise ValueError("invalid syntax")
            code = int(digits, 16)
            if esc == "x":
                out.append(bytes([code]).decode("latin-1") if code < 0x80 else chr(code))
            else:
                out.append(chr(code))
            i += 2 + size
        elif esc in "01234567":
            digits = body[i + 1:i + 4]
            if len(digits) != 3 or not all(c in "01234567" for c in digits) or int(digits, 8) > 255:
                raise ValueError("invalid syntax")
            out.append(chr(int(digits, 8)))
            i += 4
        else:
            raise ValueError("invalid syntax")
    return "".join(out)


def _number(item: Item) -> NumberNode:
    text = item.value
    node = NumberNode(item.pos, text, False, False)
    if item.kind == "char":
        value = go_unquote(text, "'")
        if len(value) != 1:
            raise ValueError(f"malformed character constant: {text}")
        code = ord(value)
        node.is_int = node.is_float = True
        node.int_value, node.float_value, node.as_interface = code, float(code), code
        return node
    if text.endswith("i"):
        raise ValueError(f"complex numbers are not supported: {text!r}")
    integer = _parse_int(text)
    if integer is not None:
        if not -(1 << 63) <= integer < (1 << 63):
            raise ValueError(f'integer overflow: "{text}"')
        node.is_int = node.is_float = True
        node.int_value, node.float_value = integer, float(integer)
    else:
        value = _parse_float(text)
        if value is None:
            raise ValueError(f'illegal number syntax: "{text}"')
        if not any(c in text for c in ".eEpP"):
            raise ValueError(f'integer overflow: "{text}"')
        node.is_float, node.float_value = True, value
        if value == value and abs(value) < 2 ** 63 and float(int(value)) == value:
            node.is_int, node.int_value = True, int(value)
    is_hex_int = text.lower().lstrip("+-").startswith("0x") and not any(c in text for c in "pP")
    node.as_interface = node.float_value if (node.is_float and not is_hex_int and any(
        c in text for c in ".eEpP")) else node.int_value
    return node


def _parse_int(text: str) -> int | None:
    body = text.lstrip("+-")
    sign = -1 if text.startswith("-") else 1
    if "__" in body or body.endswith("_"):
        return None
    try:
        if _OCTAL_INT.match(body) and len(body) > 1:
            return sign * int(body.replace("_", ""), 8)
        return sign * int(body, 0)
    except ValueError:
        return None


def _parse_float(text: str) -> float | None:
    body = text.replace("_", "")
    try:
        if body.lstrip("+-").lower().startswith("0x"):
            return float.fromhex(body)
        return float(body)
    except ValueError:
        return None


MAX_EXPRESSION_DEPTH = 10000  # Go's maxStackDepth for nested parenthesized pipelines
MAX_NESTING = 10000  # nested control structures (Go has no limit; Python's recursion needs one)


class Parser:
    """Parses one template text; ``parse()`` returns its trees by template name."""

    def __init__(self, name: str, text: str, functions: set[str] | frozenset[str]):
        self.name, self.text, self.functions = name, text, functions
        self.trees: dict[str, ListNode] = {}
        self.defined_here: set[str] = set()
        self.vars: list[str] = ["$"]
        self.range_depth = 0
        self.paren_depth = 0
        self.list_depth = 0
        self.line = 1
        try:
            self.items = lex(text)
        except LexError as exc:
            raise ParseError(name, exc.line, exc.msg) from None
        self.index = 0

    # -- item stream -------------------------------------------------------------------------------
    def error(self, msg: str, line: int | None = None):
        raise ParseError(self.name, line if line is not None else self.line, msg)

    def next(self) -> Item:
        item = self.items[self.index]
        if item.kind == "error":
            raise ParseError(self.name, item.line, item.value)
        if self.index < len(self.items) - 1:
            self.index += 1
        self.line = item.line
        return item

    def peek(self) -> Item:
        item = self.items[self.index]
        if item.kind == "error":
            raise ParseError(self.name, item.line, item.value)
        return item

    def backup(self, count: int = 1) -> None:
        self.index -= count

    def next_non_space(self) -> Item:
        item = self.next()
        while item.kind == "space":
            item = self.next()
        return item

    def peek_non_space(self) -> Item:
        """Skip spaces (as Go's peekNonSpace does) and return the next item without consuming it."""
        while self.items[self.index].kind == "space":
            self.index += 1
        item = self.items[self.index]
        if item.kind == "error":
            raise ParseError(self.name, item.line, item.value)
        return item

    def expect(self, kind: str, context: str) -> Item:
        item = self.next_non_space()
        if item.kind != kind:
            self.unexpected(item, context)
        return item

    @staticmethod
    def describe(item: Item) -> str:
        if item.kind == "eof":
            return "EOF"
        if item.kind in ("keyword", "nil", "bool") and item.kind == "keyword":
            return f"<{item.value}>"
        from engine.gotemplate.gofmt import go_quote

        if len(item.value) > 10:
            return go_quote(item.value[:10]) + "..."
        return go_quote(item.value)

    def unexpected(self, item: Item, context: str):
        if item.kind == "eof":
            self.error(f"unexpected EOF in {context}", item.line)
        self.error(f"unexpected {self.describe(item)} in {context}", item.line)

    # -- structure -----------------------------------------------------------------------------------
    def parse(self) -> dict[str, ListNode]:
        root = ListNode(self.peek().pos)
        while self.peek().kind != "eof":
            if self.peek().kind == "left":
                start = self.index
                self.next()
                keyword = self.next_non_space()
                if keyword.kind == "keyword" and keyword.value == "define":
                    self.parse_definition()
                    continue
                self.index = start
            node = self.text_or_action()
            if isinstance(node, _End):
                self.error(f"unexpected {node}", node.line)
            root.nodes.append(node)
        self.add(self.name, root, self.peek().line)
        return self.trees

    def add(self, name: str, root: ListNode, line: int) -> None:
        existing = self.trees.get(name)
        if existing is None or is_empty(existing):
            self.trees[name] = root
        elif not is_empty(root):
            self.error(f"template: multiple definition of template {_quote(name)}", line)

    def parse_definition(self) -> None:
        token = self.next_non_space()
        if token.kind not in ("string", "raw"):
            self.unexpected(token, "define clause")
        name = self.unquote(token)
        self.expect("right", "define clause")
        saved_vars, self.vars = self.vars, ["$"]
        body, end = self.item_list()
        self.vars = saved_vars
        if end.kind != "end":
            self.error(f"unexpected {end} in define clause", end.line)
        self.add(name, body, end.line)

    def item_list(self) -> tuple[ListNode, _End]:
        if self.list_depth >= MAX_NESTING:
            self.error(f"if, else, range, with and block nested more than {MAX_NESTING} levels deep")
        self.list_depth += 1
        try:
            nodes = ListNode(self.peek_non_space().pos)
            while self.peek_non_space().kind != "eof":
                node = self.text_or_action()
                if isinstance(node, _End):
                    return nodes, node
                nodes.nodes.append(node)
            self.error("unexpected EOF")
        finally:
            self.list_depth -= 1

    def text_or_action(self):
        item = self.next_non_space()
        if item.kind == "text":
            return TextNode(item.pos, item.value)
        if item.kind == "left":
            return self.action()
        self.unexpected(item, "input")

    def action(self):
        token = self.next_non_space()
        if token.kind == "keyword":
            handler = {
                "block": self.block_control, "break": self.break_control, "continue": self.continue_control,
                "else": self.else_control, "end": self.end_control, "if": lambda t: self.branch("if", t),
                "range": lambda t: self.branch("range", t), "with": lambda t: self.branch("with", t),
                "template": self.template_control,
            }.get(token.value)
            if handler is not None:
                return handler(token)
        self.backup()
        token = self.peek()
        return ActionNode(token.pos, token.line, self.pipeline("command", "right"))

    def break_control(self, token: Item):
        item = self.next_non_space()
        if item.kind != "right":
            self.unexpected(item, "{{break}}")
        if not self.range_depth:
            self.error("{{break}} outside {{range}}", token.line)
        return BreakNode(token.pos, token.line)

    def continue_control(self, token: Item):
        item = self.next_non_space()
        if item.kind != "right":
            self.unexpected(item, "{{continue}}")
        if not self.range_depth:
            self.error("{{continue}} outside {{range}}", token.line)
        return ContinueNode(token.pos, token.line)

    def else_control(self, token: Item):
        peek = self.peek_non_space()
        if peek.kind == "keyword" and peek.value in ("if", "with"):
            return _End(peek.pos, peek.line, "else")
        item = self.expect("right", "else")
        return _End(item.pos, item.line, "else")

    def end_control(self, token: Item):
        item = self.expect("right", "end")
        return _End(item.pos, item.line, "end")

    def branch(self, keyword: str, token: Item) -> BranchNode:
        mark = len(self.vars)
        pipe = self.pipeline(keyword, "right")
        if keyword == "range":
            self.range_depth += 1
        body, end = self.item_list()
        if keyword == "range":
            self.range_depth -= 1
        else_body = None
        if end.kind == "else":
            nxt = self.peek()
            if keyword in ("if", "with") and nxt.kind == "keyword" and nxt.value == keyword:
                self.next()
                else_body = ListNode(end.pos, [self.branch(keyword, nxt)])
            else:
                else_body, end2 = self.item_list()
                if end2.kind != "end":
                    self.error(f"expected end; found {end2}", end2.line)
        del self.vars[mark:]
        return BranchNode(pipe.pos, keyword, pipe.line, pipe, body, else_body)

    def unquote(self, item: Item) -> str:
        try:
            return go_unquote(item.value, item.value[0])
        except ValueError:
            self.error("invalid syntax", item.line)

    def template_control(self, token: Item) -> TemplateNode:
        item = self.next_non_space()
        if item.kind not in ("string", "raw"):
            self.unexpected(item, "template clause")
        name = self.unquote(item)
        pipe = None
        if self.next_non_space().kind != "right":
            self.backup()
            pipe = self.pipeline("template clause", "right")
        return TemplateNode(item.pos, item.line, name, pipe)

    def block_control(self, token: Item) -> TemplateNode:
        item = self.next_non_space()
        if item.kind not in ("string", "raw"):
            self.unexpected(item, "block clause")
        name = self.unquote(item)
        pipe = self.pipeline("block clause", "right")
        saved_vars, self.vars = self.vars, ["$"]
        body, end = self.item_list()
        self.vars = saved_vars
        if end.kind != "end":
            self.error(f"unexpected {end} in block clause", end.line)
        self.add(name, body, end.line)
        return TemplateNode(token.pos, token.line, name, pipe)

    # -- pipelines ----------------------------------------------------------------------------------------
    def pipeline(self, context: str, end: str) -> PipeNode:
        token = self.peek_non_space()
        pipe = PipeNode(token.pos, token.line)
        while True:
            variable = self.peek_non_space()
            if variable.kind != "variable":
                break
            start = self.index
            self.next_non_space()
            after = self.peek()
            nxt = self.peek_non_space()
            if nxt.kind in ("assign", "declare"):
                pipe.is_assign = nxt.kind == "assign"
                self.next_non_space()
                pipe.decl.append(VariableNode(variable.pos, [variable.value]))
                if nxt.kind == "declare":
                    self.vars.append(variable.value)
                elif variable.value not in self.vars:
                    self.error(f"undefined variable {_quote(variable.value)}", variable.line)
                break
            if nxt.kind == "comma":
                self.next_non_space()
                pipe.decl.append(VariableNode(variable.pos, [variable.value]))
                self.vars.append(variable.value)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().kind in ("variable", "right", "rparen"):
                        continue
                    self.error("range can only initialize variables", variable.line)
                self.error(f"too many declarations in {context}", variable.line)
            del after
            self.index = start
            break
        while True:
            token = self.next_non_space()
            if token.kind == end:
                self.check_pipeline(pipe, context, token.line)
                return pipe
            if token.kind in ("bool", "char", "dot", "field", "identifier", "number", "nil", "raw", "string",
                              "variable", "lparen"):
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(token, context)

    def check_pipeline(self, pipe: PipeNode, context: str, line: int) -> None:
        if not pipe.cmds:
            self.error(f"missing value for {context}", line)
        for i, cmd in enumerate(pipe.cmds[1:]):
            if isinstance(cmd.args[0], (BoolNode, DotNode, NilNode, NumberNode, StringNode)):
                self.error(f"non executable command in pipeline stage {i + 2}", line)

    def command(self) -> CommandNode:
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            token = self.next()
            if token.kind == "space":
                continue
            if token.kind in ("right", "rparen"):
                self.backup()
            elif token.kind != "pipe":
                self.unexpected(token, "operand")
            break
        if not cmd.args:
            self.error("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        if self.peek().kind == "field":
            chain_pos = self.peek().pos
            fields = []
            while self.peek().kind == "field":
                fields.append(self.next().value[1:])
            if isinstance(node, FieldNode):
                return FieldNode(chain_pos, node.idents + fields)
            if isinstance(node, VariableNode):
                return VariableNode(chain_pos, node.idents + fields)
            if isinstance(node, (BoolNode, StringNode, NumberNode, NilNode, DotNode)):
                self.error(f"unexpected . after term {_quote(str(node))}")
            return ChainNode(chain_pos, node, fields)
        return node

    def term(self) -> Node | None:
        token = self.next_non_space()
        kind = token.kind
        if kind == "identifier":
            if token.value not in self.functions:
                self.error(f"function {_quote(token.value)} not defined", token.line)
            return IdentifierNode(token.pos, token.value)
        if kind == "dot":
            return DotNode(token.pos)
        if kind == "nil":
            return NilNode(token.pos)
        if kind == "variable":
            if token.value not in self.vars:
                self.error(f"undefined variable {_quote(token.value)}", token.line)
            return VariableNode(token.pos, [token.value])
        if kind == "field":
            return FieldNode(token.pos, [token.value[1:]])
        if kind == "bool":
            return BoolNode(token.pos, token.value == "true")
        if kind in ("number", "char"):
            try:
                return _number(token)
            except ValueError as exc:
                self.error(str(exc), token.line)
        if kind == "lparen":
            if self.paren_depth >= MAX_EXPRESSION_DEPTH:
                self.error("max expression depth exceeded", token.line)
            self.paren_depth += 1
            try:
                return self.pipeline("parenthesized pipeline", "rparen")
            finally:
                self.paren_depth -= 1
        if kind in ("string", "raw"):
            return StringNode(token.pos, token.value, self.unquote(token))
        self.backup()
        return None


def _quote(text: str) -> str:
    from engine.gotemplate.gofmt import go_quote

    return go_quote(text)


def is_empty(node: ListNode) -> bool:
    for child in node.nodes:
        if isinstance(child, TextNode):
            if child.text.strip(" \t\r\n"):
                return False
        else:
            return False
    return True


def parse(name: str, text: str, functions) -> dict[str, ListNode]:
    """Parse ``text`` as template ``name``; returns every tree it defines (``name`` itself included)."""
    return Parser(name, text, functions).parse()

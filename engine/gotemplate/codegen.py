"""Generate Python source from the parse trees of one template text, with text/template's semantics.

One module per parsed text: one function ``T<n>(state, dot, out)`` per template (the main body and each
``define``), and ``TEMPLATES = {name: (function, is_empty)}``. Template variables are Python locals
(scoping is resolved here, once), texts and error locations are constants, functions of the map are
module globals bound when the module is executed (``F<n>``), and everything that depends on a value's
run-time type calls codegen_runtime. ``{{break}}``/``{{continue}}`` are Python's own.

A template nested deeper than Python's compiler allows is generated in "split" form instead: each body
becomes a function of its own, variables live in a list ``V`` and break/continue are exceptions.
"""
from __future__ import annotations

import bisect
import re
from types import CodeType
from typing import Any

from engine.gotemplate.codegen_runtime import Constant, convert_constant
from engine.gotemplate.errors import TemplateError
from engine.gotemplate.funcs import FuncMap
from engine.gotemplate.nodes import (ActionNode, BoolNode, BranchNode, BreakNode, ChainNode, CommandNode,
                                     ContinueNode, DotNode, FieldNode, IdentifierNode, ListNode, NilNode, Node,
                                     NumberNode, PipeNode, StringNode, TemplateNode, TextNode, VariableNode)
from engine.gotemplate.parser import is_empty

_NEWLINE = re.compile("\n")
_CALL_MARK = "  #call "  # ends a line that calls a template function, with the call's number
_POISONED = ""  # a scope entry for a variable declared in a branch that may not have run


# A compiled module: its code object and the constants it unpacks from the global CONSTANTS when executed
# (kept out of the source, which Python would otherwise parse and fold one by one).
CompiledModule = tuple[CodeType, tuple]


def compile_module(name: str, text: str, trees: dict[str, ListNode], funcs: FuncMap) -> CompiledModule:
    """The compiled module for the ``trees`` parsed from ``text`` (named ``name``)."""
    try:
        source, constants = generate_module(name, text, trees, funcs, split=False)
        return compile(source, name, "exec"), constants
    except (SyntaxError, RecursionError, MemoryError):  # nested deeper than Python's compiler allows
        source, constants = generate_module(name, text, trees, funcs, split=True)
        return compile(source, name, "exec"), constants


def generate_module(name: str, text: str, trees: dict[str, ListNode], funcs: FuncMap, split: bool
                    ) -> tuple[str, tuple]:
    """The Python source of the module for the ``trees`` parsed from ``text`` (named ``name``), and its
    constants."""
    module = _Module(name, text, funcs)
    entries = []
    for index, (tree_name, tree) in enumerate(trees.items()):
        function = f"T{index}"
        module.parts.append(_Function(module, function, split).generate(tree))
        entries.append(f"{tree_name!r}: ({function}, {is_empty(tree)!r})")
    return module.source("TEMPLATES = {" + ", ".join(entries) + "}\n"), module.constant_values()


class _Module:
    """The source of one generated module: constants, bound functions, template functions."""

    def __init__(self, name: str, text: str, funcs: FuncMap):
        self.name, self.text, self.funcs = name, text, funcs
        self.newlines = [match.start() for match in _NEWLINE.finditer(text)]
        self.constants: dict[tuple, tuple[str, Any]] = {}  # (type, value) -> (global name, value)
        self.bound: dict[str, str] = {}  # function name -> global name
        self.parts: list[str] = []
        self.sites: list[tuple[str, str]] = []  # (loc constant, function name) of each call, by marker number
        self.call_sites: dict[int, tuple[Any, str]] = {}  # line -> (loc, function name), once the source is made

    def source(self, tail: str) -> str:
        """The module's source; afterwards ``call_sites`` maps each line that calls a template function to
        the call's location and function name (what the functions' handlers report)."""
        names = "".join(f"{const}, " for const, _ in self.constants.values())
        head = [f"{names}CALL_SITES, = CONSTANTS\n"]
        head += [f"{glob} = FUNCS[{name!r}].impl\n" for name, glob in self.bound.items()]
        source = "".join(head) + "".join(self.parts) + tail
        values = {name: value for name, value in self.constants.values()}
        for number, line in enumerate(source.split("\n"), 1):
            marker = line.rfind(_CALL_MARK)
            if marker != -1 and line[marker + len(_CALL_MARK):].isdigit():
                loc, function = self.sites[int(line[marker + len(_CALL_MARK):])]
                self.call_sites[number] = (values[loc], function)
        return source

    def constant_values(self) -> tuple:
        return (*(value for _, value in self.constants.values()), self.call_sites)

    def call_site(self, loc: str, function: str) -> str:
        """The marker ending a line that calls ``function`` (at the constant ``loc``)."""
        self.sites.append((loc, function))
        return f"{_CALL_MARK}{len(self.sites) - 1}"

    def loc(self, node: Node) -> str:
        """The constant holding (name, line, column, node text) for errors at ``node``."""
        pos = node.pos
        line = bisect.bisect_left(self.newlines, pos)
        start = self.newlines[line - 1] + 1 if line else 0
        return self.constant((self.name, line + 1, len(self.text[start:pos].encode("utf-8")), str(node)))

    def constant(self, value: Any) -> str:
        key = (type(value), value)
        entry = self.constants.get(key)
        if entry is None:
            entry = self.constants[key] = (f"C{len(self.constants)}", value)
        return entry[0]

    def bind(self, function: str) -> str:
        glob = self.bound.get(function)
        if glob is None:
            glob = self.bound[function] = f"F{len(self.bound)}"
        return glob


class _Function:
    """Generates one template's function."""

    def __init__(self, module: _Module, name: str, split: bool):
        self.module, self.name, self.split = module, name, split
        self.lines: list[str] = []
        self.indent = 1
        self.temps = 0
        self.slots = 0
        self.scopes: list[dict[str, str]] = []
        self.helpers: list[str] = []  # split-off bodies (split form only)
        self.assigned: set[str] | None = None  # variables a method-argument closure assigns

    # -- output --------------------------------------------------------------------------------------------
    def emit(self, line: str) -> None:
        self.lines.append("    " * self.indent + line)

    def temp(self) -> str:
        self.temps += 1
        return f"t{self.temps}"

    def generate(self, tree: ListNode) -> str:
        self.scopes = [{"$": self.declare_slot()}]
        self.body(tree, "dot")
        prologue = ["    w = out.append\n"]
        if self.split:
            prologue.append(f"    V = [None] * {self.slots}\n")
        prologue.append(f"    {self.scopes[0]['$']} = dot\n")
        return (f"def {self.name}(state, dot, out):\n" + "".join(prologue) + "".join(
            line + "\n" for line in _guarded(self.lines, "    ")) + "".join(self.helpers))

    # -- variables -----------------------------------------------------------------------------------------
    def declare_slot(self) -> str:
        slot = self.slots
        self.slots += 1
        return f"V[{slot}]" if self.split else f"v{slot}"

    def declare(self, name: str) -> str:
        ref = self.scopes[-1][name] = self.declare_slot()
        if self.assigned is not None:
            self.assigned.add(ref)
        return ref

    def lookup(self, name: str) -> str:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        raise TemplateError(f"undefined variable: {name}")  # the parser rejects these first

    def read_var(self, name: str) -> str:
        ref = self.lookup(name)
        if ref == _POISONED:
            return f"undefined_variable({name!r})"
        return ref

    def assign_var(self, name: str, value: str) -> None:
        ref = self.lookup(name)
        if ref == _POISONED:
            self.emit(f"undefined_variable({name!r})")
            return
        if self.assigned is not None:
            self.assigned.add(ref)
        self.emit(f"{ref} = {value}")

    # -- lists and control flow ------------------------------------------------------------------------
    def body(self, node: ListNode | None, dot: str) -> None:
        """Emit ``node``'s statements at the current indentation (``pass`` when there are none)."""
        start = len(self.lines)
        if node is not None:
            if self.split and self.indent > 1:
                self.split_body(node, dot)
            else:
                self.nodes(node.nodes, dot)
        if len(self.lines) == start:
            self.emit("pass")

    def split_body(self, node: ListNode, dot: str) -> None:
        """Split form: the body becomes a function of its own sharing ``V``."""
        self.temps += 1
        name = f"{self.name}_{self.temps}"
        saved = self.lines, self.indent
        self.lines, self.indent = [], 1
        self.nodes(node.nodes, "dot")
        lines = self.lines or ["    pass"]
        self.lines, self.indent = saved
        self.helpers.append(f"def {name}(state, dot, out, V):\n    w = out.append\n" + "".join(
            line + "\n" for line in _guarded(lines, "    ")))
        self.emit(f"{name}(state, {dot}, out, V)")

    def nodes(self, children: list[Node], dot: str) -> None:
        """Emit ``children``; a run of text and constant-string actions (``{{`{{`}}``) is one write."""
        run: list[str] = []
        for child in children:
            text = _static_text(child)
            if text is not None:
                run.append(text)
                continue
            self.write_text("".join(run))
            run = []
            self.node(child, dot)
        self.write_text("".join(run))

    def write_text(self, text: str) -> None:
        if text:
            self.emit(f"w({text!r})")

    def node(self, node: Node, dot: str) -> None:
        if isinstance(node, ActionNode):
            self.action(node, dot)
        elif isinstance(node, BranchNode):
            self.scopes.append({})
            if node.keyword == "range":
                self.range(node, dot)
            else:
                self.if_with(node, dot)
            self.scopes.pop()
        elif isinstance(node, TemplateNode):
            self.template(node, dot)
        elif isinstance(node, BreakNode):
            self.emit("raise Break()" if self.split else "break")
        elif isinstance(node, ContinueNode):
            self.emit("raise Continue()" if self.split else "continue")
        else:
            raise TemplateError(f"unknown node {node!r}")

    def action(self, node: ActionNode, dot: str) -> None:
        value = self.pipeline(node.pipe, dot)
        if not node.pipe.decl:
            self.emit(f"w({value} if {value}.__class__ is str else printed({value}))")

    def branch_bodies(self, body: ListNode, else_body: ListNode | None, body_dot: str, dot: str,
                      condition: str) -> None:
        """``if condition: body else: else_body``; names the body declares are unset in the else branch."""
        self.emit(f"if {condition}:")
        self.indent += 1
        self.scopes.append({})
        self.body(body, body_dot)
        declared = self.scopes.pop()
        self.indent -= 1
        if else_body is not None:
            self.emit("else:")
            self.indent += 1
            self.scopes.append({name: _POISONED for name in declared if self.is_new(name)})
            self.body(else_body, dot)
            self.scopes.pop()
            self.indent -= 1

    def is_new(self, name: str) -> bool:
        return not any(name in scope for scope in self.scopes)

    def if_with(self, node: BranchNode, dot: str) -> None:
        value = self.pipeline(node.pipe, dot)
        if node.keyword == "with":
            self.branch_bodies(node.body, node.else_body, value, dot, f"truthy({value})")
        else:
            self.branch_bodies(node.body, node.else_body, dot, dot, f"truthy({value})")

    def range(self, node: BranchNode, dot: str) -> None:
        pipe = node.pipe
        value = self.pipeline(pipe, dot)
        names = [v.idents[0] for v in pipe.decl]
        last_node = pipe.cmds[-1].args[0] if pipe.cmds else node  # where Go's state points
        ran, key, elem, elem_dot = self.temp(), self.temp(), self.temp(), self.temp()
        self.emit(f"{ran} = False")
        self.emit(f"for {key}, {elem} in range_items(state, {self.module.loc(pipe)}, "
                  f"{self.module.loc(last_node)}, {value}, {len(names) > 1}):")
        self.indent += 1
        self.emit(f"{ran} = True")
        if names:
            if pipe.is_assign:
                self.assign_var(names[0], key if len(names) > 1 else elem)
                if len(names) > 1:
                    self.assign_var(names[1], elem)
            else:
                self.emit(f"{self.lookup(names[-1])} = {elem}")
                if len(names) > 1:
                    self.emit(f"{self.lookup(names[-2])} = {key}")
        self.emit(f"{elem_dot} = NIL_IFACE if {elem} is None else {elem}")
        self.scopes.append({})
        if self.split:
            self.emit("try:")
            self.indent += 1
            self.body(node.body, elem_dot)
            self.indent -= 1
            self.emit("except Continue:")
            self.emit("    pass")
            self.emit("except Break:")
            self.emit("    break")
        else:
            self.body(node.body, elem_dot)
        declared = self.scopes.pop()
        self.indent -= 1
        if node.else_body is not None:
            self.emit(f"if not {ran}:")
            self.indent += 1
            self.scopes.append({name: _POISONED for name in declared if self.is_new(name)})
            self.body(node.else_body, dot)
            self.scopes.pop()
            self.indent -= 1

    def template(self, node: TemplateNode, dot: str) -> None:
        name = self.module.constant(node.name)
        pipe = node.pipe
        if pipe is None or (not pipe.decl and len(pipe.cmds) == 1 and len(pipe.cmds[0].args) == 1
                            and isinstance(pipe.cmds[0].args[0], DotNode)):  # data that cannot fail
            self.emit(f"w(run_template(state, {self.module.loc(node)}, {name}, {'None' if pipe is None else dot}))")
            return
        self.emit(f"if not state.template_set.has({name}):")
        self.emit(f"    template_not_defined(state, {self.module.loc(node)}, {name})")
        self.emit(f"w(state.template_set._run({name}, {self.pipeline(pipe, dot)}, state))")

    # -- pipelines and commands -----------------------------------------------------------------------------
    def pipeline(self, pipe: PipeNode, dot: str) -> str:
        """Emit ``pipe``; returns a local holding its (plain) final value."""
        value = None
        for cmd in pipe.cmds:
            result, maybe_nil = self.command(cmd, dot, value)
            if maybe_nil:
                value = self.temp()
                self.emit(f"{value} = None if {result} is NIL_IFACE else {result}")
            elif result.startswith("t") and result[1:].isdigit():
                value = result  # already a value of its own
            else:
                value = self.temp()
                self.emit(f"{value} = {result}")
        assert value is not None, "the parser gives every pipeline a command"
        for variable in pipe.decl:
            if pipe.is_assign:
                self.assign_var(variable.idents[0], value)
            else:
                self.emit(f"{self.declare(variable.idents[0])} = {value}")
        return value

    def command(self, cmd: CommandNode, dot: str, final: str | None) -> tuple[str, bool]:
        """An expression for ``cmd``'s raw value (statements it needs are emitted first) and whether that
        value may be a nil interface."""
        first = cmd.args[0]
        if isinstance(first, FieldNode):
            return self.field_chain(first, dot, first.idents, cmd.args[1:], final, True, dot, plain=True), False
        if isinstance(first, ChainNode):
            return self.chain(first, dot, cmd.args[1:], final, plain=True), False
        if isinstance(first, IdentifierNode):
            return self.function(first, cmd, dot, final), False
        if isinstance(first, VariableNode) and len(first.idents) > 1:
            return self.field_chain(first, self.read_var(first.idents[0]), first.idents[1:], cmd.args[1:],
                                    final, False, dot, plain=True), False
        if len(cmd.args) > 1 or final is not None:
            return self.fail(first, f"can't give argument to non-function {first}"), False
        if isinstance(first, PipeNode):
            return self.pipeline(first, dot), False
        if isinstance(first, VariableNode):
            return self.read_var(first.idents[0]), False
        if isinstance(first, NilNode):
            return self.fail(first, "nil is not a command"), False
        if isinstance(first, DotNode):
            return dot, True
        return _literal(_constant(first)), False

    def chain(self, node: ChainNode, dot: str, args: list[Node], final: str | None, plain: bool) -> str:
        """Fields of an operand's value: ``(pipeline).Field``, ``$x.Field`` written in parentheses."""
        if isinstance(node.node, NilNode):
            return self.fail(node, f"indirection through explicit nil in {node}")
        return self.field_chain(node, self.arg(node.node, dot)[0], node.fields, args, final, False, dot,
                                plain=plain)

    def fail(self, node: Node, msg: str) -> str:
        self.emit(f"fail(state, {self.module.loc(node)}, {self.module.constant(msg)})")
        return "None"

    def field_chain(self, node: Node, receiver: str, names: list[str], args: list[Node], final: str | None,
                    from_dot: bool, dot: str, plain: bool = False) -> str:
        """A call of codegen_runtime.field_chain; method arguments ``args`` are evaluated with ``dot``;
        ``plain`` gives None for a nil interface."""
        extra = ""
        if args or final is not None:
            extra = f", ({''.join(self.method_arg(a, dot) + ', ' for a in args)}), {final or 'MISSING'}"
        helper = "field_value" if plain else "field_chain"
        return (f"{helper}(state, {self.module.loc(node)}, {receiver}, {self.module.constant(tuple(names))}, "
                f"{from_dot}, MISSING_ERROR{extra})")

    def method_arg(self, node: Node, dot: str) -> str:
        """A method argument as codegen_runtime.call_method takes it: a constant, or a closure."""
        constant = _constant_of(node)
        if constant is not None:
            return f"('const', {self.module.constant(constant)}, {self.module.loc(node)})"
        saved, saved_assigned = self.lines, self.assigned
        self.lines, self.assigned = [], set()
        self.indent += 1
        value = self.arg(node, dot)[0]
        self.indent -= 1
        lines, assigned = self.lines, self.assigned
        self.lines, self.assigned = saved, saved_assigned
        if self.assigned is not None:
            self.assigned |= assigned
        loc = self.module.loc(_last_evaluated(node))
        if not lines:
            return f"('value', lambda: {value}, {loc})"
        thunk = self.temp()
        self.emit(f"def {thunk}():")
        local = sorted(ref for ref in assigned if not ref.startswith("V["))
        if local:
            self.emit(f"    nonlocal {', '.join(local)}")
        self.indent += 1
        self.emit(f"return {value}")
        self.indent -= 1
        lines.append(self.lines.pop())
        self.lines.extend(_guarded(lines, "    " * (self.indent + 1)))
        return f"('value', {thunk}, {loc})"

    # -- arguments ---------------------------------------------------------------------------------------------
    def arg(self, node: Node, dot: str) -> tuple[str, bool]:
        """An expression for an argument's raw value (Go's evalArg before its type check), and whether
        that value may be a nil interface."""
        if isinstance(node, DotNode):
            return dot, True
        if isinstance(node, FieldNode):
            return self.field_chain(node, dot, node.idents, [], None, True, dot), True
        if isinstance(node, VariableNode):
            if len(node.idents) == 1:
                return self.read_var(node.idents[0]), False
            return self.field_chain(node, self.read_var(node.idents[0]), node.idents[1:], [], None, False, dot), True
        if isinstance(node, PipeNode):
            return self.pipeline(node, dot), False
        if isinstance(node, IdentifierNode):
            return self.function(node, CommandNode(node.pos, [node]), dot, None), False
        if isinstance(node, ChainNode):
            return self.chain(node, dot, [], None, plain=False), True
        return _literal(_constant(node)), False

    def typed_arg(self, node: Node, dot: str, param: str) -> str:
        """An expression for an argument checked against (and converted to) Go parameter type ``param``."""
        constant = _constant_of(node)
        if constant is not None:
            value, error = convert_constant(constant, param)
            if error is not None:
                return self.fail(node, error)
            return _literal(value)
        loc = self.module.loc(node if isinstance(node, DotNode) else _last_evaluated(node))
        value, maybe_nil = self.arg(node, dot)
        if not value.isidentifier():
            held = self.temp()
            self.emit(f"{held} = {value}")
            value = held
        if param == "any":
            return f"(None if {value} is NIL_IFACE else {value})" if maybe_nil else value
        checked = self.temp()  # checked before the call, whose own errors are reported differently
        if param in ("string", "int"):
            kind = "str" if param == "string" else "int"
            self.emit(f"{checked} = {value} if {value}.__class__ is {kind} else validate(state, {loc}, {value}, "
                      f"{param!r})")
        else:
            self.emit(f"{checked} = validate(state, {loc}, {value}, {param!r})")
        return checked

    # -- functions ----------------------------------------------------------------------------------------------
    def function(self, ident: IdentifierNode, cmd: CommandNode, dot: str, final: str | None) -> str:
        name = ident.name
        func = self.module.funcs.get(name)
        if func is None:
            self.emit(f"not_defined(state, {self.module.loc(ident)}, {name!r})")
            return "None"
        args = cmd.args[1:]
        if name in ("and", "or"):
            return self.and_or(ident, args, dot, final, name == "or")
        params = func.params
        variadic = func.variadic
        count = len(args) + (0 if final is None else 1)
        fixed = len(params) - 1 if variadic else len(params)
        if variadic and count < fixed:
            return self.fail(ident, f"wrong number of args for {name}: want at least {fixed} got {len(args)}")
        if not variadic and count != len(params):
            return self.fail(ident, f"wrong number of args for {name}: want {len(params)} got {count}")
        argv = ["state"] if func.needs_state else []
        for i, arg in enumerate(args):
            argv.append(self.typed_arg(arg, dot, params[i] if i < fixed else params[-1][3:]))
        if final is not None:
            index = len(args)
            param = params[index] if index < fixed else params[-1][3:]
            at = _last_evaluated(args[-1]) if args else ident  # where Go's evaluation stopped
            argv.append(self.check_final(final, at, param))
        if name == "call" and func.impl is _call_builtin():
            callee = str(cmd.args[1]) if len(cmd.args) > 1 else ""
            call = f"call_named({self.module.constant(callee)}, {', '.join(argv)})"
        else:
            call = f"{self.module.bind(name)}({', '.join(argv)})"
        result = self.temp()
        self.emit(f"{result} = {call}{self.module.call_site(self.module.loc(cmd), name)}")
        return result

    def check_final(self, final: str, at: Node, param: str) -> str:
        if param == "any":
            return final  # a pipeline's value is already plain
        checked = self.temp()
        self.emit(f"{checked} = validate(state, {self.module.loc(at)}, {final}, {param!r})")
        return checked

    def and_or(self, ident: IdentifierNode, args: list[Node], dot: str, final: str | None, is_or: bool) -> str:
        """Go's and/or: arguments evaluated in order until one decides; the final value comes last."""
        name = "or" if is_or else "and"
        if len(args) + (0 if final is None else 1) < 1:
            return self.fail(ident, f"wrong number of args for {name}: want at least 1 got 0")
        result, going = self.temp(), self.temp()
        if not args:
            self.emit(f"{result} = {final}")
            return result
        for index, arg in enumerate(args):
            if index:
                self.emit(f"if {going}:")
                self.indent += 1
            self.emit(f"{result} = {self.typed_arg(arg, dot, 'any')}")
            if index < len(args) - 1 or final is not None:
                self.emit(f"{going} = {'not ' if is_or else ''}truthy({result})")
            if index:
                self.indent -= 1
        if final is not None:
            self.emit(f"if {going}: {result} = {final}")
        return result


def _guarded(lines: list[str], indent: str) -> list[str]:
    """A function body's ``lines`` (at ``indent``) inside the handler that reports failed calls, when any
    line calls a template function."""
    if not any(_CALL_MARK in line for line in lines):
        return lines
    return [f"{indent}try:", *("    " + line for line in lines),
            f"{indent}except Exception: call_failed_at(state, CALL_SITES)"]


def _call_builtin() -> Any:
    from engine.gotemplate.builtins import BUILTINS

    return BUILTINS["call"].impl


def _constant(node: Node) -> Any:
    if isinstance(node, (BoolNode, StringNode)):
        return node.value
    if isinstance(node, NumberNode):
        return node.as_interface
    raise TemplateError(f"can't evaluate command {node}")


def _constant_of(node: Node) -> Constant | None:
    """The description of a constant argument, None for anything evaluated at run time."""
    if isinstance(node, BoolNode):
        return ("bool", str(node), node.value, False, False, 0, 0.0)
    if isinstance(node, StringNode):
        return ("string", str(node), node.value, False, False, 0, 0.0)
    if isinstance(node, NumberNode):
        return ("number", str(node), node.as_interface, node.is_int, node.is_float, node.int_value,
                node.float_value)
    if isinstance(node, NilNode):
        return ("nil", "nil", None, False, False, 0, 0.0)
    return None


def _literal(value: Any) -> str:
    """Python source for a constant (tuples of them too)."""
    if isinstance(value, tuple):
        return "(" + "".join(_literal(item) + ", " for item in value) + ")"
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return f"float({str(value)!r})"
    if type(value) is not int and isinstance(value, int) and not isinstance(value, bool):
        return f"Int64({int(value)})"
    return repr(value)


def _last_evaluated(node: Node) -> Node:
    """The node Go's executor last stood at after evaluating ``node`` (a pipeline's last command, a call's
    last argument, recursively): where it reports a result of the wrong type."""
    while True:
        if isinstance(node, PipeNode) and node.cmds:
            node = node.cmds[-1]
        elif isinstance(node, CommandNode) and node.args:
            node = node.args[-1] if len(node.args) > 1 else node.args[0]
        else:
            return node


def _static_text(node: Node) -> str | None:
    """The text ``node`` always writes when that is known before running: text, or an action printing a string
    constant (Go prints a string as it is); None for anything else."""
    if isinstance(node, TextNode):
        return node.text
    if isinstance(node, ActionNode) and not node.pipe.decl and len(node.pipe.cmds) == 1:
        args = node.pipe.cmds[0].args
        if len(args) == 1 and isinstance(args[0], StringNode):
            return args[0].value
    return None

"""Compile parse trees into Python closures that execute with text/template's semantics.

Each node becomes a function called with the execution state and dot; nothing is re-interpreted per
render. Errors are raised as :class:`ExecError` worded as Go's exec.go words them.
"""
from __future__ import annotations

from typing import Any, Callable

from engine.gotemplate.builtins import BUILTINS, call_named
from engine.gotemplate.errors import ExecError, FuncError, TemplateError
from engine.gotemplate.funcs import GoFunc
from engine.gotemplate.gotypes import GoStruct, Int64, StrList, go_type_name, truthy
from engine.gotemplate.nodes import (ActionNode, BoolNode, BranchNode, BreakNode, ChainNode, CommandNode,
                                     ContinueNode, DotNode, FieldNode, IdentifierNode, ListNode, NilNode, Node,
                                     NumberNode, PipeNode, StringNode, TemplateNode, TextNode, VariableNode)

MISSING = object()  # "no final value" in a pipeline


class _NilInterface:
    """A nil interface{} taken straight from a map (Go distinguishes it from an invalid value)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NIL_IFACE"


NIL_IFACE = _NilInterface()
GO_TYPE = {"string": "string", "int": "int", "int64": "int64", "uint32": "uint32", "float64": "float64",
           "bool": "bool", "any": "interface {}", "[]any": "[]interface {}", "map": "map[string]interface {}",
           "[]string": "[]string", "[]byte": "[]uint8", "reflect.Value": "reflect.Value"}
_NILABLE = {"any", "[]any", "map", "[]string", "[]byte", "reflect.Value"}


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class Source:
    """The text a tree was parsed from, to turn node positions into ``name:line:col``."""

    __slots__ = ("name", "text")

    def __init__(self, name: str, text: str):
        self.name, self.text = name, text

    def location(self, pos: int) -> tuple[int, int]:
        before = self.text[:pos]
        line = before.count("\n") + 1
        start = before.rfind("\n") + 1
        return line, len(before[start:].encode("utf-8"))


class State:
    """Execution state of one top-level execute: variables, current template, scratch space for functions."""

    __slots__ = ("template_set", "vars", "scratch", "template_name", "depth")

    def __init__(self, template_set: Any, scratch: dict | None = None):
        self.template_set = template_set
        self.vars: list[list[Any]] = []
        self.scratch = scratch if scratch is not None else {}
        self.template_name = ""
        self.depth = 0

    def execute_template(self, name: str, data: Any) -> str:
        """Run template ``name`` with dot ``data`` (for include); errors propagate in Go's wording."""
        return self.template_set._run(name, _plain(data), self)

    def var(self, name: str) -> Any:
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                return self.vars[i][1]
        raise TemplateError(f"undefined variable: {name}")

    def set_var(self, name: str, value: Any) -> None:
        for i in range(len(self.vars) - 1, -1, -1):
            if self.vars[i][0] == name:
                self.vars[i][1] = value
                return
        raise TemplateError(f"undefined variable: {name}")


def _plain(value: Any) -> Any:
    return None if value is NIL_IFACE else value


class Compiler:
    """Compiles the trees of one parsed source with a function map."""

    def __init__(self, source: Source, funcs: dict[str, GoFunc], missingkey: str):
        self.source, self.funcs, self.missing_error = source, funcs, missingkey == "error"

    # -- errors ----------------------------------------------------------------------------------------
    def fail(self, state: State, node: Node, msg: str, cause: BaseException | None = None):
        line, col = self.source.location(node.pos)
        context = str(node)
        error = ExecError(self.source.name, line, col, context, msg, state.template_name)
        if cause is not None:
            raise error from cause
        raise error

    # -- lists and control flow ---------------------------------------------------------------------------
    def compile_list(self, node: ListNode) -> Callable[[State, Any, list], None]:
        parts = [self.compile_node(child) for child in node.nodes]
        if len(parts) == 1:
            return parts[0]

        def run_list(state: State, dot: Any, out: list) -> None:
            for part in parts:
                part(state, dot, out)
        return run_list

    def compile_node(self, node: Node) -> Callable[[State, Any, list], None]:
        if isinstance(node, TextNode):
            text = node.text

            def run_text(state, dot, out):
                out.append(text)
            return run_text
        if isinstance(node, ActionNode):
            return self.compile_action(node)
        if isinstance(node, BranchNode):
            return self.compile_range(node) if node.keyword == "range" else self.compile_if_with(node)
        if isinstance(node, TemplateNode):
            return self.compile_template(node)
        if isinstance(node, BreakNode):
            def run_break(state, dot, out):
                raise _Break()
            return run_break
        if isinstance(node, ContinueNode):
            def run_continue(state, dot, out):
                raise _Continue()
            return run_continue
        raise TemplateError(f"unknown node {node!r}")

    def compile_action(self, node: ActionNode):
        pipe = self.compile_pipeline(node.pipe)
        if node.pipe.decl:
            def run_decl(state, dot, out):
                pipe(state, dot)
            return run_decl
        from engine.gotemplate.gofmt import format_value

        def run_action(state, dot, out):
            value = pipe(state, dot)
            if value is None or value is NIL_IFACE:
                out.append("<no value>")
            elif value.__class__ is str:
                out.append(value)
            elif isinstance(value, GoStruct) and "String" in value.go_methods:
                out.append(value.String())
            else:
                out.append(format_value(value))
        return run_action

    def compile_if_with(self, node: BranchNode):
        pipe = self.compile_pipeline(node.pipe)
        body = self.compile_list(node.body)
        else_body = self.compile_list(node.else_body) if node.else_body is not None else None
        is_with = node.keyword == "with"

        def run_branch(state, dot, out):
            mark = len(state.vars)
            value = pipe(state, dot)
            if truthy(_plain(value)):
                body(state, value if is_with else dot, out)
            elif else_body is not None:
                else_body(state, dot, out)
            del state.vars[mark:]
        return run_branch

    def compile_range(self, node: BranchNode):
        pipe = self.compile_pipeline(node.pipe)
        body = self.compile_list(node.body)
        else_body = self.compile_list(node.else_body) if node.else_body is not None else None
        decl = node.pipe.decl
        assign = node.pipe.is_assign
        names = [v.idents[0] for v in decl]
        compiler = self
        last_node = node.pipe.cmds[-1].args[0] if node.pipe.cmds else node  # where Go's state points

        def iterate(state, mark, index, elem, out):
            if decl:
                if assign:
                    state.set_var(names[0], index if len(names) > 1 else elem)
                    if len(names) > 1:
                        state.set_var(names[1], elem)
                else:
                    state.vars[-1][1] = elem
                    if len(names) > 1:
                        state.vars[-2][1] = index
            try:
                body(state, NIL_IFACE if elem is None else elem, out)
            except _Continue:
                pass
            finally:
                del state.vars[mark:]

        def run_range(state, dot, out):
            outer = len(state.vars)
            value = _plain(pipe(state, dot))
            mark = len(state.vars)
            ran = False
            try:
                if isinstance(value, (list, tuple)):
                    for i, elem in enumerate(value):
                        ran = True
                        iterate(state, mark, i, elem, out)
                elif isinstance(value, dict):
                    for key in _sorted_keys(value):
                        ran = True
                        iterate(state, mark, key, value[key], out)
                elif isinstance(value, int) and not isinstance(value, bool):
                    if len(names) > 1:
                        compiler.fail(state, node.pipe, f"can't use {value} to iterate over more than one variable")
                    for i in range(value):
                        ran = True
                        iterate(state, mark, i, i, out)
                elif value is not None:
                    from engine.gotemplate.gofmt import format_value
                    compiler.fail(state, last_node, f"range can't iterate over {format_value(value)}")
            except _Break:
                ran = True
            if not ran and else_body is not None:
                else_body(state, dot, out)
            del state.vars[outer:]
        return run_range

    def compile_template(self, node: TemplateNode):
        pipe = self.compile_pipeline(node.pipe) if node.pipe is not None else None
        name = node.name
        compiler = self

        def run_template(state, dot, out):
            template_set = state.template_set
            if not template_set.has(name):
                compiler.fail(state, node, f"template {_go_quote(name)} not defined")
            value = pipe(state, dot) if pipe is not None else None
            out.append(template_set._run(name, _plain(value), state))
        return run_template

    # -- pipelines and commands ------------------------------------------------------------------------------
    def compile_pipeline(self, pipe: PipeNode) -> Callable[[State, Any], Any]:
        commands = [self.compile_command(cmd) for cmd in pipe.cmds]
        decl = [v.idents[0] for v in pipe.decl]
        assign = pipe.is_assign

        if len(commands) == 1 and not decl:
            command = commands[0]

            def run_single(state, dot):
                value = command(state, dot, MISSING)
                return None if value is NIL_IFACE else value
            return run_single

        def run_pipeline(state, dot):
            value = MISSING
            for command in commands:
                value = command(state, dot, value)
                if value is NIL_IFACE:
                    value = None
            for name in decl:
                if assign:
                    state.set_var(name, value)
                else:
                    state.vars.append([name, value])
            return value
        return run_pipeline

    def compile_command(self, cmd: CommandNode):
        first = cmd.args[0]
        if isinstance(first, FieldNode):
            return self.compile_field_chain(first, lambda state, dot: dot, first.idents, cmd.args, True)
        if isinstance(first, ChainNode):
            if isinstance(first.node, NilNode):
                return self._constant_error(first, f"indirection through explicit nil in {first}")
            inner = self.compile_arg(first.node, None)
            return self.compile_field_chain(first, inner, first.fields, cmd.args, False)
        if isinstance(first, IdentifierNode):
            return self.compile_function(first, cmd)
        if isinstance(first, PipeNode):
            pipe = self.compile_pipeline(first)
            check = self._not_a_function(cmd, first)

            def run_paren(state, dot, final):
                check(state, final)
                return pipe(state, dot)
            return run_paren
        if isinstance(first, VariableNode):
            name = first.idents[0]
            if len(first.idents) == 1:
                check = self._not_a_function(cmd, first)

                def run_variable(state, dot, final):
                    check(state, final)
                    return state.var(name)
                return run_variable
            return self.compile_field_chain(first, lambda state, dot: state.var(name), first.idents[1:], cmd.args,
                                            False)
        check = self._not_a_function(cmd, first)
        if isinstance(first, NilNode):
            compiler = self

            def run_nil(state, dot, final):
                check(state, final)
                compiler.fail(state, first, "nil is not a command")
            return run_nil
        value = self._constant(first)

        def run_constant(state, dot, final):
            check(state, final)
            return dot if value is _DOT else value
        return run_constant

    def _not_a_function(self, cmd: CommandNode, first: Node):
        has_args = len(cmd.args) > 1
        compiler = self

        def check(state, final):
            if has_args or final is not MISSING:
                compiler.fail(state, first, f"can't give argument to non-function {first}")
        return check

    def _constant_error(self, node: Node, msg: str):
        compiler = self

        def run_error(state, dot, final):
            compiler.fail(state, node, msg)
        return run_error

    @staticmethod
    def _constant(node: Node) -> Any:
        if isinstance(node, BoolNode):
            return node.value
        if isinstance(node, StringNode):
            return node.value
        if isinstance(node, NumberNode):
            return node.as_interface
        if isinstance(node, DotNode):
            return _DOT
        raise TemplateError(f"can't evaluate command {node}")

    # -- fields -------------------------------------------------------------------------------------------
    def compile_field_chain(self, node: Node, receiver_fn, idents: list[str], args: list[Node], from_dot: bool):
        arg_nodes = args[1:]
        compiler = self
        missing_error = self.missing_error
        call_args = [self.compile_arg_lazy(a) for a in arg_nodes]
        last = len(idents) - 1

        def run_chain(state, dot, final):
            receiver = receiver_fn(state, dot)
            static = None  # None: the receiver's own type; else the Go static type name
            for i, name in enumerate(idents):
                has_args = i == last and (bool(arg_nodes) or final is not MISSING)
                if receiver is None:
                    if i == 0 and not from_dot:
                        if missing_error:
                            compiler.fail(state, node, f'nil data; no entry for key "{name}"')
                        return None
                    if i == 0:
                        return None
                    compiler.fail(state, node, f"nil pointer evaluating {static or 'interface {}'}.{name}")
                if receiver is NIL_IFACE:
                    compiler.fail(state, node, f"nil pointer evaluating interface {{}}.{name}")
                if isinstance(receiver, GoStruct) and name in receiver.go_methods:
                    values = None
                    receiver = compiler.call(state, node, name, getattr(receiver, name), receiver.go_methods[name],
                                             values, call_args if i == last else [], final if i == last else MISSING,
                                             dot)
                    static = None
                    continue
                if isinstance(receiver, dict):
                    if has_args:
                        compiler.fail(state, node, f"{name} is not a method but has arguments")
                    if name in receiver:
                        receiver = receiver[name]
                    elif missing_error:
                        compiler.fail(state, node, f'map has no entry for key "{name}"')
                    else:
                        receiver = None
                    if receiver is None:
                        receiver = NIL_IFACE
                    static = "interface {}"
                    continue
                if isinstance(receiver, GoStruct):
                    if name in receiver.go_fields and not name[0].islower():
                        if has_args:
                            compiler.fail(state, node, f"{name} has arguments but cannot be invoked as function")
                        receiver = getattr(receiver, name)
                        static = None
                        continue
                type_name = static or go_type_name(receiver)
                compiler.fail(state, node, f"can't evaluate field {name} in type {type_name}")
            return receiver
        return run_chain

    # -- arguments --------------------------------------------------------------------------------------------
    def compile_arg_lazy(self, node: Node):
        """An argument evaluator returning (node, value-or-constant-marker) for later type conversion."""
        if isinstance(node, (BoolNode, NumberNode, StringNode, NilNode)):
            return _ConstArg(node)
        if isinstance(node, DotNode):
            return _DotArg(node)
        evaluator = self.compile_arg(node, None)
        return _ValueArg(node, evaluator)

    def compile_arg(self, node: Node, _typ: Any):
        if isinstance(node, DotNode):
            return lambda state, dot: dot
        if isinstance(node, FieldNode):
            chain = self.compile_field_chain(node, lambda state, dot: dot, node.idents, [node], True)
            return lambda state, dot: chain(state, dot, MISSING)
        if isinstance(node, VariableNode):
            name = node.idents[0]
            if len(node.idents) == 1:
                return lambda state, dot: state.var(name)
            chain = self.compile_field_chain(node, lambda state, dot: state.var(name), node.idents[1:], [node],
                                             False)
            return lambda state, dot: chain(state, dot, MISSING)
        if isinstance(node, PipeNode):
            return self.compile_pipeline(node)
        if isinstance(node, IdentifierNode):
            function = self.compile_function(node, CommandNode(node.pos, [node]))
            return lambda state, dot: function(state, dot, MISSING)
        if isinstance(node, ChainNode):
            command = self.compile_command(CommandNode(node.pos, [node]))
            return lambda state, dot: command(state, dot, MISSING)
        value = self._constant(node)
        return lambda state, dot: value

    # -- functions ----------------------------------------------------------------------------------------------
    def compile_function(self, ident: IdentifierNode, cmd: CommandNode):
        name = ident.name
        func = self.funcs.get(name)
        if func is None:
            return self._constant_error(ident, f'"{name}" is not a defined function')
        args = [self.compile_arg_lazy(a) for a in cmd.args[1:]]
        compiler = self
        if name in ("and", "or"):
            return self._compile_and_or(ident, cmd, name == "or", args)
        impl, params, needs_state = func.impl, func.params, func.needs_state
        if name == "call" and func.impl is BUILTINS["call"].impl:
            callee = str(cmd.args[1]) if len(cmd.args) > 1 else ""
            impl = lambda *argv: call_named(callee, *argv)  # noqa: E731 - binds the callee's text

        def run_function(state, dot, final):
            return compiler.call(state, ident, name, impl, params, None, args, final, dot, needs_state, cmd)
        return run_function

    def _compile_and_or(self, ident, cmd, is_or: bool, args):
        compiler = self
        name = "or" if is_or else "and"

        def run_and_or(state, dot, final):
            count = len(args) + (0 if final is MISSING else 1)
            if count < 1:
                compiler.fail(state, ident, f"wrong number of args for {name}: want at least 1 got 0")
            value = None
            for arg in args:
                value = _plain(arg.value(compiler, state, dot, "any"))
                if truthy(value) == is_or:
                    return value
            if final is not MISSING:
                value = final
            return value
        return run_and_or

    def call(self, state: State, node: Node, name: str, impl, params: tuple[str, ...], values, args, final, dot,
             needs_state: bool = False, cmd: Node | None = None) -> Any:
        """Check arguments against ``params`` as Go's evalCall does, call ``impl``, wrap its errors."""
        variadic = bool(params) and params[-1].startswith("...")
        count = len(args) + (0 if final is MISSING else 1)
        fixed = len(params) - 1 if variadic else len(params)
        if variadic:
            if count < fixed:
                self.fail(state, node, f"wrong number of args for {name}: want at least {fixed} got {len(args)}")
        elif count != len(params):
            self.fail(state, node, f"wrong number of args for {name}: want {len(params)} got {count}")
        argv = []
        for i, arg in enumerate(args):
            param = params[i] if i < fixed else params[-1][3:]
            argv.append(arg.value(self, state, dot, param))
        if final is not MISSING:
            index = len(args)
            param = params[index] if index < fixed else params[-1][3:]
            at = last_evaluated(args[-1].node) if args else node  # where Go's evaluation stopped
            argv.append(self.validate(state, at, final, param))
        try:
            if needs_state:
                return impl(state, *argv)
            return impl(*argv)
        except (_Break, _Continue):
            raise
        except TemplateError as exc:
            self.fail(state, cmd or node, f"error calling {name}: {exc}", exc)
        except FuncError as exc:
            self.fail(state, cmd or node, f"error calling {name}: {exc}", exc)
        except RecursionError:
            raise
        except Exception as exc:  # a bug in a function: report it as Go reports a recovered panic
            self.fail(state, cmd or node, f"error calling {name}: {exc}", exc)

    def validate(self, state: State, node: Node, value: Any, param: str) -> Any:
        """Go's validateType for a non-constant argument."""
        if value is None:
            if param in _NILABLE:
                return None
            self.fail(state, node, f"invalid value; expected {GO_TYPE.get(param, param)}")
        if value is NIL_IFACE:
            if param == "any":
                return None
        elif param == "any" or _assignable(value, param):
            return value
        got = "interface {}" if value is NIL_IFACE else go_type_name(value)
        self.fail(state, node, f"wrong type for value; expected {GO_TYPE.get(param, param)}; got {got}")

    def convert_constant(self, state: State, node: Node, param: str) -> Any:
        """Go's evalArg for a constant node: untyped constants take the parameter's type."""
        if isinstance(node, NilNode):
            if param in _NILABLE:
                return None
            self.fail(state, node, f"cannot assign nil to {GO_TYPE.get(param, param)}")
        if param == "any":
            return self._constant(node)
        if param == "string":
            if isinstance(node, StringNode):
                return node.value
            self.fail(state, node, f"expected string; found {node}")
        if param in ("int", "int64"):
            if isinstance(node, NumberNode) and node.is_int:
                return Int64(node.int_value) if param == "int64" else node.int_value
            self.fail(state, node, f"expected integer; found {node}")
        if param == "uint32":
            if isinstance(node, NumberNode) and node.is_int and node.int_value >= 0:
                return node.int_value & 0xFFFFFFFF  # reflect's SetUint keeps the low bits
            self.fail(state, node, f"expected unsigned integer; found {node}")
        if param == "float64":
            if isinstance(node, NumberNode) and node.is_float:
                return node.float_value
            self.fail(state, node, f"expected float; found {node}")
        if param == "bool":
            if isinstance(node, BoolNode):
                return node.value
            self.fail(state, node, f"expected bool; found {node}")
        self.fail(state, node, f"can't handle {node} for arg of type {GO_TYPE.get(param, param)}")


_DOT = object()


class _ConstArg:
    __slots__ = ("node",)

    def __init__(self, node: Node):
        self.node = node

    def value(self, compiler: Compiler, state: State, dot: Any, param: str) -> Any:
        return compiler.convert_constant(state, self.node, param)


class _DotArg:
    __slots__ = ("node",)

    def __init__(self, node: Node):
        self.node = node

    def value(self, compiler: Compiler, state: State, dot: Any, param: str) -> Any:
        return compiler.validate(state, self.node, dot, param)


class _ValueArg:
    __slots__ = ("node", "evaluator")

    def __init__(self, node: Node, evaluator):
        self.node, self.evaluator = node, evaluator

    def value(self, compiler: Compiler, state: State, dot: Any, param: str) -> Any:
        return compiler.validate(state, last_evaluated(self.node), self.evaluator(state, dot), param)


def last_evaluated(node: Node) -> Node:
    """The node Go's executor last stood at after evaluating ``node`` (a pipeline's last command, a call's
    last argument, recursively): where it reports a result of the wrong type."""
    while True:
        if isinstance(node, PipeNode) and node.cmds:
            node = node.cmds[-1]
        elif isinstance(node, CommandNode) and node.args:
            node = node.args[-1] if len(node.args) > 1 else node.args[0]
        else:
            return node


def _assignable(value: Any, param: str) -> bool:
    if param == "string":
        return value.__class__ is str or isinstance(value, str)
    if param == "int":
        return isinstance(value, int) and not isinstance(value, (bool, Int64))
    if param == "int64":
        return isinstance(value, Int64)
    if param == "uint32":
        return False  # no value of the engine is a uint32; only constants convert
    if param == "float64":
        return isinstance(value, float)
    if param == "bool":
        return isinstance(value, bool)
    if param == "[]any":
        return isinstance(value, (list, tuple)) and not isinstance(value, StrList)
    if param == "[]string":
        return isinstance(value, StrList)
    if param == "map":
        return isinstance(value, dict)
    if param == "[]byte":
        return isinstance(value, bytes)
    if param in GO_TYPE:
        return True
    return isinstance(value, GoStruct) and value.go_type == param  # a struct parameter: time.Time


def _sorted_keys(mapping: dict) -> list:
    try:
        return sorted(mapping)
    except TypeError:
        return sorted(mapping, key=str)


def _go_quote(text: str) -> str:
    from engine.gotemplate.gofmt import go_quote

    return go_quote(text)

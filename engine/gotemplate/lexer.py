"""Lexer of Go's text/template: turns a template into items (text, delimiters, operands)."""
from __future__ import annotations

import re

LEFT, RIGHT = "{{", "}}"
SPACE = " \t\r\n"
_SPACE_CHARS = frozenset(SPACE)
KEYWORDS = {"block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with"}


class Item:
    """One lexed item (a plain class with slots: a large chart's first parse creates hundreds of thousands)."""

    __slots__ = ("kind", "value", "pos", "line")

    def __init__(self, kind: str, value: str, pos: int, line: int) -> None:
        # kind: text, left, right, space, field, variable, identifier, keyword, bool, nil, number, char, string,
        #       raw, pipe, assign, declare, lparen, rparen, comma, dot, eof
        self.kind, self.value, self.pos, self.line = kind, value, pos, line

    def __repr__(self) -> str:
        return f"Item({self.kind!r}, {self.value!r}, {self.pos}, {self.line})"


class LexError(Exception):
    def __init__(self, msg: str, line: int):
        super().__init__(msg)
        self.msg, self.line = msg, line


_NUMBER = re.compile(
    r"[+-]?(?:0[xX](?:_?[0-9a-fA-F])*\.?(?:_?[0-9a-fA-F])*(?:[pP][+-]?[0-9_]+)?"
    r"|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+"
    r"|(?:[0-9](?:_?[0-9])*)?\.?(?:[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9_]+)?)i?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIELD = re.compile(r"\.[A-Za-z_][A-Za-z0-9_]*")
_VARIABLE = re.compile(r"\$[A-Za-z0-9_]*")


def lex(text: str) -> list[Item]:
    """All items of ``text``; raises LexError with Go's messages."""
    items: list[Item] = []
    pos, line, n = 0, 1, len(text)
    trim_next_text = False
    while True:
        start = text.find(LEFT, pos)
        end = n if start == -1 else start
        chunk = text[pos:end]
        trim_left = start != -1 and text[start + 2:start + 3] == "-" and text[start + 3:start + 4] in _SPACE_CHARS
        if trim_next_text:
            stripped = chunk.lstrip(SPACE)
            line += chunk[:len(chunk) - len(stripped)].count("\n")
            pos += len(chunk) - len(stripped)
            chunk = stripped
        shown = chunk.rstrip(SPACE) if trim_left else chunk
        if shown:
            items.append(Item("text", shown, pos, line))
        line += chunk.count("\n")
        if start == -1:
            items.append(Item("eof", "", n, line))
            return items
        pos = start + 2 + (2 if trim_left else 0)
        # comments: {{/* … */}}
        if text.startswith("/*", pos):
            close = text.find("*/", pos + 2)
            if close == -1:
                raise LexError("unclosed comment", line)
            line += text[pos:close].count("\n")
            after = close + 2
            trim_right = False
            if text[after:after + 1] in _SPACE_CHARS and text.startswith("-" + RIGHT, after + 1):
                trim_right, after = True, after + 2
            if not text.startswith(RIGHT, after):
                raise LexError("comment ends before closing delimiter", line)
            pos = after + 2
            trim_next_text = trim_right
            continue
        items.append(Item("left", LEFT, start, line))
        try:
            pos, line, trim_next_text = _lex_action(text, pos, line, items)
        except LexError as exc:  # reported when the parser reaches it, as Go's lexer does
            items.append(Item("error", exc.msg, pos, exc.line))
            items.append(Item("eof", "", n, exc.line))
            return items


# One match per item of an action; the closing delimiter (``}}``, or `` -}}`` trimming what follows) first,
# and a blank before ``-}}`` is the trim marker's, not the space run's. A number is only recognised here
# (zero width): its syntax and errors are _number's.
_ACTION_TOKEN = re.compile(r"""
    (?P<right>}})
  | (?P<trim>[ \t\r\n]-}})
  | (?P<space>(?:[ \t\r\n](?!-}}))+)
  | (?P<number>(?=[0-9]|[+\-.][0-9]|[+\-]\.[0-9]))
  | (?P<declare>:=)
  | (?P<assign>=)
  | (?P<pipe>\|)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
  | (?P<raw>`[^`]*`)
  | (?P<char>'(?:[^'\\\n]|\\.)*')
  | (?P<variable>\$[A-Za-z0-9_]*)
  | (?P<field>\.[A-Za-z_][A-Za-z0-9_]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<comma>,)
""", re.VERBOSE)
_WORD_KINDS = {**{word: "keyword" for word in KEYWORDS}, "true": "bool", "false": "bool", "nil": "nil"}


def _lex_action(text: str, pos: int, line: int, items: list[Item]) -> tuple[int, int, bool]:
    """Lex one action from ``pos`` (just after ``{{``) to its ``}}``; returns (pos, line, trim-right)."""
    depth = 0
    append = items.append
    match_token = _ACTION_TOKEN.match
    while True:
        match = match_token(text, pos)
        if match is None:
            pos = _other(text, pos, line, items)
            continue
        kind = match.lastgroup
        if kind == "right" or kind == "trim":
            if depth:
                raise LexError("unclosed left paren", line)
            at = pos if kind == "right" else pos + 2
            append(Item("right", RIGHT, at, line))
            return at + 2, line, kind == "trim"
        if kind == "number":
            pos = _number(text, pos, line, items)
            continue
        value = match.group()
        if kind == "word":
            kind = _WORD_KINDS.get(value, "identifier")
        elif kind == "lparen":
            depth += 1
        elif kind == "rparen":
            depth -= 1
            if depth < 0:
                raise LexError("unexpected right paren", line)
        append(Item(kind, value, pos, line))
        if kind == "space" or kind == "raw":
            line += value.count("\n")
        pos = match.end()


def _number(text: str, pos: int, line: int, items: list[Item]) -> int:
    """Lex the number at ``pos``; returns where it ends."""
    n = len(text)
    match = _NUMBER.match(text, pos)
    end = match.end() if match else pos
    if end == pos:
        raise LexError(f"bad number syntax: {text[pos:pos + 1]!r}", line)
    if end < n and (text[end].isalnum() or text[end] in "_."):
        while end < n and (text[end].isalnum() or text[end] in "._"):
            end += 1
        raise LexError(f'bad number syntax: "{text[pos:end]}"', line)
    items.append(Item("number", text[pos:end], pos, line))
    return end


def _other(text: str, pos: int, line: int, items: list[Item]) -> int:
    """What no item pattern matches at ``pos``: the end of the text, an unterminated quote, a lone dot or
    another printable character (an item the parser refuses), else an error; returns where it ends."""
    if pos >= len(text):
        raise LexError("unclosed action", line)
    char = text[pos]
    if char == '"':
        raise LexError("unterminated quoted string", line)
    if char == "'":
        raise LexError("unterminated character constant", line)
    if char == "`":
        raise LexError("unterminated raw quoted string", line)
    if char == ":":
        raise LexError("expected :=", line)
    if char == ".":
        items.append(Item("dot", ".", pos, line))
        return pos + 1
    if char.isascii() and char.isprintable():
        items.append(Item("other", char, pos, line))
        return pos + 1
    raise LexError(f"unrecognized character in action: U+{ord(char):04X} {char!r}", line)

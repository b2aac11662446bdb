"""Lexer of Go's text/template: turns a template into items (text, delimiters, operands)."""
from __future__ import annotations

import re
from dataclasses import dataclass

LEFT, RIGHT = "{{", "}}"
SPACE = " \t\r\n"
KEYWORDS = {"block", "break", "continue", "define", "else", "end", "if", "range", "nil", "template", "with"}


@dataclass
class Item:
    kind: str  # text, left, right, space, field, variable, identifier, keyword, bool, nil, number, char, string,
    #           raw, pipe, assign, declare, lparen, rparen, comma, dot, eof
    value: str
    pos: int
    line: int


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
        trim_left = start != -1 and text[start + 2:start + 3] == "-" and text[start + 3:start + 4] in tuple(SPACE)
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
            if text[after:after + 1] in tuple(SPACE) and text[after + 1:after + 2] == "-" and text.startswith(RIGHT, after + 2):
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


def _lex_action(text: str, pos: int, line: int, items: list[Item]) -> tuple[int, int, bool]:
    n = len(text)
    depth = 0
    while True:
        if text.startswith(RIGHT, pos) or (
                text[pos:pos + 1] in tuple(SPACE) and text[pos + 1:pos + 2] == "-" and text.startswith(RIGHT, pos + 2)):
            trim = not text.startswith(RIGHT, pos)
            if depth:
                raise LexError("unclosed left paren", line)
            at = pos + (2 if trim else 0)
            items.append(Item("right", RIGHT, at, line))
            return at + 2, line, trim
        if pos >= n:
            raise LexError("unclosed action", line)
        char = text[pos]
        if char in SPACE:
            end = pos + 1
            while end < n and text[end] in SPACE and not (
                    text[end + 1:end + 2] == "-" and text.startswith(RIGHT, end + 2)):
                end += 1
            items.append(Item("space", text[pos:end], pos, line))
            line += text[pos:end].count("\n")
            pos = end
            continue
        if char == "=":
            items.append(Item("assign", "=", pos, line))
            pos += 1
        elif char == ":":
            if text[pos + 1:pos + 2] != "=":
                raise LexError("expected :=", line)
            items.append(Item("declare", ":=", pos, line))
            pos += 2
        elif char == "|":
            items.append(Item("pipe", "|", pos, line))
            pos += 1
        elif char == '"':
            end = pos + 1
            while True:
                if end >= n or text[end] == "\n":
                    raise LexError("unterminated quoted string", line)
                if text[end] == "\\":
                    end += 2
                    continue
                if text[end] == '"':
                    break
                end += 1
            items.append(Item("string", text[pos:end + 1], pos, line))
            pos = end + 1
        elif char == "`":
            end = text.find("`", pos + 1)
            if end == -1:
                raise LexError("unterminated raw quoted string", line)
            items.append(Item("raw", text[pos:end + 1], pos, line))
            line += text[pos:end].count("\n")
            pos = end + 1
        elif char == "'":
            end = pos + 1
            while True:
                if end >= n or text[end] == "\n":
                    raise LexError("unterminated character constant", line)
                if text[end] == "\\":
                    end += 2
                    continue
                if text[end] == "'":
                    break
                end += 1
            items.append(Item("char", text[pos:end + 1], pos, line))
            pos = end + 1
        elif char == "$":
            match = _VARIABLE.match(text, pos)
            items.append(Item("variable", match.group(), pos, line))
            pos = match.end()
        elif char == "." and not text[pos + 1:pos + 2].isdigit():
            match = _FIELD.match(text, pos)
            if match:
                items.append(Item("field", match.group(), pos, line))
                pos = match.end()
            else:
                items.append(Item("dot", ".", pos, line))
                pos += 1
        elif char.isdigit() or char in "+-.":
            match = _NUMBER.match(text, pos)
            if not match or not match.group() or match.group() in "+-.":
                raise LexError(f"bad number syntax: {text[pos:pos + 1]!r}", line)
            end = match.end()
            if end < n and (text[end].isalnum() or text[end] == "_" or text[end] == "."):
                while end < n and (text[end].isalnum() or text[end] in "._"):
                    end += 1
                raise LexError(f'bad number syntax: "{text[pos:end]}"', line)
            items.append(Item("number", match.group(), pos, line))
            pos = end
        elif char.isalpha() or char == "_":
            match = _IDENT.match(text, pos)
            word = match.group()
            kind = "keyword" if word in KEYWORDS else "bool" if word in ("true", "false") else "identifier"
            if word == "nil":
                kind = "nil"
            items.append(Item(kind, word, pos, line))
            pos = match.end()
        elif char == "(":
            depth += 1
            items.append(Item("lparen", "(", pos, line))
            pos += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise LexError("unexpected right paren", line)
            items.append(Item("rparen", ")", pos, line))
            pos += 1
        elif char == ",":
            items.append(Item("comma", ",", pos, line))
            pos += 1
        elif char.isascii() and char.isprintable():
            items.append(Item("other", char, pos, line))
            pos += 1
        else:
            raise LexError(f"unrecognized character in action: U+{ord(char):04X} {char!r}", line)

"""Why a JSON text is invalid, in encoding/json's words (``invalid character ',' after object key``).

Go checks a document with a byte-at-a-time scanner before decoding it; its message names the offending
byte and what the scanner was in the middle of. This module replays that scanner's states so a failed
decode reports exactly what ``json.Unmarshal`` would. It is only consulted once decoding has failed.
"""
from __future__ import annotations

MAX_DEPTH = 10000  # encoding/json's maxNestingDepth
_SPACE = b" \t\r\n"
_DIGITS = b"0123456789"
_HEX = b"0123456789abcdefABCDEF"
_LITERALS = {ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}
_ESCAPES = b'bfnrt\\/"'
_OBJECT_KEY, _OBJECT_VALUE, _ARRAY_VALUE = "key", "value", "element"


class _Invalid(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _quote_char(c: int) -> str:
    """encoding/json's quoteChar."""
    if c == ord("'"):
        return "'\\''"
    if c == ord('"'):
        return "'\"'"
    from engine.gotemplate.gofmt import go_quote

    return "'" + go_quote(chr(c))[1:-1] + "'"


def _fail(c: int, context: str) -> _Invalid:
    return _Invalid(f"invalid character {_quote_char(c)} {context}")


class _Scanner:
    """encoding/json's scanner: ``step`` is the state function for the next byte."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        self.step = self.begin_value
        self.end_top = False
        self.literal, self.word = b"", ""  # the rest of true/false/null being read, and the whole word
        self.hex_left = 0  # hex digits still expected in a \u escape

    def push(self, c: int, state: str, then) -> None:
        self.stack.append(state)
        if len(self.stack) > MAX_DEPTH:
            raise _fail(c, "exceeded max depth")
        self.step = then

    def pop(self) -> None:
        self.stack.pop()
        if self.stack:
            self.step = self.end_value
        else:
            self.step, self.end_top = self.end_top_state, True

    def begin_value_or_empty(self, c: int) -> None:
        if c in _SPACE:
            return
        if c == ord("]"):
            self.end_value(c)
            return
        self.begin_value(c)

    def begin_value(self, c: int) -> None:
        if c in _SPACE:
            return
        if c == ord("{"):
            self.push(c, _OBJECT_KEY, self.begin_string_or_empty)
        elif c == ord("["):
            self.push(c, _ARRAY_VALUE, self.begin_value_or_empty)
        elif c == ord('"'):
            self.step = self.in_string
        elif c == ord("-"):
            self.step = self.negative
        elif c == ord("0"):
            self.step = self.zero
        elif c in _DIGITS:
            self.step = self.digits
        elif c in _LITERALS:
            self.literal, self.step = _LITERALS[c][1:], self.in_literal
            self.word = _LITERALS[c].decode()
        else:
            raise _fail(c, "looking for beginning of value")

    def begin_string_or_empty(self, c: int) -> None:
        if c in _SPACE:
            return
        if c == ord("}"):
            self.stack[-1] = _OBJECT_VALUE
            self.end_value(c)
            return
        self.begin_string(c)

    def begin_string(self, c: int) -> None:
        if c in _SPACE:
            return
        if c != ord('"'):
            raise _fail(c, "looking for beginning of object key string")
        self.step = self.in_string

    def end_value(self, c: int) -> None:
        if not self.stack:
            self.step, self.end_top = self.end_top_state, True
            self.end_top_state(c)
            return
        if c in _SPACE:
            self.step = self.end_value
            return
        state = self.stack[-1]
        if state == _OBJECT_KEY:
            if c != ord(":"):
                raise _fail(c, "after object key")
            self.stack[-1], self.step = _OBJECT_VALUE, self.begin_value
        elif state == _OBJECT_VALUE:
            if c == ord(","):
                self.stack[-1], self.step = _OBJECT_KEY, self.begin_string
            elif c == ord("}"):
                self.pop()
            else:
                raise _fail(c, "after object key:value pair")
        elif c == ord(","):
            self.step = self.begin_value
        elif c == ord("]"):
            self.pop()
        else:
            raise _fail(c, "after array element")

    def end_top_state(self, c: int) -> None:
        if c not in _SPACE:
            raise _fail(c, "after top-level value")

    def in_string(self, c: int) -> None:
        if c == ord('"'):
            self.step = self.end_value
        elif c == ord("\\"):
            self.step = self.in_escape
        elif c < 0x20:
            raise _fail(c, "in string literal")

    def in_escape(self, c: int) -> None:
        if c in _ESCAPES:
            self.step = self.in_string
        elif c == ord("u"):
            self.hex_left, self.step = 4, self.in_unicode_escape
        else:
            raise _fail(c, "in string escape code")

    def in_unicode_escape(self, c: int) -> None:
        if c not in _HEX:
            raise _fail(c, "in \\u hexadecimal character escape")
        self.hex_left -= 1
        if self.hex_left == 0:
            self.step = self.in_string

    def negative(self, c: int) -> None:
        if c == ord("0"):
            self.step = self.zero
        elif c in _DIGITS:
            self.step = self.digits
        else:
            raise _fail(c, "in numeric literal")

    def digits(self, c: int) -> None:
        if c in _DIGITS:
            return
        self.zero(c)

    def zero(self, c: int) -> None:
        if c == ord("."):
            self.step = self.dot
        elif c in b"eE":
            self.step = self.exponent
        else:
            self.end_value(c)

    def dot(self, c: int) -> None:
        if c not in _DIGITS:
            raise _fail(c, "after decimal point in numeric literal")
        self.step = self.fraction

    def fraction(self, c: int) -> None:
        if c in _DIGITS:
            return
        if c in b"eE":
            self.step = self.exponent
        else:
            self.end_value(c)

    def exponent(self, c: int) -> None:
        if c in b"+-":
            self.step = self.exponent_sign
            return
        self.exponent_sign(c)

    def exponent_sign(self, c: int) -> None:
        if c not in _DIGITS:
            raise _fail(c, "in exponent of numeric literal")
        self.step = self.exponent_digits

    def exponent_digits(self, c: int) -> None:
        if c not in _DIGITS:
            self.end_value(c)

    def in_literal(self, c: int) -> None:
        if c != self.literal[0]:
            raise _fail(c, f"in literal {self.word} (expecting {_quote_char(self.literal[0])})")
        self.literal = self.literal[1:]
        if not self.literal:
            self.step = self.end_value


def syntax_error(text: str | bytes) -> str | None:
    """encoding/json's checkValid: the SyntaxError message for ``text``, or None when it is valid JSON."""
    data = text.encode() if isinstance(text, str) else text
    scanner = _Scanner()
    try:
        for c in data:
            scanner.step(c)
        if not scanner.end_top:
            scanner.step(ord(" "))  # Go's eof(): a space ends a number or a literal at the very end
            if not scanner.end_top:
                return "unexpected end of JSON input"
    except _Invalid as problem:
        return problem.message
    return None

"""Go's encoding/base64 and encoding/base32 standard decoders: which inputs they accept (line breaks are
skipped, padding is required) and the byte offset their ``illegal base64 data at input byte N`` names."""
from __future__ import annotations

_B64 = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_B32 = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}
_NEWLINES = b"\r\n"
_PAD = ord("=")


class CorruptInput(ValueError):
    """base64.CorruptInputError / base32.CorruptInputError."""

    def __init__(self, encoding: str, offset: int):
        super().__init__(f"illegal {encoding} data at input byte {offset}")


def _skip_newlines(src: bytes, si: int) -> int:
    while si < len(src) and src[si] in _NEWLINES:
        si += 1
    return si


def _b64_quantum(src: bytes, si: int) -> tuple[int, list[int], bool]:
    """Go's decodeQuantum: (next index, the 6-bit values read, whether the input ended with padding)."""
    values: list[int] = []
    while len(values) < 4:
        if si == len(src):
            if not values:
                return si, values, True
            raise CorruptInput("base64", si - len(values))
        c = src[si]
        si += 1
        if c in _B64:
            values.append(_B64[c])
            continue
        if c in _NEWLINES:
            continue
        if c != _PAD or len(values) < 2:
            raise CorruptInput("base64", si - 1)
        if len(values) == 2:  # "==" expected: the first is read
            si = _skip_newlines(src, si)
            if si == len(src):
                raise CorruptInput("base64", len(src))
            if src[si] != _PAD:
                raise CorruptInput("base64", si - 1)
            si += 1
        si = _skip_newlines(src, si)
        if si < len(src):
            raise CorruptInput("base64", si)
        return si, values, True
    return si, values, False


def b64decode(text: str) -> bytes:
    """base64.StdEncoding.DecodeString; raises CorruptInput."""
    src, si, out = text.encode(), 0, bytearray()
    while True:
        si, values, ended = _b64_quantum(src, si)
        if values:
            bits = 0
            for v in values + [0] * (4 - len(values)):
                bits = bits << 6 | v
            out += bits.to_bytes(3, "big")[:len(values) - 1]
        if ended or si >= len(src):
            return bytes(out)


def b32decode(text: str) -> bytes:
    """base32.StdEncoding.DecodeString (line breaks removed first); raises CorruptInput."""
    src = text.encode().replace(b"\r", b"").replace(b"\n", b"")
    total, pos, out = len(src), 0, bytearray()
    while pos < total:
        values: list[int] = []
        ended = False
        while len(values) < 8:
            if pos == total:
                raise CorruptInput("base32", pos - len(values))
            c = src[pos]
            pos += 1
            left = total - pos
            if c == _PAD and len(values) >= 2 and left < 8:
                if left + len(values) < 7:
                    raise CorruptInput("base32", total)
                for k in range(7 - len(values)):
                    if left > k and src[pos + k] != _PAD:
                        raise CorruptInput("base32", pos + k - 1)
                if len(values) in (1, 3, 6):
                    raise CorruptInput("base32", pos - 1)
                ended = True
                break
            if c not in _B32:
                raise CorruptInput("base32", pos - 1)
            values.append(_B32[c])
        bits = 0
        for v in values + [0] * (8 - len(values)):
            bits = bits << 5 | v
        out += bits.to_bytes(5, "big")[:len(values) * 5 // 8]
        if ended:
            break
    return bytes(out)

"""One or more cases for every template function (Go's built-ins, Sprig, Helm's own), run by
test_every_function.py against helm. A function in the function map without an entry here fails that test.

``ok`` cases must render; ``err`` cases must fail (the ``must*`` variants, bad arguments) with helm's exit
status and message. Functions whose output is random or depends on the clock are compared by ``shape``:
a property of the output (length and alphabet, parseability, a certificate's subject and that its signature
verifies) computed on both sides. Every case sees the chart values in VALUES.
"""
from __future__ import annotations

import base64
import re
import string
import time
import uuid
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Case:
    template: str
    fails: bool = False
    shape: Callable[[str], object] | None = None  # compared instead of the text, for random output


def ok(template: str) -> Case:
    return Case(template)


def err(template: str) -> Case:
    return Case(template, fails=True)


def shape(template: str, check: Callable[[str], object]) -> Case:
    return Case(template, shape=check)


# keys that YAML 1.1 reads as something else (n, y, on, off …) are avoided: helm would see them as booleans
VALUES = {"s": "hello", "num": 3, "f": 1.5, "l": ["b", "a", "c"], "m": {"k": "v", "sub": {"x": 1}}, "e": "",
          "nil": None, "big": 12345678, "t": True}


# -- properties of random output ---------------------------------------------------------------------------------

def alphabet(chars: str) -> Callable[[str], object]:
    return lambda out: (len(out), all(c in chars for c in out))


def _b64_length(out: str) -> object:
    return len(base64.b64decode(out))


def _in_range(low: int, high: int) -> Callable[[str], object]:
    return lambda out: low <= int(out) < high


def _uuid4(out: str) -> object:
    parsed = uuid.UUID(out)
    return parsed.version, str(parsed) == out


def _same_letters(word: str) -> Callable[[str], object]:
    return lambda out: sorted(out) == sorted(word)


def _recent_epoch(out: str) -> object:
    return abs(int(out) - time.time()) < 600


def _matches(pattern: str) -> Callable[[str], object]:
    return lambda out: re.fullmatch(pattern, out) is not None


def _bcrypt(password: str, prefix: str = "") -> Callable[[str], object]:
    def check(out: str) -> object:
        import bcrypt

        user, _, hashed = out.rpartition(":") if prefix else ("", "", out)
        return user, hashed[:7], bcrypt.checkpw(password.encode(), hashed.encode())
    return check


def _pem_blocks(out: str) -> list[tuple[str, bytes]]:
    return [(kind, base64.b64decode(body)) for kind, body in
            re.findall(r"-----BEGIN ([A-Z ]+)-----\n(.*?)-----END \1-----", out, re.S)]


def _private_key(out: str) -> object:
    from cryptography.hazmat.primitives import serialization

    [(kind, _der)] = _pem_blocks(out)
    key = serialization.load_pem_private_key(out.encode(), None)
    return kind, type(key).__name__.lstrip("_").replace("PrivateKey", ""), getattr(key, "key_size", None)


def _certificates(out: str) -> object:
    """Each certificate's subject, issuer, SANs, validity in days, CA flag, and whether the one before it
    (its issuer, where the template prints the CA first) signed it."""
    from cryptography import x509

    certs = [x509.load_der_x509_certificate(der) for kind, der in _pem_blocks(out) if kind == "CERTIFICATE"]
    keys = [kind for kind, _der in _pem_blocks(out) if kind != "CERTIFICATE"]
    summary = []
    for i, cert in enumerate(certs):
        try:
            sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = sorted(map(str, sans.get_values_for_type(x509.DNSName))) + \
                sorted(map(str, sans.get_values_for_type(x509.IPAddress)))
        except x509.ExtensionNotFound:
            names = []
        ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        days = (cert.not_valid_after_utc - cert.not_valid_before_utc).days
        issuer = certs[i - 1] if i else cert
        try:
            cert.verify_directly_issued_by(issuer)
            signed = True
        except (ValueError, TypeError, Exception):  # noqa: BLE001 - any failure means "not signed by it"
            signed = False
        summary.append((cert.subject.rfc4514_string(), cert.issuer.rfc4514_string(), names, days, ca, signed))
    return summary, keys


def _toml_error_lines(out: str) -> object:
    """The line each TOML error names (what BurntSushi/toml and tomllib agree on)."""
    return re.findall(r"map\[Error:toml: line (\d+)\b", out)


def _aes_length(out: str) -> object:
    return len(base64.b64decode(out))


# -- the table ---------------------------------------------------------------------------------------------------

FUNCTIONS: dict[str, list[Case]] = {
    # Go text/template built-ins
    "and": [ok('{{ and 1 0 2 }}|{{ and 1 2 }}|{{ "x" | and true }}|{{ "y" | and 0 }}'),
            err('{{ and }}')],
    "or": [ok('{{ or 0 "" 3 }}|{{ or 0 false }}|{{ "x" | or false }}|{{ 0 | or "" }}'), err('{{ or }}')],
    "not": [ok('{{ not 0 }}|{{ not "a" }}|{{ not .Values.nil }}'), err('{{ not 1 2 }}'), err('{{ not }}')],
    "len": [ok('{{ len "héllo" }}|{{ len .Values.l }}|{{ len .Values.m }}|{{ len (dict) }}'), err('{{ len 3 }}'),
            err('{{ len .Values.nil }}'), err('{{ len }}')],
    "index": [ok('{{ index .Values.m "k" }}|{{ index .Values.l 1 }}|{{ index .Values.m "sub" "x" }}'),
              err('{{ index .Values.l 9 }}'), err('{{ index .Values.m "zz" "x" }}'), err('{{ index nil 1 }}'),
              ok('{{ index .Values.s 1 }}'), err('{{ index .Values.l "x" }}'), err('{{ index .Values.m 1 }}'),
              err('{{ index .Values.l -1 }}')],
    "slice": [ok('{{ slice .Values.l 1 }}|{{ slice .Values.l 0 2 }}|{{ slice .Values.l }}|{{ slice (list) }}|'
                 '{{ slice .Values.l 0 2 1 }}|{{ slice .Values.l 1 2 3 4 }}'),
              err('{{ slice .Values.l 2 1 }}'), err('{{ slice .Values.l 1 9 }}'), err('{{ slice "abcd" 1 3 }}'),
              err('{{ slice .Values.m 1 }}'), err('{{ slice nil 1 }}')],
    "print": [ok('{{ print "a" 1 2 "b" nil true }}|{{ print }}|{{ print nil 1 "x" 2 }}')],
    "printf": [ok('{{ printf "%s-%d-%v-%q" "a" 1 .Values.l "q" }}|{{ printf "%d" "x" }}|{{ printf "%z %" 1 }}'),
               err('{{ printf 1 }}'), err('{{ printf }}')],
    "println": [ok('{{ println "a" 1 }}|{{ println }}')],
    "html": [ok('{{ html "<a href=\'x\'>&\\"" }}|{{ html nil 1 }}|{{ html "a" 1 }}|{{ html }}')],
    "js": [ok('{{ js "it\'s \\"x\\" <b> & =" }}|{{ js nil }}|{{ js 1 2 }}')],
    "urlquery": [ok('{{ urlquery "a b&c=d/é" }}|{{ urlquery nil 1 }}')],
    "eq": [ok('{{ eq 1 1 }}|{{ eq "a" "b" "a" }}|{{ eq .Values.num 3.0 }}|{{ eq nil nil }}|{{ eq .Values.nil 1 }}'),
           err('{{ eq (list) (list) }}'), err('{{ eq 1 }}')],
    "ne": [ok('{{ ne 1 2 }}|{{ ne "a" "a" }}'), err('{{ ne 1 "a" }}'), err('{{ ne .Values.m .Values.m }}')],
    "lt": [ok('{{ lt 1 2 }}|{{ lt "b" "a" }}'), err('{{ lt 1 2.5 }}'), err('{{ lt nil 1 }}')],
    "le": [ok('{{ le 2 2 }}|{{ le 2.5 1.5 }}'), err('{{ le true false }}'), err('{{ le "a" 1 }}')],
    "gt": [ok('{{ gt 3 2 }}|{{ gt "a" "b" }}'), err('{{ gt (dict) 1 }}'), err('{{ gt 1.5 1 }}')],
    "ge": [ok('{{ ge 2 2 }}|{{ ge 1.5 2.5 }}'), err('{{ ge 1 "x" }}'), err('{{ ge }}')],
    "call": [err('{{ call 1 }}'), err('{{ call .Values.nil }}'), err('{{ call .Values.s }}'), err('{{ call }}')],
    # strings
    "abbrev": [ok('{{ abbrev 5 "hello world" }}|{{ abbrev 20 "short" }}|{{ abbrev 2 "hello world" }}|'
                  '{{ abbrev 5 "héllo wörld" }}'), err('{{ abbrev "x" "hello" }}')],
    "abbrevboth": [ok('{{ abbrevboth 5 10 "1234 5678 9123 4567" }}|{{ abbrevboth 1 2 "hello" }}|'
                      '{{ abbrevboth 10 10 "1234 5678 9123 4567" }}|{{ abbrevboth 5 8 "abcdefghijklmno" }}')],
    "camelcase": [ok('{{ camelcase "http_server-name x" }}'), err('{{ camelcase 1 }}')],
    "cat": [ok('{{ cat "a" 1 nil "b" }}|{{ cat }}')],
    "contains": [ok('{{ contains "ell" "hello" }}|{{ contains "z" "hello" }}'), err('{{ contains 1 }}')],
    "hasPrefix": [ok('{{ hasPrefix "he" "hello" }}|{{ hasPrefix "lo" "hello" }}'), err('{{ hasPrefix 1 "a" }}')],
    "hasSuffix": [ok('{{ hasSuffix "lo" "hello" }}|{{ hasSuffix "he" "hello" }}')],
    "indent": [ok('[{{ indent 3 "a\\nb" }}]'), err('{{ indent -1 "a" }}')],
    "nindent": [ok('[{{ nindent 2 "a\\nb" }}]'), err('{{ nindent "x" "a" }}')],
    "initials": [ok('{{ initials "first try here" }}|{{ initials "" }}')],
    "kebabcase": [ok('{{ kebabcase "HTTPServerName fooBar" }}'), err('{{ kebabcase nil }}')],
    "lower": [ok('{{ lower "HeLLo" }}'), err('{{ lower 1 }}')],
    "nospace": [ok('{{ nospace "h e l\\tl o" }}'), err('{{ nospace .Values.l }}')],
    "plural": [ok('{{ plural "one" "many" 1 }}|{{ plural "one" "many" 2 }}'), err('{{ plural "a" "b" "x" }}')],
    "quote": [ok('{{ quote "a\\"b" 1 nil }}|{{ quote }}|{{ quote .Values.l .Values.m }}')],
    "squote": [ok('{{ squote "a" 1 nil }}|{{ squote }}')],
    "repeat": [ok('{{ repeat 3 "ab" }}'), err('{{ repeat -1 "a" }}')],
    "replace": [ok('{{ replace "l" "L" "hello" }}|{{ replace "" "-" "abc" }}'), err('{{ replace "a" }}')],
    "shuffle": [shape('{{ shuffle "abcdef" }}', _same_letters("abcdef")), err('{{ shuffle 1 }}')],
    "snakecase": [ok('{{ snakecase "HTTPServerName fooBar" }}|{{ snakecase "" }}')],
    "substr": [ok('{{ substr 1 3 "hello" }}|{{ substr -1 2 "hello" }}|{{ substr 2 99 "hello" }}|{{ substr 1 3 "héllo" }}'),
               err('{{ substr 3 1 "hello" }}'), err('{{ substr -1 9 "hello" }}'), err('{{ substr 7 9 "hello" }}')],
    "swapcase": [ok('{{ swapcase "Hello World" }}'), err('{{ swapcase 1 }}')],
    "title": [ok('{{ title "hello world-wide" }}'), err('{{ title .Values.nil }}')],
    "toString": [ok('{{ toString 1.5 }}|{{ toString .Values.l }}|{{ toString nil }}|{{ toString .Values.big }}|'
                    '{{ toString (list 1 (dict "a" 1)) }}')],
    "trim": [ok('[{{ trim "  a b \\n" }}]'), err('{{ trim 1 }}')],
    "trimAll": [ok('{{ trimAll "$" "$$5.00$" }}'), err('{{ trimAll 1 "x" }}')],
    "trimall": [ok('{{ trimall "-" "--x--" }}')],
    "trimPrefix": [ok('{{ trimPrefix "-" "--x" }}|{{ trimPrefix "y" "x" }}'), err('{{ trimPrefix "a" 1 }}')],
    "trimSuffix": [ok('{{ trimSuffix "-" "x--" }}|{{ trimSuffix "y" "x" }}')],
    "trunc": [ok('{{ trunc 3 "hello" }}|{{ trunc -2 "hello" }}|{{ trunc 10 "hi" }}|{{ trunc 3 "héllo" }}|'
                 '{{ trunc -4 "héllo" }}'), err('{{ trunc 5 }}')],
    "untitle": [ok('{{ untitle "Hello World" }}'), err('{{ untitle 1 }}')],
    "upper": [ok('{{ upper "hello" }}'), err('{{ upper .Values.num }}')],
    "wrap": [ok('{{ wrap 5 "the quick brown fox" }}'), err('{{ wrap "x" "a b" }}')],
    "wrapWith": [ok('{{ wrapWith 5 "<br>" "the quick brown fox" }}'), err('{{ wrapWith 3 1 "a b" }}')],
    "split": [ok('{{ split "," "a,b,c" }}|{{ (split "," "a,b")._1 }}'), err('{{ split "," 1 }}')],
    "splitList": [ok('{{ splitList "," "a,b,c" }}'), err('{{ splitList 1 "a" }}')],
    "splitn": [ok('{{ splitn "," 2 "a,b,c" }}'), err('{{ splitn "," "x" "a,b" }}')],
    "join": [ok('{{ join "-" .Values.l }}|{{ join "," (list 1 nil "x") }}|{{ join "," "ab" }}|{{ join "," nil }}'),
             err('{{ join 1 .Values.l }}')],
    "sortAlpha": [ok('{{ sortAlpha .Values.l }}|{{ sortAlpha (list 3 1 2) }}|{{ sortAlpha "x" }}|{{ sortAlpha nil }}')],
    "toStrings": [ok('{{ toStrings (list 1 "a" nil 2.5) }}|{{ toStrings "ab" }}|{{ toStrings nil }}')],
    "hello": [ok('{{ hello }}'), err('{{ hello 1 }}')],
    # conversions and defaults
    "atoi": [ok('{{ atoi "42" }}|{{ atoi "x" }}'), err('{{ atoi 1 }}')],
    "int": [ok('{{ int "42" }}|{{ int 3.9 }}|{{ int "x" }}|{{ int nil }}|{{ int (list) }}')],
    "int64": [ok('{{ int64 "42" }}|{{ int64 .Values.f }}|{{ int64 "x" }}|{{ int64 true }}')],
    "float64": [ok('{{ float64 "1.5" }}|{{ float64 3 }}|{{ float64 "x" }}|{{ float64 (dict) }}')],
    "toDecimal": [ok('{{ toDecimal "0777" }}|{{ toDecimal "x" }}|{{ toDecimal 1 }}')],
    "default": [ok('{{ default "d" "" }}|{{ default "d" "v" }}|{{ default 1 .Values.nil }}|{{ "" | default "p" }}'),
                err('{{ default }}')],
    "empty": [ok('{{ empty "" }}|{{ empty .Values.l }}|{{ empty 0 }}|{{ empty (dict) }}|{{ empty .Values.nil }}'),
              err('{{ empty }}')],
    "coalesce": [ok('{{ coalesce "" .Values.nil "x" }}|{{ coalesce 0 "" }}|{{ coalesce }}')],
    "all": [ok('{{ all 1 "a" true }}|{{ all 1 "" }}|{{ all }}')],
    "any": [ok('{{ any 0 "" "x" }}|{{ any 0 "" }}|{{ any }}')],
    "ternary": [ok('{{ ternary "y" "n" true }}|{{ true | ternary 1 2 }}'), err('{{ ternary "y" "n" 1 }}'),
                err('{{ ternary 1 2 }}')],
    "fromJson": [ok('{{ (fromJson "{\\"a\\": [1, 2]}").a }}|{{ fromJson "[1]" }}|{{ fromJson "{bad" }}'),
                 ok('{{ fromJson "[1, ]" }}|{{ fromJson "{\\"a\\" 1}" }}|{{ fromJson "{\\"a\\": 1 \\"b\\"}" }}|'
                    '{{ fromJson "[1 2]" }}|{{ fromJson "tru" }}|{{ fromJson "nul!" }}|{{ fromJson "1.x" }}|'
                    '{{ fromJson "-x" }}|{{ fromJson "1e" }}|{{ fromJson "\\"a\\\\q\\"" }}|'
                    '{{ fromJson "{\\"a\\":1} x" }}|{{ fromJson "\'" }}|{{ fromJson "" }}|{{ fromJson "{\\"a\\":" }}|'
                    '{{ fromJson "\\"\\\\u12x\\"" }}|{{ fromJson "-Infinity" }}'),
                 err('{{ fromJson 1 }}')],
    "mustFromJson": [ok('{{ mustFromJson "{\\"a\\": 1}" }}'), err('{{ mustFromJson "{bad" }}'),
                     ok('{{ mustFromJson "[1]" }}')],
    "fromJsonArray": [ok('{{ fromJsonArray "[1, \\"a\\"]" }}|{{ fromJsonArray "{}" }}|{{ fromJsonArray "[1, ]" }}'),
                      err('{{ fromJsonArray 1 }}')],
    "toJson": [ok('{{ toJson .Values.m }}|{{ toJson "<&>" }}|{{ toJson 1.0 }}|{{ toJson (toDate "2006-01-02" "2024-02-29") }}'),
               err('{{ toJson }}')],
    "mustToJson": [ok('{{ mustToJson (list 1 "a") }}'), err('{{ mustToJson (list 1) 2 }}')],
    "toPrettyJson": [ok('{{ toPrettyJson .Values.m }}|{{ toPrettyJson (list) }}')],
    "mustToPrettyJson": [ok('{{ mustToPrettyJson (dict "a" "<b>") }}')],
    "toRawJson": [ok('{{ toRawJson (dict "h" "<a>&") }}')],
    "mustToRawJson": [ok('{{ mustToRawJson (list "<x>") }}')],
    "fromYaml": [ok('{{ (fromYaml "a: 1\\nb: [x]").b }}|{{ fromYaml "- 1" }}|{{ fromYaml ": :" }}|{{ fromYaml "a: [" }}'),
                 err('{{ fromYaml 1 }}')],
    "fromYamlArray": [ok('{{ fromYamlArray "- 1\\n- x" }}|{{ fromYamlArray "a: 1" }}|{{ fromYamlArray "- [" }}')],
    "toYaml": [ok('{{ toYaml .Values.m }}|{{ toYaml (list "1:20" "on" "~" "") }}|{{ toYaml (dict "a" "1:20") }}|'
                  '{{ toYaml (toDate "2006-01-02" "2024-02-29") }}'), err('{{ toYaml }}')],
    "mustToYaml": [ok('{{ mustToYaml (dict "b" 1 "a" (list 1)) }}'), err('{{ mustToYaml }}')],
    "toYamlPretty": [ok('{{ toYamlPretty (dict "l" (list 1 2) "m" (dict "k" "v")) }}')],
    "fromToml": [ok('{{ (fromToml "a = 1\\n[t]\\nb = \\"x\\"").t.b }}'),
                 # the line of a TOML error is BurntSushi's; its description is Python's tomllib's (see the report)
                 shape('{{ fromToml "bad = " }}|{{ fromToml "a = 1\\nb = " }}|{{ fromToml "[t]\\nb = x" }}|'
                       '{{ fromToml "a = 1\\na = 2" }}', _toml_error_lines), err('{{ fromToml 1 }}')],
    "toToml": [ok('{{ toToml (dict "a" 1 "t" (dict "b" "x")) }}|{{ toToml 1 }}|{{ toToml (list 1) }}|{{ toToml "a" }}|'
                  '{{ toToml (list (dict "a" 1)) }}|{{ toToml (dict "a" nil) }}'), err('{{ toToml nil }}')],
    "kindOf": [ok('{{ kindOf 1 }}|{{ kindOf "a" }}|{{ kindOf .Values.l }}|{{ kindOf .Values.m }}|{{ kindOf nil }}'),
               err('{{ kindOf }}')],
    "kindIs": [ok('{{ kindIs "string" "a" }}|{{ kindIs "int" 1.5 }}|{{ kindIs "invalid" nil }}'), err('{{ kindIs 1 2 }}')],
    "typeOf": [ok('{{ typeOf 1 }}|{{ typeOf .Values.f }}|{{ typeOf .Values.l }}|{{ typeOf .Values.m }}|'
                  '{{ typeOf (toDate "2006" "2024") }}|{{ typeOf (genCA "x" 1) }}'), err('{{ typeOf 1 2 }}')],
    "typeIs": [ok('{{ typeIs "string" "a" }}|{{ typeIs "int" .Values.num }}'), err('{{ typeIs 1 2 }}')],
    "typeIsLike": [ok('{{ typeIsLike "string" "a" }}|{{ typeIsLike "[]interface {}" .Values.l }}'),
                   err('{{ typeIsLike 1 2 }}')],
    "deepEqual": [ok('{{ deepEqual (list 1 2) (list 1 2) }}|{{ deepEqual (dict "a" 1) (dict "a" 2) }}'),
                  err('{{ deepEqual 1 }}')],
    # math
    "add": [ok('{{ add 1 2 3 }}|{{ add 1.5 1 }}|{{ add }}|{{ add "x" 1 }}')],
    "add1": [ok('{{ add1 1 }}|{{ add1 .Values.f }}|{{ add1 "x" }}|{{ add1 nil }}')],
    "sub": [ok('{{ sub 5 3 }}|{{ sub 1.5 1 }}|{{ sub "a" "b" }}'), err('{{ sub 1 }}')],
    "mul": [ok('{{ mul 2 3 4 }}|{{ mul 1.5 2 }}|{{ mul "2" 3 }}'), err('{{ mul }}')],
    "div": [ok('{{ div 7 2 }}|{{ div -7 2 }}'), err('{{ div 1 0 }}'), err('{{ div 1 "x" }}')],
    "mod": [ok('{{ mod 7 3 }}|{{ mod -7 3 }}'), err('{{ mod 1 0 }}'), err('{{ mod 5 "x" }}')],
    "max": [ok('{{ max 1 5 3 }}|{{ max 1.5 1 }}'), err('{{ max }}')],
    "min": [ok('{{ min 4 2 8 }}|{{ min 2.9 3 }}|{{ min "a" }}')],
    "biggest": [ok('{{ biggest 1 9 3 }}'), err('{{ biggest }}')],
    "addf": [ok('{{ addf 1.5 2 "0.25" }}|{{ addf "x" 1 }}')],
    "add1f": [ok('{{ add1f 1.5 }}|{{ add1f "x" }}')],
    "subf": [ok('{{ subf 5.5 1 0.25 }}|{{ subf 1 }}')],
    "mulf": [ok('{{ mulf 1.5 2 2 }}|{{ mulf "x" 2 }}')],
    "divf": [ok('{{ divf 7 2 }}|{{ divf 1 3 }}'), err('{{ divf 1 0 }}'), err('{{ divf 1 "x" }}')],
    "maxf": [ok('{{ maxf 1.5 2.25 -1 }}'), err('{{ maxf }}')],
    "minf": [ok('{{ minf 1.5 2.25 -1 }}|{{ minf "x" }}')],
    "ceil": [ok('{{ ceil 1.2 }}|{{ ceil -1.2 }}|{{ ceil "2.5" }}|{{ ceil "x" }}')],
    "floor": [ok('{{ floor 1.8 }}|{{ floor -1.2 }}|{{ floor nil }}')],
    "round": [ok('{{ round 1.2345 2 }}|{{ round 2.5 0 }}|{{ round 1.25 1 0.4 }}|{{ round "x" 1 }}'), err('{{ round 1.5 "x" }}')],
    "seq": [ok('{{ seq 3 }}|{{ seq 2 5 }}|{{ seq 10 -3 1 }}|{{ seq 0 }}|{{ seq }}|{{ seq 1 2 3 4 }}|{{ seq 1 0 5 }}'),
            err('{{ seq "x" }}')],
    "until": [ok('{{ until 3 }}|{{ until -2 }}'), err('{{ until "x" }}')],
    "untilStep": [ok('{{ untilStep 0 10 3 }}|{{ untilStep 5 0 -2 }}|{{ untilStep 0 10 0 }}')],
    "randInt": [shape('{{ randInt 1 10 }}', _in_range(1, 10)), err('{{ randInt 5 5 }}'), err('{{ randInt 5 1 }}')],
    # lists
    "list": [ok('{{ list 1 "a" nil (list 2) }}|{{ list }}')],
    "tuple": [ok('{{ tuple 1 "a" }}|{{ tuple }}')],
    "first": [ok('{{ first .Values.l }}|{{ first (list) }}'), err('{{ first nil }}'), err('{{ first .Values.nil }}'),
              err('{{ first }}')],
    "mustFirst": [ok('{{ mustFirst .Values.l }}'), err('{{ mustFirst 1 }}'), err('{{ mustFirst .Values.m }}'),
                  err('{{ mustFirst "abc" }}')],
    "last": [ok('{{ last .Values.l }}|{{ last (list) }}')],
    "mustLast": [ok('{{ mustLast .Values.l }}'), err('{{ mustLast "x" }}'), err('{{ mustLast nil }}')],
    "rest": [ok('{{ rest .Values.l }}|{{ rest (list) }}')],
    "mustRest": [ok('{{ mustRest .Values.l }}'), err('{{ mustRest 1 }}')],
    "initial": [ok('{{ initial .Values.l }}|{{ initial (list) }}')],
    "mustInitial": [ok('{{ mustInitial .Values.l }}'), err('{{ mustInitial 1 }}'), err('{{ mustInitial nil }}')],
    "append": [ok('{{ append .Values.l "d" }}'), err('{{ append }}')],
    "push": [ok('{{ push (list 1) 2 }}')],
    "mustAppend": [ok('{{ mustAppend .Values.l "d" }}'), err('{{ mustAppend 1 2 }}'), err('{{ mustAppend .Values.m 1 }}')],
    "mustPush": [ok('{{ mustPush (list) 1 }}'), err('{{ mustPush "x" 2 }}')],
    "prepend": [ok('{{ prepend .Values.l "z" }}'), err('{{ prepend nil 1 }}')],
    "mustPrepend": [ok('{{ mustPrepend (list 1) 0 }}'), err('{{ mustPrepend 1 0 }}'), err('{{ mustPrepend "x" 1 }}')],
    "concat": [ok('{{ concat .Values.l (list 1) (list) }}|{{ concat }}'), err('{{ concat 1 }}'),
               err('{{ concat (list 1) nil }}')],
    "reverse": [ok('{{ reverse .Values.l }}|{{ reverse (list) }}'), err('{{ reverse nil }}')],
    "mustReverse": [ok('{{ mustReverse (list 1 2) }}'), err('{{ mustReverse 1 }}')],
    "uniq": [ok('{{ uniq (list 1 2 1 "a" "a") }}'), err('{{ uniq "x" }}')],
    "mustUniq": [ok('{{ mustUniq (list 1 1) }}'), err('{{ mustUniq 1 }}')],
    "without": [ok('{{ without (list 1 2 3 2) 2 }}'), err('{{ without nil 1 }}')],
    "mustWithout": [ok('{{ mustWithout (list 1 2) 1 }}'), err('{{ mustWithout 1 1 }}')],
    "has": [ok('{{ has "a" .Values.l }}|{{ has 9 .Values.l }}|{{ .Values.l | has "b" }}|{{ has 1 nil }}'),
            err('{{ has 1 "x" }}')],
    "mustHas": [ok('{{ mustHas "a" .Values.l }}'), err('{{ mustHas 1 2 }}'), err('{{ mustHas 1 "x" }}')],
    "compact": [ok('{{ compact (list 1 "" nil 0 "a" false) }}'), err('{{ compact nil }}')],
    "mustCompact": [ok('{{ mustCompact (list "" "a") }}'), err('{{ mustCompact 1 }}')],
    "chunk": [ok('{{ chunk 2 (list 1 2 3 4 5) }}|{{ chunk 2 (list) }}|{{ chunk -5 (list 1 2 3) }}'),
              err('{{ chunk 0 (list 1 2) }}'), err('{{ chunk -1 (list 1) }}')],
    "mustChunk": [ok('{{ mustChunk 2 (list 1 2 3) }}'), err('{{ mustChunk 2 1 }}'), err('{{ mustChunk 2 "x" }}')],
    "mustSlice": [ok('{{ mustSlice .Values.l 1 2 }}'), err('{{ mustSlice 1 }}'), err('{{ mustSlice "abc" 1 }}'),
                  err('{{ mustSlice nil 1 }}'), err('{{ mustSlice .Values.l -1 }}'), ok('{{ mustSlice .Values.l "x" }}')],
    # dictionaries
    "dict": [ok('{{ dict "a" 1 "b" }}|{{ dict 1 2 }}|{{ dict 1 }}|{{ dict (list) 1 }}')],
    "get": [ok('{{ get .Values.m "k" }}|[{{ get .Values.m "zz" }}]|[{{ get nil "a" }}]'), err('{{ get .Values.l "a" }}')],
    "set": [ok('{{ set (dict) "a" 1 }}'), err('{{ set .Values.l "a" 1 }}')],
    "unset": [ok('{{ unset (dict "a" 1 "b" 2) "a" }}'), err('{{ unset "x" "a" }}')],
    "hasKey": [ok('{{ hasKey .Values.m "k" }}|{{ hasKey .Values.m "z" }}'), err('{{ hasKey .Values.l "a" }}')],
    "pluck": [ok('{{ pluck "a" (dict "a" 1) (dict "a" 2) (dict "b" 3) }}'), err('{{ pluck "a" 1 }}')],
    "dig": [ok('{{ dig "n" "x" "dflt" .Values.m }}|{{ dig "n" "y" "dflt" .Values.m }}|{{ dig "sub" "x" 0 .Values.m }}'),
            err('{{ dig "a" }}'), err('{{ dig "a" "b" "c" }}'), err('{{ dig "a" "b" .Values.l }}')],
    "merge": [ok('{{ merge (dict "a" 1 "m" (dict "x" 1)) (dict "a" 2 "b" 2 "m" (dict "y" 2)) }}'),
              err('{{ merge .Values.l (dict) }}'), err('{{ merge (dict) 1 }}')],
    "mustMerge": [ok('{{ mustMerge (dict "a" 1) (dict "b" 2) }}'), err('{{ mustMerge (dict) "x" }}')],
    "mergeOverwrite": [ok('{{ mergeOverwrite (dict "a" 1 "m" (dict "x" 1)) (dict "a" 2 "m" (dict "y" 2)) }}'),
                       err('{{ mergeOverwrite 1 (dict) }}')],
    "mustMergeOverwrite": [ok('{{ mustMergeOverwrite (dict "a" 1) (dict "a" 2) }}'),
                           err('{{ mustMergeOverwrite (dict) .Values.l }}')],
    "keys": [ok('{{ keys .Values.m | sortAlpha }}|{{ keys (dict "a" 1) (dict "b" 2) | sortAlpha }}'),
             err('{{ keys .Values.l }}')],
    "pick": [ok('{{ pick .Values.m "k" "zz" }}|{{ pick nil "a" }}'), err('{{ pick .Values.l "a" }}')],
    "omit": [ok('{{ omit .Values.m "k" }}|{{ omit nil "a" }}'), err('{{ omit .Values.l "a" }}')],
    "values": [ok('{{ values (dict "a" 1) }}'), err('{{ values .Values.l }}')],
    "deepCopy": [ok('{{ deepCopy .Values.m }}'), err('{{ deepCopy nil }}'), err('{{ deepCopy }}')],
    "mustDeepCopy": [ok('{{ mustDeepCopy (list 1 (dict "a" 2)) }}|{{ mustDeepCopy .Values.m | toJson }}'),
                     err('{{ mustDeepCopy nil }}')],
    # regular expressions
    "regexMatch": [ok('{{ regexMatch "^[a-z]+$" "abc" }}|{{ regexMatch "^x" "abc" }}|{{ regexMatch "(" "a" }}'),
                   err('{{ regexMatch "(" 1 }}')],
    "mustRegexMatch": [ok('{{ mustRegexMatch "b" "abc" }}'), err('{{ mustRegexMatch "(" "a" }}')],
    "regexFind": [ok('{{ regexFind "[0-9]+" "ab12cd34" }}'), err('{{ regexFind "(" "a" }}')],
    "mustRegexFind": [ok('{{ mustRegexFind "c." "abcd" }}'), err('{{ mustRegexFind "[" "a" }}')],
    "regexFindAll": [ok('{{ regexFindAll "[0-9]" "a1b2c3" -1 }}|{{ regexFindAll "[0-9]" "a1b2c3" 2 }}'),
                     err('{{ regexFindAll "(" "a" -1 }}'), err('{{ regexFindAll "a\\x01(" "a" -1 }}')],
    "mustRegexFindAll": [ok('{{ mustRegexFindAll "a" "aaa" 2 }}'), err('{{ mustRegexFindAll "(?P<" "a" -1 }}')],
    "regexReplaceAll": [ok('{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}'), err('{{ regexReplaceAll "(" "a" "b" }}')],
    "mustRegexReplaceAll": [ok('{{ mustRegexReplaceAll "o" "foo" "0" }}'), err('{{ mustRegexReplaceAll "*" "a" "b" }}')],
    "regexReplaceAllLiteral": [ok('{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}'),
                               err('{{ regexReplaceAllLiteral "(" "a" "b" }}')],
    "mustRegexReplaceAllLiteral": [ok('{{ mustRegexReplaceAllLiteral "o" "foo" "$1" }}'),
                                   err('{{ mustRegexReplaceAllLiteral "(" "a" "b" }}')],
    "regexSplit": [ok('{{ regexSplit "z+" "pizza" -1 }}|{{ regexSplit "," "a,b,c" 2 }}'), err('{{ regexSplit "(" "a" -1 }}')],
    "mustRegexSplit": [ok('{{ mustRegexSplit "," "a,b" -1 }}'), err('{{ mustRegexSplit "a**" "a" -1 }}')],
    "regexQuoteMeta": [ok('{{ regexQuoteMeta "1.5+[x]" }}'), err('{{ regexQuoteMeta 1 }}')],
    # encodings and hashes
    "b64enc": [ok('{{ b64enc "hello?" }}'), err('{{ b64enc 1 }}')],
    "b64dec": [ok('{{ b64dec "aGVsbG8/" }}|{{ b64dec "!!" }}|{{ b64dec "YQ" }}|{{ b64dec "YQ=x" }}|{{ b64dec "Y\\nQ==" }}|'
                  '{{ b64dec "YQ==YQ==" }}|{{ b64dec "Y===" }}|{{ b64dec "YWJj\\r\\n" }}')],
    "b32enc": [ok('{{ b32enc "hello" }}|{{ b32enc "" }}')],
    "b32dec": [ok('{{ b32dec "NBSWY3DP" }}|{{ b32dec "1" }}|{{ b32dec "MFRGGZDF" }}|{{ b32dec "MF======" }}|'
                  '{{ b32dec "MF=" }}|{{ b32dec "M=======" }}|{{ b32dec "mfrg" }}|{{ b32dec "MFRA====" }}|{{ b32dec "MFR=====" }}')],
    "sha1sum": [ok('{{ sha1sum "hello" }}'), err('{{ sha1sum 1 }}')],
    "sha256sum": [ok('{{ sha256sum "hello" }}'), err('{{ sha256sum .Values.l }}')],
    "sha512sum": [ok('{{ sha512sum "hello" }}'), err('{{ sha512sum nil }}')],
    "adler32sum": [ok('{{ adler32sum "hello" }}'), err('{{ adler32sum 1 }}')],
    # paths and URLs
    "base": [ok('{{ base "/a/b.txt" }}|{{ base "" }}'), err('{{ base 1 }}')],
    "dir": [ok('{{ dir "/a/b/c" }}|{{ dir "x" }}'), err('{{ dir nil }}')],
    "clean": [ok('{{ clean "/a//b/../c/." }}'), err('{{ clean 1 }}')],
    "ext": [ok('{{ ext "a/b.tar.gz" }}|{{ ext "noext" }}'), err('{{ ext 1 }}')],
    "isAbs": [ok('{{ isAbs "/a" }}|{{ isAbs "a" }}'), err('{{ isAbs 1 }}')],
    "osBase": [ok('{{ osBase "/a/b.txt" }}'), err('{{ osBase 1 }}')],
    "osDir": [ok('{{ osDir "/a/b/c" }}')],
    "osClean": [ok('{{ osClean "a/../b//c" }}')],
    "osExt": [ok('{{ osExt "x.yaml" }}')],
    "osIsAbs": [ok('{{ osIsAbs "/x" }}|{{ osIsAbs "x" }}')],
    "urlParse": [ok('{{ urlParse "https://u:p@h:8/p?q=1#f" }}|{{ (urlParse "http://x/y").path }}|{{ urlParse "" }}|'
                    '{{ urlParse "mailto:a@b.c" }}|{{ urlParse "http://h/a b?x=1 2" }}|{{ urlParse "http://[::1]:80/p" }}|'
                    '{{ urlParse "a:b/c" }}|{{ urlParse "/a:b" }}|{{ urlParse "http://u@h/%41%2f?q=%zz#%41" }}|'
                    '{{ urlParse "HTTP://H/" }}|{{ urlParse "//h/p" }}|{{ urlParse "http://u%40x:p%3Aw@h" }}'),
                 err('{{ urlParse "%zz" }}'), err('{{ urlParse "http://h:x/" }}'), err('{{ urlParse "1http://h" }}'),
                 err('{{ urlParse "http://a b/" }}'), err('{{ urlParse ":x" }}'), err('{{ urlParse "http://[::1/" }}'),
                 err('{{ urlParse "a\\x01b" }}'), err('{{ urlParse "http://h/#%z" }}'), err('{{ urlParse 1 }}')],
    "urlJoin": [ok('{{ urlJoin (dict "scheme" "https" "host" "h:8" "path" "/p" "query" "q=1" "fragment" "f") }}|'
                   '{{ urlJoin (dict "scheme" "http" "host" "h" "path" "a b/ü?") }}|{{ urlJoin (dict "scheme" "mailto" "opaque" "a@b") }}|'
                   '{{ urlJoin (dict "path" "a:b") }}|{{ urlJoin (dict "host" "h" "path" "p") }}|'
                   '{{ urlJoin (dict "scheme" "http" "path" "//x") }}|{{ urlJoin (dict "fragment" "a b#!") }}|'
                   '{{ urlJoin (dict "userinfo" "u%40:p" "host" "h") }}|{{ urlJoin (dict) }}'),
                err('{{ urlJoin (dict "host" 1) }}'), err('{{ urlJoin (dict "userinfo" "u:p w" "host" "h") }}'),
                err('{{ urlJoin (dict "userinfo" "%zz" "host" "h") }}'), err('{{ urlJoin 1 }}')],
    # semantic versions
    "semver": [ok('{{ (semver "1.2.3-beta.1+b5").Prerelease }}|{{ (semver "v2.0.0").Major }}|{{ (semver "1.2.3").Original }}|'
                  '{{ semver "1.2.3" }}'), err('{{ semver "not.a.version" }}'), err('{{ semver 1 }}')],
    "semverCompare": [ok('{{ semverCompare ">=1.2.0" "1.3.0" }}|{{ semverCompare "~1.2" "1.3.0" }}|'
                         '{{ semverCompare "^1.0.0-0" "1.1.0-rc.1" }}'),
                      ok('{{ semverCompare ">=1.0" "v1.0.0" }}|{{ semverCompare "1.0.0 - 2.0.0" "1.5.0" }}|'
                         '{{ semverCompare "1.x || >=3" "2.0.0" }}'),
                      err('{{ semverCompare "!!" "1.0.0" }}'), err('{{ semverCompare ">1" "x" }}'),
                      err('{{ semverCompare 1 "1.0.0" }}')],
    # dates: fixed times render the same everywhere; the clock itself only by its shape
    "now": [shape('{{ now }}', _matches(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? [+-]\d{4} \S+ m=[+-]\d+\.\d{9}")),
            shape('{{ now | unixEpoch }}', _recent_epoch),
            shape('{{ now | dateModify "1h" }}', _matches(r".* m=\+36\d\d\.\d{9}")), err('{{ now 1 }}')],
    "ago": [shape('{{ ago now }}', _matches(r"0s")),
            shape('{{ ago (toDate "2006-01-02" "2020-01-01") }}', _matches(r"\d+h\d+m\d+s")),
            shape('{{ ago 0 }}|{{ ago "x" }}', _matches(r"\d+h\d+m\d+s\|0s")), err('{{ ago }}')],
    "date": [ok('{{ date "2006-01-02 15:04 Mon Jan" (toDate "2006-01-02" "2024-02-29") }}|{{ date "2006" 0 }}|'
                '{{ date "2006-01-02" 86400 }}|{{ date "2006" 1.5 | len }}'),
             ok('{{ toDate "2006-01-02" "2024-02-29" | date "Jan _2 __2 002 06 Z0700 Z07 -07 .999 ,000 15h" }}|'
                '{{ toDate "2006-01-02 15:04:05.000000" "2024-02-29 13:04:05.120000" | date "Janx Monx .9 .99999 3pm 03PM" }}|'
                '{{ toDate "2006-01-02" "2024-02-29" | date "Monday January 2 03:04:05 PM pm .000 -07:00 Z07:00 MST" }}'),
             shape('{{ now | date "2006-01-02T15:04" }}', _matches(r"\d{4}-\d\d-\d\dT\d\d:\d\d")),
             err('{{ date "2006" }}')],
    "dateInZone": [ok('{{ dateInZone "2006-01-02 15:04 MST" (toDate "2006-01-02" "2024-02-29") "UTC" }}|'
                      '{{ dateInZone "15:04" 0 "Asia/Tokyo" }}|{{ dateInZone "2006-01-02 15:04 MST -07:00" 0 "Asia/Kolkata" }}|'
                      '{{ dateInZone "15:04 MST" 0 "Nope/Zone" }}|{{ dateInZone "15:04 MST" 1719792000 "Europe/Paris" }}'),
                   err('{{ toDate "2006-01-02" "2024-02-29" | dateInZone "15:04 MST" "UTC" }}'),
                   err('{{ dateInZone "2006" 0 1 }}')],
    "htmlDate": [ok('{{ htmlDate (toDate "2006-01-02" "2024-03-01") }}|{{ htmlDate 86400 }}'),
                 shape('{{ htmlDate now }}', _matches(r"\d{4}-\d\d-\d\d")), err('{{ htmlDate }}')],
    "htmlDateInZone": [ok('{{ htmlDateInZone 86399 "Asia/Tokyo" }}'), err('{{ htmlDateInZone 0 }}')],
    "unixEpoch": [ok('{{ unixEpoch (toDate "2006-01-02" "2024-02-29") }}|{{ toDate "15:04" "10:30" | unixEpoch }}'),
                  err('{{ unixEpoch 5 }}'), err('{{ unixEpoch }}')],
    "dateModify": [ok('{{ dateModify "1h30m" (toDate "2006-01-02" "2024-02-29") | date "2006-01-02 15:04" }}|'
                      '{{ dateModify "bad" (toDate "2006-01-02" "2024-02-29") | date "2006" }}|'
                      '{{ toDate "2006-01-02" "2024-02-29" | dateModify "-1.5h" }}|'
                      '{{ toDate "2006-01-02" "2024-02-29" | dateModify "0" }}|'
                      '{{ toDate "2006-01-02" "2024-02-29" | dateModify "1h1m1.5s1ms1us1µs1ns" | date "15:04:05.000000000" }}'),
                   err('{{ dateModify "1h" 5 }}'), err('{{ dateModify "1h" }}')],
    "mustDateModify": [ok('{{ mustDateModify "-24h" (toDate "2006-01-02" "2024-03-01") | date "2006-01-02" }}'),
                       err('{{ mustDateModify "bad" (toDate "2006-01-02" "2024-03-01") }}'), err('{{ mustDateModify "1x" now }}'),
                       err('{{ mustDateModify "1" now }}'), err('{{ mustDateModify "" now }}'),
                       err('{{ mustDateModify ".h" now }}')],
    "duration": [ok('{{ duration 95 }}|{{ duration "3600" }}|{{ duration 0 }}|{{ duration "1x" }}|{{ duration (int64 90061) }}|'
                    '{{ duration (int64 -1) }}|{{ duration "+5" }}|{{ duration " 5" }}'), err('{{ duration }}')],
    "durationRound": [ok('{{ durationRound "2h10m5s" }}|{{ durationRound 3600 }}|{{ durationRound "400h" }}|'
                         '{{ durationRound "1h" }}|{{ durationRound "bad" }}|{{ durationRound "-49h" }}|'
                         '{{ durationRound (int64 61000000000) }}|{{ durationRound "800d" }}|{{ durationRound "9000h" }}'),
                      shape('{{ durationRound (toDate "2006" "2020") }}', _matches(r"\dy")), err('{{ durationRound }}')],
    "toDate": [ok('{{ toDate "2006-01-02" "2024-02-29" }}|{{ toDate "2006-01-02" "nope" }}|{{ toDate "2006-01-02" "2024-13-01" }}|'
                  '{{ (toDate "2006" "0001").Year }}|{{ toDate "15:04" "10:30" }}|{{ (toDate "2006-01-02" "2024-02-29").UTC }}|'
                  '{{ (toDate "2006-01-02" "2024-02-29").Format "Jan 2" }}|{{ (toDate "2006-01-02" "2024-02-29").Unix }}|'
                  '{{ printf "%v %T" (toDate "2006-01-02" "2024-02-29") (toDate "2006-01-02" "2024-02-29") }}'),
               err('{{ toDate 1 "x" }}')],
    "mustToDate": [ok('{{ mustToDate "2006-01-02 15:04" "2024-02-29 10:30" | date "Jan 2 15:04" }}|'
                      '{{ mustToDate "Jan 2 2006" "Feb 29 2024" }}|'
                      '{{ mustToDate "2006-01-02T15:04:05Z07:00" "2024-02-29T10:30:00+02:00" }}|'
                      '{{ mustToDate "2006-01-02 15:04:05.000" "2024-02-29 10:30:00.123" }}|'
                      '{{ mustToDate "02 Jan 06 15:04 MST" "29 Feb 24 10:30 PST" }}|{{ mustToDate "3:04PM" "10:30PM" }}|'
                      '{{ mustToDate "2006-002" "2024-060" }}|{{ mustToDate "2006 __2" "2024 366" }}|'
                      '{{ mustToDate "2006-01-02 15:04:05" "2024-02-29 10:30:00.987654321" }}|'
                      '{{ mustToDate "Monday, 02-Jan-06" "Thursday, 29-Feb-24" }}|'
                      '{{ mustToDate "Mon Jan _2 15:04:05 2006" "Thu Feb  9 10:00:00 2024" }}|'
                      '{{ mustToDate "2006-01-02T15:04:05Z07:00" "2024-02-29T10:30:00Z" }}|'
                      '{{ mustToDate "2006-01-02 -0700" "2024-02-29 +0000" }}|{{ mustToDate "2006-01-02 MST" "2024-02-29 UTC" }}|'
                      '{{ mustToDate "2006-01-02 MST" "2024-02-29 GMT+3" }}|{{ mustToDate "2006-01-02 -07" "2024-02-29 -05" }}'),
                   err('{{ mustToDate "2006-01-02" "nope" }}'), err('{{ mustToDate "2006-01-02" "2024-13-01" }}'),
                   err('{{ mustToDate "2006-01-02" "2024-02-30" }}'), err('{{ mustToDate "2006-01-02" "2024-01-01x" }}'),
                   err('{{ mustToDate "15:04:05" "10:30:61" }}'), err('{{ mustToDate "2006-01-02 MST" "2024-02-29 x" }}'),
                   err('{{ mustToDate "Jan" "Foo" }}'), err('{{ mustToDate "2006-002" "2023-366" }}'),
                   err('{{ mustToDate "2006-01-02 -07:00" "2024-02-29 +25:00" }}'), err('{{ mustToDate "2006" }}')],
    # random values
    "randAlphaNum": [shape('{{ randAlphaNum 12 }}', alphabet(string.ascii_letters + string.digits)),
                     err('{{ randAlphaNum "x" }}')],
    "randAlpha": [shape('{{ randAlpha 9 }}', alphabet(string.ascii_letters)), ok('{{ randAlpha -1 }}|{{ randAlpha 0 }}')],
    "randNumeric": [shape('{{ randNumeric 7 }}', alphabet(string.digits)), ok('{{ randNumeric 0 }}')],
    "randAscii": [shape('{{ randAscii 20 }}', alphabet("".join(map(chr, range(32, 127))))), err('{{ randAscii nil }}')],
    "randBytes": [shape('{{ randBytes 24 }}', _b64_length), ok('{{ randBytes 0 }}'), err('{{ randBytes -1 }}')],
    "uuidv4": [shape('{{ uuidv4 }}', _uuid4), err('{{ uuidv4 1 }}')],
    # crypto
    "bcrypt": [shape('{{ bcrypt "s3cret" }}', _bcrypt("s3cret")), err('{{ bcrypt 1 }}')],
    "htpasswd": [shape('{{ htpasswd "admin" "s3cret" }}', _bcrypt("s3cret", prefix="admin")),
                 ok('{{ htpasswd "a:b" "pw" }}'), err('{{ htpasswd 1 "pw" }}')],
    "derivePassword": [ok('{{ derivePassword 1 "long" "password" "user" "example.com" }}|'
                          '{{ derivePassword 2 "pin" "pw" "u" "site" }}|{{ derivePassword 1 "nope" "p" "u" "s" }}|'
                          '{{ derivePassword 4294967297 "basic" "pw" "u" "site" }}'),
                       err('{{ derivePassword "x" "long" "p" "u" "s" }}'), err('{{ derivePassword -1 "long" "p" "u" "s" }}'),
                       err('{{ derivePassword (add 1 0) "long" "p" "u" "s" }}')],
    "encryptAES": [shape('{{ encryptAES "secretkey" "plaintext" }}', _aes_length),
                   ok('{{ encryptAES "secretkey" "plaintext" | decryptAES "secretkey" }}'), err('{{ encryptAES 1 "x" }}')],
    "decryptAES": [ok('{{ "hello" | encryptAES "k" | decryptAES "k" }}|{{ "" | encryptAES "k" | decryptAES "k" }}|'
                      '{{ "0123456789abcdef" | encryptAES "k" | decryptAES "k" }}'),
                   err('{{ decryptAES "k" "bm90" }}'), err('{{ decryptAES "k" "!!" }}'),
                   err('{{ decryptAES "k" "MDEyMzQ1Njc4OWFiY2RlZjAx" }}'), err('{{ decryptAES "k" "MDEyMzQ1Njc4OWFiY2RlZg==" }}')],
    "genPrivateKey": [shape('{{ genPrivateKey "rsa" }}', _private_key), shape('{{ genPrivateKey "ecdsa" }}', _private_key),
                      shape('{{ genPrivateKey "ed25519" }}', _private_key), shape('{{ genPrivateKey "dsa" }}', _private_key),
                      ok('{{ genPrivateKey "nope" }}'), err('{{ genPrivateKey 1 }}')],
    "genCA": [shape('{{ $ca := genCA "my-ca" 30 }}{{ $ca.Cert }}{{ $ca.Key }}', _certificates), err('{{ genCA "x" "y" }}'),
              err('{{ genCA 1 2 }}')],
    "genCAWithKey": [shape('{{ $ca := genCAWithKey "keyed-ca" 10 (genPrivateKey "ecdsa") }}{{ $ca.Cert }}{{ $ca.Key }}',
                           _certificates), err('{{ genCAWithKey "x" 1 "not a key" }}'),
                     err('{{ genCAWithKey "x" 1 "-----BEGIN PUBLIC KEY-----\\nYQ==\\n-----END PUBLIC KEY-----\\n" }}')],
    "genSelfSignedCert": [shape('{{ $c := genSelfSignedCert "svc.local" (list "10.0.0.1") (list "svc.local" "alt") 7 }}'
                                '{{ $c.Cert }}{{ $c.Key }}', _certificates),
                          err('{{ genSelfSignedCert "x" (list "notip") nil 1 }}'),
                          err('{{ genSelfSignedCert "x" "notalist" nil 1 }}'), err('{{ genSelfSignedCert "x" (list 1) nil 1 }}'),
                          err('{{ genSelfSignedCert "x" nil (list 1) 1 }}')],
    "genSelfSignedCertWithKey": [shape('{{ $c := genSelfSignedCertWithKey "k.local" nil nil 3 (genPrivateKey "rsa") }}'
                                       '{{ $c.Cert }}', _certificates),
                                 err('{{ genSelfSignedCertWithKey "x" nil nil 1 "-----BEGIN FOO-----\\nYQ==\\n-----END FOO-----\\n" }}'),
                                 err('{{ genSelfSignedCertWithKey "x" nil nil 1 "-----BEGIN X PRIVATE KEY-----\\nYQ==\\n'
                                     '-----END X PRIVATE KEY-----\\n" }}')],
    "genSignedCert": [shape('{{ $ca := genCA "ca" 5 }}{{ $c := genSignedCert "leaf" (list "127.0.0.1") (list "leaf.svc") 2 '
                            '$ca }}{{ $ca.Cert }}{{ $c.Cert }}', _certificates),
                      err('{{ genSignedCert "x" nil nil 1 (dict) }}'),
                      err('{{ genSignedCert "x" nil nil 1 (buildCustomCert "YQ==" "YQ==") }}')],
    "genSignedCertWithKey": [shape('{{ $ca := genCA "ca" 5 }}{{ $c := genSignedCertWithKey "leaf" nil (list "l") 2 $ca '
                                   '(genPrivateKey "ecdsa") }}{{ $ca.Cert }}{{ $c.Cert }}{{ $c.Key }}', _certificates),
                             err('{{ genSignedCertWithKey "x" nil nil 1 (genCA "ca" 1) "bad" }}')],
    "buildCustomCert": [ok('{{ $ca := genCA "x" 1 }}{{ $b := buildCustomCert ($ca.Cert | b64enc) ($ca.Key | b64enc) }}'
                           '{{ eq $b.Cert $ca.Cert }}-{{ eq $b.Key $ca.Key }}'),
                        err('{{ buildCustomCert "bad" "bad" }}'), err('{{ buildCustomCert "YQ==" "!!" }}'),
                        err('{{ buildCustomCert "YQ==" "YQ==" }}'), err('{{ buildCustomCert 1 2 }}'),
                        err('{{ $ca := genCA "x" 1 }}{{ buildCustomCert ($ca.Cert | b64enc) ("x" | b64enc) }}')],
    # Helm's own
    "include": [ok('{{ define "fn-t" }}[{{ . }}]{{ end }}{{ include "fn-t" 3 | upper }}'), err('{{ include "no-such" . }}'),
                err('{{ include 1 . }}'), err('{{ include "x" }}'),
                err('{{ define "fn-bad" }}{{ .x.y }}{{ end }}{{ include "fn-bad" 1 }}')],
    "tpl": [ok('{{ tpl "{{ .Values.s }}-{{ .Release.Name }}" . }}'), err('{{ tpl "{{ .Values.s.x.y }}" . }}'),
            err('{{ tpl "{{ include \\"nope\\" . }}" . }}'), err('{{ tpl 1 . }}'), err('{{ tpl "{{ .Values.s " . }}')],
    "required": [ok('{{ required "need s" .Values.s }}'), err('{{ required 1 "x" }}'), err('{{ required "need zz" .Values.zz }}'),
                 err('{{ required "m" "" }}')],
    "fail": [err('{{ fail "stop here" }}'), err('{{ fail 1 }}')],
    "lookup": [ok('{{ lookup "v1" "ConfigMap" "default" "x" }}|{{ lookup "v1" "Namespace" "" "" | len }}'),
               err('{{ lookup "v1" "Pod" "default" }}'), err('{{ lookup 1 2 3 4 }}')],
    "getHostByName": [ok('[{{ getHostByName "localhost" }}]'), err('{{ getHostByName 1 }}')],
}

"""Hostile inputs: the fixed list of attacks issue 15 names, and seeded mutations of real inputs.

Mutations start from the example stack and chart (examples/) and small conformance-corpus charts
(../shared/corpus), and produce stack files, values files, ``--set`` strings and charts (directories and
archives) that are broken in the ways real files break: cut short, lines lost or repeated, indentation
shifted, scalars replaced by hostile ones, aliases, deep nesting, bad bytes.
"""
from __future__ import annotations

import gzip
import io
import random
import tarfile
from dataclasses import dataclass
from pathlib import Path

from hostile.harness import ESCAPE_MARK, ROOT, Case

CORPUS = ROOT.parent / "shared" / "corpus" / "A"
SMALL_CORPUS_CHARTS = ("external-dns", "prometheus-blackbox-exporter", "kube-state-metrics")
EXAMPLE_CHART = ROOT / "examples" / "charts" / "demo"
EXAMPLE_STACK = ROOT / "examples" / "stacks" / "shop"
CHART_YAML = b"apiVersion: v2\nname: c\nversion: 0.1.0\n"
CONFIGMAP = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
STACK_HEAD = "apiVersion: pyhelm/v1\nname: s\nenvironments:\n  staging: {}\n"


@dataclass
class Attack:
    """A fixed attack: the input, and what pyhelm must answer (besides staying within the bounds)."""

    case: Case
    expect: str | None = None  # text the output must contain
    same_as_helm: bool = False  # helm's exit status and first Error line are the expected answer
    status: int = 1  # the exit status pyhelm must end with (when helm does not decide it)


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def chart(templates: dict[str, bytes] | None = None, chart_yaml: bytes = CHART_YAML, values: bytes | None = None,
          schema: bytes | None = None, name: str = "c") -> dict[str, bytes]:
    """The files of a small chart under ``name``/."""
    files = {f"{name}/Chart.yaml": chart_yaml}
    for path, text in (templates if templates is not None else {"cm.yaml": CONFIGMAP}).items():
        files[f"{name}/templates/{path}"] = text
    if values is not None:
        files[f"{name}/values.yaml"] = values
    if schema is not None:
        files[f"{name}/values.schema.json"] = schema
    return files


def tgz(members: list[tuple[str, bytes]]) -> bytes:
    """A gzipped tar of ``members`` (name, content) in order."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as compressed:
        with tarfile.open(fileobj=compressed, mode="w|") as archive:
            for name, data in members:
                info = tarfile.TarInfo(name)
                info.size, info.mtime = len(data), 0
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _template(name: str, extra: list[str], **files: bytes) -> Case:
    argv = ["template", "x", "c", *extra]
    return Case(name, "chart", chart(**files), argv, argv)


def _stack(name: str, text: str | bytes, environment: str = "staging") -> Case:
    data = text.encode() if isinstance(text, str) else text
    return Case(name, "stack", {"stack.yaml": data}, ["graph", "-f", "stack.yaml", "-e", environment])


def fixed_attacks() -> list[Attack]:
    """Every attack the issue names, as inputs with their expected answers."""
    deep = "[" * 100_000 + "]" * 100_000
    many_environments = STACK_HEAD + "".join(f"  e{i}: {{values: {{n: {i}}}}}\n" for i in range(100_000))
    duplicate = STACK_HEAD + "releases:\n  - {name: a, chart: ./c}\nreleases:\n  - {name: b, chart: ./c}\n"
    redos = b'{"properties": {"a": {"type": "string", "pattern": "^(a+)+$"}}}'
    return [
        Attack(_stack("stack-environments-list", "apiVersion: pyhelm/v1\nname: s\nenvironments: []\nreleases: []\n"),
               "environments: [] is not of type 'object'"),
        Attack(_stack("stack-environment-list", "apiVersion: pyhelm/v1\nname: s\nenvironments: {staging: [1]}\n"
                      "releases: []\n"), "environments.staging: [1] is not of type 'object'"),
        Attack(_stack("stack-not-a-mapping", "- 1\n- 2\n"), "a stack file must be a YAML mapping"),
        Attack(_stack("stack-recursive-alias", STACK_HEAD + "x: &a [*a]\nreleases: []\n"),
               "anchor 'a' value contains itself"),
        Attack(_stack("stack-deep-nesting", STACK_HEAD + f"x: {deep}\nreleases: []\n"), "exceeded max depth of 10000"),
        Attack(_stack("stack-billion-laughs", STACK_HEAD + billion_laughs() + "releases: []\n"),
               "document contains excessive aliasing"),
        Attack(_stack("stack-jinja-include", "{% include 'other.yaml' %}\n" + STACK_HEAD + "releases: []\n"),
               "cannot include, import or extend other files"),
        Attack(_stack("stack-jinja-division", STACK_HEAD + "x: {{ 1/0 }}\nreleases: []\n"),
               "stack.yaml:5: template error: division by zero"),
        Attack(_stack("stack-jinja-range", STACK_HEAD + "{% for i in range(10**9) %}{% endfor %}releases: []\n"),
               "Range too big"),
        Attack(_stack("stack-jinja-nested-loops", STACK_HEAD + "{% for i in range(100000) %}{% for j in "
                      "range(100000) %}{% endfor %}{% endfor %}releases: []\n"), "s of CPU time"),
        Attack(_stack("stack-jinja-huge-string", STACK_HEAD + "x: {{ 'a' * 10**10 }}\nreleases: []\n"),
               "would exceed the output limit"),
        Attack(_stack("stack-jinja-huge-power", STACK_HEAD + "x: {{ 2 ** 1000000000 }}\nreleases: []\n"), "is too large"),
        Attack(_stack("stack-jinja-recursive-macro", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"),
               "recursion too deep"),
        Attack(_stack("stack-jinja-toyaml", STACK_HEAD + "{% set text = env.values | toyaml %}releases: []\n"),
               status=0),
        Attack(_stack("stack-not-utf8", b"apiVersion: pyhelm/v1\nname: s\xff\xfe\nreleases: []\n"),
               "stack.yaml:2: not UTF-8 text"),
        Attack(_stack("stack-nul-in-path", 'apiVersion: pyhelm/v1\nname: s\nenvironments:\n  staging:\n'
                      '    valuesFiles: ["a\\0b.yaml"]\nreleases: []\n'), "contains a NUL character"),
        Attack(_stack("stack-huge-integer", STACK_HEAD + "x: " + "9" * 5000 + "\nreleases: []\n"),
               "an integer of more than 4300 digits"),
        Attack(_stack("stack-duplicate-key", duplicate), "stack.yaml:7: invalid YAML: key 'releases' is defined "
                                                         "twice in one mapping (first at line 5)"),
        Attack(_stack("stack-comments-20mb", ("#" + "x" * 79 + "\n") * (20 * 1024 * 1024 // 80)),
               "a stack file must be a YAML mapping"),
        Attack(_stack("stack-100k-environments", many_environments + "releases: []\n", "e5"), status=0),
        Attack(_template("chart-dependencies-number", [], chart_yaml=CHART_YAML + b"dependencies: 5\n"),
               same_as_helm=True),
        Attack(_template("chart-api-version-v3", [], chart_yaml=CHART_YAML.replace(b"v2", b"v3")),
               "invalid chart apiVersion", same_as_helm=True),
        Attack(_template("chart-huge-version", [], chart_yaml=CHART_YAML.replace(
            b"0.1.0", b"99999999999999999999999.0.0")), same_as_helm=True),
        Attack(_template("chart-alias-bomb", [], chart_yaml=CHART_YAML + billion_laughs().encode()),
               "document contains excessive aliasing", same_as_helm=True),
        Attack(_template("values-alias-bomb", [], values=billion_laughs().encode()),
               "document contains excessive aliasing", same_as_helm=True),
        Attack(_template("values-deep-nesting", [], values=f"a: {deep}\n".encode()), "exceeded max depth of 10000",
               same_as_helm=True),
        Attack(_template("values-recursive-alias", [], values=b"a: &x [1, *x]\n"), "value contains itself",
               same_as_helm=True),
        Attack(_template("schema-backtracking-pattern", [], values=b'a: "' + b"a" * 5000 + b'!"\n', schema=redos),
               "does not match pattern '^(a+)+$'", same_as_helm=True),
        Attack(_template("schema-invalid-pattern", [], values=b"a: x\n",
                         schema=b'{"properties": {"a": {"pattern": "(a"}}}'),
               "error parsing regexp: missing closing ): `(a`", same_as_helm=True),
        Attack(_template("template-fromyaml-alias-bomb", [], values=b"bomb: |\n" + b"".join(
            b"  " + line.encode() + b"\n" for line in billion_laughs().splitlines()),
            templates={"cm.yaml": b"error: {{ (fromYaml .Values.bomb).Error | quote }}\n"}),
            "document contains excessive aliasing", same_as_helm=True),
        Attack(_template("template-expression-depth", [], templates={
            "cm.yaml": b"{{ " + b"(" * 10001 + b"1" + b")" * 10001 + b" }}\n"}),
            "max expression depth exceeded", same_as_helm=True),
        Attack(_template("template-shuffle-20m", [], templates={
            "cm.yaml": b'n: {{ repeat 20000000 "a" | shuffle | len }}\n'}), "n: 20000000", same_as_helm=True),
        Attack(_template("template-invalid-regex", [], templates={
            "cm.yaml": b'{{ mustRegexMatch "(a" "x" }}\n'}), "error parsing regexp: missing closing ): `(a`",
            same_as_helm=True),
        Attack(_template("set-empty-key-part", ["--set", "a..b=1"]), 'key map "a" has no value', same_as_helm=True),
        Attack(_template("set-trailing-dot", ["--set", "a.=1"]), 'key map "a" has no value', same_as_helm=True),
        Attack(_template("set-json-nan", ["--set-json", "a=NaN"]), "failed parsing --set-json data a=NaN",
               same_as_helm=True),
        Attack(_template("set-json-out-of-range", ["--set-json", "a=1e999"]), "failed parsing --set-json data",
               same_as_helm=True),
        Attack(_template("set-huge-integer", ["--set", "a=" + "9" * 5000]), None, same_as_helm=True),
        Attack(Case("lint-bare-scalar", "lint", chart(templates={"x.yaml": b"hello\n"}), ["lint", "c"],
                    ["lint", "c"]), "cannot unmarshal string into Go value of type rules.k8sYamlStruct",
               same_as_helm=True),
        Attack(Case("lint-truncated-archive", "lint", {"c.tgz": tgz([(k, v) for k, v in chart().items()])[:60]},
                    ["lint", "c.tgz"], ["lint", "c.tgz"]), "Error unable to extract tarball", same_as_helm=True),
        Attack(Case("archive-escaping-member", "chart", {"c.tgz": tgz([
            ("c/Chart.yaml", CHART_YAML), (f"c/../../{ESCAPE_MARK}-archive-escaping-member", b"x")])},
            ["template", "x", "c.tgz"], ["template", "x", "c.tgz"]),
            "chart illegally references parent directory"),
    ]


# -- mutations ---------------------------------------------------------------------------------------
HOSTILE_SCALARS = ["~", "[]", "{}", "*nothere", "&a x", "!!binary zz==", "1e999", "0x", '"\\0"', "9" * 400,
                   "<<: 5", "- x", "\t", "{a: [", "'", "!!int x", "? x", "&a [*a]", "-9" * 30, ".nan", "2001-12-14",
                   "{{ x }}", "%TAG", "---", "...", "|\n  x", ">-", "yes", "0o19", "1_000", "\ufeff", "\x85"]


def mutate_text(text: str, rng: random.Random) -> str:
    """Break ``text`` in one to three ways."""
    for _ in range(rng.randint(1, 3)):
        text = rng.choice(_MUTATIONS)(text, rng)
    return text


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def _cut(text: str, rng: random.Random) -> str:
    return text[:rng.randint(0, len(text))]


def _drop_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def _repeat_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines.insert(index, lines[index])
    return "".join(lines)


def _shift_line(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines[index] = rng.choice([" ", "  ", "\t", ""]) + lines[index].lstrip(" " if rng.random() < 0.5 else "")
    return "".join(lines)


def _hostile_scalar(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    line = lines[index]
    if ":" in line:
        key = line.split(":", 1)[0]
        lines[index] = f"{key}: {rng.choice(HOSTILE_SCALARS)}\n"
    else:
        lines[index] = rng.choice(HOSTILE_SCALARS) + "\n"
    return "".join(lines)


def _insert_bytes(text: str, rng: random.Random) -> str:
    at = rng.randint(0, len(text))
    return text[:at] + rng.choice(["\x00", "\x07", "\ud800", "\u2028", ":", "#", "{", "}", "[", "]", "&", "*", '"',
                                   "'", "|", ">", "%", "@", "`", "\r"]) + text[at:]


def _nest(text: str, rng: random.Random) -> str:
    depth = rng.choice([50, 2000, 12000])
    return text + f"\nnested{rng.randrange(99)}: " + "[" * depth + "]" * depth + "\n"


def _alias_bomb(text: str, rng: random.Random) -> str:
    return text + "\n" + billion_laughs(rng.choice([3, 5, 9]))


_MUTATIONS = [_cut, _drop_line, _repeat_line, _shift_line, _hostile_scalar, _hostile_scalar, _insert_bytes,
              _nest, _alias_bomb]

SET_KEYS = ["a", "a.b", "a..b", "a.", ".a", "a[0]", "a[-1]", "a[65537]", "a[x]", "a[0].b", "a\\.b", "a[0][1]",
            "", "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.cc.dd.ee", "a]", "a[", "=", "a,b"]
SET_VALUES = ["1", "", "true", "null", "{a,b}", "{a", "x,y=2", "\\,", "9" * 30, "1e999", "0", "-0", "007",
              '"q"', "a=b", "[1]", "NaN", "{}", "{,}"]
JSON_VALUES = ["1", "NaN", "Infinity", "-Infinity", "1e999", "[1,2", '{"a":1}', '"s"', "null", "tru", "[]",
               "1e308", "0x10", "01", "{}", " 1", "[" * 50 + "]" * 50]


def random_set(rng: random.Random) -> tuple[str, str]:
    """A ``--set``-family flag and its argument, made of keys and values of every grammatical shape."""
    flag = rng.choice(["--set", "--set", "--set-string", "--set-json"])
    values = JSON_VALUES if flag == "--set-json" else SET_VALUES
    parts = [f"{rng.choice(SET_KEYS)}={rng.choice(values)}" for _ in range(rng.randint(1, 3))]
    text = ",".join(parts)
    if rng.random() < 0.2:
        text = text[:rng.randint(0, len(text))]
    return flag, text


def _chart_files(source: Path, name: str) -> dict[str, bytes]:
    """The files of a chart folder under ``name``/ (without its README and CI files: they change nothing)."""
    files = {}
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and relative.parts[0] not in ("ci", "unittests") and not path.name.startswith("README"):
            files[f"{name}/{relative.as_posix()}"] = path.read_bytes()
    return files


def _sources() -> list[Path]:
    return [EXAMPLE_CHART, *(CORPUS / name for name in SMALL_CORPUS_CHARTS if (CORPUS / name).is_dir())]


def mutated_cases(seed: int, count: int) -> list[Case]:
    """``count`` seeded inputs: a quarter each of stack files, values files, --set strings and charts."""
    rng = random.Random(seed)
    sources = [(path, _chart_files(path, "c")) for path in _sources()]
    stack_text = (EXAMPLE_STACK / "stack.yaml").read_text()
    stack_files = {f"values/{p.name}": p.read_bytes() for p in (EXAMPLE_STACK / "values").iterdir()}
    demo = _chart_files(EXAMPLE_CHART, "charts/demo")
    cases = []
    for index in range(count):
        kind = ("stack", "values", "set", "chart")[index % 4]
        name = f"fuzz-{index:04d}-{kind}"
        if kind == "stack":
            text = mutate_text(stack_text, rng).replace("../../charts/demo", "./charts/demo")
            files = {"stack.yaml": text.encode("utf-8", "surrogatepass"), **stack_files, **demo}
            environment = rng.choice(["dev", "staging", "prod", "nowhere"])
            cases.append(Case(name, kind, files, ["graph", "-f", "stack.yaml", "-e", environment]))
            continue
        _source, files = rng.choice(sources)
        files = dict(files)
        argv = ["template", "x", "c"]
        if kind == "values":
            original = files.get("c/values.yaml", b"a: 1\n").decode("utf-8", "replace")
            files["user-values.yaml"] = mutate_text(original, rng).encode("utf-8", "surrogatepass")
            argv += ["-f", "user-values.yaml"]
        elif kind == "set":
            for _ in range(rng.randint(1, 2)):
                argv += list(random_set(rng))
        else:
            argv = _mutate_chart(files, rng, argv)
        cases.append(Case(name, kind, files, argv, argv))
    return cases


def _mutate_chart(files: dict[str, bytes], rng: random.Random, argv: list[str]) -> list[str]:
    """Break one part of the chart in ``files`` (in place); returns the command to run on it."""
    choice = rng.random()
    if choice < 0.3:
        target = "c/Chart.yaml"
    elif choice < 0.5 and "c/values.schema.json" in files:
        target = "c/values.schema.json"
    elif choice < 0.7:
        target = "c/values.yaml"
    elif choice < 0.85:
        target = rng.choice(sorted(name for name in files if name.startswith("c/templates/")))
    else:
        archive = tgz(sorted(files.items()))
        cut = rng.choice([len(archive) // 2, len(archive) - 10, 30])
        archive = archive[:cut] if rng.random() < 0.6 else archive[:cut] + bytes([rng.randrange(256)]) + archive[cut:]
        files.clear()
        files["c.tgz"] = archive
        return ["lint", "c.tgz"] if rng.random() < 0.3 else ["template", "x", "c.tgz"]
    original = files.get(target, b"").decode("utf-8", "replace")
    if target.endswith(".json"):
        files[target] = _mutate_json(original, rng).encode()
    else:
        files[target] = mutate_text(original, rng).encode("utf-8", "surrogatepass")
    if rng.random() < 0.25:
        return ["lint", "c"]
    return argv


def _mutate_json(text: str, rng: random.Random) -> str:
    hostile = ['"pattern": "^(a+)+$"', '"pattern": "(a"', '"pattern": "\\\\p{Greek}"', '"type": 5',
               '"$ref": "#/nowhere"', '"patternProperties": {"(b": {}}', '"minimum": 1e999', '"enum": []']
    at = text.find("{")
    if at < 0 or rng.random() < 0.3:
        return text[:rng.randint(0, len(text))]
    return text[:at + 1] + rng.choice(hostile) + "," + text[at + 1:]

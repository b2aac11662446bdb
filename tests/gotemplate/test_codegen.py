"""Generated template code where Python's own limits or scoping differ from Go's: nesting deeper than
Python's compiler takes, break/continue and variables across such depths, variables of a branch that did
not run, and method arguments that declare variables."""
from __future__ import annotations

import pytest

from engine.gotemplate.errors import TemplateError
from engine.gotemplate.gotypes import GoStruct
from engine.gotemplate.template_set import TemplateSet


@pytest.fixture(autouse=True)
def no_disk_cache(monkeypatch):
    from engine.gotemplate import code_cache

    monkeypatch.setenv("PYHELM_NO_TEMPLATE_CACHE", "1")
    code_cache.STORE.reset()
    yield
    code_cache.STORE.reset()


def _render(text: str, data=None) -> str:
    templates = TemplateSet()
    templates.parse("t", text)
    return templates.execute("t", data)


@pytest.mark.parametrize("depth", [5, 150])
def test_break_and_assignments_reach_through_any_depth_of_ifs(depth):
    text = ("{{ $last := -1 }}{{ range $i := . }}" + "{{ if true }}" * depth
            + "{{ if eq $i 2 }}{{ break }}{{ end }}{{ $last = $i }}{{ $i }}" + "{{ end }}" * depth
            + "{{ end }}|{{ $last }}")
    assert _render(text, [0, 1, 2, 3]) == "01|1"


@pytest.mark.parametrize("depth", [3, 25, 60])
def test_continue_in_many_nested_ranges(depth):
    text = "{{ range 2 }}" * 3 + "{{ range 1 }}" * depth + "x{{ continue }}y" + "{{ end }}" * (depth + 3)
    assert _render(text) == "x" * 8


def test_deep_nesting_keeps_dot_and_else_branches():
    depth = 120
    text = "{{ with .a }}" * depth + "{{ .b }}{{ if .missing }}no{{ else }}-else{{ end }}" + "{{ end }}" * depth
    data: dict = {"b": "leaf"}
    for _ in range(depth):
        data = {"a": data, "b": "leaf"}
    assert _render(text, data) == "leaf-else"


def test_a_variable_of_a_branch_that_did_not_run_is_undefined():
    with pytest.raises(TemplateError, match=r"undefined variable: \$y"):
        _render("{{ if .a }}{{ $y := 1 }}{{ else }}{{ $y }}{{ end }}", {"a": False})
    assert _render("{{ $y := 0 }}{{ if .a }}{{ $y := 1 }}{{ else }}{{ $y }}{{ end }}", {"a": False}) == "0"


class _Echo(GoStruct):
    go_type = "*test.Echo"
    go_methods = {"Echo": ("string",)}

    def Echo(self, text: str) -> str:
        return f"<{text}>"


@pytest.mark.parametrize("text, expected", [
    ('{{ .S.Echo (printf "%s-%d" "a" 1) }}', "<a-1>"),
    ('{{ .S.Echo ($p := "z") }}{{ $p }}', "<z>z"),
    ('{{ $q := "w" }}{{ .S.Echo ($q = "y") }}{{ $q }}', "<y>y"),
    ('{{ $s := .S }}{{ $s.Echo .n }}', "<N>"),  # arguments see the template's dot, not the receiver
    ('{{ (.S).Echo .n }}', "<N>"),
])
def test_method_arguments_are_evaluated_in_the_template_scope(text, expected):
    assert _render(text, {"S": _Echo(), "n": "N"}) == expected

"""Go template errors reworded as Helm does (messages taken from helm v4.1.4)."""
from __future__ import annotations

from engine.render.errors import exec_error_message, parse_error_message


def test_fail_inside_nested_includes_reports_the_outermost_location() -> None:
    raw = ('template: e/templates/a.yaml:1:3: executing "e/templates/a.yaml" at <include "inner" .>: error calling '
           'include: template: e/templates/_h.tpl:1:30: executing "inner" at <include "deeper" .>: error calling '
           'include: template: e/templates/_h.tpl:1:60: executing "deeper" at <fail "boom">: error calling fail: '
           'HELM_ERR_STARTboomHELM_ERR_END')
    assert exec_error_message("e/templates/a.yaml", raw) == "execution error at (e/templates/a.yaml:1:3): boom"


def test_nil_pointer_through_include_becomes_a_trace() -> None:
    raw = ('template: e/templates/a.yaml:1:3: executing "e/templates/a.yaml" at <include "inner" .>: error calling '
           'include: template: e/templates/_h.tpl:1:30: executing "inner" at <.Values.a.b>: nil pointer evaluating '
           'interface {}.b')
    assert exec_error_message("e/templates/a.yaml", raw) == (
        'e/templates/a.yaml:1:3\n  executing "e/templates/a.yaml" at <include "inner" .>:\n'
        '    error calling include:\ne/templates/_h.tpl:1:30\n  executing "inner" at <.Values.a.b>:\n'
        '    nil pointer evaluating interface {}.b')


def test_plain_function_errors_keep_go_wording() -> None:
    raw = ('template: e/templates/a.yaml:1:3: executing "e/templates/a.yaml" at <include "inner" .>: error calling '
           'include: template: e/templates/_h.tpl:1:23: executing "inner" at <index (list 1) 5>: error calling '
           'index: index out of range: 5')
    assert exec_error_message("e/templates/a.yaml", raw) == raw


def test_parse_errors_keep_location_and_last_message() -> None:
    raw = 'template: e/templates/a.yaml:1: function "nope" not defined'
    assert parse_error_message("e/templates/a.yaml", raw) == \
        'parse error at (e/templates/a.yaml:1): function "nope" not defined'

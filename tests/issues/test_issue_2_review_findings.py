"""Regressions for findings of the documentation review of the language (issue 2/3)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import routing

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _rules(when: str, fields: str = "") -> routing.Ruleset:
    return routing.loads(
        f"""
version: 1
{fields}
stages:
  - name: s
    mode: all
    rules:
      - name: r
        when: '{when}'
        then: [{{tag: hit}}]
"""
    )


def test_unknown_function_is_a_diagnostic_not_a_crash():
    """`foo(1)` is reported as name/unknown-function; the checker does not raise KeyError."""
    with pytest.raises(routing.RuleError) as caught:
        _rules("foo(1)")
    assert [(d.code, d.message) for d in caught.value.diagnostics] == [
        ("name/unknown-function", "unknown function 'foo'")
    ]


LIST_EQUALITY = (
    ("tags == []", [], True),
    ("tags == []", ["a"], False),
    ('tags == ["a"]', ["a"], True),
    ('tags == ["A", "b"]', ["b", "a"], True),
    ('tags != ["a"]', ["a"], False),
    ('fields.tiers == ["x", "y"]', None, True),
    ('fields.tiers == ["y", "x"]', None, False),
)


@pytest.mark.parametrize(
    ("when", "tags", "fires"), LIST_EQUALITY, ids=[c[0] for c in LIST_EQUALITY]
)
def test_whole_list_equality(when, tags, fires):
    """`==` on lists compares the items (tags as a set, other lists in order)."""
    rules = _rules(when, "fields: {tiers: {type: list}}")
    ticket = {"id": "T", "tags": tags or [], "fields": {"tiers": ["x", "y"]}}
    assert rules.evaluate(ticket, now=NOW).fired == (("r",) if fires else ())


def test_explain_records_the_text_a_test_reads():
    """explain shows the value of `text` in `text mentions "refund"`, not 'not evaluated'."""
    rules = _rules('text mentions "refund"')
    trace = rules.explain({"id": "T", "subject": "Refund"}, now=NOW).trace
    assert trace[0].tests == (('text mentions "refund"', True), ("text", "Refund\n"))


def test_null_in_an_error_message_is_written_null():
    """Run-time errors show values as the rule language writes them."""
    rules = _rules("hour(now, requester.timezone) > 8")
    errors = rules.evaluate({"id": "T"}, now=NOW).errors
    assert [(e.code, e.message) for e in errors] == [
        ("eval/type-error", "expected a time zone name, found null")
    ]


def test_reply_to_a_ticket_without_subject_names_the_ticket():
    """A reply's subject is never the bare 'Re: '."""
    rules = routing.loads(
        """
version: 1
templates: {ack: "Thanks"}
stages:
  - name: replies
    mode: all
    rules:
      - name: ack
        when: "true"
        then: [{reply: ack}]
"""
    )
    ticket = {"id": "T-9", "requester": {"email": "a@example.com"}}
    effects = rules.evaluate(ticket, now=NOW).to_dict()["effects"]
    assert [(e["subject"], e["to"], e["body"]) for e in effects] == [
        ("Re: ticket T-9", "a@example.com", "Thanks")
    ]

"""`define_reads`: what the defines read that an action may write (docs/decisions/0027)."""

from __future__ import annotations

import routing
from routing.compiler.compiler import define_reads

_HEAD = """version: 1
fields:
  plan: {type: enum, values: [free, pro]}
  mrr: {type: number}
"""
_STAGES = "stages: [{name: s, mode: all, rules: [{name: r, when: 'true', then: [{tag: t}]}]}]\n"


def _reads(defines: str) -> frozenset[str] | None:
    return define_reads(routing.loads(_HEAD + "define:\n" + defines + _STAGES).checked)


def test_ticket_data_is_read_by_no_write() -> None:
    assert (
        _reads(
            "  a: requester.domain == 'x.test' and text contains 'hi'\n"
            "  b: channel == 'email' or headers['x-loop'] == 'y' or hour(created_at, 'UTC') > 3\n"
        )
        == frozenset()
    )


def test_the_writable_fields_and_custom_fields_a_define_reads() -> None:
    assert _reads(
        "  a: fields.mrr > 100 or tags has 'vip'\n"
        "  b: a and priority >= 'high' and not spam\n"
        "  c: queue == 'x' or status == 'open' or assignee == 'ann' or spam_score > 1\n"
    ) == frozenset(
        {"fields.mrr", "tags", "priority", "spam", "queue", "status", "assignee", "spam_score"}
    )


def test_no_defines_read_nothing() -> None:
    assert define_reads(routing.loads(_HEAD + _STAGES).checked) == frozenset()

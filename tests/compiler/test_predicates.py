"""Compiled predicates: text tests, list tests, emptiness, null ordering and define caching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

import routing
from routing.compiler.predicates import mentions

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
HEAD = """\
version: 1
fields:
  mrr: {type: number}
  note: {type: string}
  renew: {type: datetime}
lists:
  words: [refund, "money back"]
stages:
  - name: s
    mode: all
    rules:
      - name: r
        when: 'WHEN'
        then: [{tag: hit}]
"""


def _outcome(when: str, ticket: dict[str, Any]) -> tuple[bool, list[str]]:
    """Whether rule r fired, and the codes of the errors of the decision."""
    rules = routing.loads(HEAD.replace("WHEN", when))
    decision = rules.evaluate({"id": "T-1", **ticket}, now=NOW)
    return decision.fired == ("r",), [e.code for e in decision.errors]


@dataclass(frozen=True)
class MentionCase:
    note: str
    haystack: str
    needle: str
    found: bool


MENTIONS = (
    MentionCase("a word at the start", "refund please", "refund", True),
    MentionCase("a word at the end", "please refund", "refund", True),
    MentionCase("the whole text", "refund", "refund", True),
    MentionCase("a suffix makes another word", "refunded", "refund", False),
    MentionCase("a prefix makes another word", "xrefund", "refund", False),
    MentionCase("a digit joins the word", "refund2", "refund", False),
    MentionCase("an underscore joins the word", "refund_x", "refund", False),
    MentionCase("a Unicode letter joins the word", "érefund", "refund", False),
    MentionCase("a Unicode letter after joins the word", "refundé", "refund", False),
    MentionCase("a CJK letter joins the word", "返金refund", "refund", False),
    MentionCase("an apostrophe ends the word", "refund's", "refund", True),
    MentionCase("punctuation ends the word", "(refund).", "refund", True),
    MentionCase("a hyphen ends the word", "x-refund-y", "refund", True),
    MentionCase("a later whole match counts", "refunded, refund", "refund", True),
    MentionCase("an empty needle mentions nothing", "refund", "", False),
)


@pytest.mark.parametrize("case", MENTIONS, ids=[c.note for c in MENTIONS])
def test_mentions_needs_a_whole_word(case: MentionCase) -> None:
    """`mentions` on folded text: a match needs a non-word character (or an end) each side."""
    assert mentions(case.haystack, case.needle) is case.found


@dataclass(frozen=True)
class Case:
    note: str
    when: str
    ticket: dict[str, Any]
    want: tuple[bool, list[str]]


FIRES = (True, [])
NOT = (False, [])
CASES = (
    # ------------------------------------------------------------------ mentions
    Case("mentions ignores case", 'text mentions "refund"', {"subject": "Refund please"}, FIRES),
    Case("mentions refund's", 'text mentions "refund"', {"subject": "the refund's status"}, FIRES),
    Case("mentions not refunded", 'text mentions "refund"', {"subject": "refunded"}, NOT),
    Case(
        "a phrase across a newline and tab",
        'text mentions "money back"',
        {"body": "my money\n\t  back please"},
        FIRES,
    ),
    Case(
        "a phrase across subject and body lines",
        'text mentions "money back"',
        {"subject": "money", "body": "back"},
        FIRES,
    ),
    Case("casefold ß in the text", 'text mentions "strasse"', {"subject": "STRAßE"}, FIRES),
    Case("casefold ß in the needle", 'text mentions "straße"', {"subject": "Strasse"}, FIRES),
    Case(
        "mentions any of a $list",
        "text mentions any of $words",
        {"body": "MONEY  BACK now"},
        FIRES,
    ),
    Case(
        "mentions all of needs every item",
        "text mentions all of $words",
        {"body": "money back"},
        NOT,
    ),
    Case(
        "mentions all of with every item",
        "text mentions all of $words",
        {"body": "refund, money back"},
        FIRES,
    ),
    # ------------------------------------------------------------------ contains
    Case("contains is a substring test", 'subject contains "fund"', {"subject": "Refunded"}, FIRES),
    Case("contains casefolds", 'subject contains "STRASSE"', {"subject": "straße"}, FIRES),
    Case("contains any of", 'subject contains any of ["x", "Y"]', {"subject": "aya"}, FIRES),
    Case(
        "contains all of, one missing", 'subject contains all of ["x", "Y"]', {"subject": "ay"}, NOT
    ),
    Case("contains all of", 'subject contains all of ["a", "Y"]', {"subject": "ay"}, FIRES),
    Case("contains any of nothing", "subject contains any of []", {"subject": "a"}, NOT),
    Case("contains all of nothing", "subject contains all of []", {"subject": "a"}, FIRES),
    Case("contains on a missing header", 'headers["X-A"] contains "a"', {}, NOT),
    # ------------------------------------------------------------------ has on tags
    Case("has ignores the needle's case", 'tags has "VIP"', {"tags": ["vip"]}, FIRES),
    Case("has ignores the tag's case", 'tags has "vip"', {"tags": ["VIP"]}, FIRES),
    Case("has strips the needle", 'tags has " vip "', {"tags": ["vip"]}, FIRES),
    Case("has any of", 'tags has any of ["VIP", "x"]', {"tags": ["vip"]}, FIRES),
    Case("has any of, none there", 'tags has any of ["a", "b"]', {"tags": ["vip"]}, NOT),
    Case("has all of", 'tags has all of ["VIP", "X"]', {"tags": ["vip", "x"]}, FIRES),
    Case("has all of, one missing", 'tags has all of ["vip", "x"]', {"tags": ["vip"]}, NOT),
    Case("has none of, one there", 'tags has none of ["VIP"]', {"tags": ["vip"]}, NOT),
    Case("has none of", 'tags has none of ["a"]', {"tags": ["vip"]}, FIRES),
    Case("has on no tags", 'tags has "a"', {}, NOT),
    # ------------------------------------------------------------------ is empty
    Case("a null field is empty", "fields.note is empty", {"fields": {"note": None}}, FIRES),
    Case("an empty string is empty", "fields.note is empty", {"fields": {"note": ""}}, FIRES),
    Case("a string is not empty", "fields.note is not empty", {"fields": {"note": "x"}}, FIRES),
    Case("no tags is empty", "tags is empty", {"tags": []}, FIRES),
    Case("a missing header is empty", 'headers["X-Loop"] is empty', {}, FIRES),
    Case(
        "a present header, any case",
        'headers["x-loop"] is not empty',
        {"headers": {"X-Loop": "1"}},
        FIRES,
    ),
    Case(
        "a missing custom field is an error, not empty",
        "fields.note is empty",
        {"fields": {}},
        (False, ["eval/missing-field"]),
    ),
    # ------------------------------------------------------------------ null ordering
    Case(
        "ordering a null number is an error",
        "fields.mrr > 3",
        {"fields": {"mrr": None}},
        (False, ["eval/type-error"]),
    ),
    Case(
        "ordering a null datetime is an error",
        "fields.renew < now",
        {"fields": {"renew": None}},
        (False, ["eval/type-error"]),
    ),
    Case("== null is fine", "fields.mrr == null", {"fields": {"mrr": None}}, FIRES),
    Case(
        "or absorbs an error when the other side is true",
        "fields.mrr > 3 or true",
        {"fields": {"mrr": None}},
        FIRES,
    ),
    Case(
        "and absorbs an error when the other side is false",
        "fields.mrr > 3 and false",
        {"fields": {"mrr": None}},
        NOT,
    ),
    Case(
        "not keeps the error",
        "not (fields.mrr > 3)",
        {"fields": {"mrr": None}},
        (False, ["eval/type-error"]),
    ),
    Case("priorities compare by rank", 'priority > "normal"', {"priority": "high"}, FIRES),
    Case("priority rank, not text order", 'priority >= "normal"', {"priority": "low"}, NOT),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_predicate_outcome(case: Case) -> None:
    """Each test evaluates as DESIGN.md section 5 says; run-time errors do not fire the rule."""
    assert _outcome(case.when, case.ticket) == case.want


DEFINES = """\
version: 1
fields:
  plan: {type: enum, values: [free, pro]}
queues: [a, b]
define:
  high: priority == "high"
  pro: fields.plan == "pro"
  in_a: queue == "a"
  tagged: tags has "x"
  open_: status == "open"
stages:
  - name: one
    mode: all
    rules:
      - {name: before, when: "not high and not pro and not in_a and not tagged", then: []}
      - name: setter
        when: "true"
        then: [{priority: high}, {set: {fields.plan: pro, status: open}}, {route: a}, {tag: x}]
      - {name: after-high, when: high, then: []}
      - {name: after-pro, when: pro, then: []}
      - {name: after-in-a, when: in_a, then: []}
      - {name: after-tagged, when: tagged, then: []}
  - name: two
    mode: first
    rules:
      - {name: next-stage, when: "high and open_", then: []}
"""
ALL_FIRED = (
    "before",
    "setter",
    "after-high",
    "after-pro",
    "after-in-a",
    "after-tagged",
    "next-stage",
)


@pytest.mark.parametrize("explain", [False, True], ids=["evaluate", "explain"])
def test_a_define_sees_the_actions_before_it(explain: bool) -> None:
    """A define used before and after an action that changes its inputs is re-evaluated."""
    rules = routing.loads(DEFINES)
    ticket = {"id": "T-1", "fields": {"plan": "free"}}
    run = rules.explain if explain else rules.evaluate
    decision = run(ticket, now=NOW)
    assert (decision.fired, decision.errors) == (ALL_FIRED, ())

"""The rule index (`routing.compiler.index`) changes no decision.

- Differential: indexed == unindexed on ``to_dict(trace=True)``, with and without a trace, on
  the conformance corpus, on generated rule sets (`benchmarks/workload.py`) with their own
  tickets and with Hypothesis tickets, and on rule sets that write the fields they test;
  indexed == the reference evaluator (`tests/oracle.py`) on generated tickets.
- Guards: which atoms a condition's guard holds, for the shapes the index reads, and none
  where a guard would be unsound (an ``or`` with an unguardable side, an ``and`` operand
  after one that may raise past it, a write earlier in a ``mode: all`` stage).
- The step budget counts the rules the index skips, so an over-budget ticket is decided
  the same either way; the explain plan has no index.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.oracle import compare_keys, engine_view, run_oracle
from tests.test_cases import CASES, Case, _agents, _history, _now

import routing
from routing.compiler import predicates
from routing.compiler.index import guard_of, regex_guard
from routing.compiler.state import State
from routing.engine.pipeline import run
from routing.model.ticket import Ticket

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.fromisoformat("2026-11-23T10:00:00+00:00")


def _load_workload() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_workload", ROOT / "benchmarks" / "workload.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


wl = _load_workload()


def _both(rules: str) -> tuple[routing.Ruleset, routing.Ruleset]:
    return routing.loads(rules), routing.loads(rules, index=False)


def _decide(ruleset: routing.Ruleset, ticket: Any, trace: bool, **kw: Any) -> dict[str, Any]:
    return ruleset.evaluate(ticket, kw.pop("now", NOW), trace=trace, **kw).to_dict(trace=True)


# ---------------------------------------------------------------------------- corpus


@pytest.mark.parametrize("case", [c for c in CASES if "want" in c.spec], ids=lambda c: c.id)
def test_corpus_indexed_equals_unindexed(case: Case) -> None:
    """Every conformance case: the whole decision, trace included, with and without a trace."""
    indexed, unindexed = _both(case.rules)
    assert (indexed.indexed, unindexed.indexed) == (True, False)
    spec = case.spec
    kw = {
        "now": _now(spec),
        "event": spec.get("event", "created"),
        "history": _history(spec),
        "agents": _agents(spec),
    }
    ticket = spec.get("ticket", {"id": "T1"})
    for trace in (False, True):
        assert _decide(indexed, ticket, trace, **kw) == _decide(unindexed, ticket, trace, **kw)


# ---------------------------------------------------------------------------- workload


@cache
def _workload(n_rules: int, seed: int) -> tuple[routing.Ruleset, routing.Ruleset, Any]:
    w = wl.make_workload(n_rules, 60, seed)
    indexed, unindexed = _both(wl.routing_yaml(w.rules, w.lists))
    return indexed, unindexed, w


@pytest.mark.parametrize(("n_rules", "seed"), [(10, 1), (300, 0), (1000, 2)])
def test_workload_indexed_equals_unindexed(n_rules: int, seed: int) -> None:
    """Generated rule sets on their own tickets: equal decisions, and the index both visits
    fewer rules than there are and is not vacuous (rules do fire)."""
    indexed, unindexed, w = _workload(n_rules, seed)
    fired = 0
    for ticket in w.tickets:
        for trace in (False, True):
            got = _decide(indexed, ticket, trace)
            assert got == _decide(unindexed, ticket, trace)
        fired += len(got["fired"])
    assert fired > 0


_WORDS = ("refund", "invoice", "order", "po", "error 404", "KROA-1234", "Passwort", "ß", "İ")


@st.composite
def _tickets(draw: st.DrawFn) -> dict[str, Any]:
    base: dict[str, Any] = dict(draw(st.sampled_from(_workload(300, 0)[2].tickets)))
    pieces = st.lists(st.sampled_from(_WORDS) | st.text(max_size=6), max_size=6)
    base["subject"] = " ".join(draw(pieces))
    base["body"] = "\n".join(draw(pieces))
    base["tags"] = draw(st.lists(st.sampled_from(("vip", "trial", "spam", "security")), max_size=3))
    base["channel"] = draw(st.sampled_from(("email", "chat", "phone", "web", "social", "api")))
    fields = dict(base.get("fields", {}))
    if draw(st.booleans()):
        fields.pop("plan", None)  # a missing custom field is an error where it is read
    base["fields"] = fields
    return base


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ticket=_tickets())
def test_hypothesis_tickets_indexed_equals_unindexed_and_oracle(ticket: dict[str, Any]) -> None:
    """Random tickets on a generated rule set: indexed == unindexed == reference evaluator."""
    indexed, unindexed, _ = _workload(300, 0)
    got = _decide(indexed, ticket, True)
    assert got == _decide(unindexed, ticket, True)
    assert _decide(indexed, ticket, False) == _decide(unindexed, ticket, False)
    result = run_oracle(indexed.checked, Ticket.from_dict(ticket), NOW)
    mine, theirs = compare_keys(result, engine_view(got))
    assert mine == theirs


# ---------------------------------------------------------------------------- writes

WRITERS = """
version: 1
fields:
  plan: {type: enum, values: [free, pro]}
queues: [billing, tech]
stages:
  - name: first
    mode: all
    rules:
      - name: tag vip
        when: requester.domain == "big.com"
        then: [{tag: vip}, {route: billing}, {set: {fields.plan: pro}}, {priority: high}]
      - name: vip seen
        when: tags has "vip"
        then: [{tag: seen}]
      - name: billing seen
        when: queue == "billing"
        then: [{tag: billing-seen}]
      - name: pro seen
        when: fields.plan == "pro" and text contains "help"
        then: [{tag: pro-seen}]
      - name: high seen
        when: priority >= "high"
        then: [{tag: high-seen}]
  - name: later
    mode: first
    rules:
      - name: untag
        when: tags has "seen"
        then: [{untag: seen}, {route: tech}]
      - name: after untag
        when: tags has "seen" or queue == "tech"
        then: [{tag: never}]
      - name: billing
        when: queue == "billing"
        then: [{tag: billing-later}]
"""


@pytest.mark.parametrize(
    ("ticket", "fired"),
    [
        (
            {"id": "1", "subject": "help", "requester": {"email": "a@big.com"}},
            ["tag vip", "vip seen", "billing seen", "pro seen", "high seen", "untag"],
        ),
        ({"id": "2", "subject": "help", "requester": {"email": "a@small.com"}}, []),
        (
            {"id": "3", "subject": "x", "tags": ["seen"], "queue": "billing"},
            ["billing seen", "untag"],
        ),
    ],
)
def test_fields_written_by_earlier_rules(ticket: dict[str, Any], fired: list[str]) -> None:
    """A rule sees what earlier rules wrote (tags, queue, custom fields, priority), in the
    same `all` stage and in later stages, with the index as without it."""
    indexed, unindexed = _both(WRITERS)
    got = _decide(indexed, ticket, False)
    assert got["fired"] == fired
    assert got == _decide(unindexed, ticket, False)
    assert _decide(indexed, ticket, True) == _decide(unindexed, ticket, True)


# ---------------------------------------------------------------------------- guards

GUARD_PREAMBLE = """
version: 1
fields:
  plan: {type: enum, values: [free, pro]}
  mrr: {type: number}
  langs: {type: list}
  due: {type: datetime}
lists:
  vips: [a.com, b.com]
  words: [Refund, "Money  Back"]
define:
  vip: requester.domain in $vips
"""


@dataclass(frozen=True)
class GuardCase:
    note: str
    when: str
    atoms: frozenset[tuple[Any, ...]] | None


GUARD_CASES = (
    GuardCase("equality", 'channel == "email"', frozenset({("eq", "channel", "email")})),
    GuardCase("literal first", '"chat" == channel', frozenset({("eq", "channel", "chat")})),
    GuardCase(
        "not equal over an enum",
        'status != "new"',
        frozenset(("eq", "status", s) for s in ("open", "pending", "on_hold", "solved", "closed")),
    ),
    GuardCase("not equal over a string", 'queue != "x"', None),
    GuardCase(
        "membership in a list",
        "requester.domain in $vips",
        frozenset({("eq", "requester.domain", "a.com"), ("eq", "requester.domain", "b.com")}),
    ),
    GuardCase(
        "negated membership over an enum",
        'not (fields.plan in ["free"])',
        frozenset({("eq", "fields.plan", "pro"), ("eq", "fields.plan", None)}),
    ),
    GuardCase(
        "priority order",
        'priority >= "high"',
        frozenset({("eq", "priority", "high"), ("eq", "priority", "urgent")}),
    ),
    GuardCase("custom number order", "fields.mrr > 3", None),
    GuardCase("tag", 'tags has "VIP "', frozenset({("tag", "vip")})),
    GuardCase("tag any", 'tags has any of ["a", "b"]', frozenset({("tag", "a"), ("tag", "b")})),
    GuardCase("tag all picks one", 'tags has all of ["b", "a"]', frozenset({("tag", "a")})),
    GuardCase("tag none", 'tags has none of ["a"]', None),
    GuardCase("not a tag", 'not (tags has "a")', None),
    GuardCase("contains folds", 'subject contains "Straße"', frozenset({("word", "strasse")})),
    GuardCase("contains empty", 'body contains ""', None),
    GuardCase(
        "contains any of a list",
        "text contains any of $words",
        frozenset({("word", "refund"), ("word", "money  back")}),
    ),
    GuardCase(
        "mentions a phrase by its longest word",
        'text mentions "money   back"',
        frozenset({("word", "money")}),
    ),
    GuardCase("mentions empty", 'text mentions " "', frozenset()),
    GuardCase("header text", 'headers["X-A"] contains "b"', None),
    GuardCase(
        "regex literal run",
        "subject matches /KROA-[0-9]{3,6}/",
        frozenset({("word", "kroa-")}),
    ),
    GuardCase(
        "regex alternation",
        "subject matches /(case|order) ?#/i",
        frozenset({("word", "case"), ("word", "order")}),
    ),
    GuardCase("regex top-level or", "subject matches /ab|cd/", None),
    GuardCase(
        "and takes the most selective",
        'channel == "email" and text contains "refund"',
        frozenset({("word", "refund")}),
    ),
    GuardCase(
        "or unions",
        'channel == "chat" or tags has "x"',
        frozenset({("eq", "channel", "chat"), ("tag", "x")}),
    ),
    GuardCase("or with an unguarded side", 'channel == "chat" or fields.mrr > 3', None),
    GuardCase(
        "define",
        "vip",
        frozenset({("eq", "requester.domain", "a.com"), ("eq", "requester.domain", "b.com")}),
    ),
    GuardCase(
        "after an operand that may raise past and",
        'hour(fields.due, "UTC") == 3 and text contains "refund"',
        None,
    ),
    GuardCase(
        "after the length of a list or a text, which never raises past and",
        'len(fields.langs) > 1 and len(body) < 9 and text contains "refund"',
        frozenset({("word", "refund")}),
    ),
    GuardCase(
        "before an operand that may raise past and",
        'text contains "refund" and len(fields.langs) > 1',
        frozenset({("word", "refund")}),
    ),
    GuardCase(
        "after an operand that raises only rule errors",
        'fields.mrr > 3 and text contains "refund"',
        frozenset({("word", "refund")}),
    ),
)


@pytest.mark.parametrize("case", GUARD_CASES, ids=[c.note for c in GUARD_CASES])
def test_guard(case: GuardCase) -> None:
    """The guard a condition gets, as a whole set of atoms (None: the rule is unguarded)."""
    rules = routing.loads(
        GUARD_PREAMBLE
        + "stages:\n  - name: s\n    mode: all\n    rules:\n"
        + f"      - name: r\n        when: '{case.when}'\n        then: [{{tag: hit}}]\n"
    )
    checked = rules.checked
    expr = checked.expr(checked.stages[0].rules[0].when)
    assert guard_of(checked, expr) == case.atoms


@pytest.mark.parametrize(
    ("pattern", "flags", "words"),
    [
        ("ab?c", "", {"a"}),
        ("x\\.y+z", "", {"x.y"}),
        ("(?i)abc", "", None),
        ("[abc]def", "", {"def"}),
        ("é+", "i", None),
        ("é+", "", {"é"}),
        ("a{0,2}bc", "", {"bc"}),
        ("\\d+", "", None),
        ("(Fehler|error) [0-9]", "i", {"fehler", "error"}),
        ("^\\s*(to )?unsubscribe\\b", "im", {"unsubscribe"}),
        ("\\bKROA-?\\d+\\w", "", {"kroa"}),
        ("\\d+\\s\\W\\B\\A\\z", "", None),
        ("ab\\x41cd", "", None),
        # a Unicode class is one character: the literal runs around it still hold
        ("ab\\pLcd", "", {"ab"}),
        ("abc\\p{Lu}cd", "", {"abc"}),
    ],
)
def test_regex_guard(pattern: str, flags: str, words: set[str] | None) -> None:
    """The literal every match contains, case-folded; only ASCII ones under the i flag."""
    want = None if words is None else frozenset(("word", w) for w in words)
    assert regex_guard(pattern, flags) == want


# ---------------------------------------------------------------------------- budget, explain

BUDGET = """
version: 1
stages:
  - name: s
    mode: all
    rules:
      - {name: a, when: 'text contains "aa"', then: [{tag: a}]}
      - {name: b, when: 'text contains "bb"', then: [{tag: b}]}
      - {name: c, when: 'text contains "cc"', then: [{tag: c}]}
      - {name: d, when: 'text contains "dd"', then: [{tag: d}]}
"""


@pytest.mark.parametrize("budget", [0, 3, 6, 9, 12, 100])
def test_step_budget_counts_skipped_rules(budget: int) -> None:
    """The rules the index rules out still count against the budget, so the over-budget
    error names the same rule either way."""
    indexed, unindexed = _both(BUDGET)
    ticket = Ticket.from_dict({"id": "1", "subject": "dd cc"})
    for trace in (False, True):
        got, want = (
            run(r._compiled, ticket, NOW, trace=trace, step_budget=budget).to_dict(trace=True)
            for r in (indexed, unindexed)
        )
        assert got == want


def test_explain_has_no_index() -> None:
    """`explain` records every sub-test of every rule: its plan visits every rule."""
    indexed, unindexed = _both(BUDGET)
    ticket = {"id": "1", "subject": "dd"}
    got = indexed.explain(ticket, NOW).to_dict(trace=True)
    assert got == unindexed.explain(ticket, NOW).to_dict(trace=True)
    assert [t["tests"] for t in got["trace"]][:2] == [
        [{"test": 'text contains "aa"', "value": False}, {"test": "text", "value": "dd\n"}],
        [{"test": 'text contains "bb"', "value": False}, {"test": "text", "value": "dd\n"}],
    ]


def test_index_prunes_a_generated_rule_set() -> None:
    """On 1,000 generated rules every rule has a guard, and a ticket visits under a tenth of
    the rules (its candidates), yet at least the rules it matches."""
    indexed, unindexed, w = _workload(1000, 2)
    index = indexed._compiled.index
    assert index is not None
    visited = matched = 0
    for ticket in w.tickets:
        state = State(Ticket.from_dict(ticket), NOW)
        candidates = index.candidates(0, state)
        fired = unindexed.evaluate(ticket, NOW).fired
        positions = {r.name: i for i, r in enumerate(indexed._compiled.stages[0].rules)}
        assert {positions[name] for name in fired} <= set(candidates)
        visited += len(candidates)
        matched += len(fired)
    assert (index.guarded, visited < len(w.tickets) * 100, matched > 0) == (1000, True, True)


# ---------------------------------------------------------------------------- random rule sets

RANDOM_PREAMBLE = """version: 1
fields:
  plan: {type: enum, values: [free, pro]}
  mrr: {type: number}
  langs: {type: list}
  due: {type: datetime}
lists:
  doms: [a.com, b.com]
  words: [refund, "money back", "", Straße]
queues: [billing, tech]
define:
  vip: requester.domain in $doms or fields.plan == "pro"
"""

ATOMS = (
    'channel == "email"',
    'channel != "chat"',
    'channel in ["web", "api"]',
    'not (channel in ["email"])',
    'priority >= "high"',
    '"normal" < priority',
    'queue == "billing"',
    "queue == null",
    "requester.domain in $doms",
    'requester.domain == "a.com"',
    'fields.plan == "pro"',
    'fields.plan != "free"',
    "fields.mrr > 100",
    "fields.mrr == 5",
    'tags has "vip"',
    'tags has any of ["vip", "x"]',
    'tags has all of ["vip", "x"]',
    'tags has none of ["x"]',
    'subject contains "straße"',
    'text contains ""',
    "body contains any of $words",
    'text contains all of ["ab", "c"]',
    'text mentions "money back"',
    "text mentions any of $words",
    'subject mentions "İ"',
    'text mentions " "',
    "subject matches /KROA-[0-9]+/",
    "text matches /(ab|cd) ?x/i",
    "body matches /ß+/",
    "text matches /\\bKROA\\W?\\d+\\s*x\\b/i",
    "len(fields.langs) > 1",
    "len(body) < 6",
    'hour(fields.due, "UTC") == 3',
    "vip",
    "spam",
    'headers["X-A"] == "1"',
)
ACTIONS = (
    "{tag: vip}",
    "{untag: vip}",
    "{tag: x}",
    "{route: billing}",
    "{set: {fields.plan: pro}}",
    "{priority: high}",
    "{spam_score: 6}",
)
TEXTS = (
    "Straße",
    "STRASSE",
    "money\n  back",
    "İ",
    "i̇",
    "KROA-12",
    "kroa 7 x",
    "ab x",
    "AB X",
    "ẞ",
    "refund",
)


@st.composite
def _conditions(draw: st.DrawFn, depth: int = 2) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(ATOMS))
    kind = draw(st.sampled_from(("and", "or", "not")))
    if kind == "not":
        return f"not ({draw(_conditions(depth - 1))})"
    parts = draw(st.lists(_conditions(depth - 1), min_size=2, max_size=3))
    return f" {kind} ".join(f"({p})" for p in parts)


@st.composite
def _rule_sets(draw: st.DrawFn) -> str:
    lines = [RANDOM_PREAMBLE, "stages:"]
    for stage in ("spam", "triage"):
        lines += [f"  - name: {stage}", f"    mode: {draw(st.sampled_from(('all', 'first')))}"]
        lines.append("    rules:")
        for i in range(draw(st.integers(1, 5))):
            when = draw(_conditions()).replace("'", "''")
            then = ", ".join(draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2)))
            stop = ", stop: true" if draw(st.integers(0, 9)) == 0 else ""
            lines.append(f"      - {{name: {stage}{i}, when: '{when}', then: [{then}]{stop}}}")
    return "\n".join(lines) + "\n"


@st.composite
def _random_tickets(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    plan = draw(st.sampled_from(("free", "pro", "gold", None, "-")))
    if plan != "-":
        fields["plan"] = plan
    mrr = draw(st.sampled_from((5, 500, "x", None, "-")))
    if mrr != "-":
        fields["mrr"] = mrr
    langs = draw(st.sampled_from((["de", "en"], 3, "-")))
    if langs != "-":
        fields["langs"] = langs
    # year 1 at +05:00 overflows in UTC: a Python exception that `and` does not absorb
    fields["due"] = draw(st.sampled_from(("0001-01-01T00:00:00+05:00", "2026-11-23T03:00:00Z")))
    words = st.lists(st.sampled_from(TEXTS) | st.text(max_size=4), max_size=4)
    return {
        "id": "T",
        "subject": " ".join(draw(words)),
        "body": "\n".join(draw(words)),
        "channel": draw(st.sampled_from(("email", "chat", "web", "api"))),
        "priority": draw(st.sampled_from(("low", "normal", "high", "urgent"))),
        "queue": draw(st.sampled_from((None, "billing", "tech"))),
        "tags": draw(st.lists(st.sampled_from(("vip", "x", "y")), max_size=2)),
        "requester": {"email": draw(st.sampled_from(("u@a.com", "u@c.com")))},
        "headers": draw(st.sampled_from(({}, {"x-a": "1"}))),
        "fields": fields,
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=_rule_sets(), tickets=st.lists(_random_tickets(), min_size=1, max_size=4))
def test_random_rule_sets_indexed_equals_unindexed(
    rules: str, tickets: list[dict[str, Any]]
) -> None:
    """Random conditions over every guardable shape (and unguardable ones, errors from
    missing or ill-typed custom fields, an exception `and` does not absorb, Unicode
    folding, rules writing the fields others test, stop): the whole decision is the same
    with the index as without it."""
    indexed, unindexed = _both(rules)
    for ticket in tickets:
        for trace in (False, True):
            assert _decide(indexed, ticket, trace) == _decide(unindexed, ticket, trace)


RAISES = """
version: 1
fields: {due: {type: datetime}}
stages:
  - name: s
    mode: all
    rules:
      - name: overflow first
        when: 'hour(fields.due, "UTC") == 3 and text contains "ab"'
        then: [{tag: a}]
      - name: overflow last
        when: 'text contains "ab" and hour(fields.due, "UTC") == 3'
        then: [{tag: b}]
"""


def test_exception_before_the_guard_is_still_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    """An operand that raises a Python exception before the guarded one makes the rule an
    error, which the index must not hide; after it, `and` stops first. (No rule text raises
    one on purpose, so reading the datetime for `hour` is made to raise here.)"""

    def overflow(value: Any) -> datetime:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(predicates, "to_datetime", overflow)
    indexed, unindexed = _both(RAISES)
    ticket = {"id": "1", "subject": "x", "fields": {"due": "2026-01-01T00:00:00+05:00"}}
    got = _decide(indexed, ticket, False)
    assert got["errors"] == [
        {
            "code": "eval/type-error",
            "message": "OverflowError: date value out of range",
            "rule": "overflow first",
        }
    ]
    assert got == _decide(unindexed, ticket, False)


@pytest.mark.parametrize(
    ("subject", "trace"), [("x", False), ("x", True), ("ab", False), ("ab", True)]
)
def test_an_instant_with_no_local_time_fails_like_any_operand(subject: str, trace: bool) -> None:
    """A local time outside the years 1 to 9999 is a located ``eval/type-error``, not
    Python's overflow text; like a missing field, a false operand of the same `and` makes
    the rule not match, and the index agrees."""
    indexed, unindexed = _both(RAISES)
    ticket = {"id": "1", "subject": subject, "fields": {"due": "0001-01-01T00:00:00+05:00"}}
    message = "0001-01-01T00:00:00+05:00 has no local time in UTC: it is before the year 1 there"
    want = [
        {"rule": rule, "code": "eval/type-error", "message": message}
        for rule in ("overflow first", "overflow last")
    ]
    got = _decide(indexed, ticket, trace)
    assert got["errors"] == (want if subject == "ab" else [])
    assert got == _decide(unindexed, ticket, trace)

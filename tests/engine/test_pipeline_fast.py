"""The fast loop of `routing.engine.pipeline.run` changes no decision.

`run` without a trace, on an indexed rule set whose rules together cost no more than the
step budget, follows a per-event plan (docs/decisions/0017-stage-plans.md); every other call
takes the general walk (`_run_general`), which visits every rule and counts steps.

- Differential: on random rule sets (modes, ``stop``, ``enabled``, ``on`` events, a spam
  stage or none, actions that write what later guards read) and random tickets, for every
  event, the fast loop == the general walk on the same compiled rule set == the unindexed
  engine, on the whole decision.
- The step budget: at exactly the rules' total cost the fast loop runs, one below it the
  general walk, and both decide as the unindexed engine does.
- The plan: one per event, with the stages that have a rule listening (and the spam stage);
  the memo of candidate sets is bounded and changes nothing when it is full or off.
- `WordScanner`: the RE2 set and the pyahocorasick fallback find exactly the words a plain
  ``in`` finds, lone surrogates and non-ASCII text included.
- The shared scan: the guard words registered with the ``text`` source's needle set give
  the masks `WordScanner` gives, while the conditions' needles are found as before; where
  RE2 does not build that set, the index falls back to a `WordScanner` of its own.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routing
import routing.compiler.compiler
import routing.engine.pipeline as pipeline
from routing.compiler.index import RuleIndex, WordScanner
from routing.compiler.state import State
from routing.compiler.texts import TextSource
from routing.dsl.limits import STEP_BUDGET
from routing.engine.pipeline import _run_general, run
from routing.model.ticket import Ticket

NOW = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
EVENTS = ("created", "updated", "replied", "status_changed")

PREAMBLE = """version: 1
spam_threshold: 5
fields:
  plan: {type: enum, values: [free, pro]}
  mrr: {type: number}
queues: [billing, tech]
"""

CONDITIONS = (
    'priority != "urgent"',
    'channel == "email"',
    'channel in ["chat", "web"]',
    'priority >= "high"',
    'queue == "billing"',
    'fields.plan == "pro"',
    "fields.mrr > 100",
    'tags has "vip"',
    'tags has "seen"',
    'text contains "refund"',
    'subject mentions "money back"',
    "body matches /\\border\\s*#?\\d+/i",
    "len(body) < 8",
    "spam",
    'text contains "refund" or tags has "vip"',
    'channel == "email" and text contains "invoice"',
)
ACTIONS = (
    "{tag: vip}",
    "{tag: seen}",
    "{untag: vip}",
    "{route: billing}",
    "{priority: high}",
    "{set: {fields.plan: pro}}",
    "{spam_score: 6}",
)
TEXTS = ("refund", "Money  back", "ORDER #12", "invoice", "x", "Straße", "")


@st.composite
def _rule_sets(draw: st.DrawFn) -> str:
    lines = [PREAMBLE, "stages:"]
    names = draw(
        st.lists(st.sampled_from(("spam", "triage", "enrich")), min_size=1, max_size=3, unique=True)
    )
    for stage in names:
        lines += [f"  - name: {stage}", f"    mode: {draw(st.sampled_from(('all', 'first')))}"]
        lines.append("    rules:")
        for i in range(draw(st.integers(1, 5))):
            when = draw(st.sampled_from(CONDITIONS)).replace("'", "''")
            then = ", ".join(draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=2)))
            extra = ""
            if draw(st.integers(0, 7)) == 0:
                extra += ", stop: true"
            if draw(st.integers(0, 7)) == 0:
                extra += ", enabled: false"
            on = draw(st.lists(st.sampled_from(EVENTS), max_size=2, unique=True))
            if on:
                extra += f", on: [{', '.join(on)}]"
            lines.append(f"      - {{name: {stage}{i}, when: '{when}', then: [{then}]{extra}}}")
    return "\n".join(lines) + "\n"


@st.composite
def _tickets(draw: st.DrawFn) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if draw(st.booleans()):
        fields["plan"] = draw(st.sampled_from(("free", "pro")))
    if draw(st.booleans()):
        fields["mrr"] = draw(st.sampled_from((5, 500)))
    return {
        "id": "T",
        "subject": " ".join(draw(st.lists(st.sampled_from(TEXTS), max_size=3))),
        "body": " ".join(draw(st.lists(st.sampled_from(TEXTS), max_size=3))),
        "channel": draw(st.sampled_from(("email", "chat", "web"))),
        "priority": draw(st.sampled_from(("low", "normal", "high"))),
        "queue": draw(st.sampled_from((None, "billing"))),
        "tags": draw(st.lists(st.sampled_from(("vip", "seen", "x")), max_size=2, unique=True)),
        "spam_score": draw(st.sampled_from((0, 4))),
        "fields": fields,
    }


def _general(ruleset: routing.Ruleset, ticket: Ticket, event: str) -> dict[str, Any]:
    compiled = ruleset._compiled
    decision = _run_general(compiled, ticket, NOW, event, (), None, None, False, STEP_BUDGET)
    return decision.to_dict(trace=True)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=_rule_sets(), tickets=st.lists(_tickets(), min_size=1, max_size=3))
def test_fast_loop_equals_general_walk_and_unindexed(
    rules: str, tickets: list[dict[str, Any]]
) -> None:
    """Every event: the fast loop, the general walk with the index, and the unindexed
    engine give the same whole decision."""
    indexed, unindexed = routing.loads(rules), routing.loads(rules, index=False)
    for data in tickets:
        ticket = Ticket.from_dict(data)
        for event in EVENTS:
            fast = run(indexed._compiled, ticket, NOW, event=event).to_dict(trace=True)
            assert fast == _general(indexed, ticket, event)
            assert fast == unindexed.evaluate(ticket, NOW, event=event).to_dict(trace=True)


BUDGET = """
version: 1
stages:
  - name: s
    mode: all
    rules:
      - {name: a, when: 'text contains "aa"', then: [{tag: a}]}
      - {name: b, when: 'text contains "bb"', then: [{tag: b}]}
      - {name: c, when: 'text contains "cc"', then: [{tag: c}]}
"""


def test_budget_boundary() -> None:
    """At the rules' total cost the fast loop decides, one step below it the general walk
    (which stops at the rule crossing the budget); both as the unindexed engine."""
    indexed, unindexed = routing.loads(BUDGET), routing.loads(BUDGET, index=False)
    index = indexed._compiled.index
    assert index is not None
    total = index.total_cost
    ticket = Ticket.from_dict({"id": "1", "subject": "aa cc"})
    got = {}
    for budget in (total, total - 1):
        index.plans.clear()
        decision = run(indexed._compiled, ticket, NOW, step_budget=budget).to_dict(trace=True)
        want = run(unindexed._compiled, ticket, NOW, step_budget=budget).to_dict(trace=True)
        assert decision == want
        got[budget] = (decision["fired"], [e["code"] for e in decision["errors"]], [*index.plans])
    assert got == {
        total: (["a", "c"], [], ["created"]),
        total - 1: (["a"], ["eval/step-budget"], []),
    }


PLANNED = """
version: 1
stages:
  - name: spam
    mode: all
    rules:
      - {name: s1, when: 'text contains "win"', then: [{spam_score: 9}], on: [updated]}
  - name: triage
    mode: first
    rules:
      - {name: t1, when: 'channel == "email"', then: [{tag: mail}]}
      - {name: t2, when: 'true', then: [{tag: other}], on: [created, updated]}
      - {name: t3, when: 'true', then: [{tag: never}], enabled: false}
  - name: late
    mode: all
    rules:
      - {name: l1, when: 'true', then: [{tag: late}], on: [replied]}
"""


def test_plans_per_event() -> None:
    """One plan per event, built on first use: the stages with a listening rule, and the
    spam stage always (the threshold is applied after it); disabled rules never listen."""
    ruleset = routing.loads(PLANNED)
    index = ruleset._compiled.index
    assert index is not None
    for event in ("created", "updated", "replied"):
        ruleset.evaluate({"id": "1", "subject": "win"}, NOW, event=event)
    shapes = {
        event: [(st.spam, st.first, bin(st.listening), st.base) for st in plan.stages]
        for event, plan in index.plans.items()
    }
    assert shapes == {
        "created": [(True, False, "0b0", 0), (False, True, "0b11", 0b10)],
        "updated": [(True, False, "0b1", 0), (False, True, "0b10", 0b10)],
        "replied": [(True, False, "0b0", 0), (False, False, "0b1", 0b1)],
    }


def test_candidate_memo_is_bounded_and_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    """The memo of candidate set -> rules holds at most `_RUNS_PER_STAGE` sets per stage,
    and a full (or disabled) memo gives the same decisions (the bit-set walk: fusing off)."""
    monkeypatch.setattr(routing.compiler.compiler, "FUSE_LIMIT", 0)
    rules = (
        PREAMBLE
        + "stages:\n  - name: s\n    mode: all\n    rules:\n"
        + "".join(
            f"      - {{name: r{i}, when: 'text contains \"w{i}\"', then: [{{tag: t{i}}}]}}\n"
            for i in range(8)
        )
    )
    unindexed = routing.loads(rules, index=False)
    tickets = [
        {"id": str(n), "subject": " ".join(f"w{i}" for i in range(8) if n >> i & 1)}
        for n in range(40)
    ]
    want = [unindexed.evaluate(t, NOW).to_dict() for t in tickets]
    sizes = []
    for cap in (0, 3, 256):
        monkeypatch.setattr(pipeline, "_RUNS_PER_STAGE", cap)
        ruleset = routing.loads(rules)
        assert [ruleset.evaluate(t, NOW).to_dict() for t in tickets] == want
        index = ruleset._compiled.index
        assert index is not None
        sizes.append(len(index.plans["created"].stages[0].runs))
    assert sizes == [0, 3, 40]


WORDS = ("refund", "fund", "und", "straße", "ß", "İ", "i̇", "\ud800", "a\ud800b", "!", "é")


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(WORDS) | st.text(min_size=1, max_size=4),
        min_size=1,
        max_size=8,
        unique=True,
    ),
    text=st.lists(st.sampled_from(WORDS) | st.text(max_size=5) | st.just("\udfff"), max_size=6).map(
        "".join
    ),
)
def test_word_scanner_finds_what_in_finds(words: list[str], text: str) -> None:
    """Each word stands for one bit; both scanners give exactly the bits of the words that
    occur in the text (overlapping, repeated, non-ASCII, lone surrogates)."""
    masks = {w: 1 << i for i, w in enumerate(words)}
    want = sum(m for w, m in masks.items() if w in text)
    re2_scanner = WordScanner(masks)
    aho_scanner = WordScanner(masks, use_re2=False)
    assert (re2_scanner.scan(text), aho_scanner.scan(text)) == (want, want)
    assert (re2_scanner.matcher is not None, aho_scanner.automaton is not None) == (True, True)


def test_word_scanner_falls_back_when_re2_cannot_hold_the_set() -> None:
    """A set too big for RE2's memory budget is scanned by pyahocorasick, with the same
    answers."""
    masks = {f"word{i}x": 1 << i for i in range(300)}
    scanner = WordScanner(masks, max_mem=1 << 12)
    text = "… word7x, word299x and word30 (no x) and word3word42x"
    assert (scanner.matcher, scanner.scan(text)) == (None, (1 << 7) | (1 << 299) | (1 << 42))


def _ticket_text(s: State) -> str:
    return f"{s.ticket.subject}\n{s.ticket.body}"


def _shared_index(
    masks: dict[str, int], contains: list[str], mentioned: list[str]
) -> tuple[RuleIndex, TextSource]:
    """An index whose guard words are registered with a ``text`` source, as `build_index`
    and the compiler wire them."""
    source = TextSource("text", _ticket_text)
    source.add_contains(contains)
    source.add_mentions(mentioned)
    source.add_contains(masks)
    index = RuleIndex((), None, (), 0, 0, (source, masks))
    source.freeze()
    index.finish()
    return index, source


SHARED_WORDS = ("refund", "fund", "und", "straße", "ß", "İ", "i̇", "!", "é", "money back")


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(SHARED_WORDS[:-1]) | st.text(min_size=1, max_size=4),
        min_size=1,
        max_size=8,
        unique=True,
    ),
    contains=st.lists(st.sampled_from(SHARED_WORDS[:-1]), max_size=3),
    mentioned=st.lists(st.sampled_from(SHARED_WORDS), max_size=3),
    subject=st.lists(
        st.sampled_from(SHARED_WORDS) | st.text(max_size=5) | st.just("\udfff"), max_size=4
    ).map("".join),
    body=st.lists(st.sampled_from(SHARED_WORDS) | st.text(max_size=5), max_size=4).map("".join),
)
def test_shared_scan_finds_what_word_scanner_finds(
    words: list[str], contains: list[str], mentioned: list[str], subject: str, body: str
) -> None:
    """One RE2 set match serves the index (the masks of the words found, as `WordScanner`
    gives them) and the conditions (the contains needles found, guard words among them,
    and the mentions phrases found in the words), lone surrogates in the text included."""
    masks = {w.casefold(): 1 << i for i, w in enumerate(words)}
    index, source = _shared_index(masks, [c.casefold() for c in contains], mentioned)
    s = State(Ticket.from_dict({"id": "T-1", "subject": subject, "body": body}), NOW)
    folded = f"{subject}\n{body}".casefold()
    spaced = " ".join(folded.split())
    want = sum(m for w, m in masks.items() if w in folded)
    assert (index.words, index.fixed(s), WordScanner(masks).scan(folded)) == (None, want, want)
    needles = {*masks, *(c.casefold() for c in contains)}
    assert (source.contained(s), source.mentioned(s)) == (
        frozenset(n for n in needles if n in folded),
        frozenset(n for n in mentioned if n in spaced),
    )


def test_shared_scan_falls_back_to_a_word_scanner() -> None:
    """A needle RE2 refuses (a lone surrogate) leaves the ``text`` source on its automata
    and the index on a `WordScanner` of its own, with the same answers."""
    masks = {"refund": 1, "money": 2, "ss": 4}
    index, source = _shared_index(masks, ["x\ud800"], ["money back"])
    s = State(Ticket.from_dict({"id": "T-1", "subject": "Money  back", "body": "x\ud800 ß"}), NOW)
    assert (source.needle_set, index.text) == (None, None)
    assert index.words is not None
    assert (index.fixed(s), source.contained(s), source.mentioned(s)) == (
        6,
        frozenset({"money", "ss", "x\ud800"}),
        frozenset({"money back"}),
    )


def test_index_words_join_the_text_scan_without_a_text_condition() -> None:
    """A rule set whose conditions never read ``text`` still scans once: the compiler makes
    the ``text`` source for the index's words, and decisions stay the unindexed ones."""
    rules = (
        PREAMBLE
        + """stages:
  - name: triage
    mode: all
    rules:
      - name: r0
        when: 'subject contains "refund"'
        then: [{tag: seen}]
      - name: r1
        when: 'body mentions "money back"'
        then: [{route: billing}]
"""
    )
    indexed, unindexed = routing.loads(rules), routing.loads(rules, index=False)
    index = indexed._compiled.index
    assert index is not None
    assert index.text is not None
    source, hit_masks = index.text
    assert (index.words, source.key, hit_masks) == (None, "text", {"money": 2, "refund": 1})
    for subject, body in (("Refund?", "money\n back"), ("x", "refund"), ("money", "back")):
        ticket = Ticket.from_dict({"id": "T-1", "subject": subject, "body": body})
        assert indexed.evaluate(ticket, NOW).to_dict(trace=True) == unindexed.evaluate(
            ticket, NOW
        ).to_dict(trace=True)

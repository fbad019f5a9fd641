"""The fused plan (`routing.compiler.fuse`, docs/decisions/0018) changes no decision.

`run` on a small indexed rule set runs each event's plan as one generated function. It is
compared, on the whole decision, with the general walk (`_run_general`, the reference) and
with the bit-set walk of the same plan (fusing off):

- every case of the conformance corpus, for every event, with its history and agents;
- Hypothesis rule sets: ``mode: first``, ``stop``, disabled rules, ``on`` events, a spam
  stage or none, conditions that fail (a missing custom field) alone or inside ``and`` /
  ``or``, conditions on defines (reading what actions write, or ticket data only), actions
  that write what later rules, defines and guards read, every kind of action (effects,
  ``assign``, ``no_reply``, ``sla``, ``raise_priority``...);
- every write a define can read, one by one (`test_a_define_sees_every_write_it_reads`).

And the shape: which plans are fused, that a rule's block is at the rule's line of the
generated module (a traceback names it), and that a rule's name is a value, not code.
"""

from __future__ import annotations

import traceback
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.test_cases import CASES, _agents, _history, _now

import routing
import routing.compiler.compiler
from routing.compiler.fuse import FUSE_LIMIT
from routing.dsl.limits import STEP_BUDGET
from routing.engine.pipeline import _run_general, run
from routing.engine.ruleset import _history as _records
from routing.model.ticket import Ticket

NOW = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
EVENTS = ("created", "updated", "replied", "status_changed")


def _loads(rules: str, *, fused: bool, monkeypatch: pytest.MonkeyPatch) -> routing.Ruleset:
    with monkeypatch.context() as m:
        if not fused:
            m.setattr(routing.compiler.compiler, "FUSE_LIMIT", 0)
        return routing.loads(rules)


def _decide(ruleset: routing.Ruleset, ticket: Ticket, event: str, **kw: Any) -> dict[str, Any]:
    return run(ruleset._compiled, ticket, kw.pop("now", NOW), event=event, **kw).to_dict(trace=True)


def _general(ruleset: routing.Ruleset, ticket: Ticket, event: str, **kw: Any) -> dict[str, Any]:
    decision = _run_general(
        ruleset._compiled,
        ticket,
        kw.get("now", NOW),
        event,
        kw.get("history", ()),
        kw.get("agents"),
        None,
        False,
        STEP_BUDGET,
    )
    return decision.to_dict(trace=True)


_RUNNABLE = [c for c in CASES if "want" in c.spec and "xfail" not in c.spec]


@pytest.mark.parametrize("case", _RUNNABLE, ids=[c.id for c in _RUNNABLE])
def test_corpus_fused_equals_general_and_walk(case: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every conformance case, every event: fused == general walk == bit-set walk."""
    spec = case.spec
    fused = _loads(case.rules, fused=True, monkeypatch=monkeypatch)
    walk = _loads(case.rules, fused=False, monkeypatch=monkeypatch)
    assert fused._compiled.fuser is not None
    assert walk._compiled.fuser is None
    ticket = Ticket.from_dict(spec.get("ticket", {"id": "T1"}))
    kw: dict[str, Any] = {
        "now": _now(spec),
        "history": _records(_history(spec)),
        "agents": _agents(spec),
    }
    for event in EVENTS:
        got = _decide(fused, ticket, event, **kw)
        assert got == _general(fused, ticket, event, **kw)
        assert got == _decide(walk, ticket, event, **kw)


PREAMBLE = """version: 1
spam_threshold: 5
fields:
  plan: {type: enum, values: [free, pro]}
  mrr: {type: number}
queues: [billing, tech]
define:
  paying: fields.plan == "pro" or fields.mrr > 100
  hot: priority >= "high" or tags has "vip"
  flagged: spam or queue == "billing"
  waiting: status == "pending" and spam_score < 4
  customer: requester.domain == "example.com" and text contains "refund"
templates: {ack: "ok {{ ticket.queue }}"}
calendars:
  eu: {timezone: Europe/Berlin, hours: {mon-sun: "00:00-24:00"}}
sla_policies:
  - {name: std, calendar: eu, targets: {normal: {first_reply: 1h, resolution: 1d}}}
agents:
  - {id: ann, queues: [billing]}
  - {id: bob, queues: [tech], calendar: eu}
"""

CONDITIONS = (
    'priority != "urgent"',
    'channel == "email"',
    'channel in ["chat", "web"]',
    'priority >= "high"',
    'queue == "billing"',
    'status == "pending"',
    'fields.plan == "pro"',
    "fields.mrr > 100",  # fails when the ticket has no mrr
    'fields.mrr > 100 or channel == "email"',  # the failure absorbed when email
    'fields.mrr > 100 and fields.plan == "pro"',  # the first failure wins
    "paying",
    "not paying",
    "hot",  # the defines read what actions write (the fused code bumps only for those)
    "not flagged",
    "waiting or hot",
    "customer",
    'tags has "vip"',
    'tags has "seen"',
    'tags has any of ["vip", "x"]',
    'text contains "refund"',
    'subject mentions "money back"',
    "body matches /\\border\\s*#?\\d+/i",
    "len(body) < 8",
    "spam",
    "spam_score >= 4",
    'text contains "refund" or tags has "vip"',
    'channel == "email" and text contains "invoice"',
)
ACTIONS = (
    "{tag: vip}",
    "{tag: [seen, x]}",
    "{untag: vip}",
    "{untag: [seen, x]}",
    "{route: billing}",
    "{route: tech}",
    "{priority: high}",
    "{raise_priority: urgent}",
    "{raise_priority: low}",
    "{set: {fields.plan: pro}}",
    "{set: {fields.mrr: 500, status: pending}}",
    "{spam_score: 6}",
    "{spam_score: -2}",
    "{mark_spam: true}",
    "{mark_spam: false}",
    "{no_reply: true}",
    "{sla: std}",
    "{reply: ack}",
    "{webhook: {url: 'https://h.test/x'}}",
    "{assign: {strategy: least_loaded}}",
    "{assign: {agent: ann}}",
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
        for i in range(draw(st.integers(1, 6))):
            when = draw(st.sampled_from(CONDITIONS)).replace("'", "''")
            then = ", ".join(draw(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3)))
            extra = ""
            if draw(st.integers(0, 6)) == 0:
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
        "status": draw(st.sampled_from(("open", "pending"))),
        "queue": draw(st.sampled_from((None, "billing", "tech"))),
        "tags": draw(st.lists(st.sampled_from(("vip", "seen", "x")), max_size=2, unique=True)),
        "spam_score": draw(st.sampled_from((0, 4))),
        "requester": {"email": "c@example.com"},
        "fields": fields,
    }


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules=_rule_sets(), tickets=st.lists(_tickets(), min_size=1, max_size=3))
def test_fused_equals_general_and_walk(rules: str, tickets: list[dict[str, Any]]) -> None:
    """Random rule sets and tickets, every event: fused == general walk == bit-set walk."""
    fused = routing.loads(rules)
    limit = routing.compiler.compiler.FUSE_LIMIT
    routing.compiler.compiler.FUSE_LIMIT = 0  # type: ignore[attr-defined]
    try:
        walk = routing.loads(rules)
    finally:
        routing.compiler.compiler.FUSE_LIMIT = limit  # type: ignore[attr-defined]
    assert fused._compiled.fuser is not None
    assert walk._compiled.fuser is None
    for data in tickets:
        ticket = Ticket.from_dict(data)
        for event in EVENTS:
            got = _decide(fused, ticket, event)
            assert got == _general(fused, ticket, event)
            assert got == _decide(walk, ticket, event)


SHAPE = """
version: 1
fields:
  mrr: {type: number}
stages:
  - name: triage
    mode: all
    rules:
      - {name: "it's \\"quoted\\"\\n__import__('os')", when: 'channel == "email"', then: [{tag: a}]}
      - {name: costly, when: 'fields.mrr > 10', then: [{tag: b}]}
      - {name: boom, when: 'len(subject) > 1', then: [{tag: c}]}
"""


def test_rule_names_are_values_and_lines_name_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hostile rule name is a string the code appends; an error a rule's condition does
    not catch carries the rule's line in the module ``<stages on 'EVENT'>``."""
    ruleset = routing.loads(SHAPE)
    ticket = Ticket.from_dict({"id": "1", "channel": "email", "subject": "hi"})
    decision = ruleset.evaluate(ticket, NOW)
    assert decision.fired == ("it's \"quoted\"\n__import__('os')", "boom")
    assert [(e.code, e.rule) for e in decision.errors] == [("eval/missing-field", "costly")]
    index = ruleset._compiled.index
    assert index is not None
    fused = index.plans["created"].fused
    assert fused is not None
    assert fused.__code__.co_filename == "<stages on 'created'>"

    class Odd(str):
        def __len__(self) -> int:
            raise KeyError("odd")

    s_ticket = ticket.model_copy(update={"subject": Odd("hi")})
    with pytest.raises(KeyError) as info:
        ruleset.evaluate(s_ticket, NOW)
    frames = traceback.extract_tb(info.value.__traceback__)
    assert [(f.filename, f.lineno) for f in frames if f.filename.startswith("<")] == [
        ("<stages on 'created'>", 3)
    ]


def test_only_small_rule_sets_are_fused() -> None:
    """Up to `FUSE_LIMIT` rules the plans are fused; beyond, the bit-set walk stays."""

    def rules(n: int) -> str:
        body = "".join(
            f"      - {{name: r{i}, when: 'subject contains \"w{i}z\"', then: [{{tag: t{i}}}]}}\n"
            for i in range(n)
        )
        return "version: 1\nstages:\n  - name: s\n    mode: all\n    rules:\n" + body

    small, large = routing.loads(rules(FUSE_LIMIT)), routing.loads(rules(FUSE_LIMIT + 1))
    assert small._compiled.fuser is not None
    assert large._compiled.fuser is None
    last = f"w{FUSE_LIMIT - 1}z"  # a rule both sets have
    ticket = {"id": "1", "subject": f"w3z {last}"}
    expected = tuple(sorted(("t3", f"t{FUSE_LIMIT - 1}")))
    assert small.evaluate(ticket, NOW).tags == expected
    assert large.evaluate(ticket, NOW).tags == expected
    assert routing.loads(rules(3), index=False)._compiled.fuser is None


# A define is cached per `State.version`, which the fused code bumps only for the writes some
# define reads (`routing.compiler.compiler.define_reads`): every write a define can see must
# still make it computed again. (define, the action that makes it true, spam stage first)
_DEFINE_WRITES = (
    ('priority >= "high"', "{priority: high}", False),
    ('priority >= "high"', "{raise_priority: urgent}", False),
    ('priority >= "high"', "{set: {priority: high}}", False),
    ('tags has "vip"', "{tag: vip}", False),
    ('not (tags has "x")', "{untag: x}", False),
    ('queue == "billing"', "{route: billing}", False),
    ('queue == "billing"', "{set: {queue: billing}}", False),
    ('status == "pending"', "{set: {status: pending}}", False),
    ('assignee == "ann"', "{assign: {agent: ann}}", False),
    ('assignee == "ann"', "{set: {assignee: ann}}", False),
    ("spam", "{mark_spam: true}", False),
    ("spam", "{spam_score: 6}", True),  # the spam threshold, after the stage
    ("spam_score >= 4", "{spam_score: 6}", False),
    ("fields.mrr > 100", "{set: {fields.mrr: 500}}", False),
    ('fields.plan == "pro"', "{set: {fields.plan: pro}}", False),
)


@pytest.mark.parametrize(("define", "action", "spam_stage"), _DEFINE_WRITES)
def test_a_define_sees_every_write_it_reads(define: str, action: str, spam_stage: bool) -> None:
    first = "spam" if spam_stage else "one"
    rules = PREAMBLE.replace("define:\n", f"define:\n  d: '{define}'\n") + (
        "stages:\n"
        f"  - {{name: {first}, mode: all, rules: [{{name: a, when: not d, then: [{action}]}}]}}\n"
        "  - {name: two, mode: all, rules: [{name: b, when: d, then: [{tag: seen}]}]}\n"
    )
    ruleset = routing.loads(rules)
    assert ruleset._compiled.fuser is not None
    ticket = Ticket.from_dict(
        {"id": "T", "tags": ["x"], "fields": {"plan": "free", "mrr": 5}, "queue": "tech"}
    )
    assert run(ruleset._compiled, ticket, NOW).fired == ("a", "b")
    assert _decide(ruleset, ticket, "created") == _general(ruleset, ticket, "created")

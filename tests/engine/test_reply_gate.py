"""The whole auto-reply gate (`reply_gate`), its rule-file configuration through `Ruleset`,
the headers of outgoing replies, and the out-of-hours reply naming the next opening."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import routing
from routing.engine.replies import (
    CHECKS,
    DEFAULT_RATE_LIMITS,
    GateOutcome,
    ReplyRecord,
    Suppression,
    TierCount,
    reply_gate,
    reply_headers,
)
from routing.errors import CalendarError
from routing.sla import Calendar

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
ALL_PASSED = tuple(c for c in CHECKS if c != "once-per")


def _gate(**kw: Any) -> GateOutcome:
    args: dict[str, Any] = {
        "spam": False,
        "no_reply": False,
        "headers": {},
        "recipient": "ann@example.com",
        "template": "ack",
        "now": NOW,
        "once_per": None,
        "history": (),
        "own_addresses": frozenset(),
        "rate_limits": DEFAULT_RATE_LIMITS,
    }
    args.update(kw)
    return reply_gate(**args)


def _sent(n: int, ago: timedelta, to: str = "ann@example.com") -> tuple[ReplyRecord, ...]:
    return tuple(ReplyRecord(to, NOW - ago) for _ in range(n))


def test_default_rate_limits_are_the_decision_record_s() -> None:
    assert (
        (10, timedelta(minutes=10)),
        (30, timedelta(hours=1)),
        (100, timedelta(hours=10)),
    ) == DEFAULT_RATE_LIMITS


def test_gate_sends_a_plain_reply_and_lists_every_check_it_passed() -> None:
    assert _gate() == GateOutcome(
        None,
        ALL_PASSED,
        (
            TierCount(10, timedelta(minutes=10), 0),
            TierCount(30, timedelta(hours=1), 0),
            TierCount(100, timedelta(hours=10), 0),
        ),
    )


def test_gate_lists_once_per_only_with_a_window_and_rate_limit_only_with_tiers() -> None:
    assert _gate(once_per=timedelta(hours=1), rate_limits=()) == GateOutcome(
        None, tuple(c for c in CHECKS if c != "rate-limit"), ()
    )


@pytest.mark.parametrize(
    ("kw", "want"),
    [
        ({"spam": True, "no_reply": True}, Suppression("spam", "the ticket is spam")),
        ({"no_reply": True}, Suppression("no-reply", "a rule set no_reply")),
        (
            {"headers": {"Precedence": "bulk", "X-Loop": "x"}},
            Suppression("precedence", "Precedence is 'bulk'"),
        ),
        (
            {
                "recipient": "Desk <DESK@acme.example>",
                "own_addresses": frozenset({"*@acme.example"}),
            },
            Suppression("own-address", "the sender 'desk@acme.example' is one of our addresses"),
        ),
        ({"recipient": None}, Suppression("no-recipient", "the requester has no e-mail address")),
        (
            {"history": _sent(10, timedelta(minutes=10))},
            Suppression(
                "rate-limit",
                "10 replies went to 'ann@example.com' in the last 10m, the limit is 10",
            ),
        ),
    ],
    ids=["spam first", "no-reply", "headers", "own *@domain", "no recipient", "rate limit"],
)
def test_gate_suppression_records_the_checks_before_it(
    kw: dict[str, Any], want: Suppression
) -> None:
    assert _gate(**kw) == GateOutcome(want, CHECKS[: CHECKS.index(want.code)])


@pytest.mark.parametrize(
    ("history", "code"),
    [
        (_sent(9, timedelta(minutes=10)), None),
        (_sent(10, timedelta(minutes=10)), "rate-limit"),
        (_sent(10, timedelta(minutes=10, seconds=1)), None),
        (_sent(29, timedelta(hours=1)), None),
        (_sent(30, timedelta(hours=1)), "rate-limit"),
        (_sent(30, timedelta(hours=1, seconds=1)), None),
        (_sent(99, timedelta(hours=10)), None),
        (_sent(100, timedelta(hours=10)), "rate-limit"),
        (_sent(100, timedelta(hours=10, seconds=1)), None),
        (_sent(100, -timedelta(seconds=1)), None),
        (_sent(100, timedelta(0), to="bob@example.com"), None),
        (_sent(100, timedelta(0), to="Ann <ANN@example.com>"), "rate-limit"),
    ],
    ids=[
        "9 in 10m",
        "10 at exactly 10m",
        "10 just over 10m",
        "29 in 1h",
        "30 at exactly 1h",
        "30 just over 1h",
        "99 in 10h",
        "100 at exactly 10h",
        "100 just over 10h",
        "future records",
        "another recipient",
        "same recipient, other spelling",
    ],
)
def test_default_tiers_at_their_boundaries(
    history: tuple[ReplyRecord, ...], code: str | None
) -> None:
    got = _gate(history=history).suppression
    assert (got.code if got else None) == code


def test_a_sent_reply_counts_each_tier() -> None:
    history = _sent(3, timedelta(minutes=5)) + _sent(4, timedelta(minutes=50))
    assert _gate(history=history).tiers == (
        TierCount(10, timedelta(minutes=10), 3),
        TierCount(30, timedelta(hours=1), 7),
        TierCount(100, timedelta(hours=10), 7),
    )


def test_reply_headers_with_a_sender_and_a_thread() -> None:
    assert reply_headers("<m2@x>", " <m0@x>\n\t<m1@x> ", sender="desk@acme.example") == {
        "From": "desk@acme.example",
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "In-Reply-To": "<m2@x>",
        "References": "<m0@x> <m1@x> <m2@x>",
    }


# ------------------------------------------------------------------ through the Ruleset

RULES = """\
version: 1
calendars:
  support-eu:
    timezone: Europe/Berlin
    hours: {mon-fri: "08:00-18:00"}
templates:
  closed-ack: >-
    We open again {{ calendars["support-eu"].next_open
    | local: requester.timezone, requester.language }}.
replies:
  from: desk@acme.example
  own_addresses: ["*@acme.example"]
  rate_limits: [{limit: 1, per: 1h}]
stages:
  - name: replies
    mode: all
    rules:
      - name: out of hours
        when: not is_open("support-eu")
        then: [{reply: closed-ack}]
"""
SATURDAY = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _reply(requester: dict[str, Any], **kw: Any) -> dict[str, Any]:
    ruleset = routing.loads(RULES)
    ticket = {"id": "T-1", "subject": "Hilfe", "requester": requester, **kw}
    return ruleset.evaluate(ticket, SATURDAY).to_dict(trace=True)


@pytest.mark.parametrize(
    ("language", "timezone", "body"),
    [
        ("de", "Europe/Berlin", "Montag, 23. November 2026, 08:00 MEZ"),
        ("fr", "Europe/Paris", "lundi 23 novembre 2026, 08:00 UTC+01:00"),
        ("ja", "Asia/Tokyo", "2026年11月23日月曜日 16:00 JST"),
        ("en", "America/New_York", "Monday, November 23, 2026, 2:00\u202fAM EST"),
        ("tlh", "Europe/Berlin", "Monday, November 23, 2026, 8:00\u202fAM GMT+01:00"),
        (None, None, "Monday, November 23, 2026, 7:00\u202fAM UTC"),
    ],
    ids=["de", "fr", "ja", "en", "unknown language", "no language, no zone"],
)
def test_out_of_hours_reply_names_the_next_opening(
    language: str | None, timezone: str | None, body: str
) -> None:
    decision = _reply({"email": "ann@example.com", "language": language, "timezone": timezone})
    assert [e["body"] for e in decision["effects"]] == [f"We open again {body}."]
    assert decision["errors"] == []


def test_ruleset_reply_effect_carries_from_and_thread_headers() -> None:
    decision = _reply({"email": "ann@example.com"}, headers={"Message-Id": "<m1@example.com>"})
    assert decision["effects"][0]["headers"] == {
        "From": "desk@acme.example",
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "In-Reply-To": "<m1@example.com>",
        "References": "<m1@example.com>",
    }


def test_ruleset_gate_uses_the_rule_file_s_own_addresses_and_tiers() -> None:
    ruleset = routing.loads(RULES)
    own = ruleset.evaluate(
        {"id": "T-1", "requester": {"email": "ops@acme.example"}}, SATURDAY
    ).to_dict(trace=True)
    limited = ruleset.evaluate(
        {"id": "T-2", "requester": {"email": "ann@example.com"}},
        SATURDAY,
        history=[{"to": "ann@example.com", "at": "2026-11-21T11:00:00+00:00"}],
    ).to_dict(trace=True)
    assert [(s["code"], s["reason"]) for s in own["suppressed"] + limited["suppressed"]] == [
        ("own-address", "the sender 'ops@acme.example' is one of our addresses"),
        ("rate-limit", "1 replies went to 'ann@example.com' in the last 1h, the limit is 1"),
    ]
    assert own["effects"] == limited["effects"] == []


def test_decision_without_trace_keeps_design_section_7_keys() -> None:
    decision = routing.loads(RULES).evaluate(
        {"id": "T-1", "requester": {"email": "ann@example.com"}}, SATURDAY
    )
    assert list(decision.to_dict()) == [
        "ticket_id",
        "queue",
        "priority",
        "status",
        "assignee",
        "tags",
        "spam",
        "spam_score",
        "fields",
        "fired",
        "effects",
        "sla",
        "errors",
    ]
    assert decision.to_dict(trace=True)["sent"] == [
        {
            "rule": "out of hours",
            "template": "closed-ack",
            "to": "ann@example.com",
            "passed": list(ALL_PASSED),
            "rate_limits": [{"limit": 1, "per": "1h", "count": 0}],
        }
    ]


def test_a_failing_next_open_renders_empty_and_records_the_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never(self: Calendar, t: datetime, pauses: object = ()) -> datetime:
        raise CalendarError("never open")

    ruleset = routing.loads(RULES)
    monkeypatch.setattr(Calendar, "next_open", never)
    decision = ruleset.evaluate({"id": "T-1", "requester": {"email": "ann@example.com"}}, SATURDAY)
    assert [e.body for e in decision.effects] == ["We open again ."]
    assert [e.to_dict() for e in decision.errors] == [
        {"rule": None, "code": "eval/calendar", "message": "calendar 'support-eu': never open"}
    ]


def test_calendars_are_computed_only_for_templates_that_read_them() -> None:
    ruleset = routing.loads(RULES)
    assert ruleset._compiled.template_calendars == frozenset({"support-eu"})
    plain = routing.loads(RULES.replace('{{ calendars["support-eu"].next_open', "{{ now"))
    assert plain._compiled.template_calendars == frozenset()


# --------------------------------------------------------------------------- fast paths

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from routing.engine import replies  # noqa: E402

tier_lists = st.lists(
    st.tuples(st.integers(1, 3), st.sampled_from([timedelta(0), timedelta(minutes=10)])),
    max_size=3,
)
header_names = st.sampled_from(
    ["From", " List-Id", "LIST-", "Auto-Submitted", "precedence ", "X-Loop", "Return-Path", "X"]
)


@settings(max_examples=300, deadline=None)
@given(
    tiers=tier_lists,
    as_tuple=st.booleans(),
    sent_now=st.integers(0, 4),
    once=st.booleans(),
    headers=st.dictionaries(header_names, st.sampled_from(["", "no", "bulk", "<>", "x"])),
    recipient=st.sampled_from(["ann@example.com", "no_reply.billing@x.org", "", None]),
)
def test_the_gate_without_history_is_the_general_gate(
    tiers: list[tuple[int, timedelta]],
    as_tuple: bool,
    sent_now: int,
    once: bool,
    headers: dict[str, str],
    recipient: str | None,
) -> None:
    """With no history the gate's outcome is remembered per tiers and count; it must be
    the outcome of the general scan (a history of replies to someone else counts nothing),
    also when asked again, and for tiers given as a list (never remembered)."""
    rate_limits: Any = tuple(tiers) if as_tuple else list(tiers)
    args: dict[str, Any] = {
        "headers": headers,
        "recipient": recipient,
        "rate_limits": rate_limits,
        "sent_now": sent_now,
        "once_per": timedelta(hours=1) if once else None,
    }
    general = _gate(history=_sent(1, timedelta(minutes=1), to="someone@else.org"), **args)
    assert _gate(**args) == general
    assert _gate(**args) == general
    replies._HEADER_KINDS.clear()  # the header names worked out afresh
    assert _gate(**args) == general


def test_the_remembered_outcome_of_a_tier_tuple_is_its_own() -> None:
    """Two equal tier tuples are two keys; a suppressing tier is never remembered."""
    one = ((1, timedelta(minutes=10)),)
    other = ((1, timedelta(minutes=10)),)
    want = GateOutcome(None, ALL_PASSED, (TierCount(1, timedelta(minutes=10), 0),))
    assert _gate(rate_limits=one) == _gate(rate_limits=other) == want
    held = _gate(rate_limits=one, sent_now=1)
    assert held == GateOutcome(
        Suppression(
            "rate-limit",
            "1 replies went to 'ann@example.com' in the last 10m, the limit is 1",
        ),
        CHECKS[: CHECKS.index("rate-limit")],
    )
    assert _gate(rate_limits=one, sent_now=1, recipient="Bo <bo@example.com>") == GateOutcome(
        Suppression(
            "rate-limit",
            "1 replies went to 'bo@example.com' in the last 10m, the limit is 1",
        ),
        CHECKS[: CHECKS.index("rate-limit")],
    )

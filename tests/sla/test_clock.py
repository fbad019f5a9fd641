"""SLA clocks: due instants, warnings, breaches, pauses, re-prioritising and re-opening."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from tests.sla.test_calendar import OFFICE, b, u

from routing.sla import Calendar, MetricStatus, SlaClock, TicketHistory

H = dt.timedelta(hours=1)
TARGETS = {
    "normal": {
        "first_reply": 4 * 3600,
        "next_reply": 2 * 3600,
        "periodic_update": 8 * 3600,
        "resolution": 16 * 3600,
    },
    "urgent": {"first_reply": dt.timedelta(hours=1), "resolution": 4 * 3600},
}
CREATED = b(2026, 11, 23, 9)  # Monday; OFFICE is open 09-12 and 13-17 Berlin, closed Wed 25th


def clock(**kwargs: Any) -> SlaClock:
    return SlaClock(TARGETS, calendar=Calendar.from_dict(OFFICE), **kwargs)


def states(history: TicketHistory, now: dt.datetime, **kwargs: Any) -> dict[str, tuple]:
    result = clock(**kwargs).measure(history, now)
    return {m.metric: (m.state, m.due, m.remaining) for m in result.metrics}


CASES = [
    (
        "running",
        TicketHistory(CREATED),
        b(2026, 11, 23, 11, 30),
        {
            "first_reply": ("active", u(2026, 11, 23, 13), 1.5 * H),
            "resolution": ("active", u(2026, 11, 26, 10), 13.5 * H),
        },
    ),
    (
        "warning at 80 percent",
        TicketHistory(CREATED),
        b(2026, 11, 23, 13, 30),
        {
            "first_reply": ("warning", u(2026, 11, 23, 13), 0.5 * H),
            "resolution": ("active", u(2026, 11, 26, 10), 12.5 * H),
        },
    ),
    (
        "breached",
        TicketHistory(CREATED),
        b(2026, 11, 23, 14, 30),
        {
            "first_reply": ("breached", u(2026, 11, 23, 13), -0.5 * H),
            "resolution": ("active", u(2026, 11, 26, 10), 11.5 * H),
        },
    ),
    (
        "replied in time, next reply and periodic update run",
        TicketHistory(
            CREATED, agent_replies=[b(2026, 11, 23, 10)], requester_messages=[b(2026, 11, 23, 11)]
        ),
        b(2026, 11, 23, 12, 30),
        {
            "first_reply": ("achieved", u(2026, 11, 23, 13), 3 * H),
            "next_reply": ("active", u(2026, 11, 23, 13), H),
            "periodic_update": ("active", u(2026, 11, 24, 10), 6 * H),
            "resolution": ("active", u(2026, 11, 26, 10), 13 * H),
        },
    ),
    (
        "pending pauses every clock",
        TicketHistory(
            CREATED,
            status="open",
            status_changes=[(b(2026, 11, 23, 10), "pending"), (b(2026, 11, 23, 16), "open")],
        ),
        b(2026, 11, 23, 12),
        {
            "first_reply": ("paused", None, 3 * H),
            "resolution": ("paused", None, 15 * H),
        },
    ),
    (
        "after the pause the due moves",
        TicketHistory(
            CREATED,
            status="open",
            status_changes=[(b(2026, 11, 23, 10), "pending"), (b(2026, 11, 23, 16), "open")],
        ),
        b(2026, 11, 23, 16, 30),
        {
            "first_reply": ("active", u(2026, 11, 24, 10), 2.5 * H),
            "resolution": ("active", u(2026, 11, 26, 16), 14.5 * H),
        },
    ),
    (
        "raised to urgent: target of the current priority from the start",
        TicketHistory(CREATED, priority_changes=[(b(2026, 11, 23, 9, 30), "urgent")]),
        b(2026, 11, 23, 10, 30),
        {
            "first_reply": ("breached", u(2026, 11, 23, 9), -0.5 * H),
            "resolution": ("active", u(2026, 11, 23, 13), 2.5 * H),
        },
    ),
    (
        "solved stops resolution",
        TicketHistory(
            CREATED,
            agent_replies=[b(2026, 11, 23, 10)],
            status_changes=[(b(2026, 11, 23, 15), "solved")],
        ),
        b(2026, 11, 24, 12),
        {
            "first_reply": ("achieved", u(2026, 11, 23, 13), 3 * H),
            "periodic_update": ("achieved", u(2026, 11, 24, 10), 4 * H),
            "resolution": ("achieved", u(2026, 11, 26, 10), 11 * H),
        },
    ),
    (
        "re-opened resumes resolution without the solved time",
        TicketHistory(
            CREATED,
            agent_replies=[b(2026, 11, 23, 10)],
            status_changes=[(b(2026, 11, 23, 12), "solved"), (b(2026, 11, 24, 9), "open")],
        ),
        b(2026, 11, 24, 10),
        {
            "first_reply": ("achieved", u(2026, 11, 23, 13), 3 * H),
            "periodic_update": ("achieved", u(2026, 11, 24, 10), 6 * H),
            "resolution": ("active", u(2026, 11, 26, 15), 12 * H),
        },
    ),
    (
        "events after now are ignored",
        TicketHistory(CREATED, agent_replies=[b(2026, 11, 23, 15)]),
        b(2026, 11, 23, 11),
        {
            "first_reply": ("active", u(2026, 11, 23, 13), 2 * H),
            "resolution": ("active", u(2026, 11, 26, 10), 14 * H),
        },
    ),
]


@pytest.mark.parametrize(("note", "history", "now", "expected"), CASES, ids=[c[0] for c in CASES])
def test_sla_clock(note: str, history: TicketHistory, now: dt.datetime, expected: dict):
    assert states(history, now) == expected


def test_calendar_clock_counts_wall_time_with_pauses():
    sla = SlaClock(TARGETS, clock="calendar")
    history = TicketHistory(
        CREATED, status_changes=[(b(2026, 11, 23, 10), "on_hold"), (b(2026, 11, 23, 11), "open")]
    )
    result = sla.measure(history, b(2026, 11, 23, 12))
    assert [(m.metric, m.due, m.elapsed) for m in result.metrics] == [
        ("first_reply", u(2026, 11, 23, 13), 2 * H),
        ("resolution", u(2026, 11, 24, 1), 2 * H),
    ]


def test_pause_predicate():
    sla = clock(pause_statuses=lambda s: s.startswith("waiting"))
    history = TicketHistory(CREATED, status_changes=[(b(2026, 11, 23, 10), "waiting_on_customer")])
    assert sla.measure(history, b(2026, 11, 23, 11)).get("first_reply") == MetricStatus(
        metric="first_reply",
        priority="normal",
        target=4 * H,
        start=u(2026, 11, 23, 8),
        due=None,
        fulfilled_at=None,
        elapsed=H,
        remaining=3 * H,
        paused=True,
        warning=False,
        breached=False,
    )


def test_result_to_dict():
    history = TicketHistory(CREATED, agent_replies=[b(2026, 11, 23, 10)])
    result = clock().measure(history, b(2026, 11, 23, 10, 30))
    assert result.to_dict() == {
        "now": "2026-11-23T09:30:00+00:00",
        "priority": "normal",
        "breached": False,
        "metrics": {
            "first_reply": {
                "metric": "first_reply",
                "state": "achieved",
                "priority": "normal",
                "target_seconds": 14400,
                "start": "2026-11-23T08:00:00+00:00",
                "due": "2026-11-23T13:00:00+00:00",
                "fulfilled_at": "2026-11-23T09:00:00+00:00",
                "elapsed_seconds": 3600,
                "remaining_seconds": 10800,
                "paused": False,
                "warning": False,
                "breached": False,
            },
            "periodic_update": {
                "metric": "periodic_update",
                "state": "active",
                "priority": "normal",
                "target_seconds": 28800,
                "start": "2026-11-23T09:00:00+00:00",
                "due": "2026-11-24T10:00:00+00:00",
                "fulfilled_at": None,
                "elapsed_seconds": 1800,
                "remaining_seconds": 27000,
                "paused": False,
                "warning": False,
                "breached": False,
            },
            "resolution": {
                "metric": "resolution",
                "state": "active",
                "priority": "normal",
                "target_seconds": 57600,
                "start": "2026-11-23T08:00:00+00:00",
                "due": "2026-11-26T10:00:00+00:00",
                "fulfilled_at": None,
                "elapsed_seconds": 5400,
                "remaining_seconds": 52200,
                "paused": False,
                "warning": False,
                "breached": False,
            },
        },
    }


@pytest.mark.parametrize(
    ("note", "kwargs", "message"),
    [
        ("no calendar", {"calendar": None}, "a business clock needs a calendar"),
        ("bad clock", {"clock": "wall"}, "clock must be 'business' or 'calendar', found 'wall'"),
        ("bad warn_at", {"warn_at": 1.5}, "warn_at must be in (0, 1], found 1.5"),
        (
            "bad metric",
            {"targets": {"low": {"first_response": 60}}},
            "targets.low: unknown metric 'first_response'",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None,
)
def test_sla_clock_errors(note: str, kwargs: dict, message: str):
    args: dict[str, Any] = {"targets": TARGETS, "calendar": Calendar.from_dict(OFFICE)}
    args.update(kwargs)
    with pytest.raises(ValueError) as info:
        SlaClock(args.pop("targets"), **args)
    assert str(info.value) == message

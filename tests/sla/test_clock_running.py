"""SLA clocks: a ticket with no events since it was created measures as the general rules say.

`SlaClock.measure` takes a short path for the common ticket (no status or priority change, no
reply, no message, neither paused nor solved). A status "change" at the creation instant to
the same status changes nothing in the rules, yet sends `measure` down its general path: the
two results must be equal, field for field.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sla.test_calendar import OFFICE

from routing.sla import Calendar, SlaClock, TicketHistory

TARGETS = {
    "normal": {"first_reply": 4 * 3600, "resolution": 16 * 3600},
    "urgent": {"first_reply": 0, "resolution": 4 * 3600},
    "high": {"resolution": 8 * 3600},
    "low": {"first_reply": 600, "next_reply": 3600},
}
CALENDAR = Calendar.from_dict(OFFICE)
CLOCKS = {
    "business": SlaClock(TARGETS, calendar=CALENDAR),
    "calendar": SlaClock(TARGETS, clock="calendar"),
}
START = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)

instants = st.integers(0, 40 * 24 * 60).map(lambda m: START + dt.timedelta(minutes=m))
zones = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=1)), dt.timezone(dt.timedelta(hours=-5))]
)


def _general(clock: SlaClock, history: TicketHistory, now: dt.datetime) -> object:
    at_creation = ((history.created_at, history.status),)
    same = TicketHistory(history.created_at, history.status, history.priority, at_creation)
    return clock.measure(same, now)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(sorted(CLOCKS)),
    created=instants,
    now=instants,
    zone=zones,
    status=st.sampled_from(["new", "open"]),
    priority=st.sampled_from(["normal", "urgent", "high", "low", "unknown"]),
)
def test_measure_running_ticket_equals_general_rules(
    kind: str, created: dt.datetime, now: dt.datetime, zone: dt.tzinfo, status: str, priority: str
) -> None:
    """Due, elapsed, remaining, warning, breach: the short path gives the general result."""
    clock = CLOCKS[kind]
    history = TicketHistory(created.astimezone(zone), status, priority)
    assert clock.measure(history, now) == _general(clock, history, now)


def test_measure_running_ticket_whole_result() -> None:
    """A new normal ticket on Monday 09:00 Berlin, measured at 11:30: both metrics run, due
    after the lunch break and on Thursday (Wednesday 25th is closed)."""
    created = dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)  # 09:00 Berlin, the office opens
    now = dt.datetime(2026, 11, 23, 10, 30, tzinfo=dt.UTC)
    result = CLOCKS["business"].measure(TicketHistory(created), now)
    assert result.to_dict() == {
        "now": "2026-11-23T10:30:00+00:00",
        "priority": "normal",
        "breached": False,
        "metrics": {
            "first_reply": {
                "metric": "first_reply",
                "state": "active",
                "priority": "normal",
                "target_seconds": 14400,
                "start": "2026-11-23T08:00:00+00:00",
                "due": "2026-11-23T13:00:00+00:00",
                "fulfilled_at": None,
                "elapsed_seconds": 9000,
                "remaining_seconds": 5400,
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
                "elapsed_seconds": 9000,
                "remaining_seconds": 48600,
                "paused": False,
                "warning": False,
                "breached": False,
            },
        },
    }
    assert result == _general(CLOCKS["business"], TicketHistory(created), now)

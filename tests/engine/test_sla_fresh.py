"""The SLA step of a ticket evaluated without an SLA history equals the general rules.

`sla_of` measures a ticket with no `sla_history` in integer µs (`SlaClock.report_fresh`);
given a history, it goes through `SlaClock.measure`'s general rules. A history holding only
a same-status change at the creation instant changes nothing in the rules, so the two
decisions must be equal: the `sla` object byte for byte (as JSON, key order included) and
the errors. Policies here cover business and calendar clocks, pause sets that depend on the
status only or on more, calendars that stop opening, and every status and priority.
"""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routing
from routing.sla import TicketHistory

RULES = routing.loads(
    """
version: 1
calendars:
  eu:
    timezone: Europe/Berlin
    hours: {mon-fri: ["08:00-12:00", "13:00-18:00"], sat: "10:00-14:00"}
    holidays: {country: DE, subdivision: BE}
    closed: ["2026-12-24", "2026-12-31"]
    special: {"2026-12-23": "08:00-12:00"}
  once:
    timezone: America/New_York
    hours: {}
    special: {"2026-11-24": "09:00-10:00"}
sla_policies:
  - name: wall
    when: 'tags has "wall"'
    clock: calendar
    warn_at: 0.5
    targets:
      normal: {first_reply: 90s, resolution: 2d}
      high: {next_reply: 1h}
  - name: once
    when: 'tags has "once"'
    calendar: once
    targets:
      normal: {first_reply: 30m, resolution: 2h}
  - name: waiting
    when: 'tags has "wait"'
    calendar: eu
    targets:
      normal: {first_reply: 0m, resolution: 8h}
    pause_when: status == "pending" and tags has "customer"
  - name: standard
    calendar: eu
    targets:
      urgent: {first_reply: 30m, resolution: 4h}
      high: {first_reply: 1h, resolution: 8h}
      normal: {first_reply: 4h, resolution: 5d}
      low: {first_reply: 2d, resolution: 2w}
    pause_when: status in ["pending", "on_hold"]
stages: []
"""
)

START = dt.datetime(2026, 11, 10, tzinfo=dt.UTC)
#: Instants over the holidays and New Year, and around the change to summer time in Berlin
#: and New York (March 2027).
moments = st.integers(0, 70 * 24 * 3600).map(lambda s: START + dt.timedelta(seconds=s)) | (
    st.integers(0, 30 * 24 * 3600).map(
        lambda s: dt.datetime(2027, 3, 8, tzinfo=dt.UTC) + dt.timedelta(seconds=s)
    )
)
offsets = st.sampled_from(["+00:00", "Z", "+05:30", "-08:00", ".250000+01:00"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    created=moments | st.none(),
    offset=offsets,
    now=moments,
    status=st.sampled_from(["new", "open", "pending", "on_hold", "solved", "closed"]),
    priority=st.sampled_from(["low", "normal", "high", "urgent"]),
    tags=st.lists(st.sampled_from(["wall", "once", "wait", "customer"]), max_size=3),
)
def test_fresh_sla_object_equals_general_rules(created, offset, now, status, priority, tags):
    ticket = {"id": "T", "status": status, "priority": priority, "tags": tags}
    if created is not None:
        text = created.replace(tzinfo=None).isoformat(timespec="seconds")
        ticket["created_at"] = text + offset
    fresh = RULES.evaluate(ticket, now=now)
    again = RULES.evaluate(ticket, now=now)  # cached plans and `now` change nothing
    assert json.dumps(again.sla) == json.dumps(fresh.sla)
    start = dt.datetime.fromisoformat(ticket["created_at"]) if created is not None else now
    history = TicketHistory(
        created_at=start,
        status=fresh.status,
        priority=fresh.priority,
        status_changes=((start, fresh.status),),
    )
    general = RULES.evaluate(ticket, now=now, sla_history=history)
    assert json.dumps(fresh.sla) == json.dumps(general.sla)
    assert fresh.errors == general.errors


def test_interleaved_nows_equal_general_rules():
    """Tickets measured at `now` objects that come and go (a dry run's own `now`, and
    tickets that bring theirs), so the step's remembered `now`s and the calendar's
    ``upto(now)`` change slots: every `sla` object is still the general rules' one."""
    nows = [START + dt.timedelta(days=d, hours=h) for d, h in ((5, 3), (12, 9), (40, 1))]
    order = [0, 1, 0, 2, 0, 1, 1, 2, 2, 0, 1, 0]
    for i, k in enumerate(order * 2):
        created = START + dt.timedelta(days=i % 9, hours=i % 13, minutes=7 * i)
        text = created.replace(tzinfo=None).isoformat(timespec="seconds") + "+01:00"
        ticket = {"id": f"T{i}", "status": "open", "created_at": text}
        fresh = RULES.evaluate(ticket, now=nows[k])
        start = dt.datetime.fromisoformat(text)
        history = TicketHistory(start, "open", fresh.priority, ((start, "open"),))
        general = RULES.evaluate(ticket, now=nows[k], sla_history=history)
        assert fresh.sla is not None
        assert json.dumps(fresh.sla) == json.dumps(general.sla)

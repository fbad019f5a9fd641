"""Instants outside the years a calendar covers (2 to 9997) in conditions, `assign` and the
SLA step: each is an ``eval/calendar`` error of the rule (or policy) that asked, recorded in
the decision; `evaluate` and `explain` never raise. CRM exports often carry 9999-12-31 as
"never", so such dates reach rules in real data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import routing

RULES = """
version: 1
fields:
  due: {type: datetime}
calendars:
  eu:
    timezone: Europe/Berlin
    hours: {mon-fri: "09:00-17:00"}
queues: [q]
agents:
  - id: ann
    queues: [q]
    calendar: eu
sla_policies:
  - name: p
    when: "true"
    calendar: eu
    targets:
      normal: {first_reply: 4h}
stages:
  - name: s
    mode: all
    rules:
      - name: open at due
        when: is_open("eu", fields.due)
        then: [{tag: open-at-due}]
      - name: business since due
        when: business_since(fields.due, "eu") > 1h
        then: [{tag: long-ago}]
      - name: open now
        when: is_open("eu")
        then: [{tag: open-now}]
      - name: route and assign
        when: "true"
        then: [{route: q}, {assign: {strategy: least_loaded}}]
"""

MONDAY_10 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)  # 11:00 in Berlin: open


def _range(year: int) -> str:
    return f"calendar 'eu': year {year} is out of range (a calendar covers the years 2 to 9997)"


def _error(rule: str | None, message: str) -> dict[str, Any]:
    return {"rule": rule, "code": "eval/calendar", "message": message}


@pytest.fixture(scope="module")
def ruleset() -> routing.Ruleset:
    return routing.loads(RULES)


def _ticket(due: str) -> dict[str, Any]:
    return {"id": "T-1", "fields": {"due": due}, "created_at": "2026-01-05T08:00:00+00:00"}


def _outcome(decision: routing.Decision) -> dict[str, Any]:
    data = decision.to_dict()
    return {key: data[key] for key in ("queue", "assignee", "tags", "fired", "errors")}


@pytest.mark.parametrize(
    ("due", "year"),
    [("9999-12-31T00:00:00+00:00", 9999), ("0001-01-01T10:00:00+00:00", 1)],
    ids=["9999", "0001"],
)
def test_a_field_outside_the_calendar_years_fails_only_the_rules_that_read_it(
    ruleset: routing.Ruleset, due: str, year: int
) -> None:
    want = {
        "queue": "q",
        "assignee": "ann",
        "tags": ["open-now"],
        "fired": ["open now", "route and assign"],
        "errors": [_error("open at due", _range(year)), _error("business since due", _range(year))],
    }
    assert _outcome(ruleset.evaluate(_ticket(due), MONDAY_10)) == want
    assert _outcome(ruleset.explain(_ticket(due), MONDAY_10)) == want


@pytest.mark.parametrize("now", [datetime(9999, 12, 31, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)])
def test_now_outside_the_calendar_years_is_an_error_of_each_asker(
    ruleset: routing.Ruleset, now: datetime
) -> None:
    year = now.year
    errors = [
        _error("business since due", _range(year)),
        _error("open now", _range(year)),
        _error("route and assign", _range(year)),
    ]
    if year == 9999:  # the SLA clock runs from created_at to now through the year 9999
        errors.append(_error(None, f"SLA policy 'p': {_range(year)}"))
    decision = ruleset.evaluate(_ticket("2026-01-05T10:00:00+00:00"), now)
    assert _outcome(decision) == {
        "queue": "q",
        "assignee": None,
        "tags": ["open-at-due"],
        "fired": ["open at due", "route and assign"],
        "errors": errors,
    }
    assert decision.assignment == {
        "rule": "route and assign",
        "strategy": "least_loaded",
        "agent": None,
        "reason": _range(year),
    }
    assert _outcome(ruleset.explain(_ticket("2026-01-05T10:00:00+00:00"), now)) == (
        _outcome(decision)
    )


LOCAL_RULES = """
version: 1
fields:
  due: {type: datetime}
  zone: {type: string}
stages:
  - name: s
    mode: all
    rules:
      - name: created
        when: hour(created_at, "Pacific/Kiritimati") == 3
        then: [{tag: a}]
      - name: field
        when: weekday(fields.due, "Pacific/Kiritimati") == "mon"
        then: [{tag: b}]
      - name: zone from a field
        when: hour(fields.due, fields.zone) == 3
        then: [{tag: c}]
      - name: now
        when: hour(now(), "Pacific/Kiritimati") == 3
        then: [{tag: d}]
"""


def test_a_local_time_outside_the_years_1_to_9999_is_a_located_failure() -> None:
    """Every way `hour`/`weekday` reach a zone (a cached ticket time, a field, a zone read at
    run time, `now()`) says which instant has no local time where, not Python's
    "OverflowError: date value out of range"."""
    ruleset = routing.loads(LOCAL_RULES)
    late = "9999-12-31T23:30:00+00:00"  # 13:30 on 1 January 10000 in Kiritimati (UTC+14)
    ticket = {"id": "T-1", "created_at": late, "fields": {"due": late, "zone": "Asia/Tokyo"}}
    now = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)

    def error(rule: str, zone: str) -> dict[str, Any]:
        message = f"{late} has no local time in {zone}: it is after the year 9999 there"
        return {"rule": rule, "code": "eval/type-error", "message": message}

    want = [
        error("created", "Pacific/Kiritimati"),
        error("field", "Pacific/Kiritimati"),
        error("zone from a field", "Asia/Tokyo"),
        error("now", "Pacific/Kiritimati"),
    ]
    assert ruleset.evaluate(ticket, now).to_dict()["errors"] == want
    assert ruleset.explain(ticket, now).to_dict()["errors"] == want


TEMPLATE_RULES = """
version: 1
calendars:
  eu: {timezone: Europe/Berlin, hours: {mon-fri: "09:00-17:00"}}
templates:
  ack: "open={{ calendars['eu'].is_open }} next={{ calendars['eu'].next_open }}"
stages:
  - name: s
    mode: all
    rules:
      - name: ack
        when: "true"
        then: [{reply: {template: ack}}]
"""


@pytest.mark.parametrize(
    ("now", "body", "errors"),
    [
        (MONDAY_10, "open=true next=2026-01-05T11:00:00+01:00", []),
        (
            datetime(9999, 12, 31, 23, tzinfo=UTC),
            "open= next=",
            [_error(None, _range(9999))],
        ),
    ],
    ids=["2026", "9999"],
)
def test_a_template_reads_a_calendar_that_cannot_answer_as_null(
    now: datetime, body: str, errors: list[dict[str, Any]]
) -> None:
    """``calendars[...]`` at a `now` outside the calendar's years: `is_open` and
    `next_open` are null, the reply is still written, and the calendar is named once."""
    decision = routing.loads(TEMPLATE_RULES).evaluate(
        {"id": "T-1", "requester": {"email": "a@b.example"}}, now
    )
    assert [e.body for e in decision.effects] == [body]
    assert decision.to_dict()["errors"] == errors


@pytest.mark.parametrize(
    ("created_at", "year"),
    [("9999-12-31T23:59:59-14:00", 10_000), ("0001-01-01T00:00:00+14:00", 0)],
    ids=["10000", "0"],
)
def test_an_instant_whose_utc_year_is_beyond_datetime_is_out_of_the_calendar(
    ruleset: routing.Ruleset, created_at: str, year: int
) -> None:
    """An aware instant late on 9999-12-31 west of UTC is in the year 10000 in UTC, which
    `datetime` cannot hold: the SLA clock (and `business_since`) said "OverflowError: date
    value out of range" out of `evaluate`, and a dry-run skipped the ticket."""
    ticket = {"id": "T-1", "created_at": created_at, "fields": {"due": created_at}}
    decision = ruleset.evaluate(ticket, MONDAY_10)
    message = f"calendar 'eu': year {year} is out of range (a calendar covers the years 2 to 9997)"
    assert _outcome(decision)["errors"] == [
        _error("open at due", message),
        _error("business since due", message),
        _error(None, f"SLA policy 'p': {message}"),
    ]
    assert _outcome(ruleset.explain(ticket, MONDAY_10)) == _outcome(decision)

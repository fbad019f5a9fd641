"""SLA clocks of tickets with no history: the µs fast paths against the general rules.

`SlaClock.measure` answers a ticket with no events since its creation by `measure_fresh`
(running, solved or paused since creation); `report_fresh` gives the same as plain data for
the engine; `Calendar`'s `open_and_dues` answers from a two-year span of its tables. Each
is pinned here to the general path of `measure`, which a same-status "change" at the
creation instant forces (it changes nothing in the rules): same results, and the same
`CalendarError` where a calendar cannot answer. `iso_utc` is pinned to `datetime.isoformat`.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from typing import Any
from zoneinfo import ZoneInfo

import pydantic_core
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.sla.strategies import calendars, instants

from routing.errors import CalendarError
from routing.sla import Calendar, SlaClock, SlaResult, TicketHistory
from routing.sla.intervals import from_us, iso_utc, to_us

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
STATUSES = ["new", "open", "pending", "on_hold", "solved", "closed", "hold"]
DUE_KEYS = {m: f"{m}_due" for m in ("first_reply", "next_reply", "periodic_update", "resolution")}
MINUTE, HOUR, DAY = 60, 3600, 86400
NOW = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)

#: Targets in seconds: zero, sub-minute and odd seconds, minutes to weeks, and 60 business
#: days (which crosses a year from late in the year).
targets = st.sampled_from(
    [0, 1.5, 59, 90, 30 * MINUTE, HOUR, 4 * HOUR, 8 * HOUR, DAY, 5 * DAY, 14 * DAY, 480 * HOUR]
)


@st.composite
def clocks(draw: st.DrawFn, calendar: Calendar) -> SlaClock:
    """A clock on `calendar` (business) or wall time, with random targets and pauses."""
    table: dict[str, dict[str, float]] = {}
    for priority in ("low", "normal", "high", "urgent"):
        metrics = draw(
            st.lists(
                st.sampled_from(["first_reply", "next_reply", "periodic_update", "resolution"]),
                unique=True,
                max_size=4,
            )
        )
        table[priority] = {m: draw(targets) for m in metrics}
    pauses = draw(
        st.sampled_from(
            [
                frozenset({"pending", "on_hold"}),
                frozenset(),
                frozenset({"pending", "solved"}),
                lambda s: s.startswith("hold") or s == "pending",
            ]
        )
    )
    kind = draw(st.sampled_from(["business", "business", "calendar"]))
    warn_at = draw(st.sampled_from([0.8, 0.5, 1.0, 0.333]))
    return SlaClock(
        table,
        calendar=calendar if kind == "business" else None,
        clock=kind,  # type: ignore[arg-type]
        pause_statuses=pauses,
        warn_at=warn_at,
    )


zones = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=5, minutes=30)), dt.timezone(dt.timedelta(hours=-7))]
)


def _general(clock: SlaClock, history: TicketHistory, now: dt.datetime) -> object:
    """`measure` through its general rules: the same history, with a same-status change."""
    same = TicketHistory(
        history.created_at,
        history.status,
        history.priority,
        ((history.created_at, history.status),),
    )
    return _outcome(lambda: clock.measure(same, now))


def _outcome(call: Any) -> object:
    """The result of `call`, or the type and message of the `CalendarError` it raises."""
    try:
        return call()
    except CalendarError as exc:
        return ("CalendarError", str(exc))


#: What the engine passes `report_fresh` as the head of the object: its first keys.
HEAD: dict[str, Any] = {"policy": "p", **dict.fromkeys(DUE_KEYS.values())}
HEAD_ITEMS = list(HEAD.items())


def _report(result: SlaResult) -> list[tuple[str, Any]]:
    """What `report_fresh` should give, from a `measure` result (as the engine reads it),
    as its items in order."""
    out = dict(HEAD)
    remaining: dict[str, float] = {}
    for m in result.metrics:
        out[DUE_KEYS[m.metric]] = None if m.due is None else m.due.isoformat()
        remaining[m.metric] = m.remaining.total_seconds()
    out["remaining"] = remaining
    out["breached"] = [m.metric for m in result.metrics if m.breached]
    out["warning"] = [m.metric for m in result.metrics if m.warning]
    out["paused"] = any(m.paused for m in result.metrics)
    return list(out.items())


def _check(clock: SlaClock, created: dt.datetime, now: dt.datetime, status: str, priority: str):
    history = TicketHistory(created, status, priority)
    expected = _general(clock, history, now)
    assert _outcome(lambda: clock.measure(history, now)) == expected
    got = _outcome(
        lambda: clock.report_fresh(to_us(created), to_us(now), priority, status, HEAD, DUE_KEYS)
    )
    # again, now that the calendar's span is made: `open_and_two_dues` answers from it
    again = _outcome(
        lambda: clock.report_fresh(to_us(created), to_us(now), priority, status, HEAD, DUE_KEYS)
    )
    if isinstance(expected, SlaResult):
        assert isinstance(got, dict)
        assert list(got.items()) == _report(expected)
        assert isinstance(again, dict)
        assert list(again.items()) == _report(expected)
        assert list(HEAD.items()) == HEAD_ITEMS  # a copy was filled, not the head
    else:
        assert (got, again) == (expected, expected)


@SETTINGS
@given(
    data=st.data(),
    case=calendars(),
    status=st.sampled_from(STATUSES),
    priority=st.sampled_from(["low", "normal", "high", "urgent", "unknown"]),
    zone=zones,
)
def test_fresh_ticket_equals_general_rules(data, case, status, priority, zone):
    """Random calendars near DST changes and holidays, every status and priority, `now`
    before or after `created` (by up to three days): due texts, remaining seconds, breaches,
    warnings and pauses (or the error) are those of the general rules."""
    spec, anchor = case
    clock = data.draw(clocks(Calendar.from_dict(spec)))
    created = data.draw(instants(anchor)) + dt.timedelta(
        microseconds=data.draw(st.sampled_from([0, 0, 250_000, 999_999]))
    )
    now = data.draw(instants(anchor))
    _check(clock, created.astimezone(zone), now, status, priority)


@SETTINGS
@given(
    data=st.data(),
    days=st.integers(-400, 400),
    status=st.sampled_from(STATUSES),
    priority=st.sampled_from(["low", "normal", "high", "urgent"]),
)
def test_fresh_ticket_far_from_created(data, days, status, priority):
    """`now` up to 400 days from `created`, both near a year's end: answers that leave the
    two years `open_and_dues` keeps at hand go to the general methods, with equal results."""
    spec = {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["08:00-12:00", "13:00-18:00"], "sat": "10:00-14:00"},
        "holidays": {"country": "DE", "subdivision": "BE"},
        "closed": ["2026-12-24", "2026-12-31"],
    }
    clock = data.draw(clocks(Calendar.from_dict(spec)))
    created = dt.datetime(2026, 12, 20, tzinfo=dt.UTC) + dt.timedelta(
        minutes=data.draw(st.integers(0, 20 * 1440))
    )
    _check(clock, created, created + dt.timedelta(days=days), status, priority)


NEVER_AGAIN = {  # open on one day only: a due after it is "never open"
    "timezone": "UTC",
    "hours": {},
    "special": {"2026-11-24": "09:00-10:00"},
}


@pytest.mark.parametrize("status", ["new", "pending", "solved"])
@pytest.mark.parametrize(
    ("created", "target"),
    [
        (dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC), 10 * MINUTE),  # within the hour
        (dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC), HOUR),  # never reached
        (dt.datetime(2026, 11, 25, tzinfo=dt.UTC), 0),  # never open again
        (dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 30 * MINUTE),  # 11 months ahead
        (dt.datetime(2024, 1, 1, tzinfo=dt.UTC), 30 * MINUTE),  # in three years
        (dt.datetime(2023, 1, 1, tzinfo=dt.UTC), 30 * MINUTE),  # beyond three years
    ],
)
def test_never_open_raises_as_general_rules(status, created, target):
    """A calendar that will not open again: the fast paths raise the general rules' error
    (or answer as they do) for every status."""
    clock = SlaClock(
        {"normal": {"first_reply": target, "resolution": target}},
        calendar=Calendar.from_dict(NEVER_AGAIN),
    )
    for now in (created, created + dt.timedelta(hours=2), created - dt.timedelta(days=1)):
        _check(clock, created, now, status, "normal")


@pytest.mark.parametrize("status", ["new", "pending", "solved"])
def test_years_out_of_range_raise_as_general_rules(status):
    """Near the last year a calendar covers (9997), the same answers or the same error."""
    clock = SlaClock(
        {"normal": {"first_reply": HOUR, "resolution": 480 * HOUR}},
        calendar=Calendar.from_dict({"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}),
    )
    created = dt.datetime(9997, 12, 1, tzinfo=dt.UTC)
    for now in (created, created + dt.timedelta(days=40), created - dt.timedelta(days=400)):
        _check(clock, created, now, status, "normal")


def test_report_fresh_whole_value():
    """A new normal ticket on Monday 09:30:15.5 Berlin, measured at 16:30: first reply is
    breached (due 13:30:15.5, after the lunch hour), resolution warns (5h59m44.5s of 7h
    elapsed, over 80%) and is due on Tuesday at 09:30:15.5."""
    office = {
        "timezone": "Europe/Berlin",
        "hours": {"mon-fri": ["09:00-12:00", "13:00-17:00"]},
    }
    clock = SlaClock(
        {"normal": {"first_reply": 3 * HOUR, "resolution": 7 * HOUR}},
        calendar=Calendar.from_dict(office),
    )
    created = dt.datetime(2026, 11, 23, 8, 30, 15, 500_000, tzinfo=dt.UTC)
    now = dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.UTC)
    head = {"policy": "office", "first_reply_due": None, "resolution_due": None}
    result = clock.report_fresh(to_us(created), to_us(now), "normal", "open", head, DUE_KEYS)
    assert list(result.items()) == [
        ("policy", "office"),
        ("first_reply_due", "2026-11-23T12:30:15.500000+00:00"),
        ("resolution_due", "2026-11-24T08:30:15.500000+00:00"),
        ("remaining", {"first_reply": -10784.5, "resolution": 3615.5}),
        ("breached", ["first_reply"]),
        ("warning", ["resolution"]),
        ("paused", False),
    ]
    assert head == {"policy": "office", "first_reply_due": None, "resolution_due": None}


@settings(max_examples=2000, deadline=None)
@given(
    us=st.integers(
        to_us(dt.datetime(1, 1, 1, tzinfo=dt.UTC)), to_us(dt.datetime.max.replace(tzinfo=dt.UTC))
    )
    | st.integers(0, 200 * 366 * DAY).map(lambda s: s * 1_000_000)
)
def test_iso_utc_is_isoformat(us):
    """Every instant a datetime holds, whole seconds or not: the text of `isoformat`."""
    assert iso_utc(us) == from_us(us).isoformat()


#: The zones of the instants `business_time_between` is given: fixed offsets (pydantic's
#: `TzInfo`, what tickets read from JSON carry, and `datetime.timezone`) take `fast_us`'s
#: field arithmetic, an IANA zone the subtraction.
between_zones = st.sampled_from(
    [
        dt.UTC,
        dt.timezone(dt.timedelta(hours=-7, microseconds=250)),
        pydantic_core.TzInfo(19_800),
        pydantic_core.TzInfo(-36_000),
        ZoneInfo("Europe/Berlin"),
    ]
)


@SETTINGS
@given(
    data=st.data(),
    case=calendars(),
    zone=between_zones,
    days=st.sampled_from([0, 0, 1, -1, 5, -5, 40, 200, -200, 400, 800]),
)
def test_business_time_between_without_pauses_equals_general(data, case, zone, days):
    """`business_time_between(a, b)` without pauses (answered from the span, its day index
    and the last `b`) equals the general path (an empty pause list, the per-year tables):
    near DST changes and holidays, `b` before `a`, across New Year and beyond the span."""
    spec, anchor = case
    calendar = Calendar.from_dict(spec)
    warm = data.draw(instants(anchor))  # the span the SLA step would have made
    calendar._open.span_at(to_us(warm))
    a = data.draw(instants(anchor)).astimezone(zone)
    b = (data.draw(instants(anchor)) + dt.timedelta(days=days)).astimezone(zone)
    b = b + dt.timedelta(microseconds=data.draw(st.sampled_from([0, 1, 999_999])))
    expected = _outcome(lambda: calendar.business_time_between(a, b, []))
    assert _outcome(lambda: calendar.business_time_between(a, b)) == expected
    assert _outcome(lambda: calendar.business_time_between(a, b)) == expected  # `b` remembered
    b_again = b + dt.timedelta(0)  # an equal instant, another object
    assert _outcome(lambda: calendar.business_time_between(a, b_again)) == expected


def test_business_time_between_whole_value():
    """Monday 2026-11-23 09:30 to Tuesday 10:00 Berlin on 09:00-12:00, 13:00-17:00: 6.5h on
    Monday, 1h on Tuesday; the other way round, negative; a `b` of another object at the
    same instant gives the same."""
    calendar = Calendar.from_dict(
        {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["09:00-12:00", "13:00-17:00"]}}
    )
    calendar._open.span_at(to_us(dt.datetime(2026, 11, 1, tzinfo=dt.UTC)))
    a = dt.datetime(2026, 11, 23, 8, 30, tzinfo=pydantic_core.TzInfo(0))
    b = dt.datetime(2026, 11, 24, 10, 0, tzinfo=pydantic_core.TzInfo(3600))
    assert calendar.business_time_between(a, b) == dt.timedelta(hours=7, minutes=30)
    assert calendar.business_time_between(b, a) == -dt.timedelta(hours=7, minutes=30)
    assert calendar.business_time_between(a, b.astimezone(dt.UTC)) == dt.timedelta(hours=7.5)


@pytest.mark.parametrize(
    ("a", "b", "error", "message"),
    [
        (dt.datetime(2026, 11, 23), NOW, ValueError, "a must be an aware datetime"),
        (NOW, dt.datetime(2026, 11, 23), ValueError, "b must be an aware datetime"),
        ("2026-11-23", NOW, TypeError, "a must be a datetime, found str"),
        (NOW, dt.date(2026, 11, 23), TypeError, "b must be a datetime, found date"),
    ],
)
def test_business_time_between_errors_as_general(a, b, error, message):
    """What is not an aware datetime gets `to_us`'s error, as through the general path."""
    calendar = Calendar.from_dict({"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}})
    calendar._open.span_at(to_us(NOW))
    for pauses in ((), []):
        with pytest.raises(error, match=message):
            calendar.business_time_between(a, b, pauses)


@SETTINGS
@given(case=calendars(), data=st.data())
def test_span_day_index(case, data):
    """The span's day index: for each UTC midnight of the span (and its end), how many
    intervals start at or before it; shifts over midnight and DST days included."""
    spec, anchor = case
    calendar = Calendar.from_dict(spec)
    span = calendar._open.span_at(to_us(data.draw(instants(anchor))))
    assert span.hi - span.lo == (len(span.days) - 1) * DAY * 1_000_000
    edges = range(span.lo, span.hi + 1, DAY * 1_000_000)
    assert list(span.days) == [bisect_right(span.starts, edge) for edge in edges]


def test_business_time_between_interleaved_b():
    """`b` objects that come and go, so the two remembered `b`s (and the span's ``upto(b)``)
    change slots: every answer is the general path's."""
    calendar = Calendar.from_dict(
        {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["09:00-12:00", "13:00-17:00"]}}
    )
    calendar._open.span_at(to_us(NOW))
    ends = [NOW + dt.timedelta(days=d, hours=h) for d, h in ((0, 0), (2, 5), (9, 1))]
    for i, k in enumerate([0, 1, 0, 2, 0, 1, 1, 2, 2, 0, 1, 0] * 2):
        a = NOW - dt.timedelta(days=i % 5, hours=i % 7, minutes=11 * i)
        b = ends[k]
        assert calendar.business_time_between(a, b) == calendar.business_time_between(a, b, [])


def test_fast_us_learns_pydantic_tzinfo_as_a_fixed_offset():
    """pydantic's `TzInfo` joins the fixed-offset zones on first sight (`routing.sla` does not
    import pydantic_core), an IANA zone never does; the µs are `to_us`'s either way."""
    from routing.sla import intervals

    t = dt.datetime(2026, 3, 29, 1, 30, 15, 7, tzinfo=pydantic_core.TzInfo(19_800))
    berlin = dt.datetime(2026, 3, 29, 1, 30, 15, 7, tzinfo=ZoneInfo("Europe/Berlin"))
    assert (intervals.fast_us(t), intervals.fast_us(berlin)) == (to_us(t), to_us(berlin))
    assert (
        pydantic_core.TzInfo in intervals._FIXED_OFFSET,
        ZoneInfo in intervals._FIXED_OFFSET,
    ) == (True, False)


@SETTINGS
@given(
    data=st.data(),
    case=calendars(),
    d1=st.sampled_from([1, 59 * 1_000_000, HOUR * 1_000_000, 8 * HOUR * 1_000_000]),
    d2=st.sampled_from([1_500_000, DAY * 1_000_000, 14 * DAY * 1_000_000, 480 * HOUR * 10**6]),
    later=st.sampled_from([0, 1, 3_600_000_000, 3 * DAY * 1_000_000]),
)
def test_open_and_two_dues_equals_open_and_dues(data, case, d1, d2, later):
    """`open_and_two_dues` (the SLA step's common case) gives `open_and_dues`'s answer,
    or None (then the step asks `open_and_dues`): before and after the span is made."""
    spec, anchor = case
    open_time = Calendar.from_dict(spec)._open
    a = to_us(data.draw(instants(anchor)))
    b = a + later
    for _ in range(2):
        expected = _outcome(lambda: tuple(open_time.open_and_dues(a, b, (d1, d2))))
        got = open_time.open_and_two_dues(a, b, d1, d2)
        assert got is None or got == expected


def test_open_and_two_dues_whole_value():
    """Monday 2026-11-23 08:30:15 UTC on 09:00-12:00, 13:00-17:00 Berlin, measured at 15:30:
    6h59m45s open, 3h due 12:30:15 (after the lunch hour), 7h due Tuesday 08:30:15."""
    open_time = Calendar.from_dict(
        {"timezone": "Europe/Berlin", "hours": {"mon-fri": ["09:00-12:00", "13:00-17:00"]}}
    )._open
    a = to_us(dt.datetime(2026, 11, 23, 8, 30, 15, tzinfo=dt.UTC))
    b = to_us(dt.datetime(2026, 11, 23, 15, 30, tzinfo=dt.UTC))
    assert open_time.open_and_two_dues(a, b, 3 * HOUR * 10**6, 7 * HOUR * 10**6) is None
    open_time.span_at(a)
    assert open_time.open_and_two_dues(a, b, 3 * HOUR * 10**6, 7 * HOUR * 10**6) == (
        (5 * HOUR + 59 * MINUTE + 45) * 10**6,
        to_us(dt.datetime(2026, 11, 23, 12, 30, 15, tzinfo=dt.UTC)),
        to_us(dt.datetime(2026, 11, 24, 8, 30, 15, tzinfo=dt.UTC)),
    )


def test_report_fresh_head_without_a_due_key():
    """A head that lacks a due key gets it where setting it puts it: after the head's keys,
    before ``remaining`` (the engine's head has every key; this is the general contract)."""
    clock = SlaClock(
        {"normal": {"first_reply": HOUR, "resolution": 2 * HOUR}},
        calendar=Calendar.from_dict({"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}}),
    )
    created = to_us(dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC))
    head = {"policy": "p", "resolution_due": None}
    for _ in range(2):  # the second time from the span
        result = clock.report_fresh(created, created, "normal", "new", head, DUE_KEYS)
        assert list(result.items()) == [
            ("policy", "p"),
            ("resolution_due", "2026-11-23T11:00:00+00:00"),
            ("first_reply_due", "2026-11-23T10:00:00+00:00"),
            ("remaining", {"first_reply": 3600.0, "resolution": 7200.0}),
            ("breached", []),
            ("warning", []),
            ("paused", False),
        ]


def test_business_time_between_keeps_the_remembered_b():
    """``business_since`` of a ticket created after `now` (b < a) remembers ``upto(now)``,
    not ``upto(created)``: the ticket's own instant must not push the common `now` out of
    the slots the SLA step reads too."""
    calendar = Calendar.from_dict({"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}})
    now = dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC)
    created = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
    calendar._open.span_at(to_us(now))
    assert calendar.business_time_between(created, now) == -dt.timedelta(hours=10)
    assert calendar._open._upto_recent[0] == to_us(now)

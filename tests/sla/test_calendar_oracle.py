"""`Calendar` against the minute-stepping oracle on random calendars (DESIGN.md section 8)."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.sla.oracle import Oracle
from tests.sla.strategies import calendars, instants, pauses

from routing.sla import Calendar

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
HORIZON = 6 * 1440  # minutes the oracle walks


def _build(spec):
    return Calendar.from_dict(spec), Oracle(spec, horizon=HORIZON)


@SETTINGS
@given(data=st.data(), case=calendars())
def test_is_open_matches_oracle(data, case):
    spec, anchor = case
    cal, oracle = _build(spec)
    ts = data.draw(st.lists(instants(anchor), min_size=1, max_size=30))
    assert [cal.is_open(t) for t in ts] == [oracle.is_open(t) for t in ts]


@SETTINGS
@given(data=st.data(), case=calendars())
def test_next_open_matches_oracle(data, case):
    spec, anchor = case
    cal, oracle = _build(spec)
    t = data.draw(instants(anchor))
    ps = data.draw(pauses(anchor))
    expected = oracle.next_open(t, ps)
    actual = cal.next_open(t, ps)
    if expected is None:  # not within the oracle's horizon: ours must be beyond it, or None
        assert actual is None or actual >= t + dt.timedelta(minutes=HORIZON)
    else:
        assert actual == expected


@SETTINGS
@given(data=st.data(), case=calendars())
def test_business_time_between_matches_oracle(data, case):
    spec, anchor = case
    cal, oracle = _build(spec)
    a = data.draw(instants(anchor, 2))
    b = data.draw(instants(anchor, 2))
    ps = data.draw(pauses(anchor))
    assert cal.business_time_between(a, b, ps) == oracle.business_time_between(a, b, ps)


@SETTINGS
@given(data=st.data(), case=calendars())
def test_add_business_time_matches_oracle(data, case):
    spec, anchor = case
    cal, oracle = _build(spec)
    start = data.draw(instants(anchor, 2))
    delta = dt.timedelta(minutes=data.draw(st.integers(0, 1440) | st.integers(0, 30)))
    ps = data.draw(pauses(anchor))
    expected = oracle.add_business_time(start, delta, ps)
    actual = cal.add_business_time(start, delta, ps)
    if expected is None:  # beyond the horizon or paused forever
        end = start + dt.timedelta(minutes=HORIZON)
        assert actual is None or actual > end - dt.timedelta(days=1)
    else:
        assert actual == expected


@settings(max_examples=150, deadline=None)
@given(data=st.data(), case=calendars())
def test_business_time_between_inverts_add_business_time(data, case):
    spec, anchor = case
    cal = Calendar.from_dict(spec)
    a = cal.next_open(data.draw(instants(anchor)))
    # up to 60 business days of 8 hours: the property holds at any distance
    delta = dt.timedelta(minutes=data.draw(st.integers(0, 60 * 8 * 60)))
    due = cal.add_business_time(a, delta)
    assert cal.business_time_between(a, due) == delta
    assert cal.business_time_between(due, a) == -delta

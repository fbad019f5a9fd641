"""A slow, obviously correct oracle for DESIGN.md section 8: it walks UTC minutes.

For every UTC minute it takes the local wall-clock date and minute and decides openness by
the rules, read literally:

- the minute is open if its local date is not closed and the minute lies in one of that
  date's own shifts, or in the tail (after midnight) of an overnight shift of the date
  before (rules 1, 2, 4);
- a date is closed if it has special hours that are empty, or it has no special hours and
  it is a holiday or a closed date (rule 3);
- business time is the number of open (and unpaused) minutes (rules 5-7).

It shares no code with `routing.sla` except the `holidays` package. Only whole-minute
instants are used with it, and every walk is bounded by `horizon` minutes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import holidays

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _shifts(value: str | Sequence[str]) -> list[tuple[int, int]]:
    """Each shift as (start, end) minutes of its own date; end > 1440 when overnight."""
    items = [value] if isinstance(value, str) else list(value)
    out = []
    for item in items:
        start, end = (_minutes(part) for part in item.split("-"))
        out.append((start, end + 1440 if end < start else end))
    return out


def _days(key: str) -> list[int]:
    if "-" not in key:
        return [DAYS.index(key)]
    first, last = (DAYS.index(part) for part in key.split("-"))
    return [(first + i) % 7 for i in range((last - first) % 7 + 1)]


class Oracle:
    """Minute-stepping reference implementation of one calendar spec."""

    def __init__(self, spec: Mapping[str, Any], horizon: int = 6 * 1440) -> None:
        self.tz = ZoneInfo(spec["timezone"])
        self.weekly: dict[int, list[tuple[int, int]]] = {}
        for key, value in spec["hours"].items():
            for day in _days(key):
                self.weekly[day] = _shifts(value)
        self.special = {
            dt.date.fromisoformat(k): _shifts(v) for k, v in spec.get("special", {}).items()
        }
        self.closed = {dt.date.fromisoformat(d) for d in spec.get("closed", [])}
        h = spec.get("holidays")
        self.holidays = (
            holidays.country_holidays(h["country"], subdiv=h.get("subdivision")) if h else None
        )
        self.horizon = horizon
        self._open: dict[int, bool] = {}

    # -- the rules, per local date and minute --------------------------------------------

    def date_closed(self, day: dt.date) -> bool:
        if day in self.special:
            return not self.special[day]
        return day in self.closed or (self.holidays is not None and day in self.holidays)

    def shifts_of(self, day: dt.date) -> list[tuple[int, int]]:
        if day in self.special:
            return self.special[day]
        return self.weekly.get(day.weekday(), [])

    def wall_open(self, day: dt.date, minute: int) -> bool:
        if self.date_closed(day):
            return False
        if any(s <= minute < min(e, 1440) for s, e in self.shifts_of(day)):
            return True
        before = day - dt.timedelta(days=1)
        return any(e > 1440 and minute < e - 1440 for _, e in self.shifts_of(before))

    def minute_open(self, u: int) -> bool:
        """Whether UTC minute u (minutes since 1970) is open."""
        cached = self._open.get(u)
        if cached is None:
            local = (EPOCH + u * MINUTE).astimezone(self.tz)
            cached = self.wall_open(local.date(), local.hour * 60 + local.minute)
            self._open[u] = cached
        return cached

    # -- queries on whole-minute instants ----------------------------------------------------

    @staticmethod
    def to_minute(t: dt.datetime) -> int:
        assert t.second == 0
        assert t.microsecond == 0
        return (t - EPOCH) // MINUTE

    @staticmethod
    def from_minute(u: int) -> dt.datetime:
        return EPOCH + u * MINUTE

    def _pause_minutes(self, pauses: Sequence[tuple[dt.datetime, dt.datetime | None]]):
        return [(self.to_minute(p), None if r is None else self.to_minute(r)) for p, r in pauses]

    def counts(self, u: int, pauses: list[tuple[int, int | None]]) -> bool:
        if not self.minute_open(u):
            return False
        return not any(p <= u and (r is None or u < r) for p, r in pauses)

    def is_open(self, t: dt.datetime) -> bool:
        return self.minute_open(self.to_minute(t))

    def next_open(self, t: dt.datetime, pauses=()) -> dt.datetime | None:
        """The earliest counting minute >= t within the horizon, else None."""
        ps = self._pause_minutes(pauses)
        u = self.to_minute(t)
        for m in range(u, u + self.horizon):
            if self.counts(m, ps):
                return self.from_minute(m)
        return None

    def business_time_between(self, a: dt.datetime, b: dt.datetime, pauses=()) -> dt.timedelta:
        ps = self._pause_minutes(pauses)
        ua, ub = self.to_minute(a), self.to_minute(b)
        sign = 1
        if ub < ua:
            ua, ub, sign = ub, ua, -1
        return sign * sum(self.counts(m, ps) for m in range(ua, ub)) * MINUTE

    def add_business_time(self, start: dt.datetime, delta: dt.timedelta, pauses=()):
        """The due instant, or None when it is not found within the horizon."""
        s = self.next_open(start, pauses)
        if s is None or delta == dt.timedelta(0):
            return s
        ps = self._pause_minutes(pauses)
        need = delta // MINUTE
        counted = 0
        u = self.to_minute(s)
        for m in range(u, u + self.horizon):
            if self.counts(m, ps):
                counted += 1
                if counted == need:
                    return self.from_minute(m + 1)
        return None

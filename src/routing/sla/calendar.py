"""Business-hours calendars: `Calendar.from_dict(spec)` and its queries.

The semantics are DESIGN.md section 8. How it is fast: open time is a sorted table of UTC
intervals with cumulative sums, built lazily per UTC year and cached; every query is a
bisection in one or two tables, so a due time 60 business days out costs about the same as
one an hour out. The SLA clocks' one-pass question (`open_and_dues`: elapsed open time and
due instants from one start) is answered from two years' tables joined into one, with an
index by day, so a due past New Year costs no more and an instant is found in a handful of
entries (docs/decisions/0014-sla-step-in-microseconds.md,
docs/decisions/0020-sla-step-day-index.md); `open_and_two_dues` is its common case (two
targets) in one call (decision 0024). ``business_since`` (`business_time_between`
without pauses) is answered from the same span. Tables are
immutable once built and published under a lock (or by one atomic store), so one `Calendar`
is safe to share between threads.

Instants: every argument is an aware `datetime` (a naive one raises `ValueError`); every
result is an aware UTC `datetime`. Open time is made of whole minutes (a minute is open or
not), but arithmetic on instants is exact: an instant is open when its minute is open, and
``add_business_time(09:00:30, 1h)`` is 10:00:30 on an open morning.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload
from zoneinfo import ZoneInfo

from routing.errors import CalendarError
from routing.sla._spec import DAY_NAMES, MINUTES_PER_DAY, CalendarSpec, parse_spec
from routing.sla.intervals import (
    US_PER_MINUTE,
    Pause,
    add_counted,
    counted_between,
    fast_us,
    from_us,
    merge,
    next_counted,
    normalize_pauses,
    offset_segments,
    to_us,
    wall_to_utc,
)

__all__ = ["Calendar", "DayInfo"]

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_ONE_US = dt.timedelta(microseconds=1)
_timedelta = dt.timedelta
_US_PER_DAY = MINUTES_PER_DAY * US_PER_MINUTE
#: DESIGN.md section 8 rule 8: a calendar never open this long after a start is an error.
NEVER_OPEN_HORIZON = 3 * 366 * _US_PER_DAY
#: A due instant lies at most this many years after its start; beyond it `add_open` raises
#: instead of building a table per year up to the year 9997 (a calendar open a minute a
#: week and a target of 3650d took 14 s to say "year 9998 is out of range").
DUE_HORIZON_YEARS = 100
_MIN_YEAR, _MAX_YEAR = 2, 9997
#: UTC year starts in microseconds, to find an instant's year by bisection.
_FIRST_YEAR = 1900
_YEAR_STARTS = tuple(
    (dt.date(y, 1, 1).toordinal() - _EPOCH_ORDINAL) * _US_PER_DAY for y in range(_FIRST_YEAR, 2201)
)


def _utc_year(x: int) -> int:
    """The UTC year of `x` µs since the epoch; 0 or 10000 beyond what `datetime` holds (an
    aware instant late on 9999-12-31 west of UTC is in the year 10000 there), which
    `_OpenTime.table` then refuses as out of range like any year it does not cover."""
    try:
        return from_us(x).year
    except OverflowError:
        return 0 if x < 0 else 10_000


def _day_minute(day: dt.date) -> int:
    """Wall-clock minutes since 1970-01-01 00:00 of local midnight starting `day`."""
    return (day.toordinal() - _EPOCH_ORDINAL) * MINUTES_PER_DAY


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One local date of a calendar, as ``routing sla show`` prints it.

    Attributes:
        date: the local date.
        weekday: ``mon`` .. ``sun``.
        shifts: the wall-clock minutes [start, end) of the date that are inside a shift and
            not closed, merged (a previous overnight shift's tail included), 0..1440.
        open_time: real business time from local midnight to the next local midnight
            (differs from the shifts' sum on DST days).
        holiday: the holiday's name, or None.
        closed: the date is listed in ``closed``.
        special: the date has special hours.
        dst_change: how the UTC offset changes during the date (e.g. +1h), or None.
    """

    date: dt.date
    weekday: str
    shifts: tuple[tuple[int, int], ...]
    open_time: dt.timedelta
    holiday: str | None
    closed: bool
    special: bool
    dst_change: dt.timedelta | None

    @property
    def hours_text(self) -> str:
        """``08:00-12:00, 13:00-18:00`` or ``closed``."""
        if not self.shifts:
            return "closed"
        return ", ".join(f"{_hhmm(s)}-{_hhmm(e)}" for s, e in self.shifts)


@dataclass(frozen=True, slots=True)
class _Table:
    """Open intervals of one UTC year in microseconds, with cumulative sums."""

    year: int
    lo: int
    hi: int
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    cum: tuple[int, ...]  # cum[i] = open time before interval i; cum[-1] = total
    #: Spans only (`_OpenTime.span_at`): days[d] = how many intervals start at or before
    #: lo + d days, for d = 0 .. the number of days. For x on day d, ``bisect_right(starts,
    #: x)`` lies in days[d] .. days[d + 1]: a bisection of a handful of entries rather than
    #: of the whole table (a dozen probes, each a cache miss inside a dry run).
    days: tuple[int, ...] = ()

    @property
    def total(self) -> int:
        return self.cum[-1]

    def upto(self, x: int) -> int:
        """Open time in [lo, x)."""
        i = bisect_right(self.starts, x) - 1
        if i < 0:
            return 0
        return self.cum[i] + min(x, self.ends[i]) - self.starts[i]


_NO_TABLE = _Table(0, 0, 0, (), (), (0,))  # holds no instant
_NEAR = 32  # intervals `open_and_dues` looks at first for a due


class _OpenTime:
    """The `intervals.OpenTime` of a calendar spec: lazily built, cached per UTC year."""

    def __init__(self, spec: CalendarSpec, name: str) -> None:
        self.spec = spec
        self.name = name
        self._tables: dict[int, _Table] = {}
        self._holidays: dict[int, dict[dt.date, str]] = {}
        self._lock = threading.RLock()
        # The table `table_at` found last: most instants asked about fall in the same year.
        # Replacing it is one atomic store, and any table is a right answer for its years.
        self._recent = _NO_TABLE
        # `open_and_dues` works in the last `span_at` (two years' tables as one), and
        # keeps (b, span, span.upto(b)) for the last two b it measured to, the latest
        # first: a dry run measures every ticket at the same `now`, but for tickets that
        # bring their own (two slots, so these do not push the common one out). Each is
        # replaced by one atomic store.
        self._span = _NO_TABLE
        self._upto_recent: tuple[int, _Table, int, int, _Table, int] = (
            0,
            _NO_TABLE,
            0,
            0,
            _NO_TABLE,
            0,
        )

    # -- the rules of DESIGN.md section 8 on local dates ------------------------------------

    def holidays_of_year(self, year: int) -> dict[dt.date, str]:
        cached = self._holidays.get(year)
        if cached is not None:
            return cached
        with self._lock:
            if year not in self._holidays:
                table: dict[dt.date, str] = {}
                if self.spec.country is not None:
                    from routing.sla._holidays import holidays

                    found = holidays.country_holidays(
                        self.spec.country, subdiv=self.spec.subdivision, years=year
                    )
                    table = {day: str(name) for day, name in found.items()}
                self._holidays[year] = table
            return self._holidays[year]

    def holiday(self, day: dt.date) -> str | None:
        """The holiday name of a local date (observed days included), or None."""
        if self.spec.country is None:
            return None
        for year in (day.year, day.year + 1, day.year - 1):
            name = self.holidays_of_year(year).get(day)
            if name is not None:
                return name
        return None

    def date_closed(self, day: dt.date) -> bool:
        """Rule 3: the whole wall-clock day is closed (special hours beat this)."""
        special = self.spec.special.get(day)
        if special is not None:
            return not special
        return day in self.spec.closed or self.holiday(day) is not None

    def shifts(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """Rule 2: special hours of the date, else the weekly hours of its weekday."""
        special = self.spec.special.get(day)
        return special if special is not None else self.spec.weekly[day.weekday()]

    def wall_intervals(self, first: dt.date, last: dt.date) -> list[tuple[int, int]]:
        """Open wall-clock minutes produced by the shifts of dates first..last (rules 1-3)."""
        out: list[tuple[int, int]] = []
        day = first
        closed_today = self.date_closed(day)
        while day <= last:
            nxt = day + dt.timedelta(days=1)
            closed_tomorrow = self.date_closed(nxt)
            base = _day_minute(day)
            for start, end in self.shifts(day):
                if not closed_today:
                    out.append((base + start, base + min(end, MINUTES_PER_DAY)))
                if end > MINUTES_PER_DAY and not closed_tomorrow:
                    out.append((base + MINUTES_PER_DAY, base + end))
            day, closed_today = nxt, closed_tomorrow
        return merge(out)

    # -- the per-year tables ---------------------------------------------------------------

    def table(self, year: int) -> _Table:
        table = self._tables.get(year)
        if table is not None:
            return table
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            raise CalendarError(
                f"calendar '{self.name}': year {year} is out of range"
                f" (a calendar covers the years {_MIN_YEAR} to {_MAX_YEAR})"
            )
        with self._lock:
            table = self._tables.get(year)
            if table is None:
                table = self._build(year)
                self._tables[year] = table
            return table

    def _build(self, year: int) -> _Table:
        lo = _day_minute(dt.date(year, 1, 1))
        hi = _day_minute(dt.date(year + 1, 1, 1))
        margin = 3 * MINUTES_PER_DAY  # UTC offsets and overnight tails stay well inside
        wall = self.wall_intervals(
            dt.date(year, 1, 1) - dt.timedelta(days=3),
            dt.date(year + 1, 1, 1) + dt.timedelta(days=2),
        )
        segments = offset_segments(self.spec.timezone, lo - margin, hi + margin)
        starts: list[int] = []
        ends: list[int] = []
        cum = [0]
        for utc_start, utc_end in wall_to_utc(wall, segments):
            start, end = max(utc_start, lo), min(utc_end, hi)
            if start < end:
                starts.append(start * US_PER_MINUTE)
                ends.append(end * US_PER_MINUTE)
                cum.append(cum[-1] + (end - start) * US_PER_MINUTE)
        return _Table(
            year, lo * US_PER_MINUTE, hi * US_PER_MINUTE, tuple(starts), tuple(ends), tuple(cum)
        )

    def table_at(self, x: int) -> _Table:
        """The table of the UTC year holding `x`."""
        table = self._recent
        if table.lo <= x < table.hi:
            return table
        i = bisect_right(_YEAR_STARTS, x) - 1
        year = _FIRST_YEAR + i if 0 <= i < len(_YEAR_STARTS) - 1 else _utc_year(x)
        table = self._recent = self.table(year)
        return table

    # -- intervals.OpenTime ----------------------------------------------------------------

    def is_open(self, x: int) -> bool:
        table = self.table_at(x)
        i = bisect_right(table.starts, x) - 1
        return i >= 0 and x < table.ends[i]

    def open_between(self, a: int, b: int) -> int:
        first, last = self.table_at(a), self.table_at(b)
        if first is last:
            return last.upto(b) - first.upto(a)
        total = first.total - first.upto(a)
        year = first.year + 1
        while True:
            table = self.table(year)
            if table is last:
                return total + last.upto(b)
            total += table.total
            year += 1

    def next_open(self, x: int) -> int:
        table = self.table_at(x)
        i = bisect_right(table.starts, x) - 1
        if i >= 0 and x < table.ends[i]:
            return x
        while True:
            if i + 1 < len(table.starts):
                found = table.starts[i + 1]
                if found - x > NEVER_OPEN_HORIZON:
                    break
                return found
            if table.hi - x > NEVER_OPEN_HORIZON:
                break
            table, i = self.table(table.year + 1), -1
        raise self.never_open(x)

    def add_open(self, a: int, d: int) -> int:
        table = self.table_at(a)
        base = table.upto(a)
        rest = d
        empty_since = a
        last_year = table.year + DUE_HORIZON_YEARS
        while rest > table.total - base:
            if table.total > base:
                empty_since = table.hi
            elif table.hi - empty_since > NEVER_OPEN_HORIZON:
                raise self.never_open(a)
            if table.year >= last_year:
                raise CalendarError(
                    f"calendar '{self.name}': the due instant lies more than "
                    f"{DUE_HORIZON_YEARS} years after {from_us(a).isoformat()}"
                )
            rest -= table.total - base
            table, base = self.table(table.year + 1), 0
        goal = base + rest
        i = bisect_left(table.cum, goal, 1) - 1
        return table.starts[i] + goal - table.cum[i]

    def span_at(self, x: int) -> _Table:
        """The tables of `x`'s UTC year and the next as one table, with open time counted
        from the first: `open_and_dues` answers within it. (Nothing is asked before `x`:
        `x` is a clock's start, and a `now` before it is the general methods' business.)"""
        span = self._span
        if span.lo <= x < span.hi:
            return span
        year = self.table_at(x).year  # raises for a year out of range
        tables = [self.table(y) for y in range(year, min(_MAX_YEAR, year + 1) + 1)]
        starts: list[int] = []
        ends: list[int] = []
        cum = [0]
        for table in tables:
            base = cum[-1]
            starts += table.starts
            ends += table.ends
            cum += [base + c for c in table.cum[1:]]
        lo, hi = tables[0].lo, tables[-1].hi
        days: list[int] = []
        j, n = 0, len(starts)
        for edge in range(lo, hi + 1, _US_PER_DAY):
            while j < n and starts[j] <= edge:
                j += 1
            days.append(j)
        span = _Table(tables[0].year, lo, hi, tuple(starts), tuple(ends), tuple(cum), tuple(days))
        self._span = span
        return span

    def _upto_b(self, span: _Table, b: int) -> int:
        """``span.upto(b)`` for span.lo <= b < span.hi, remembered for the last two `b` (a
        dry run measures every ticket at the same `now`, or at the ticket's own)."""
        known_b, known_span, upto_b, other_b, other_span, upto_other = self._upto_recent
        if known_b == b and known_span is span:
            return upto_b
        if other_b == b and other_span is span:
            self._upto_recent = (b, span, upto_other, known_b, known_span, upto_b)
            return upto_other
        starts = span.starts
        days = span.days
        d = (b - span.lo) // _US_PER_DAY
        j = bisect_right(starts, b, days[d], days[d + 1]) - 1
        if j < 0:  # no interval starts at or before b
            found = 0
        else:
            end = span.ends[j]
            found = span.cum[j] + (b if b < end else end) - starts[j]
        self._upto_recent = (b, span, found, known_b, known_span, upto_b)
        return found

    def between(self, a: int, b: int) -> int:
        """Open time in [a, b), negative when b < a: ``counted_between(self, a, b, [])``,
        answered in the current span when both lie in it (`Calendar.business_time_between`
        without pauses, e.g. the rule language's ``business_since``).

        ``upto(b)`` is remembered (`_upto_b`: `b` is the evaluation's `now`), ``upto(a)`` is
        not (`a` is a ticket's own instant): `a` after `b` must not push the common `now`
        out of the two slots `open_and_dues` reads too.
        """
        span = self._span
        lo = span.lo
        hi = span.hi
        if not (lo <= a < hi and lo <= b < hi):
            return self.open_between(a, b) if a <= b else -self.open_between(b, a)
        upto_b = self._upto_b(span, b)
        starts = span.starts
        days = span.days
        d = (a - lo) // _US_PER_DAY
        i = bisect_right(starts, a, days[d], days[d + 1]) - 1
        if i < 0:
            return upto_b
        end = span.ends[i]
        return upto_b - span.cum[i] - (a if a < end else end) + starts[i]

    def open_and_dues(self, a: int, b: int, targets: tuple[int, ...]) -> Sequence[int]:
        """`intervals.OpenTime.open_and_dues`: what `open_between`, `next_open` and
        `add_open` give, with one short bisection for `a` (the span's day index), one for `b`
        (remembered for the last `b`) and one per due, as long as the answers lie within
        `a`'s year and the next (those methods answer otherwise).

        Within those two years (`span_at`) the calendar cannot be "never open" (that takes
        more than three years without an opening), so the answers found there are those of
        the general methods, errors included.
        """
        span = self._span  # `span_at(a)`, its first test inlined
        if not span.lo <= a < span.hi:
            span = self.span_at(a)
        starts = span.starts
        cum = span.cum
        days = span.days
        d = (a - span.lo) // _US_PER_DAY
        i = bisect_right(starts, a, days[d], days[d + 1]) - 1
        # before: the open time in [span.lo, a), which is also that in [span.lo, opens)
        if i >= 0 and a < span.ends[i]:  # open at a
            before = cum[i] + a - starts[i]
            opens = a
        elif i + 1 < len(starts):  # closed: counting starts at the next interval
            before = cum[i + 1]
            opens = starts[i + 1]
        else:  # no opening left in the span: the general methods' work
            opens = self.next_open(a)
            return (
                self.open_between(a, b) if a <= b else self._zero_between(b, a),
                *[self.add_open(opens, d) if d else opens for d in targets],
            )
        if b == a:  # a ticket measured when it is created (or before: `max(now, created)`)
            elapsed = 0
        elif a < b < span.hi:
            known_b, known_span, upto_b, _, _, _ = self._upto_recent
            if known_b != b or known_span is not span:
                upto_b = self._upto_b(span, b)
            elapsed = upto_b - before
        elif b < a:
            elapsed = self._zero_between(b, a)
        else:
            elapsed = self.open_between(a, b)
        out = [elapsed]
        # `add_open` within the span: the due lies in interval k with cum[k] < goal <=
        # cum[k + 1], k >= i (goal > before >= cum[i]). Targets of hours or days end within
        # a few dozen intervals, so the bisection first tries the next _NEAR of them.
        lo = i + 1 if i >= 0 else 1
        near = lo + _NEAR
        last = len(cum) - 1
        for d in targets:
            goal = before + d
            if not d:
                out.append(opens)
            elif near < last and goal <= cum[near]:
                k = bisect_left(cum, goal, lo, near) - 1
                out.append(starts[k] + goal - cum[k])
            elif goal <= cum[last]:
                k = bisect_left(cum, goal, lo) - 1
                out.append(starts[k] + goal - cum[k])
            else:
                out.append(self.add_open(opens, d))
        return out

    def open_and_two_dues(self, a: int, b: int, d1: int, d2: int) -> tuple[int, int, int] | None:
        """``open_and_dues(a, b, (d1, d2))`` for targets d1, d2 > 0 and a <= b, as a tuple,
        or None where that answer is not found within the current span (then ask
        `open_and_dues`, which answers everywhere and raises the general methods' errors).

        The SLA step's common case (a clock running from its start `a`, two targets) in one
        call: a short bisection for `a` (the span's day index), ``upto(b)`` remembered for
        the last two `b`, one bisection per due, first among the next _NEAR intervals.
        """
        span = self._span
        lo = span.lo
        hi = span.hi
        if not lo <= a <= b < hi:
            return None
        starts = span.starts
        cum = span.cum
        days = span.days
        d = (a - lo) // _US_PER_DAY
        i = bisect_right(starts, a, days[d], days[d + 1]) - 1
        if i >= 0 and a < span.ends[i]:  # open at a
            before = cum[i] + a - starts[i]
        elif i + 1 < len(starts):  # closed: counting starts at the next interval
            before = cum[i + 1]
        else:
            return None
        if b == a:
            elapsed = 0
        else:
            known_b, known_span, upto_b, _, _, _ = self._upto_recent
            if known_b != b or known_span is not span:
                upto_b = self._upto_b(span, b)
            elapsed = upto_b - before
        # as in `open_and_dues`: the due lies in interval k, cum[k] < goal <= cum[k + 1]
        first = i + 1 if i >= 0 else 1
        near = first + _NEAR
        last = len(cum) - 1
        goal1 = before + d1
        if near < last and goal1 <= cum[near]:
            k = bisect_left(cum, goal1, first, near) - 1
        elif goal1 <= cum[last]:
            k = bisect_left(cum, goal1, first) - 1
        else:
            return None
        goal2 = before + d2
        if near < last and goal2 <= cum[near]:
            j = bisect_left(cum, goal2, first, near) - 1
        elif goal2 <= cum[last]:
            j = bisect_left(cum, goal2, first) - 1
        else:
            return None
        return elapsed, starts[k] + goal1 - cum[k], starts[j] + goal2 - cum[j]

    def _zero_between(self, b: int, a: int) -> int:
        """0, the elapsed time of a clock asked about before its start, once
        `open_between(b, a)` has been worked out for its errors (a year out of range)."""
        self.open_between(b, a)
        return 0

    def never_open(self, x: int) -> CalendarError:
        return CalendarError(
            f"calendar '{self.name}' is never open within three years of {from_us(x).isoformat()}"
        )


class Calendar:
    """A team's business hours: weekly shifts, holidays, closed dates and special hours.

    Build one with `Calendar.from_dict` from the ``calendars:`` entry format of DESIGN.md
    section 4. Queries follow DESIGN.md section 8; see docs/sla.md for pictures.
    """

    __slots__ = ("_last_b", "_open", "name")

    def __init__(self, spec: CalendarSpec, *, name: str = "calendar") -> None:
        self.name = name
        self._open = _OpenTime(spec, name)
        # `business_time_between`'s last two `b` and their µs, the latest first:
        # ``business_since`` asks up to `now`, one object for most tickets of a dry run (the
        # others bring their own). `is` is the test, so the µs are only reused for the object
        # they were worked out from; one atomic store replaces the tuple.
        self._last_b: tuple[object, int, object, int] = (None, 0, None, 0)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any], *, name: str = "calendar") -> Calendar:
        """Check and build a calendar; a bad spec raises `CalendarError` with its key path."""
        return cls(parse_spec(spec), name=name)

    @property
    def timezone(self) -> ZoneInfo:
        """The calendar's IANA time zone."""
        return self._open.spec.timezone

    def __repr__(self) -> str:
        return f"Calendar(name={self.name!r}, timezone={self.timezone.key!r})"

    def is_open(self, t: dt.datetime) -> bool:
        """Whether the minute holding `t` is open (rule 4)."""
        return self._open.is_open(to_us(t, "t"))

    @overload
    def next_open(self, t: dt.datetime) -> dt.datetime: ...
    @overload
    def next_open(self, t: dt.datetime, pauses: Iterable[Pause]) -> dt.datetime | None: ...
    def next_open(self, t: dt.datetime, pauses: Iterable[Pause] = ()) -> dt.datetime | None:
        """The earliest open (and unpaused) instant >= t, in UTC; `t` itself when open.

        None only when a pause without end covers every open instant from `t` on.
        """
        found = next_counted(self._open, to_us(t, "t"), normalize_pauses(pauses))
        return None if found is None else from_us(found)

    @overload
    def add_business_time(self, start: dt.datetime, delta: dt.timedelta) -> dt.datetime: ...
    @overload
    def add_business_time(
        self, start: dt.datetime, delta: dt.timedelta, pauses: Iterable[Pause]
    ) -> dt.datetime | None: ...
    def add_business_time(
        self, start: dt.datetime, delta: dt.timedelta, pauses: Iterable[Pause] = ()
    ) -> dt.datetime | None:
        """The due instant (rule 6): from s = next_open(start), the earliest T with
        business_time_between(s, T) == delta; None when paused forever before T."""
        if delta < dt.timedelta(0):
            raise ValueError(f"delta must not be negative, found {delta}")
        d = delta // _ONE_US
        x = to_us(start, "start")
        if pauses == ():  # the common case: no pause list to normalise
            x = self._open.next_open(x)
            return from_us(x if d == 0 else self._open.add_open(x, d))
        found = add_counted(self._open, x, d, normalize_pauses(pauses))
        return None if found is None else from_us(found)

    def business_time_between(
        self, a: dt.datetime, b: dt.datetime, pauses: Iterable[Pause] = ()
    ) -> dt.timedelta:
        """Open (and unpaused) time in [a, b); negative when b < a (rule 5)."""
        if pauses == ():  # the common case (``business_since``): no pause list to normalise
            try:
                x = fast_us(a)
                last_b, y, other_b, other_y = self._last_b
                if b is not last_b:
                    last_y = y
                    y = other_y if b is other_b else fast_us(b)
                    self._last_b = (b, y, last_b, last_y)
            except (TypeError, AttributeError):  # not an aware datetime: `to_us` says so below
                pass
            else:
                return _timedelta(0, 0, self._open.between(x, y))  # positional: faster
        us = counted_between(self._open, to_us(a, "a"), to_us(b, "b"), normalize_pauses(pauses))
        return dt.timedelta(microseconds=us)

    def holiday(self, day: dt.date) -> str | None:
        """The name of the holiday on a local date (observed days included), or None."""
        return self._open.holiday(day)

    def describe_days(self, start: dt.date, days: int) -> list[DayInfo]:
        """Local dates start .. start + days - 1: their shifts, open time and markers."""
        if days < 0:
            raise ValueError(f"days must not be negative, found {days}")
        if days == 0:
            return []
        last = start + dt.timedelta(days=days - 1)
        wall = self._open.wall_intervals(start - dt.timedelta(days=1), last)
        tz = self.timezone
        out: list[DayInfo] = []
        for i in range(days):
            day = start + dt.timedelta(days=i)
            base = _day_minute(day)
            shifts = tuple(
                (max(s, base) - base, min(e, base + MINUTES_PER_DAY) - base)
                for s, e in wall
                if s < base + MINUTES_PER_DAY and e > base
            )
            midnight = dt.datetime.combine(day, dt.time(), tz)
            next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz)
            open_us = self._open.open_between(to_us(midnight), to_us(next_midnight))
            before, after = midnight.utcoffset(), next_midnight.utcoffset()
            assert before is not None
            assert after is not None
            special = day in self._open.spec.special
            out.append(
                DayInfo(
                    date=day,
                    weekday=DAY_NAMES[day.weekday()],
                    shifts=shifts,
                    open_time=dt.timedelta(microseconds=open_us),
                    holiday=self._open.holiday(day),
                    closed=day in self._open.spec.closed,
                    special=special,
                    dst_change=None if before == after else after - before,
                )
            )
        return out

"""Hypothesis strategies: random calendar specs near DST changes and holidays, instants, pauses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

TIMEZONES = [
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Europe/London",
    "America/New_York",
    "Europe/Berlin",
]

HOLIDAYS: list[dict[str, str] | None] = [
    None,
    {"country": "DE", "subdivision": "BE"},
    {"country": "US", "subdivision": "NY"},
    {"country": "GB"},
    {"country": "AU", "subdivision": "NSW"},
]

#: UTC dates near DST changes of the zones above and near holidays (incl. observed ones).
ANCHORS = [
    dt.date(2026, 3, 8),  # New York spring
    dt.date(2026, 3, 29),  # Berlin, London spring
    dt.date(2026, 4, 5),  # Santiago, Lord Howe, Chatham autumn; Easter
    dt.date(2026, 9, 6),  # Santiago spring
    dt.date(2026, 9, 27),  # Chatham spring
    dt.date(2026, 10, 4),  # Lord Howe spring
    dt.date(2026, 10, 25),  # Berlin, London autumn
    dt.date(2026, 11, 1),  # New York autumn
    dt.date(2026, 12, 25),  # Christmas
    dt.date(2026, 12, 31),  # New Year
    dt.date(2026, 7, 3),  # Independence Day (observed)
    dt.date(2026, 5, 25),  # Whit Monday, Memorial Day
    dt.date(2027, 12, 27),  # Christmas on a weekend: observed days
]


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def shift(draw: st.DrawFn) -> str:
    """A shift on a 15-minute grid: normal, overnight (start > end), to 24:00, or whole day."""
    start = draw(st.integers(0, 95)) * 15
    end = draw(st.integers(1, 96)) * 15
    if end == start:
        end = 1440 if start == 0 else 0
    if end == 1440 and start > 0 and draw(st.booleans()):
        end = 0  # "HH:MM-00:00" is an overnight shift ending at midnight
    return f"{hhmm(start)}-{hhmm(end)}"


shifts = st.lists(shift(), min_size=0, max_size=3)


@st.composite
def weekly_hours(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        hours: dict[str, Any] = {"mon-fri": draw(shifts.filter(bool))}
        for day in ("sat", "sun"):
            value = draw(st.none() | shifts)
            if value is not None:
                hours[day] = value
        return hours
    hours = {}
    for day in DAYS:
        value = draw(st.none() | shifts)
        if value is not None:
            hours[day] = value if len(value) != 1 else value[0]
    if not any(v for v in hours.values()):
        hours["wed"] = draw(shift())
    return hours


@st.composite
def calendars(draw: st.DrawFn) -> tuple[dict[str, Any], dt.datetime]:
    """A calendar spec and a UTC anchor instant near a DST change or a holiday."""
    anchor = draw(st.sampled_from(ANCHORS))
    near = st.integers(-3, 3).map(lambda k: (anchor + dt.timedelta(days=k)).isoformat())
    spec: dict[str, Any] = {
        "timezone": draw(st.sampled_from(TIMEZONES)),
        "hours": draw(weekly_hours()),
    }
    holidays = draw(st.sampled_from(HOLIDAYS))
    if holidays is not None:
        spec["holidays"] = holidays
    closed = draw(st.lists(near, max_size=2, unique=True))
    if closed:
        spec["closed"] = closed
    special = draw(st.dictionaries(near, shifts, max_size=3))
    if special:
        spec["special"] = special
    start = dt.datetime.combine(anchor, dt.time(), dt.UTC)
    return spec, start


def instants(anchor: dt.datetime, days: int = 3) -> st.SearchStrategy[dt.datetime]:
    """Whole-minute UTC instants within `days` of the anchor; often on the 15-minute grid,
    where shift boundaries (and so closing instants) fall in every zone used here."""
    span = days * 1440
    grid = st.integers(-span // 15, span // 15).map(lambda k: k * 15)
    any_minute = st.integers(-span, span)
    return (grid | any_minute).map(lambda m: anchor + dt.timedelta(minutes=m))


def pauses(anchor: dt.datetime) -> st.SearchStrategy[list[tuple[dt.datetime, dt.datetime | None]]]:
    """0-2 pauses near the anchor; the last may be open-ended."""

    @st.composite
    def one(draw: st.DrawFn) -> tuple[dt.datetime, dt.datetime | None]:
        start = draw(instants(anchor, 2))
        if draw(st.integers(0, 5)) == 0:
            return (start, None)
        return (start, start + dt.timedelta(minutes=draw(st.integers(0, 2 * 1440))))

    return st.lists(one(), max_size=2)

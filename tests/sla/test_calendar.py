"""Hand-written tables for each numbered rule of DESIGN.md section 8, with exact instants."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routing.errors import CalendarError
from routing.sla import Calendar, DayInfo

BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC
H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


def b(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, fold: int = 0) -> dt.datetime:
    """A Berlin wall-clock instant."""
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=BERLIN, fold=fold)


def u(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=UTC)


OFFICE: dict[str, Any] = {  # 2026-11-23 is a Monday
    "timezone": "Europe/Berlin",
    "hours": {"mon-fri": ["09:00-12:00", "13:00-17:00"]},
    "holidays": {"country": "DE", "subdivision": "BE"},
    "closed": ["2026-12-24"],
    "special": {"2026-12-23": "09:00-12:00", "2026-12-26": "10:00-14:00", "2026-11-25": []},
}
NIGHTS: dict[str, Any] = {  # 2026-10-03 (Saturday) is German Unity Day
    "timezone": "Europe/Berlin",
    "hours": {"mon-sun": "22:00-06:00"},
    "holidays": {"country": "DE"},
}
ALWAYS: dict[str, Any] = {"timezone": "Europe/Berlin", "hours": {"mon-sun": "00:00-24:00"}}
EARLY_SUNDAY: dict[str, Any] = {"timezone": "Europe/Berlin", "hours": {"sun": "01:00-04:00"}}
OVERLAP: dict[str, Any] = {
    "timezone": "Europe/Berlin",
    "hours": {"mon": ["09:00-12:00", "11:00-13:00", "12:30-13:00"]},
}
FRIDAY_NIGHT: dict[str, Any] = {"timezone": "Europe/Berlin", "hours": {"fri": "22:00-06:00"}}

CASES = [
    # rule 1: whole minutes, [start, end), overnight shifts, merged overlaps
    ("1 start is open", OFFICE, "is_open", (b(2026, 11, 23, 9),), True),
    ("1 end is closed", OFFICE, "is_open", (b(2026, 11, 23, 17),), False),
    ("1 last minute is open", OFFICE, "is_open", (b(2026, 11, 23, 16, 59, 59),), True),
    ("1 lunch is closed", OFFICE, "is_open", (b(2026, 11, 23, 12, 30),), False),
    ("1 overnight tail is open", FRIDAY_NIGHT, "is_open", (b(2026, 11, 28, 5, 59),), True),
    ("1 overnight tail ends", FRIDAY_NIGHT, "is_open", (b(2026, 11, 28, 6),), False),
    ("1 saturday has no own shift", FRIDAY_NIGHT, "is_open", (b(2026, 11, 28, 22),), False),
    (
        "1 overlaps are merged",
        OVERLAP,
        "business_time_between",
        (b(2026, 11, 23), b(2026, 11, 24)),
        4 * H,
    ),
    # rule 2: special hours replace the weekday's; unlisted weekdays are closed
    ("2 sunday is closed", OFFICE, "is_open", (b(2026, 11, 29, 10),), False),
    ("2 special morning open", OFFICE, "is_open", (b(2026, 12, 23, 11),), True),
    ("2 special afternoon closed", OFFICE, "is_open", (b(2026, 12, 23, 14),), False),
    ("2 special empty closes", OFFICE, "is_open", (b(2026, 11, 25, 10),), False),
    # rule 3: holidays and closed dates close the wall-clock day; special beats them
    ("3 closed date", OFFICE, "is_open", (b(2026, 12, 24, 10),), False),
    ("3 holiday", OFFICE, "is_open", (b(2026, 12, 25, 10),), False),
    ("3 special beats holiday", OFFICE, "is_open", (b(2026, 12, 26, 10),), True),
    ("3 eve shift before holiday open", NIGHTS, "is_open", (b(2026, 10, 2, 23, 59),), True),
    ("3 previous tail on holiday closed", NIGHTS, "is_open", (b(2026, 10, 3, 0),), False),
    ("3 holiday's own shift closed", NIGHTS, "is_open", (b(2026, 10, 3, 22),), False),
    ("3 holiday's own tail next day open", NIGHTS, "is_open", (b(2026, 10, 4, 0),), True),
    (
        "3 overnight around holiday",
        NIGHTS,
        "business_time_between",
        (b(2026, 10, 2, 12), b(2026, 10, 4, 12)),
        8 * H,
    ),
    (
        "3 next open after holiday",
        NIGHTS,
        "next_open",
        (b(2026, 10, 3, 0),),
        u(2026, 10, 3, 22),  # 2026-10-04 00:00 CEST
    ),
    # rule 4: DST, Europe/Berlin 2026-03-29 (02:00 -> 03:00) and 2026-10-25 (03:00 -> 02:00)
    (
        "4 spring 24h day has 23h",
        ALWAYS,
        "business_time_between",
        (b(2026, 3, 29), b(2026, 3, 30)),
        23 * H,
    ),
    (
        "4 autumn 24h day has 25h",
        ALWAYS,
        "business_time_between",
        (b(2026, 10, 25), b(2026, 10, 26)),
        25 * H,
    ),
    (
        "4 spring shift loses the skipped hour",
        EARLY_SUNDAY,
        "business_time_between",
        (b(2026, 3, 29), b(2026, 3, 30)),
        2 * H,
    ),
    (
        "4 autumn shift repeats an hour",
        EARLY_SUNDAY,
        "business_time_between",
        (b(2026, 10, 25), b(2026, 10, 26)),
        4 * H,
    ),
    ("4 repeated hour first pass", EARLY_SUNDAY, "is_open", (u(2026, 10, 25, 0, 30),), True),
    ("4 repeated hour second pass", EARLY_SUNDAY, "is_open", (u(2026, 10, 25, 1, 30),), True),
    (
        "4 due in the repeated hour",
        EARLY_SUNDAY,
        "add_business_time",
        (b(2026, 10, 25, 1), 2 * H + 30 * M),
        u(2026, 10, 25, 1, 30),  # 02:30 CET, the second 02:30
    ),
    (
        "4 due across the skipped hour",
        EARLY_SUNDAY,
        "add_business_time",
        (b(2026, 3, 29, 1), 90 * M),
        u(2026, 3, 29, 1, 30),  # 03:30 CEST
    ),
    # rule 5: open time in [a, b), negative when b < a; next_open is >= t
    (
        "5 monday",
        OFFICE,
        "business_time_between",
        (b(2026, 11, 23, 8), b(2026, 11, 23, 18)),
        7 * H,
    ),
    (
        "5 negative",
        OFFICE,
        "business_time_between",
        (b(2026, 11, 23, 18), b(2026, 11, 23, 8)),
        -7 * H,
    ),
    (
        "5 over the weekend",
        OFFICE,
        "business_time_between",
        (b(2026, 11, 27, 16), b(2026, 11, 30, 10)),
        2 * H,
    ),
    (
        "5 next open when open",
        OFFICE,
        "next_open",
        (b(2026, 11, 23, 10, 15, 30),),
        u(2026, 11, 23, 9, 15, 30),
    ),
    ("5 next open after lunch", OFFICE, "next_open", (b(2026, 11, 23, 12),), u(2026, 11, 23, 12)),
    ("5 next open monday", OFFICE, "next_open", (b(2026, 11, 27, 17),), u(2026, 11, 30, 8)),
    # rule 6: due instants
    (
        "6 lands on closing",
        OFFICE,
        "add_business_time",
        (b(2026, 11, 23, 9), 7 * H),
        u(2026, 11, 23, 16),  # 17:00 Berlin, not Tuesday 09:00
    ),
    (
        "6 lands on lunch closing",
        OFFICE,
        "add_business_time",
        (b(2026, 11, 23, 9), 3 * H),
        u(2026, 11, 23, 11),  # 12:00 Berlin
    ),
    (
        "6 one more minute",
        OFFICE,
        "add_business_time",
        (b(2026, 11, 23, 9), 7 * H + M),
        u(2026, 11, 24, 8, 1),
    ),
    (
        "6 zero when open",
        OFFICE,
        "add_business_time",
        (b(2026, 11, 23, 10), 0 * H),
        u(2026, 11, 23, 9),
    ),
    (
        "6 zero when closed",
        OFFICE,
        "add_business_time",
        (b(2026, 11, 23, 18), 0 * H),
        u(2026, 11, 24, 8),
    ),
    (
        "6 closed start counts from opening",
        OFFICE,
        "add_business_time",
        (b(2026, 11, 28, 10), 4 * H),
        u(2026, 11, 30, 13),  # Monday: 09:00-12:00 is 3h, then 13:00-14:00 Berlin
    ),
    (
        "6 seconds are exact",
        OFFICE,
        "add_business_time",
        (b(2026, 11, 23, 9, 0, 30), H),
        u(2026, 11, 23, 9, 0, 30),
    ),
    (
        "6 over christmas",
        OFFICE,
        "add_business_time",
        (b(2026, 12, 22, 16), 6 * H),
        u(2026, 12, 26, 11),  # 1h Tue, 3h Wed 23rd (special), 24th closed, 25th holiday,
        # then 2h of the special hours that beat the holiday on Sat 26th: 12:00 Berlin
    ),
]


@pytest.mark.parametrize(
    ("note", "spec", "method", "args", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_calendar_rule(note: str, spec: dict[str, Any], method: str, args: tuple, expected: Any):
    cal = Calendar.from_dict(spec)
    assert getattr(cal, method)(*args) == expected


def test_results_are_utc():
    cal = Calendar.from_dict(OFFICE)
    due = cal.add_business_time(b(2026, 11, 23, 9), H)
    assert (due, due.tzinfo) == (u(2026, 11, 23, 9), UTC)


# rule 7: pauses are UTC intervals [p, r); r None is still paused
PAUSE_CASES = [
    (
        "pause inside the due window",
        "add_business_time",
        (b(2026, 11, 23, 9), 2 * H, [(b(2026, 11, 23, 10), b(2026, 11, 23, 10, 30))]),
        u(2026, 11, 23, 10, 30),  # 11:30 Berlin
    ),
    (
        "pause over lunch counts once",
        "business_time_between",
        (b(2026, 11, 23, 9), b(2026, 11, 23, 17), [(b(2026, 11, 23, 11), b(2026, 11, 23, 14))]),
        5 * H,
    ),
    (
        "overlapping pauses merge",
        "business_time_between",
        (
            b(2026, 11, 23, 9),
            b(2026, 11, 23, 17),
            [
                (b(2026, 11, 23, 9), b(2026, 11, 23, 10)),
                (b(2026, 11, 23, 9, 30), b(2026, 11, 23, 11)),
            ],
        ),
        5 * H,
    ),
    (
        "negative with pauses",
        "business_time_between",
        (b(2026, 11, 23, 17), b(2026, 11, 23, 9), [(b(2026, 11, 23, 9), b(2026, 11, 23, 10))]),
        -6 * H,
    ),
    (
        "start inside a pause",
        "add_business_time",
        (b(2026, 11, 23, 9), 0 * H, [(b(2026, 11, 23, 8), b(2026, 11, 23, 9, 45))]),
        u(2026, 11, 23, 8, 45),
    ),
    (
        "pause ending in closed time",
        "next_open",
        (b(2026, 11, 23, 16), [(b(2026, 11, 23, 16), b(2026, 11, 23, 20))]),
        u(2026, 11, 24, 8),
    ),
    (
        "open-ended pause before the target",
        "add_business_time",
        (b(2026, 11, 23, 9), 2 * H, [(b(2026, 11, 23, 10), None)]),
        None,
    ),
    (
        "open-ended pause after the target",
        "add_business_time",
        (b(2026, 11, 23, 9), 2 * H, [(b(2026, 11, 23, 11), None)]),
        u(2026, 11, 23, 10),
    ),
    (
        "due exactly at pause start",
        "add_business_time",
        (b(2026, 11, 23, 9), H, [(b(2026, 11, 23, 10), None)]),
        u(2026, 11, 23, 9),
    ),
    (
        "open-ended pause next open",
        "next_open",
        (b(2026, 11, 23, 12), [(b(2026, 11, 23, 11), None)]),
        None,
    ),
    (
        "open-ended pause between",
        "business_time_between",
        (b(2026, 11, 23, 9), b(2026, 11, 24, 17), [(b(2026, 11, 23, 16), None)]),
        6 * H,
    ),
]


@pytest.mark.parametrize(
    ("note", "method", "args", "expected"), PAUSE_CASES, ids=[c[0] for c in PAUSE_CASES]
)
def test_calendar_pauses(note: str, method: str, args: tuple, expected: Any):
    cal = Calendar.from_dict(OFFICE)
    assert getattr(cal, method)(*args) == expected


def test_long_target_60_business_days():
    # 60 business days of 7h from Monday 2026-11-23 09:00, over Christmas and New Year
    cal = Calendar.from_dict(OFFICE)
    due = cal.add_business_time(b(2026, 11, 23, 9), 60 * 7 * H)
    # 59 full days (without 25 Nov, 23-25 Dec and 1 Jan) + 3h on 23 Dec + 4h on 26 Dec
    assert due == u(2027, 2, 18, 16)
    assert cal.business_time_between(b(2026, 11, 23, 9), due) == 60 * 7 * H


# rule 8: never open within three years
NEVER_OPEN: dict[str, Any] = {
    "timezone": "Europe/Berlin",
    "hours": {},
    "special": {"2020-01-06": "09:00-17:00"},
}


@pytest.mark.parametrize(
    ("note", "method", "args"),
    [
        ("next open", "next_open", (b(2026, 1, 1),)),
        ("add", "add_business_time", (b(2026, 1, 1), H)),
        ("add past the last opening", "add_business_time", (b(2020, 1, 6, 9), 9 * H)),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_never_open_raises(note: str, method: str, args: tuple):
    cal = Calendar.from_dict(NEVER_OPEN, name="old")
    with pytest.raises(CalendarError) as info:
        getattr(cal, method)(*args)
    assert str(info.value).startswith("calendar 'old' is never open within three years of ")


def test_never_open_within_three_years_but_later():
    spec = {"timezone": "UTC", "hours": {}, "special": {"2030-06-03": "09:00-10:00"}}
    cal = Calendar.from_dict(spec)
    assert cal.next_open(u(2028, 1, 1)) == u(2030, 6, 3, 9)
    with pytest.raises(CalendarError):
        cal.next_open(u(2027, 1, 1))


# a due instant at most DUE_HORIZON_YEARS after its start
A_MINUTE_A_WEEK: dict[str, Any] = {"timezone": "UTC", "hours": {"mon": "00:00-00:01"}}


def test_a_due_instant_beyond_a_hundred_years_is_an_error_not_a_long_search():
    """Found by fuzzing: 3650 days of business time on a calendar open one minute a week
    built a table for every year up to 9997 (14 s) to say "year 9998 is out of range"."""
    cal = Calendar.from_dict(A_MINUTE_A_WEEK, name="rare")
    with pytest.raises(CalendarError) as info:
        cal.add_business_time(u(2049, 11, 16, 8, 46), dt.timedelta(days=3650))
    assert str(info.value) == (
        "calendar 'rare': the due instant lies more than 100 years after 2049-11-22T00:00:00+00:00"
    )
    # 86 hours are 5,160 such minutes: 98.9 years, within the horizon
    assert cal.add_business_time(u(2049, 11, 16), 86 * H) == u(2148, 10, 7, 0, 1)


def test_ten_years_of_office_hours_are_within_the_horizon():
    """A long target on ordinary hours (3650 days of 8-hour days: about 42 years) is due."""
    cal = Calendar.from_dict(OFFICE)
    due = cal.add_business_time(b(2026, 11, 23, 9), dt.timedelta(days=3650))
    assert cal.business_time_between(b(2026, 11, 23, 9), due) == dt.timedelta(days=3650)
    assert 2060 < due.year < 2080


SPEC_ERRORS = [
    (
        "unknown timezone",
        {"timezone": "Europe/Berln"},
        ("timezone",),
        "timezone: unknown time zone 'Europe/Berln' (expected an IANA name such as Europe/Berlin)",
    ),
    (
        "bad range",
        {"hours": {"mon-fri": ["09:00-12:00", "25:00-26:00"]}},
        ("hours", "mon-fri", 1),
        "hours.mon-fri[1]: '25:00-26:00' is not a time range HH:MM-HH:MM",
    ),
    (
        "bad minute",
        {"hours": {"mon": "09:60-12:00"}},
        ("hours", "mon"),
        "hours.mon: '09:60-12:00' is not a time range HH:MM-HH:MM",
    ),
    (
        "start 24:00",
        {"hours": {"mon": "24:00-02:00"}},
        ("hours", "mon"),
        "hours.mon: '24:00-02:00' is not a time range HH:MM-HH:MM",
    ),
    (
        "empty shift",
        {"hours": {"mon": "09:00-09:00"}},
        ("hours", "mon"),
        "hours.mon: '09:00-09:00' is empty: the start equals the end",
    ),
    (
        "not a string",
        {"hours": {"mon": 9}},
        ("hours", "mon"),
        "hours.mon: expected a time range HH:MM-HH:MM or a list of them, found 9",
    ),
    (
        "bad day",
        {"hours": {"mon-fry": "09:00-17:00"}},
        ("hours", "mon-fry"),
        "hours.mon-fry: 'mon-fry' is not a day or day range "
        "(mon, tue, wed, thu, fri, sat, sun, mon-fri)",
    ),
    (
        "day twice",
        {"hours": {"mon-fri": "09:00-17:00", "fri": "09:00-12:00"}},
        ("hours", "fri"),
        "hours.fri: 'fri' is already given by 'mon-fri'",
    ),
    (
        "unknown country",
        {"holidays": {"country": "XX"}},
        ("holidays", "country"),
        "holidays.country: unknown country 'XX' (expected an ISO 3166 code)",
    ),
    (
        "unknown subdivision",
        {"holidays": {"country": "DE", "subdivision": "BEE"}},
        ("holidays", "subdivision"),
        "holidays.subdivision: 'BEE' is not a subdivision of DE (did you mean 'BE'?)",
    ),
    (
        "holidays key",
        {"holidays": {"country": "DE", "subdiv": "BE"}},
        ("holidays", "subdiv"),
        "holidays.subdiv: unknown key 'subdiv', expected one of country, subdivision "
        "(did you mean 'subdivision'?)",
    ),
    (
        "bad closed date",
        {"closed": ["2026-12-24", "2026-13-01"]},
        ("closed", 1),
        "closed[1]: '2026-13-01' is not a date YYYY-MM-DD",
    ),
    (
        "bad special date",
        {"special": {"24.12.2026": []}},
        ("special", "24.12.2026"),
        "special.24.12.2026: '24.12.2026' is not a date YYYY-MM-DD",
    ),
    (
        "bad special range",
        {"special": {"2026-12-24": ["9-12"]}},
        ("special", "2026-12-24", 0),
        "special.2026-12-24[0]: '9-12' is not a time range HH:MM-HH:MM",
    ),
    (
        "unknown key",
        {"holiday": {"country": "DE"}},
        ("holiday",),
        "holiday: unknown key 'holiday', expected one of timezone, hours, holidays, closed, "
        "special (did you mean 'holidays'?)",
    ),
    (
        "never open",
        {"hours": {"mon": []}},
        ("hours",),
        "hours: the calendar is never open: no day has hours",
    ),
    (
        "missing hours",
        {"hours": None},
        ("hours",),
        "hours: missing: a calendar needs a timezone and hours",
    ),
]


@pytest.mark.parametrize(
    ("note", "change", "key_path", "message"), SPEC_ERRORS, ids=[c[0] for c in SPEC_ERRORS]
)
def test_from_dict_errors(note: str, change: dict, key_path: tuple, message: str):
    spec: dict[str, Any] = {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-17:00"}}
    spec.update(change)
    spec = {k: v for k, v in spec.items() if v is not None}
    with pytest.raises(CalendarError) as info:
        Calendar.from_dict(spec)
    assert (info.value.key_path, str(info.value)) == (key_path, message)


def test_from_dict_accepts_yaml_values():
    # YAML gives date objects for unquoted dates; day names in any case; ranges wrap
    spec = {
        "timezone": "Europe/Berlin",
        "hours": {"Fri-Mon": "10:00-11:00"},
        "closed": [dt.date(2026, 11, 27)],
        "special": {dt.date(2026, 11, 25): "10:00-11:00"},
    }
    cal = Calendar.from_dict(spec)
    week = cal.describe_days(dt.date(2026, 11, 23), 7)
    assert [d.hours_text for d in week] == [
        "10:00-11:00",
        "closed",
        "10:00-11:00",
        "closed",
        "closed",
        "10:00-11:00",
        "10:00-11:00",
    ]


@pytest.mark.parametrize(
    ("note", "call"),
    [
        ("is_open", lambda c: c.is_open(dt.datetime(2026, 1, 1))),
        ("next_open", lambda c: c.next_open(dt.datetime(2026, 1, 1))),
        ("add", lambda c: c.add_business_time(dt.datetime(2026, 1, 1), H)),
        ("between", lambda c: c.business_time_between(u(2026, 1, 1), dt.datetime(2026, 1, 2))),
        ("pause", lambda c: c.next_open(u(2026, 1, 1), [(dt.datetime(2026, 1, 1), None)])),
        ("negative", lambda c: c.add_business_time(u(2026, 1, 1), -H)),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_api_misuse_raises_value_error(note, call):
    with pytest.raises(ValueError):
        call(Calendar.from_dict(OFFICE))


def test_describe_days_christmas_and_dst():
    cal = Calendar.from_dict(OFFICE)
    days = cal.describe_days(dt.date(2026, 12, 23), 4)
    assert days == [
        DayInfo(dt.date(2026, 12, 23), "wed", ((540, 720),), 3 * H, None, False, True, None),
        DayInfo(dt.date(2026, 12, 24), "thu", (), 0 * H, None, True, False, None),
        DayInfo(dt.date(2026, 12, 25), "fri", (), 0 * H, "Christmas Day", False, False, None),
        DayInfo(
            dt.date(2026, 12, 26),
            "sat",
            ((600, 840),),
            4 * H,
            "Second Day of Christmas",
            False,
            True,
            None,
        ),
    ]
    spring, autumn = (
        Calendar.from_dict(ALWAYS).describe_days(dt.date(2026, 3, 29), 1)[0],
        (Calendar.from_dict(ALWAYS).describe_days(dt.date(2026, 10, 25), 1)[0]),
    )
    assert (spring.hours_text, spring.open_time, spring.dst_change) == ("00:00-24:00", 23 * H, H)
    assert (autumn.hours_text, autumn.open_time, autumn.dst_change) == ("00:00-24:00", 25 * H, -H)


def test_holiday_observed_days_are_included():
    # 2026-07-04 is a Saturday: US Independence Day is observed on Friday 2026-07-03
    spec = {
        "timezone": "America/New_York",
        "hours": {"mon-fri": "09:00-17:00"},
        "holidays": {"country": "US", "subdivision": "NY"},
    }
    cal = Calendar.from_dict(spec)
    assert (cal.holiday(dt.date(2026, 7, 3)), cal.is_open(u(2026, 7, 3, 14))) == (
        "Independence Day (observed)",
        False,
    )


def test_shared_between_threads():
    cal = Calendar.from_dict(OFFICE)
    starts = [b(2020 + i % 10, 1 + i % 12, 1 + i % 28, 9) for i in range(200)]
    expected = [Calendar.from_dict(OFFICE).add_business_time(s, 40 * H) for s in starts]
    results: list[list[dt.datetime]] = []

    def work() -> None:
        results.append([cal.add_business_time(s, 40 * H) for s in starts])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 4

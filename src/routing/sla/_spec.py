"""Reading a calendar spec (the ``calendars:`` entry format of DESIGN.md section 4).

The spec arrives as plain data (from YAML or JSON): strings, lists, mappings, and maybe
`datetime.date` objects where YAML turned an unquoted date into one. Every problem raises
`CalendarError` with a message that starts with the key path, e.g.
``hours.mon-fri[1]: '25:00-26:00' is not a time range HH:MM-HH:MM``, and the same path in
``key_path``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from routing.errors import CalendarError

__all__ = ["DAY_NAMES", "CalendarSpec", "Shift", "format_key_path", "parse_spec"]

#: Day names in ISO weekday order (Monday = index 0, as `datetime.date.weekday`).
DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

MINUTES_PER_DAY = 1440

#: A shift as minutes after the local midnight of its own date: [start, end). An overnight
#: shift has end > 1440 (its tail runs into the next date).
Shift = tuple[int, int]

KeyPath = tuple[str | int, ...]

_TOP_KEYS = ("timezone", "hours", "holidays", "closed", "special")
_HOLIDAY_KEYS = ("country", "subdivision")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """A checked calendar spec, in the form the interval builder uses."""

    timezone: ZoneInfo
    weekly: tuple[tuple[Shift, ...], ...]  # 7 entries, Monday first
    country: str | None
    subdivision: str | None
    closed: frozenset[dt.date]
    special: Mapping[dt.date, tuple[Shift, ...]]


def format_key_path(path: KeyPath) -> str:
    """``("hours", "mon-fri", 1)`` -> ``hours.mon-fri[1]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _fail(path: KeyPath, message: str, *, at_key: bool = False) -> CalendarError:
    """The error at `path`; `at_key`: about the last key of the path, not its value."""
    where = format_key_path(path)
    return CalendarError(f"{where}: {message}" if where else message, key_path=path, at_key=at_key)


def _unknown_key(path: KeyPath, key: object, allowed: Sequence[str]) -> CalendarError:
    close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    expected = ", ".join(allowed)
    return _fail(
        (*path, str(key)), f"unknown key '{key}', expected one of {expected}{hint}", at_key=True
    )


def _parse_time(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m != 0):
        return None
    return h * 60 + m


def parse_shift(text: object, path: KeyPath) -> Shift:
    """``"22:00-06:00"`` -> ``(1320, 1800)``; a bad range raises `CalendarError`."""
    if not isinstance(text, str):
        raise _fail(path, f"expected a time range HH:MM-HH:MM, found {text!r}")
    match = _RANGE.match(text)
    start = end = None
    if match is not None:
        start = _parse_time(match[1], match[2])
        end = _parse_time(match[3], match[4])
    if start is None or end is None or start == MINUTES_PER_DAY:
        raise _fail(path, f"'{text}' is not a time range HH:MM-HH:MM")
    if start == end:
        raise _fail(path, f"'{text}' is empty: the start equals the end")
    if end < start:  # overnight: the tail runs into the next date
        end += MINUTES_PER_DAY
    return (start, end)


def parse_shifts(value: object, path: KeyPath) -> tuple[Shift, ...]:
    """One range or a list of them; overlapping shifts are kept (the builder merges)."""
    if isinstance(value, str):
        return (parse_shift(value, path),)
    if isinstance(value, Sequence):
        return tuple(parse_shift(item, (*path, i)) for i, item in enumerate(value))
    raise _fail(path, f"expected a time range HH:MM-HH:MM or a list of them, found {value!r}")


def parse_days(key: object, path: KeyPath) -> list[int]:
    """``mon`` -> [0]; ``mon-fri`` -> [0..4]; ``fri-mon`` wraps round the week. `key` is
    the mapping key at the end of `path`: an error is located at it."""
    text = str(key).strip().lower()
    parts = [p.strip() for p in text.split("-")]
    if len(parts) in (1, 2) and all(p in DAY_NAMES for p in parts):
        first, last = DAY_NAMES.index(parts[0]), DAY_NAMES.index(parts[-1])
        return [(first + i) % 7 for i in range((last - first) % 7 + 1)]
    raise _fail(
        path,
        f"'{key}' is not a day or day range (mon, tue, wed, thu, fri, sat, sun, mon-fri)",
        at_key=True,
    )


def parse_date(value: object, path: KeyPath, *, at_key: bool = False) -> dt.date:
    """An ISO date ``YYYY-MM-DD`` (or a `datetime.date` that YAML already made); `at_key`:
    `value` is the mapping key at the end of `path`."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail(path, f"{value!r} is not a date YYYY-MM-DD", at_key=at_key)


def _parse_timezone(value: object) -> ZoneInfo:
    if not isinstance(value, str) or not value.strip():
        raise _fail(("timezone",), f"expected an IANA time zone name, found {value!r}")
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _fail(
            ("timezone",),
            f"unknown time zone '{value}' (expected an IANA name such as Europe/Berlin)",
        ) from None


def _parse_weekly(value: object) -> tuple[tuple[Shift, ...], ...]:
    if not isinstance(value, Mapping):
        raise _fail(("hours",), f"expected a mapping of days to time ranges, found {value!r}")
    weekly: list[list[Shift]] = [[] for _ in DAY_NAMES]
    given_by: dict[int, str] = {}
    for key, shifts_value in value.items():
        path: KeyPath = ("hours", str(key))
        days = parse_days(key, path)
        shifts = parse_shifts(shifts_value, path)
        for day in days:
            if day in given_by:
                raise _fail(
                    path, f"'{DAY_NAMES[day]}' is already given by '{given_by[day]}'", at_key=True
                )
            given_by[day] = str(key)
            weekly[day].extend(shifts)
    return tuple(tuple(sorted(day)) for day in weekly)


def _parse_holidays(value: object) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    if not isinstance(value, Mapping):
        raise _fail(("holidays",), f"expected {{country: XX, subdivision: YY}}, found {value!r}")
    for key in value:
        if key not in _HOLIDAY_KEYS:
            raise _unknown_key(("holidays",), key, _HOLIDAY_KEYS)
    country = value.get("country")
    subdivision = value.get("subdivision")
    if not isinstance(country, str) or not country.strip():
        raise _fail(
            ("holidays", "country"), f"expected a country code such as DE, found {country!r}"
        )
    if subdivision is not None and not isinstance(subdivision, str | int):
        raise _fail(
            ("holidays", "subdivision"),
            f"expected a subdivision code such as BE, found {subdivision!r}",
        )
    country = country.strip()
    subdiv = None if subdivision is None else str(subdivision).strip()
    from routing.sla._holidays import holidays

    try:
        holidays.country_holidays(country)
    except NotImplementedError:
        raise _fail(
            ("holidays", "country"), f"unknown country '{country}' (expected an ISO 3166 code)"
        ) from None
    if subdiv is not None:
        try:
            holidays.country_holidays(country, subdiv=subdiv)
        except NotImplementedError:
            known = holidays.country_holidays(country).subdivisions
            close = difflib.get_close_matches(subdiv, known, n=1, cutoff=0.5)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise _fail(
                ("holidays", "subdivision"),
                f"'{subdiv}' is not a subdivision of {country}{hint}",
            ) from None
    return country, subdiv


def _parse_closed(value: object) -> frozenset[dt.date]:
    if value is None:
        return frozenset()
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise _fail(("closed",), f"expected a list of dates YYYY-MM-DD, found {value!r}")
    return frozenset(parse_date(item, ("closed", i)) for i, item in enumerate(value))


def _parse_special(value: object) -> dict[dt.date, tuple[Shift, ...]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _fail(("special",), f"expected a mapping of dates to time ranges, found {value!r}")
    special: dict[dt.date, tuple[Shift, ...]] = {}
    for key, shifts_value in value.items():
        path: KeyPath = ("special", str(key))
        day = parse_date(key, path, at_key=True)
        if day in special:
            raise _fail(path, f"the date {day.isoformat()} is given twice", at_key=True)
        special[day] = tuple(sorted(parse_shifts(shifts_value, path)))
    return special


def parse_spec(spec: Mapping[str, Any]) -> CalendarSpec:
    """Check a calendar spec; raises `CalendarError` naming the key path of the problem."""
    if not isinstance(spec, Mapping):
        raise _fail((), f"a calendar spec is a mapping with timezone and hours, found {spec!r}")
    for key in spec:
        if key not in _TOP_KEYS:
            raise _unknown_key((), key, _TOP_KEYS)
    for required in ("timezone", "hours"):
        if required not in spec:
            raise _fail((required,), "missing: a calendar needs a timezone and hours")
    timezone = _parse_timezone(spec["timezone"])
    weekly = _parse_weekly(spec["hours"])
    country, subdivision = _parse_holidays(spec.get("holidays"))
    closed = _parse_closed(spec.get("closed"))
    special = _parse_special(spec.get("special"))
    if not any(weekly) and not any(special.values()):
        raise _fail(("hours",), "the calendar is never open: no day has hours")
    return CalendarSpec(
        timezone=timezone,
        weekly=weekly,
        country=country,
        subdivision=subdivision,
        closed=closed,
        special=special,
    )

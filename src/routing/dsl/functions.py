"""The built-in functions of the expression language and their signatures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["FUNCTIONS", "Signature", "no_local_time"]


@dataclass(frozen=True, slots=True)
class Signature:
    """`params` names each parameter's expected kind, for messages and checks.

    Kinds: "datetime", "string", "calendar" (a string literal naming a declared calendar),
    "timezone" (an IANA zone: a string literal, checked, or a string value), "sized" (a
    string, list or mapping).
    """

    params: tuple[str, ...]
    required: int
    returns: str
    doc: str


FUNCTIONS: dict[str, Signature] = {
    "now": Signature((), 0, "datetime", "the evaluation instant"),
    "since": Signature(("datetime",), 1, "duration", "time from t to now"),
    "business_since": Signature(
        ("datetime", "calendar"), 2, "duration", "business time of a calendar from t to now"
    ),
    "is_open": Signature(
        ("calendar", "datetime"), 1, "boolean", "whether a calendar is open now (or at t)"
    ),
    "len": Signature(("sized",), 1, "number", "characters of a string or items of a list"),
    "lower": Signature(("string",), 1, "string", "the string in lower case (str.lower)"),
    "hour": Signature(("datetime", "timezone"), 2, "number", "the hour (0-23) of t in a zone"),
    "weekday": Signature(
        ("datetime", "timezone"), 2, "weekday", "the weekday (mon..sun) of t in a zone"
    ),
}


def no_local_time(t: datetime, zone: str) -> str:
    """Why `t` has no wall-clock time in `zone` (its local date would be before the year 1
    or after 9999), for ``hour``/``weekday`` and the templates' ``local`` filter, instead of
    Python's "date value out of range"."""
    side = "after the year 9999" if t.year > 1 else "before the year 1"
    return f"{t.isoformat()} has no local time in {zone}: it is {side} there"

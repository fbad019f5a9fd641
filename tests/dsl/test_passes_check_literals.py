"""Pass 5, check_literals: regexes compile under RE2 (and say why when they cannot), time
zones exist, literals stay within size limits, and calendar specs are valid."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.checking import diagnostics_through

from routing.dsl.limits import MAX_PATTERN

Found = tuple[str, str, str | None, str]

RULE = """\
version: 1
stages:
  - name: s
    mode: all
    rules:
      - name: r
        when: 'WHEN'
        then: [{tag: x}]
"""
# the expression starts at line 7, column 16
NOT_LINEAR_HINT = (
    "rewrite it without backreferences or look-around, "
    "or split it into several tests joined with 'and'"
)
TZ_HINT = 'use an IANA name such as "Europe/Berlin"'


def _through(pass_name: str, text: str) -> list[Found]:
    return [
        (d.code, d.message, d.hint, f"{d.line}:{d.column}")
        for d in diagnostics_through(pass_name, ("r.yaml", text))
    ]


@dataclass(frozen=True)
class Case:
    note: str
    when: str
    want: tuple[Found, ...]


def _not_linear(what: str, kind: str) -> tuple[Found, ...]:
    return (
        (
            "regex/not-linear",
            f"{kind} ('{what}') has no linear-time match; RE2 does not support it",
            NOT_LINEAR_HINT,
            "7:32",
        ),
    )


CASES = (
    Case("a plain regex: clean", "subject matches /outage|down|5\\d\\d/i", ()),
    Case("an escaped backslash before a digit: clean", "subject matches /\\\\1/", ()),
    Case("an RE2 Unicode class: clean", "subject matches /\\p{Greek}+/", ()),
    Case("an empty pattern: clean", "subject matches //", ()),
    Case(
        "an unclosed group",
        "subject matches /(/",
        (("regex/invalid", "invalid regex: missing ): (", None, "7:32"),),
    ),
    Case(
        "an unclosed class",
        "subject matches /[/",
        (("regex/invalid", "invalid regex: missing ]: [", None, "7:32"),),
    ),
    Case(
        "a bad repetition",
        "subject matches /a{2,1}/",
        (("regex/invalid", "invalid regex: invalid repetition size: {2,1}", None, "7:32"),),
    ),
    Case("a backreference", "subject matches /(a)\\1/", _not_linear("\\1", "a backreference")),
    Case(
        "a named backreference",
        "subject matches /(?P<n>a)(?P=n)/",
        _not_linear("(?P=", "a backreference"),
    ),
    Case("a look-ahead", "subject matches /a(?=b)/", _not_linear("(?=", "look-around")),
    Case("a negative look-behind", "subject matches /(?<!a)b/", _not_linear("(?<!", "look-around")),
    Case(
        "a possessive quantifier",
        "subject matches /a++/",
        _not_linear("++", "an atomic group or possessive quantifier"),
    ),
    Case(
        "an atomic group",
        "subject matches /(?>a)/",
        _not_linear("(?>", "an atomic group or possessive quantifier"),
    ),
    Case("a known time zone: clean", 'hour(now, "Europe/Berlin") > 3', ()),
    Case(
        "a misspelt time zone",
        'hour(now, "Europe/Berln") > 3',
        (("literal/bad-timezone", "unknown time zone 'Europe/Berln'", TZ_HINT, "7:26"),),
    ),
    Case(
        "a path-like time zone",
        'weekday(now, "../etc/passwd") == "mon"',
        (("literal/bad-timezone", "unknown time zone '../etc/passwd'", TZ_HINT, "7:29"),),
    ),
    Case(
        "an empty time zone",
        'hour(now, "") > 3',
        (("literal/bad-timezone", "unknown time zone ''", TZ_HINT, "7:26"),),
    ),
    Case(
        "a regex over the size limit",
        "subject matches /" + "a" * (MAX_PATTERN + 1) + "/",
        (
            (
                "limit/pattern-size",
                f"the regex has {MAX_PATTERN + 1} characters; the limit is {MAX_PATTERN}",
                None,
                "7:32",
            ),
        ),
    ),
    Case("a regex at the size limit: clean", "subject matches /" + "a" * MAX_PATTERN + "/", ()),
    Case(
        "a string over the size limit",
        'subject contains "' + "a" * (MAX_PATTERN + 1) + '"',
        (
            (
                "limit/pattern-size",
                f"the string has {MAX_PATTERN + 1} characters; the limit is {MAX_PATTERN}",
                None,
                "7:33",
            ),
        ),
    ),
    Case(
        "every bad literal of one condition is reported",
        'subject matches /(/ and hour(now, "Mars/Base") > 1 and body matches /(?=x)/',
        (
            ("regex/invalid", "invalid regex: missing ): (", None, "7:32"),
            ("literal/bad-timezone", "unknown time zone 'Mars/Base'", TZ_HINT, "7:50"),
            (
                "regex/not-linear",
                "look-around ('(?=') has no linear-time match; RE2 does not support it",
                NOT_LINEAR_HINT,
                "7:84",
            ),
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_check_literals_reports_bad_literals(case: Case) -> None:
    """A bad regex or time zone is located at the literal; not-linear says why."""
    assert _through("check_literals", RULE.replace("WHEN", case.when)) == list(case.want)


CALENDARS = """\
version: 1
calendars:
  eu:
    timezone: Europe/Berln
    hours: {mon-fri: "09:00-17:00"}
  us:
    timezone: UTC
    hours: {mon-fri: ["09:00-17:00", "25:00-26:00"]}
  ok:
    timezone: UTC
    hours: {mon-fri: ["08:00-12:00", "13:00-18:00"], sat: "10:00-14:00"}
    closed: ["2026-12-24"]
stages: []
"""


def test_check_literals_locates_calendar_errors_at_the_key() -> None:
    """A calendar spec error points at the offending value, not at the calendar name."""
    assert _through("check_literals", CALENDARS) == [
        (
            "calendar/invalid",
            "calendar 'eu': timezone: unknown time zone 'Europe/Berln' "
            "(expected an IANA name such as Europe/Berlin)",
            None,
            "4:15",
        ),
        (
            "calendar/invalid",
            "calendar 'us': hours.mon-fri[1]: '25:00-26:00' is not a time range HH:MM-HH:MM",
            None,
            "8:38",
        ),
    ]

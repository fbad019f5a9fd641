"""Issue 2 finding: a calendar `hours` key that is not a day (`mondy`) was reported at the
value of that key (`"09:00-17:00"`), not at the key that is wrong. Every calendar error about
a key (an unknown key, a day name, a day given twice, a special date) is now located at the
key (`CalendarError.at_key`); errors about a value stay at the value."""

from __future__ import annotations

from pathlib import Path

import pytest

import routing
from routing.cli.main import main

RULES = """\
version: 1
calendars:
  xx:
    timezone: UTC
    hours: {mondy: "09:00-17:00"}
stages: []
"""


def test_a_bad_day_name_is_located_at_the_key() -> None:
    """The caret of 'mondy is not a day' is under `mondy` (line 5, column 13)."""
    with pytest.raises(routing.RuleError) as caught:
        routing.loads(RULES)
    assert [(d.code, d.message, f"{d.line}:{d.column}") for d in caught.value.diagnostics] == [
        (
            "calendar/invalid",
            "calendar 'xx': hours.mondy: 'mondy' is not a day or day range "
            "(mon, tue, wed, thu, fri, sat, sun, mon-fri)",
            "5:13",
        )
    ]


_HEAD = "version: 1\ncalendars:\n  xx:\n    timezone: UTC\n"

KEY_CASES = [
    (
        "unknown top key",
        '    hours: {mon: "09:00-17:00"}\n    holiday: {country: DE}\n',
        "holiday: unknown key 'holiday', expected one of timezone, hours, holidays, closed, "
        "special (did you mean 'holidays'?)",
        "6:5",
    ),
    (
        "unknown holidays key",
        '    hours: {mon: "09:00-17:00"}\n    holidays: {country: DE, subdiv: BE}\n',
        "holidays.subdiv: unknown key 'subdiv', expected one of country, subdivision "
        "(did you mean 'subdivision'?)",
        "6:29",
    ),
    (
        "a day given twice",
        '    hours:\n      mon-fri: "09:00-17:00"\n      fri: "10:00-12:00"\n',
        "hours.fri: 'fri' is already given by 'mon-fri'",
        "7:7",
    ),
    (
        "a special date that is no date",
        '    hours: {mon: "09:00-17:00"}\n    special:\n      "24 Dec": "10:00-12:00"\n',
        "special.24 Dec: '24 Dec' is not a date YYYY-MM-DD",
        "7:7",
    ),
    (
        "a bad range stays at the value",
        '    hours: {mon: "09:00-27:00"}\n',
        "hours.mon: '09:00-27:00' is not a time range HH:MM-HH:MM",
        "5:18",
    ),
]


@pytest.mark.parametrize(
    ("spec", "message", "where"), [c[1:] for c in KEY_CASES], ids=[c[0] for c in KEY_CASES]
)
def test_calendar_errors_about_a_key_are_located_at_the_key(
    spec: str, message: str, where: str
) -> None:
    with pytest.raises(routing.RuleError) as caught:
        routing.loads(_HEAD + spec + "stages: []\n")
    assert [(d.code, d.message, f"{d.line}:{d.column}") for d in caught.value.diagnostics] == [
        ("calendar/invalid", f"calendar 'xx': {message}", where)
    ]


def test_routing_sla_locates_a_bad_key_of_a_calendar_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`routing sla` reads a calendar file through the same locator."""
    path = tmp_path / "cal.yaml"
    path.write_text('timezone: UTC\nhours:\n  mon: "09:00-17:00"\n  funday: "10:00-12:00"\n')
    code = main(["sla", "next-open", "--calendar", str(path), "--at", "2026-11-23T10:00:00Z"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[:4] == [
        f"{path}:4:3: error[calendar/invalid]: calendar 'cal': hours.funday: 'funday' is not "
        "a day or day range (mon, tue, wed, thu, fri, sat, sun, mon-fri)",
        "  |",
        '4 |   funday: "10:00-12:00"',
        "  |   ^^^^^^",
    ]

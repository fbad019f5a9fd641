"""``routing sla``: whole outputs of each sub-command and its usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routing.cli.main import main

SPEC = """\
timezone: Europe/Berlin
hours: {mon-fri: ["08:00-12:00", "13:00-18:00"], sat: "10:00-14:00"}
holidays: {country: DE, subdivision: BE}
closed: ["2026-12-24"]
special: {"2026-12-23": "08:00-12:00"}
"""
RULES = "version: 1\ncalendars:\n  support-eu:\n" + "".join(
    f"    {line}\n" for line in SPEC.splitlines()
)


@pytest.fixture
def cal(tmp_path: Path) -> str:
    path = tmp_path / "support-eu.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("note", "argv", "out"),
    [
        (
            "due over christmas",
            ["due", "--start", "2026-12-22T17:00:00+01:00", "--target", "4h"],
            "2026-12-23T11:00:00+01:00\n",
        ),
        (
            "due lands on closing",
            ["due", "--start", "2026-11-23T14:00Z", "--target", "3h"],
            "2026-11-23T18:00:00+01:00\n",
        ),
        (
            "due 3d is 72 business hours",
            ["due", "--start", "2026-11-23T08:00+01:00", "--target", "3d"],
            "2026-12-02T14:00:00+01:00\n",
        ),
        (
            "between a week",
            ["between", "--from", "2026-12-21T00:00+01:00", "--to", "2026-12-28T00:00+01:00"],
            "22h\n",
        ),
        (
            "between negative",
            ["between", "--from", "2026-12-22T00:00+01:00", "--to", "2026-12-21T00:00+01:00"],
            "-9h\n",
        ),
        ("next open", ["next-open", "--at", "2026-12-23T12:00Z"], "2026-12-28T08:00:00+01:00\n"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_sla_commands(note, argv, out, cal, capsys):
    assert main(["sla", argv[0], "--calendar", cal, *argv[1:]]) == 0
    assert capsys.readouterr() == (out, "")


def test_sla_show_plain_text(cal, capsys):
    assert main(["sla", "show", "--calendar", cal, "--from", "2026-12-21", "--days", "8"]) == 0
    assert capsys.readouterr().out == (
        "support-eu (Europe/Berlin)\n"
        "date        day  hours                     open  notes\n"
        "2026-12-21  mon  08:00-12:00, 13:00-18:00  9h\n"
        "2026-12-22  tue  08:00-12:00, 13:00-18:00  9h\n"
        "2026-12-23  wed  08:00-12:00               4h    special hours\n"
        "2026-12-24  thu  closed                    -     closed\n"
        "2026-12-25  fri  closed                    -     holiday: Christmas Day\n"
        "2026-12-26  sat  closed                    -     holiday: Second Day of Christmas\n"
        "2026-12-27  sun  closed                    -\n"
        "2026-12-28  mon  08:00-12:00, 13:00-18:00  9h\n"
    )


def test_sla_show_dst_from_rule_file(tmp_path, capsys):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES, encoding="utf-8")
    argv = [
        "sla",
        "show",
        "--calendar",
        f"{rules}#support-eu",
        "--from",
        "2026-10-24",
        "--days",
        "3",
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out == (
        "support-eu (Europe/Berlin)\n"
        "date        day  hours                     open  notes\n"
        "2026-10-24  sat  10:00-14:00               4h\n"
        "2026-10-25  sun  closed                    -     DST -1h\n"
        "2026-10-26  mon  08:00-12:00, 13:00-18:00  9h\n"
    )


def test_sla_calendar_json(capsys):
    spec = {"timezone": "Asia/Kolkata", "hours": {"mon-fri": "09:30-18:00"}}
    argv = [
        "sla",
        "due",
        "--calendar-json",
        json.dumps(spec),
        "--start",
        "2026-11-27T12:00Z",
        "--target",
        "1h",
    ]
    assert main(argv) == 0
    assert capsys.readouterr() == ("2026-11-30T10:00:00+05:30\n", "")


@pytest.mark.parametrize(
    ("note", "argv", "err"),
    [
        (
            "naive start",
            ["due", "--start", "2026-01-01T00:00", "--target", "1h"],
            "routing sla: error: --start: '2026-01-01T00:00' needs a UTC offset, "
            "e.g. 2026-01-01T00:00+01:00 or 2026-01-01T00:00Z\n",
        ),
        (
            "bad target",
            ["due", "--start", "2026-01-01T00:00Z", "--target", "4 hours"],
            "routing sla: error: --target: '4 hours' is not a duration such as 4h, 1h30m or 3d\n",
        ),
        (
            "bad instant",
            ["next-open", "--at", "tomorrow"],
            "routing sla: error: --at: 'tomorrow' is not an ISO 8601 instant\n",
        ),
        (
            "bad date",
            ["show", "--from", "2026-13-01"],
            "routing sla: error: --from: '2026-13-01' is not a date YYYY-MM-DD\n",
        ),
        (
            "bad days",
            ["show", "--from", "2026-12-01", "--days", "0"],
            "routing sla: error: --days: expected 1 to 3660 days, found 0\n",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_sla_usage_errors(note, argv, err, cal, capsys):
    assert main(["sla", argv[0], "--calendar", cal, *argv[1:]]) == 2
    assert capsys.readouterr() == ("", err)


@pytest.mark.parametrize(
    ("note", "source", "err"),
    [
        (
            "missing file",
            ["--calendar", "/nonexistent/cal.yaml"],
            "routing sla: error: cannot read calendar file '/nonexistent/cal.yaml': "
            "No such file or directory\n",
        ),
        (
            "bad json",
            ["--calendar-json", "{"],
            "routing sla: error: --calendar-json is not JSON: Expecting property name enclosed "
            "in double quotes: line 1 column 2 (char 1)\n",
        ),
        (
            "bad spec",
            ["--calendar-json", '{"timezone": "Europe/Berlin", "hours": {"mon": "9-5"}}'],
            "routing sla: error: hours.mon: '9-5' is not a time range HH:MM-HH:MM\n",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_sla_calendar_errors(note, source, err, capsys):
    assert main(["sla", "next-open", *source, "--at", "2026-01-01T00:00Z"]) == 2
    assert capsys.readouterr() == ("", err)


def test_sla_unknown_calendar_name(cal, capsys):
    assert main(["sla", "next-open", "--calendar", f"{cal}#nope", "--at", "2026-01-01T00:00Z"]) == 2
    assert capsys.readouterr() == (
        "",
        f"routing sla: error: '{cal}' has no calendar 'nope' under calendars:\n",
    )


def test_sla_calendar_from_a_rule_directory(capsys):
    """`DIR#NAME` reads the calendar from a rule set directory with the strict rule loader."""
    rules = str(Path(__file__).resolve().parents[2] / "examples" / "helpdesk" / "rules")
    code = main(
        [
            "sla",
            "due",
            "--calendar",
            f"{rules}#support-eu",
            "--start",
            "2026-12-22T17:00:00+01:00",
            "--target",
            "2h",
        ]
    )
    assert (code, capsys.readouterr().out) == (0, "2026-12-23T09:00:00+01:00\n")

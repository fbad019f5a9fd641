"""Regression tests for mistakes found in `routing check` and `routing sla` while writing
docs/cli/check.md and docs/cli/sla.md: whole outputs, exit codes, no traceback."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from routing.cli.main import main

TYPO = """\
version: 1
queues: [billing, general]
stages:
  - name: triage
    mode: first
    rules:
      - name: refunds
        when: text mentions "refund"
        then: [{route: biling}]
"""


def test_check_counts_a_finding_shown_once_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path given twice shows its findings once, and the summary counts them once
    (it said "2 errors" under one error)."""
    monkeypatch.chdir(tmp_path)
    Path("typo.yaml").write_text(TYPO, encoding="utf-8")
    assert main(["check", "typo.yaml", "typo.yaml"]) == 1
    assert capsys.readouterr().out == (
        "typo.yaml:9:24: error[name/unknown-queue]: queue 'biling' is not declared\n"
        "  |\n"
        "9 |         then: [{route: biling}]\n"
        "  |                        ^^^^^^\n"
        "  = help: did you mean 'billing'?\n"
        "\n"
        "1 error, 0 warnings\n"
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "expected 0 or more, found -1"), ("ten", "expected a whole number, found 'ten'")],
    ids=["negative", "not a number"],
)
def test_check_max_errors_must_be_a_count(
    value: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--max-errors -1` was taken as "show all"; it is a usage error now."""
    rules = tmp_path / "typo.yaml"
    rules.write_text(TYPO, encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        main(["check", "--max-errors", value, str(rules)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1] == f"routing check: error: argument --max-errors: {message}"


@dataclass(frozen=True)
class SlaCase:
    note: str
    files: dict[str, str]
    argv: tuple[str, ...]
    err: str


SLA_CASES = (
    SlaCase(
        "a duplicate key in a calendar file is an error, not the last value",
        {"eu.yaml": "timezone: Europe/Berlin\nhours: {mon-fri: '09:00-17:00'}\ntimezone: UTC\n"},
        ("--calendar", "eu.yaml"),
        "eu.yaml:3:1: error[yaml/duplicate-key]: duplicate key 'timezone'\n"
        "  |\n"
        "3 | timezone: UTC\n"
        "  | ^^^^^^^^\n"
        "  = note: 'timezone' is first defined on line 1\n"
        "  = help: remove one of them\n"
        "routing sla: error: cannot read the calendar from 'eu.yaml'\n",
    ),
    SlaCase(
        "a duplicate key in a rule file's calendar is an error",
        {
            "rules.yaml": "version: 1\ncalendars:\n  eu:\n    timezone: Europe/Berlin\n"
            "    hours: {mon-fri: '09:00-17:00'}\n    timezone: UTC\n"
        },
        ("--calendar", "rules.yaml#eu"),
        "rules.yaml:6:5: error[yaml/duplicate-key]: duplicate key 'timezone'\n"
        "  |\n"
        "6 |     timezone: UTC\n"
        "  |     ^^^^^^^^\n"
        "  = note: 'timezone' is first defined on line 4\n"
        "  = help: remove one of them\n"
        "routing sla: error: cannot read the calendar from 'rules.yaml#eu'\n",
    ),
    SlaCase(
        "a rule file that is not YAML says so, not 'has no calendar'",
        {"rules.yaml": "version: 1\ncalendars:\n  eu: {timezone: Europe/Berlin\n"},
        ("--calendar", "rules.yaml#eu"),
        "rules.yaml:4:1: error[yaml/syntax]: expected ',' or '}', but got '<stream end>'\n"
        "  |\n"
        "4 |\n"
        "  | ^\n"
        "  = note: while parsing a flow mapping that starts on line 3\n"
        "routing sla: error: cannot read the calendar from 'rules.yaml#eu': 1 error above\n",
    ),
    SlaCase(
        "a bad spec in a rule file is located",
        {
            "rules.yaml": "version: 1\ncalendars:\n  eu:\n    timezone: Europe/Berln\n"
            "    hours: {mon-fri: '09:00-17:00'}\n"
        },
        ("--calendar", "rules.yaml#eu"),
        "rules.yaml:4:15: error[calendar/invalid]: calendar 'eu': timezone: unknown time zone "
        "'Europe/Berln' (expected an IANA name such as Europe/Berlin)\n"
        "  |\n"
        "4 |     timezone: Europe/Berln\n"
        "  |               ^^^^^^^^^^^^\n"
        "routing sla: error: cannot read the calendar from 'rules.yaml#eu'\n",
    ),
    SlaCase(
        "a rule file without #NAME gets a hint",
        {
            "rules.yaml": "version: 1\ncalendars:\n  eu:\n    timezone: Europe/Berlin\n"
            "    hours: {mon-fri: '09:00-17:00'}\n"
        },
        ("--calendar", "rules.yaml"),
        "rules.yaml:1:1: error[calendar/invalid]: calendar 'rules': version: unknown key "
        "'version', expected one of timezone, hours, holidays, closed, special\n"
        "  |\n"
        "1 | version: 1\n"
        "  | ^^^^^^^\n"
        "  = help: this is a rule file: name one of its calendars, e.g. --calendar rules.yaml#eu\n"
        "routing sla: error: cannot read the calendar from 'rules.yaml'\n",
    ),
    SlaCase(
        "an empty calendar file",
        {"eu.yaml": ""},
        ("--calendar", "eu.yaml"),
        "routing sla: error: 'eu.yaml' is empty: expected a calendar spec (timezone, hours, ...)\n",
    ),
    SlaCase(
        "a calendar file that is not UTF-8",
        {"eu.yaml": "timezone: \udcff\n"},
        ("--calendar", "eu.yaml"),
        "routing sla: error: cannot read calendar file 'eu.yaml': it is not UTF-8 text\n",
    ),
)


@pytest.mark.parametrize("case", SLA_CASES, ids=[c.note for c in SLA_CASES])
def test_sla_calendar_files_are_read_strictly_and_located(
    case: SlaCase,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in case.files.items():
        Path(name).write_bytes(text.encode("utf-8", "surrogateescape"))
    argv = ["sla", "next-open", *case.argv, "--at", "2026-12-01T10:00Z"]
    assert main(argv) == 2
    assert capsys.readouterr() == ("", case.err)


CAL = json.dumps({"timezone": "UTC", "hours": {"mon-fri": "09:00-17:00"}})


@pytest.mark.parametrize(
    ("argv", "err"),
    [
        (
            ["show", "--from", "9999-12-30", "--days", "5"],
            "routing sla: error: --days: 5 days from 9999-12-30 go past 9999-12-31\n",
        ),
        (
            ["show", "--from", "9999-12-30", "--days", "2"],
            "routing sla: error: the dates go beyond the years 1 to 9999\n",
        ),
        (
            ["due", "--start", "2026-12-23", "--target", "1h"],
            "routing sla: error: --start: '2026-12-23' needs a UTC offset, "
            "e.g. 2026-12-23T00:00+01:00 or 2026-12-23T00:00Z\n",
        ),
    ],
    ids=["show past 9999", "show at the very end", "a date without a time"],
)
def test_sla_dates_out_of_range_and_dates_without_time(
    argv: list[str], err: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`show` near 9999-12-31 raised OverflowError; a date-only instant was told to add an
    offset in a form that does not parse either."""
    assert main(["sla", argv[0], "--calendar-json", CAL, *argv[1:]]) == 2
    assert capsys.readouterr() == ("", err)

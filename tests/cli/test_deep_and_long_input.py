"""Input at the limits of the readers: JSON nested beyond the reach of Python's `json` (a
located error, never a RecursionError traceback), and CSV cells longer than the csv
module's default 128 KiB (read, like a JSON line of the same size)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from routing.cli.main import main
from routing.errors import TicketError
from routing.model.ticket import Ticket

RULES = Path(__file__).resolve().parents[2] / "examples" / "helpdesk" / "rules"
NOW = "2026-11-23T10:00:00Z"
DEEP = "[" * 100_000 + "]" * 100_000  # beyond both pydantic-core's and json's nesting


def _dry_run(tickets: Path, jobs: str) -> int:
    argv = ["dry-run", str(RULES), "--tickets", str(tickets), "--format", "jsonl"]
    return main([*argv, "--now", NOW, "--jobs", jobs])


def test_a_deeply_nested_ticket_is_refused_with_pydantic_cores_message() -> None:
    line = '{"id": "D1", "fields": {"x": ' + DEEP + "}}"
    with pytest.raises(TicketError) as caught:
        Ticket.from_json(line)
    assert str(caught.value) == "ticket: not JSON: recursion limit exceeded at line 1 column 229"


def test_dry_run_reports_a_deeply_nested_line_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(
        '{"id": "D1", "fields": {"x": ' + DEEP + "}}\n"
        '{"ticket": {"id": "D2"}, "now": ' + DEEP + "}\n"
        '{"id": "OK"}\n'
    )
    code = _dry_run(tickets, "1")
    out, err = capsys.readouterr()
    assert code == 1  # some lines were skipped
    assert [json.loads(line)["ticket_id"] for line in out.splitlines()] == ["OK"]
    assert err.splitlines() == [
        f"{tickets}:1: error: ticket: not JSON: recursion limit exceeded at line 1 column 229",
        f"{tickets}:2: error: ticket: not JSON: recursion limit exceeded at line 1 column 233",
        f"{tickets}: skipped 2 malformed lines, evaluated 1 ticket",
    ]


def test_explain_reports_a_deeply_nested_ticket_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ticket = tmp_path / "deep.json"
    ticket.write_text('{"id": "D1", "fields": {"x": ' + DEEP + "}}")
    code = main(["explain", str(RULES), "--ticket", str(ticket), "--now", NOW])
    out, err = capsys.readouterr()
    assert (code, out, err) == (1, "", f"{ticket}:1: error: not JSON: nested too deeply\n")


@pytest.mark.parametrize("how", ["file", "argument"])
def test_routing_sla_reports_a_deeply_nested_calendar(
    how: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = '{"timezone": "UTC", "hours": ' + DEEP + "}"
    path = tmp_path / "cal.json"
    path.write_text(text)
    given = ["--calendar", str(path)] if how == "file" else ["--calendar-json", text]
    code = main(["sla", "due", *given, "--start", NOW, "--target", "1h"])
    out, err = capsys.readouterr()
    what = f"'{path}' is not valid JSON" if how == "file" else "--calendar-json is not JSON"
    assert (code, out, err) == (2, "", f"routing sla: error: {what}: nested too deeply\n")


@pytest.fixture
def default_csv_limit() -> Iterator[None]:
    """The csv module's default cell limit, as a fresh process has it, for the test."""
    before = csv.field_size_limit(128 * 1024)
    yield
    csv.field_size_limit(before)


@pytest.mark.usefixtures("default_csv_limit")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_csv_cell_longer_than_128_kib_is_read(
    jobs: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In the command's process and through the parallel chunker (the file is larger
    than two chunks, so `--jobs 2` cuts it into rows in this process)."""
    long_body = "a pasted log line\n" * 20_000  # 360 KB in one quoted cell
    rows = [["id", "subject", "body"]]
    rows += [[f"T{i}", f"subject {i}", "hello " * 200] for i in range(3000)]
    rows.insert(1500, ["LONG", "a long one", long_body])
    tickets = tmp_path / "t.csv"
    with tickets.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    code = _dry_run(tickets, jobs)
    out, err = capsys.readouterr()
    ids = [json.loads(line)["ticket_id"] for line in out.splitlines()]
    assert (code, err) == (0, "")
    assert ids == [row[0] for row in rows[1:]]

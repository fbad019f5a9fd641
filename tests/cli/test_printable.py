"""Ticket text reaches terminals and CI logs escaped: a subject or an id is anyone's (an
e-mail's), and ESC, CR, C1 controls or bidi overrides in it would colour, move, retitle or
reorder what a report shows. `routing.cli.output.printable` escapes them in every text
output; rich, where a table is drawn, gets `Text`, not markup."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from routing.cli.dry_run import TABLE_HEADER, _TableSink
from routing.cli.main import main
from routing.cli.output import printable

DATA = Path(__file__).parent / "data"
RULES = str(DATA / "rules.yaml")
NOW = "2026-11-24T12:00:00Z"
EVIL_ID = "Z\x1b[31m\u202e"


def test_printable_escapes_what_a_terminal_acts_on_and_keeps_the_rest() -> None:
    text = "a\x1b[31mb\tc\nd\r\x00\x08\x7f\x9b\u202eX\u2066 é 中 \u2028"
    assert printable(text) == (
        "a\\x1b[31mb\tc\nd\\x0d\\x00\\x08\\x7f\\x9b\\u202eX\\u2066 é 中 \u2028"
    )


@pytest.fixture
def evil_tickets(tmp_path: Path) -> str:
    path = tmp_path / "t.jsonl"
    ticket = {"id": EVIL_ID, "subject": "x\x1b]0;title\x07", "body": "refund"}
    path.write_text(json.dumps(ticket) + "\n", encoding="utf-8")
    return str(path)


def test_dry_run_table_escapes_ticket_ids(
    evil_tickets: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["dry-run", RULES, "--tickets", evil_tickets, "--now", NOW, "--format", "table"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[1].split("  ")[0] == "Z\\x1b[31m\\u202e"
    assert [c for c in out if c in "\x1b\u202e"] == []


def test_dry_run_rich_table_does_not_read_ticket_ids_as_markup() -> None:
    """A ticket id "[/x]" made rich raise MarkupError (a traceback) on a terminal, and
    "[bold]" was drawn bold."""
    out = io.StringIO()
    sink = _TableSink(out, rich=True)
    sink.add(("[/x] [bold]b", *(["-"] * (len(TABLE_HEADER) - 1))))
    sink.finish()
    assert "[/x]" in out.getvalue()
    assert "[bold]b" in out.getvalue()


def test_explain_escapes_the_ticket_id(
    evil_tickets: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["explain", RULES, "--ticket", evil_tickets, "--now", NOW])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[0] == "ticket Z\\x1b[31m\\u202e at 2026-11-24T12:00:00+00:00"
    assert "\x1b" not in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_diff_reports_escape_ticket_text(
    fmt: str, evil_tickets: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = tmp_path / "head.yaml"  # refunds go to tech: the evil ticket changes
    rules = Path(RULES).read_text(encoding="utf-8")
    head.write_text(rules.replace("then: [{route: billing}", "then: [{route: tech}"), "utf-8")
    argv = ["--base", RULES, "--head", str(head), "--tickets", evil_tickets, "--now", NOW]
    code = main(["diff", *argv, "--format", fmt, "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Z\\x1b[31m\\u202e" in out  # the ticket is listed, escaped
    assert [c for c in out if c in "\x1b\u202e\x07"] == []

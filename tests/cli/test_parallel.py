"""`routing.cli._parallel` and ``routing dry-run --jobs``: the same results for every job count."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

import routing
from routing.cli._parallel import Outcome, evaluate_tickets
from routing.cli._tickets import TicketReader
from routing.cli.main import main

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "helpdesk"
RULES = str(EXAMPLES / "rules")
SMALL_RULES = str(DATA / "rules.yaml")
TICKETS = EXAMPLES / "tickets.jsonl"
NOW_TEXT = "2026-11-24T12:00:00Z"
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
JOBS = [1, 2, 3]


def _serial(rule_paths: list[str], tickets: str, fmt: str, trace: bool = False) -> list[Outcome]:
    """The outcomes computed the plain way: one reader, one evaluate call per rule set."""
    rulesets = [routing.load(p) for p in rule_paths]
    types: dict[str, object] = {}
    for r in reversed(rulesets):
        types.update(r.checked.field_types)
    out = []
    with TicketReader(tickets, fmt, field_types=types) as reader:  # type: ignore[arg-type]
        for rec in reader:
            if rec.ticket is None:
                out.append(Outcome(rec.line, None, None, (), rec.error))
                continue
            ds = tuple(
                r.evaluate(
                    rec.ticket, rec.now or NOW, event=rec.event, history=rec.history, trace=trace
                ).to_dict(trace=trace)
                for r in rulesets
            )
            out.append(Outcome(rec.line, rec.ticket.id, rec.ticket.subject, ds, None))
    return out


def _dry_run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["dry-run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_evaluate_tickets_in_process_matches_plain_evaluation():
    got = list(evaluate_tickets([RULES], str(TICKETS), "jsonl", now=NOW, jobs=1))
    assert got == _serial([RULES], str(TICKETS), "jsonl")
    assert len(got) == 1200


def test_evaluate_tickets_reports_progress_in_records():
    seen: list[int] = []
    outcomes = evaluate_tickets(
        [SMALL_RULES], str(TICKETS), "jsonl", now=NOW, jobs=1, on_progress=seen.append
    )
    assert sum(1 for _ in outcomes) == 1200
    assert seen == [512, 1024, 1200]


def test_evaluate_tickets_rule_error_before_any_work(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nstages: 3\n", encoding="utf-8")
    with pytest.raises(routing.RuleError):
        evaluate_tickets([RULES, str(bad)], str(TICKETS), "jsonl", now=NOW, jobs=2)


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_dry_run_jobs_below_one_is_a_usage_error(jobs, capsys):
    assert _dry_run(capsys, RULES, "--tickets", str(TICKETS), "--jobs", jobs) == (
        2,
        "",
        f"routing dry-run: error: --jobs: expected a number of processes >= 1, found {jobs}\n",
    )

"""`routing.cli._parallel` and ``routing dry-run --jobs``: the same results for every job count.

Most tests shrink the chunk size so that the 1,200 example tickets (about 900 kB) make many
chunks; each compares the outcomes of worker processes with a plain serial evaluation.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

import routing
from routing.cli import _parallel
from routing.cli._parallel import Outcome, WorkerError, evaluate_tickets
from routing.cli._tickets import TicketReader, TicketSourceError
from routing.cli.main import main

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "helpdesk"
RULES = str(EXAMPLES / "rules")
SMALL_RULES = str(DATA / "rules.yaml")
TICKETS = EXAMPLES / "tickets.jsonl"
LINES = TICKETS.read_bytes().splitlines(keepends=True)
NOW_TEXT = "2026-11-24T12:00:00Z"
NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 16 kB: the example tickets make about 55 of them."""
    monkeypatch.setattr(_parallel, "CHUNK_BYTES", 16_384)
    return 16_384


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
            try:
                ds = tuple(
                    r.evaluate(
                        rec.ticket,
                        rec.now or NOW,
                        event=rec.event,
                        history=rec.history,
                        trace=trace,
                    ).to_dict(trace=trace)
                    for r in rulesets
                )
            except routing.RoutingError as exc:
                error = f"ticket '{rec.ticket.id}': {exc}"
                out.append(Outcome(rec.line, rec.ticket.id, rec.ticket.subject, (), error))
                continue
            out.append(Outcome(rec.line, rec.ticket.id, rec.ticket.subject, ds, None))
    return out


def _dry_run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["dry-run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# Malformed lines and envelopes, mixed into the example tickets: index in the result -> line.
MIXED: dict[int, bytes] = {
    0: b"{oops\n",
    40: b"\n",
    41: b'{"ticket": {"id": "E-1", "subject": "refund"}, "now": "2026-11-24T08:00:00Z",'
    b' "event": "updated"}\n',
    42: b'{"ticket": {"id": "E-2"}, "now": "2026-11-24T10:00"}\n',
    43: b'{"id": "X", "subject": "caf\xe9"}\n',
    44: b'{"ticket": {"id": "E-3"}, "history": [{"to": "a@b.c", "at": "2026-11-24T10:00"}]}\n',
    300: b"[1, 2]\n",
    301: b"\xef\xbb\xbf" + LINES[5],  # a BOM is stripped from line 1 only
    700: b'{"id": ""}\n',
}


def _mixed(path: Path) -> Path:
    lines = list(LINES)
    for at in sorted(MIXED):
        lines.insert(at, MIXED[at])
    lines.append(b'{"id": "LAST", "subject": "no newline at the end"}')
    path.write_bytes(b"".join(lines))
    return path


# ---------------------------------------------------------------------------- evaluate_tickets


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_outcomes_identical_for_every_job_count(jobs, small_chunks):
    got = list(evaluate_tickets([RULES], str(TICKETS), "jsonl", now=NOW, jobs=jobs))
    assert (len(got), got) == (1200, _serial([RULES], str(TICKETS), "jsonl"))


def test_outcomes_with_malformed_lines_envelopes_and_trace(small_chunks, tmp_path):
    tickets = str(_mixed(tmp_path / "mixed.jsonl"))
    got = list(evaluate_tickets([RULES], tickets, "jsonl", now=NOW, jobs=2, trace=True))
    expected = _serial([RULES], tickets, "jsonl", trace=True)
    errors = [(o.line, o.error) for o in expected if o.error]
    assert errors == [
        (1, "ticket: not JSON: key must be a string at line 1 column 2"),
        (43, 'now: "2026-11-24T10:00" has no UTC offset; give one, e.g. 2026-11-24T10:00+00:00'),
        (44, "not UTF-8 text: byte 0xe9 at column 28"),
        (45, "ticket 'E-3': a reply history entry needs an aware 'at' datetime"),
        (301, "ticket: expected an object, found a list"),
        (302, "ticket 'T-100006': not JSON: expected value at line 1 column 1"),
        (701, "ticket: id: expected a non-empty string, found ''"),
    ]
    assert got == expected


def test_outcomes_with_two_rule_sets(small_chunks):
    got = list(evaluate_tickets([RULES, SMALL_RULES], str(TICKETS), "jsonl", now=NOW, jobs=2))
    expected = _serial([RULES, SMALL_RULES], str(TICKETS), "jsonl")
    assert ({len(o.decisions) for o in got}, got) == ({2}, expected)


def _csv_from_examples(path: Path, extra: list[str]) -> Path:
    """The example tickets as CSV: bodies hold newlines, so quoted cells span lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "subject", "body", "requester.email", "fields.mrr", "now"])
    for i, line in enumerate(LINES):
        data = json.loads(line)
        now = data.get("now") or ""
        t = data.get("ticket", data)
        mrr = t.get("fields", {}).get("mrr", "")
        email = t.get("requester", {}).get("email", "")
        writer.writerow([t["id"], t.get("subject", ""), t.get("body", ""), email, mrr, now])
        if extra and i % 300 == 7:
            out.write(extra[i // 300])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


CSV_EXTRA = [
    'A,"x"y,,,,\r\n',  # text after a closing quote
    "B,,,,lots,\r\n",  # not a number
    "C,,,,,,,\r\n",  # too many cells
    ",,,,,\r\n",  # blank row: skipped
]


@pytest.mark.parametrize("jobs", [2, 3])
def test_csv_outcomes_identical(jobs, small_chunks, tmp_path):
    tickets = str(_csv_from_examples(tmp_path / "t.csv", CSV_EXTRA))
    got = list(evaluate_tickets([RULES], tickets, "csv", now=NOW, jobs=jobs))
    expected = _serial([RULES], tickets, "csv")
    assert [o.error for o in expected if o.error] == [
        "not CSV: ',' expected after '\"'",
        'fields.mrr: expected a number, found "lots"',
        "8 cells, but the header has 6",
    ]
    assert (len(expected), got) == (1203, expected)


def test_csv_unclosed_quote_runs_to_the_end(small_chunks, tmp_path):
    path = _csv_from_examples(tmp_path / "t.csv", [])
    tail = 'Q,"open quote,,,,\r\n' + "".join(f"R-{i},plain,,,,\r\n" for i in range(3000))
    path.write_bytes(path.read_bytes() + tail.encode())
    got = list(evaluate_tickets([SMALL_RULES], str(path), "csv", now=NOW, jobs=2))
    expected = _serial([SMALL_RULES], str(path), "csv")
    last = (expected[-1].line, expected[-1].error)
    assert (len(expected), last, got) == (1201, (6422, "not CSV: unexpected end of data"), expected)


def test_csv_header_errors_are_the_readers(small_chunks, tmp_path):
    path = _csv_from_examples(tmp_path / "t.csv", [])
    data = path.read_bytes()
    path.write_bytes(b"requester,requester.email" + data[data.index(b"\r\n") :])
    with pytest.raises(TicketSourceError) as caught:
        list(evaluate_tickets([SMALL_RULES], str(path), "csv", now=NOW, jobs=2))
    assert str(caught.value) == (
        f"{path}:1: column 'requester.email' conflicts with column 'requester'"
    )


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_stdin_in_raw_chunks(fmt, small_chunks, tmp_path, monkeypatch):
    if fmt == "jsonl":
        path = _mixed(tmp_path / "t.jsonl")
    else:
        path = _csv_from_examples(tmp_path / "t.csv", CSV_EXTRA)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(path.read_bytes())))
    got = list(evaluate_tickets([RULES], "-", fmt, now=NOW, jobs=2))
    assert got == _serial([RULES], str(path), fmt)


def test_mail_records_read_here_and_evaluated_in_workers(tmp_path, monkeypatch):
    monkeypatch.setattr(_parallel, "CHUNK_RECORDS", 4)
    mbox = tmp_path / "t.mbox"
    mbox.write_text(
        "".join(
            f"From ann@shop.com Mon Nov 23 10:00:00 2026\nFrom: Ann <ann@shop.com>\n"
            f"Subject: {'Refund' if i % 3 else 'Hello'} {i}\nMessage-ID: <m{i}@shop.com>\n"
            f"Date: Mon, 23 Nov 2026 10:00:00 +0000\n\nI want my money back.\n\n"
            for i in range(30)
        ),
        encoding="utf-8",
    )
    got = list(evaluate_tickets([SMALL_RULES], str(mbox), "mbox", now=NOW, jobs=2))
    expected = _serial([SMALL_RULES], str(mbox), "mbox")
    assert ([o.line for o in got], got) == (list(range(1, 31)), expected)


def test_progress_counts_records(small_chunks):
    seen: list[int] = []
    outcomes = evaluate_tickets(
        [SMALL_RULES], str(TICKETS), "jsonl", now=NOW, jobs=2, on_progress=seen.append
    )
    n = sum(1 for _ in outcomes)
    assert (n, seen[-1], len(seen) > 10, seen == sorted(seen)) == (1200, 1200, True, True)


def test_progress_in_process_per_batch():
    seen: list[int] = []
    outcomes = evaluate_tickets(
        [SMALL_RULES], str(TICKETS), "jsonl", now=NOW, jobs=1, on_progress=seen.append
    )
    assert (sum(1 for _ in outcomes), seen) == (1200, [512, 1024, 1200])


def test_in_process_run_freezes_the_heap_only_while_it_runs():
    """The in-process loop moves long-lived objects out of the collector's way while it runs
    and gives them back after it, finished or stopped early: a host process keeps its gc."""
    assert gc.get_freeze_count() == 0
    outcomes = evaluate_tickets([SMALL_RULES], str(TICKETS), "jsonl", now=NOW, jobs=1)
    first = next(iter(outcomes))
    during = gc.get_freeze_count()
    rest = sum(1 for _ in outcomes)
    after_full = gc.get_freeze_count()
    stopped = evaluate_tickets([SMALL_RULES], str(TICKETS), "jsonl", now=NOW, jobs=1)
    next(iter(stopped))
    stopped.close()
    assert (first is not None, during > 0, rest, after_full, gc.get_freeze_count()) == (
        True,
        True,
        1199,
        0,
        0,
    )


def test_rule_error_before_any_work(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nstages: 3\n", encoding="utf-8")
    with pytest.raises(routing.RuleError):
        evaluate_tickets([RULES, str(bad)], str(TICKETS), "jsonl", now=NOW, jobs=2)


def test_stopping_early_shuts_the_pool_down(small_chunks):
    outcomes = evaluate_tickets([SMALL_RULES], str(TICKETS), "jsonl", now=NOW, jobs=2)
    first = next(outcomes)
    outcomes.close()  # type: ignore[attr-defined]
    assert (first.line, first.ticket_id) == (1, "T-100001")


# ---------------------------------------------------------------------------- chunk boundaries

CHUNK = 64
TICKET = b'{"id": "T-%d", "subject": "refund please"}'


def _numbered(n: int, sep: bytes = b"\n") -> bytes:
    return b"".join(TICKET % i + sep for i in range(n))


BOUNDARY_CASES = {
    "just over two chunks": _numbered(3)[: 2 * CHUNK + 1] + b"\n" + _numbered(2),
    "lines longer than a chunk": b"".join(
        b'{"id": "L-%d", "subject": "%s"}\n' % (i, b"x" * (CHUNK * (i % 4))) for i in range(12)
    ),
    "no trailing newline": _numbered(9)[:-1],
    "CRLF line ends": _numbered(9, b"\r\n"),
    "blank lines and a BOM on line 1": b"\xef\xbb\xbf" + _numbered(4, b"\n\n\n"),
    "a BOM on a line that starts a chunk (kept: an error)": b'{"id": "%s"}\n' % (b"A" * 53)
    + b"\xef\xbb\xbf"
    + _numbered(5),
    "a newline at every chunk boundary": b"".join(
        b'{"id": "%s"}\n' % (b"B" * (CHUNK - 12) + b"%d" % (i % 10)) for i in range(8)
    ),
}


@pytest.mark.parametrize("content", BOUNDARY_CASES.values(), ids=BOUNDARY_CASES.keys())
def test_chunk_boundaries(content, tmp_path, monkeypatch):
    monkeypatch.setattr(_parallel, "CHUNK_BYTES", CHUNK)
    path = tmp_path / "t.jsonl"
    path.write_bytes(content)
    assert len(content) > 2 * CHUNK
    got = list(evaluate_tickets([SMALL_RULES], str(path), "jsonl", now=NOW, jobs=2))
    expected = _serial([SMALL_RULES], str(path), "jsonl")
    assert (len(got) >= 4, got) == (True, expected)


@pytest.mark.parametrize("content", BOUNDARY_CASES.values(), ids=BOUNDARY_CASES.keys())
def test_byte_ranges_cover_every_line_once(content, tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_bytes(content)
    for chunk in range(1, len(content) + 2):
        parts = [
            _parallel._read_range(str(path), start, min(start + chunk, len(content)))
            for start in range(0, len(content), chunk)
        ]
        offsets = [sum(len(p) for p in parts[:i]) for i, p in enumerate(parts) if p]
        starts = [o for o in offsets if o == 0 or content[o - 1 : o] == b"\n"]
        assert (chunk, b"".join(parts), starts) == (chunk, content, offsets)


@pytest.mark.parametrize("chunk", [1, 7, 40, 200])
def test_csv_chunks_end_where_rows_end(chunk, monkeypatch):
    monkeypatch.setattr(_parallel, "CHUNK_BYTES", chunk)
    text = b'a,"b\nc",d\ne,f\n"g""\n",h\ni,"j"k\nl\n"m\n'
    parts = list(_parallel._csv_chunks(iter(io.BytesIO(text))))

    def rows(data: bytes) -> list[object]:
        reader = csv.reader(io.StringIO(data.decode(), newline=""), strict=True)
        out: list[object] = []
        while True:
            try:
                out.append(next(reader))
            except StopIteration:
                return out
            except csv.Error as exc:
                out.append(str(exc))

    assert (b"".join(parts), [r for p in parts for r in rows(p)]) == (text, rows(text))


# ---------------------------------------------------------------------------- dry-run --jobs


@pytest.mark.parametrize("fmt", ["jsonl", "summary", "table"])
def test_dry_run_identical_for_every_job_count(fmt, small_chunks, capsys, tmp_path):
    tickets = str(_mixed(tmp_path / "mixed.jsonl"))
    argv = [RULES, "--tickets", tickets, "--now", NOW_TEXT, "--format", fmt]
    serial = _dry_run(capsys, *argv, "--jobs", "1")
    assert serial[0] == 1
    assert (
        serial[2].splitlines()[-1]
        == f"{tickets}: skipped 7 malformed lines, evaluated 1202 tickets"
    )
    assert _dry_run(capsys, *argv, "--jobs", "2") == serial
    assert _dry_run(capsys, *argv, "--jobs", "3") == serial


def test_dry_run_jsonl_jobs_matches_decisions(small_chunks, capsys):
    code, out, err = _dry_run(
        capsys, RULES, "--tickets", str(TICKETS), "--now", NOW_TEXT, "--jobs", "2"
    )
    expected = [o.decisions[0] for o in _serial([RULES], str(TICKETS), "jsonl")]
    assert (code, err, [json.loads(x) for x in out.splitlines()]) == (0, "", expected)


@pytest.mark.parametrize("jobs", ["0", "-1"])
def test_dry_run_jobs_below_one_is_a_usage_error(jobs, capsys):
    assert _dry_run(capsys, RULES, "--tickets", str(TICKETS), "--jobs", jobs) == (
        2,
        "",
        f"routing dry-run: error: --jobs: expected a number of processes >= 1, found {jobs}\n",
    )


# ---------------------------------------------------------------------------- dead workers


@pytest.mark.parametrize("how", ["exit", "kill"])
def test_a_dead_worker_is_a_located_error(how, monkeypatch, tmp_path):
    monkeypatch.setattr(_parallel, "CHUNK_BYTES", CHUNK)
    monkeypatch.setenv(_parallel.CRASH_ENV, f"3:{how}")
    path = tmp_path / "t.jsonl"
    path.write_bytes(_numbered(20))  # 42 bytes a line: lines 6 and 7 start in chunk 4
    got: list[Outcome] = []
    with pytest.raises(WorkerError) as caught:
        got.extend(evaluate_tickets([SMALL_RULES], str(path), "jsonl", now=NOW, jobs=2))
    # Which chunk's worker died is not known; the first chunk not merged yet is named.
    first = 1 + len(got)
    start = 64 * (len(got) * 42 // 64)  # the chunk where line `first` starts
    assert str(caught.value) == (
        f"{path}: a worker process stopped unexpectedly (killed, or out of memory); the "
        f"results before line {first} are complete, chunk {start // 64 + 1} (bytes "
        f"{start}-{start + 64}, from line {first}) and everything after it were not evaluated"
    )
    assert [o.ticket_id for o in got] == [f"T-{i}" for i in range(first - 1)]
    assert len(got) < 7  # lines 6 and 7 start in chunk 4, whose worker died


def test_a_pool_broken_before_a_submit_fails_that_chunk_too():
    from concurrent.futures.process import BrokenProcessPool

    class Broken:
        def submit(self, *args: object) -> None:
            raise BrokenProcessPool("gone")

    future = _parallel._submit(Broken(), _parallel._Task(0, "jsonl", "t.jsonl", 0, 64))
    with pytest.raises(BrokenProcessPool, match=r"^gone$"):
        future.result(timeout=0)


def test_dry_run_with_a_dead_worker_exits_1(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(_parallel, "CHUNK_BYTES", CHUNK)
    monkeypatch.setenv(_parallel.CRASH_ENV, "1:kill")
    path = tmp_path / "t.csv"
    path.write_text("id,subject\n" + "".join(f"T-{i},refund\n" for i in range(40)))
    code, out, err = _dry_run(
        capsys, SMALL_RULES, "--tickets", str(path), "--now", NOW_TEXT, "--format", "summary"
    )
    assert (code, out, err) == (
        1,
        "",
        f"routing dry-run: error: {path}: a worker process stopped unexpectedly (killed, or out "
        "of memory); the results before line 8 are complete, chunk 2 (lines 8-13) and "
        "everything after it were not evaluated\n",
    )


def test_a_worker_that_dies_once_loses_nothing(monkeypatch, capsys, tmp_path):
    """A worker killed once (not by its input): the chunk runs again alone and the output is
    the serial run's, line for line (regression: every unfinished chunk was reported lost,
    and which chunk the error named depended on timing)."""
    monkeypatch.setattr(_parallel, "CHUNK_BYTES", CHUNK)
    path = tmp_path / "t.csv"
    path.write_text("id,subject\n" + "".join(f"T-{i},refund\n" for i in range(40)))
    argv = (SMALL_RULES, "--tickets", str(path), "--now", NOW_TEXT, "--format", "jsonl")
    serial = _dry_run(capsys, *argv, "--jobs", "1")
    monkeypatch.setenv(_parallel.CRASH_ENV, f"1:kill-once:{tmp_path / 'died'}")
    assert _dry_run(capsys, *argv, "--jobs", "2") == serial
    assert (tmp_path / "died").exists()
    assert serial[0] == 0
    assert len(serial[1].splitlines()) == 40

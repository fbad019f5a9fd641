"""``routing dry-run``: whole outputs per format, ticket sources, malformed lines, exit codes."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import ClassVar

import pytest

from routing.cli import dry_run
from routing.cli.main import main

DATA = Path(__file__).parent / "data"
RULES = str(DATA / "rules.yaml")
TICKETS = str(DATA / "tickets.jsonl")
NOW = "2026-11-24T12:00:00Z"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "helpdesk"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["dry-run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _sla(due: str, remaining: float) -> dict[str, object]:
    return {
        "policy": "standard",
        "calendar": "always",
        "first_reply_due": due,
        "next_reply_due": None,
        "periodic_update_due": None,
        "resolution_due": None,
        "remaining": {"first_reply": remaining},
        "breached": [],
        "warning": [],
        "paused": False,
    }


def _missing(rule: str, field: str) -> dict[str, str]:
    return {
        "rule": rule,
        "code": "eval/missing-field",
        "message": f"the ticket has no custom field '{field}'",
    }


# The decisions of tests/cli/data/tickets.jsonl at NOW (T-2 carries its own "now").
DECISIONS: list[dict[str, object]] = [
    {
        "ticket_id": "T-1",
        "queue": "billing",
        "priority": "high",
        "status": "new",
        "assignee": None,
        "tags": [],
        "spam": False,
        "spam_score": 0.0,
        "fields": {"mrr": 50},
        "fired": ["refunds"],
        "effects": [
            {
                "type": "reply",
                "rule": "refunds",
                "template": "refund-ack",
                "to": "ann@shop.com",
                "subject": "Re: Refund please",
                "body": "We received your refund request T-1.",
                "headers": {"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"},
            }
        ],
        "sla": _sla("2026-11-24T13:00:00+00:00", 3600.0),
        "errors": [_missing("trial user", "trial")],
    },
    {
        "ticket_id": "T-2",
        "queue": "tech",
        "priority": "urgent",
        "status": "new",
        "assignee": None,
        "tags": ["high-value", "vip"],
        "spam": False,
        "spam_score": 0.0,
        "fields": {"mrr": 5000, "trial": False},
        "fired": ["vip", "big spender"],
        "effects": [],
        "sla": _sla("2026-11-23T08:30:00+00:00", 1800.0),
        "errors": [],
    },
    {
        "ticket_id": "T-3",
        "queue": "general",
        "priority": "normal",
        "status": "new",
        "assignee": None,
        "tags": [],
        "spam": False,
        "spam_score": 0.0,
        "fields": {},
        "fired": ["everything else"],
        "effects": [],
        "sla": _sla("2026-11-24T16:00:00+00:00", 14400.0),
        "errors": [_missing("big spender", "mrr"), _missing("trial user", "trial")],
    },
]


def _jsonl(decisions: list[dict[str, object]]) -> str:
    return "".join(
        json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n" for d in decisions
    )


# ---------------------------------------------------------------------------- formats


def test_dry_run_jsonl_exact(capsys):
    assert _run(capsys, RULES, "--tickets", TICKETS, "--now", NOW) == (0, _jsonl(DECISIONS), "")


def test_dry_run_jsonl_is_the_default_when_stdout_is_not_a_terminal(capsys):
    code, out, err = _run(capsys, RULES, "--tickets", TICKETS, "--now", NOW)
    explicit = _run(capsys, RULES, "--tickets", TICKETS, "--now", NOW, "--format", "jsonl")
    assert (code, out, err) == explicit


def test_dry_run_csv_gives_the_same_decisions_as_jsonl(capsys):
    tickets = str(DATA / "tickets.csv")
    assert _run(capsys, RULES, "--tickets", tickets, "--now", NOW) == (0, _jsonl(DECISIONS), "")


def test_dry_run_table_plain_text(capsys):
    assert _run(capsys, RULES, "--tickets", TICKETS, "--now", NOW, "--format", "table") == (
        0,
        "ticket  queue    priority  tags             spam  fired             replies     errors\n"
        "T-1     billing  high                       no    refunds           refund-ack"
        "  eval/missing-field\n"
        "T-2     tech     urgent    high-value, vip  no    vip, big spender\n"
        "T-3     general  normal                     no    everything else"
        "               eval/missing-field (2)\n",
        "",
    )


def test_dry_run_summary_exact(capsys):
    assert _run(capsys, RULES, "--tickets", TICKETS, "--now", NOW, "--format", "summary") == (
        0,
        "tickets  3\n"
        "spam     0\n"
        "replies  1 sent, 0 suppressed\n"
        "notify   0\n"
        "webhook  0\n"
        "errors   3\n"
        "\n"
        "queue      count\n"
        "  billing      1\n"
        "  general      1\n"
        "  tech         1\n"
        "\n"
        "priority  count\n"
        "  urgent      1\n"
        "  high        1\n"
        "  normal      1\n"
        "\n"
        "tag           count\n"
        "  high-value      1\n"
        "  vip             1\n"
        "\n"
        "sla policy  count\n"
        "  standard      3\n"
        "\n"
        "error                 count\n"
        "  eval/missing-field      3\n"
        "\n"
        "rules that never fired (3 of 7)\n"
        "  trial user\n"
        "  automatic mail\n"
        "  old rule\n",
        "",
    )


def test_dry_run_trace_adds_suppressed_assignment_and_trace(capsys):
    code, out, err = _run(capsys, RULES, "--tickets", TICKETS, "--now", NOW, "--trace")
    first = json.loads(out.splitlines()[0])
    assert (code, err, len(out.splitlines())) == (0, "", 3)
    assert first == {
        **DECISIONS[0],
        "suppressed": [],
        "sent": [
            {
                "rule": "refunds",
                "template": "refund-ack",
                "to": "ann@shop.com",
                "passed": [
                    "spam",
                    "no-reply",
                    "auto-submitted",
                    "precedence",
                    "list-header",
                    "x-auto-response-suppress",
                    "x-loop",
                    "null-return-path",
                    "robot-sender",
                    "own-address",
                    "no-recipient",
                    "once-per",
                    "rate-limit",
                ],
                "rate_limits": [
                    {"limit": 10, "per": "10m", "count": 0},
                    {"limit": 30, "per": "1h", "count": 0},
                    {"limit": 100, "per": "10h", "count": 0},
                ],
            }
        ],
        "assignment": None,
        "trace": [
            {"stage": "triage", "rule": "vip", "outcome": "not-matched"},
            {"stage": "triage", "rule": "refunds", "outcome": "fired"},
            {"stage": "triage", "rule": "everything else", "outcome": "skipped"},
            {"stage": "enrich", "rule": "big spender", "outcome": "not-matched"},
            {
                "stage": "enrich",
                "rule": "trial user",
                "outcome": "error",
                "error": _missing("trial user", "trial"),
            },
            {"stage": "enrich", "rule": "automatic mail", "outcome": "not-matched"},
            {"stage": "enrich", "rule": "old rule", "outcome": "disabled"},
        ],
    }


def test_dry_run_output_file(capsys, tmp_path):
    target = tmp_path / "decisions.jsonl"
    result = _run(capsys, RULES, "--tickets", TICKETS, "--now", NOW, "--output", str(target))
    assert result == (0, "", "")
    assert target.read_text(encoding="utf-8") == _jsonl(DECISIONS)


def test_dry_run_reads_stdin(capsys, monkeypatch):
    data = Path(TICKETS).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert _run(capsys, RULES, "--tickets", "-", "--now", NOW) == (0, _jsonl(DECISIONS), "")


# ---------------------------------------------------------------------------- now


@pytest.mark.parametrize(
    ("note", "line", "argv", "due"),
    [
        ("--now applies", '{"id": "A"}', ["--now", "2026-11-24T12:00:00+01:00"], "15:00"),
        (
            "envelope now beats --now",
            '{"ticket": {"id": "A"}, "now": "2026-11-24T08:00:00Z"}',
            ["--now", "2026-11-24T12:00:00Z"],
            "12:00",
        ),
        (
            "envelope with keys the other way round",
            '{"now": "2026-11-24T08:00:00Z", "ticket": {"id": "A"}}',
            ["--now", "2026-11-24T12:00:00Z"],
            "12:00",
        ),
        (
            "envelope with spaces",
            '{ "ticket" : {"id": "A"}, "now" : "2026-11-24T08:00:00Z" }',
            ["--now", "2026-11-24T12:00:00Z"],
            "12:00",
        ),
        (
            "envelope now null falls back to --now",
            '{"ticket": {"id": "A"}, "now": null}',
            ["--now", "2026-11-24T12:00:00Z"],
            "16:00",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_dry_run_now(note, line, argv, due, capsys, tmp_path):
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(line + "\n", encoding="utf-8")
    code, out, err = _run(capsys, RULES, "--tickets", str(tickets), *argv)
    assert (code, err, json.loads(out)["sla"]["first_reply_due"]) == (
        0,
        "",
        f"2026-11-24T{due}:00+00:00",
    )


@pytest.mark.parametrize(
    ("note", "envelope", "result"),
    [
        (
            "event updated: rules on created do not run",
            {"event": "updated"},
            {"fired": [], "effects": 0, "suppressed": []},
        ),
        (
            "no history: the reply is sent",
            {},
            {"fired": ["refunds"], "effects": 1, "suppressed": []},
        ),
        (
            "history within once_per: the reply is suppressed",
            {
                "history": [
                    {"to": "ann@shop.com", "at": "2026-11-24T11:50:00Z", "template": "refund-ack"}
                ]
            },
            {
                "fired": ["refunds"],
                "effects": 0,
                "suppressed": [
                    {
                        "rule": "refunds",
                        "template": "refund-ack",
                        "code": "once-per",
                        "reason": "a reply ('refund-ack') went to 'ann@shop.com' at "
                        "2026-11-24T11:50:00+00:00, within once_per 1d of 'refund-ack'",
                    }
                ],
            },
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_dry_run_envelope_event_and_history(note, envelope, result, capsys, tmp_path):
    ticket = {"id": "A", "subject": "Refund", "requester": {"email": "ann@shop.com"}}
    tickets = tmp_path / "t.jsonl"
    tickets.write_text(json.dumps({"ticket": ticket, **envelope}) + "\n", encoding="utf-8")
    code, out, err = _run(capsys, RULES, "--tickets", str(tickets), "--now", NOW, "--trace")
    d = json.loads(out)
    got = {"fired": d["fired"], "effects": len(d["effects"]), "suppressed": d["suppressed"]}
    assert (code, err, got) == (0, "", result)


def test_dry_run_default_now_is_the_current_minute(capsys, tmp_path):
    tickets = tmp_path / "t.jsonl"
    tickets.write_text('{"id": "A", "priority": "urgent"}\n', encoding="utf-8")
    code, out, err = _run(capsys, RULES, "--tickets", str(tickets))
    sla = json.loads(out)["sla"]
    assert (code, err, sla["first_reply_due"][16:], sla["remaining"]) == (
        0,
        "",
        ":00+00:00",
        {"first_reply": 1800.0},
    )


# ---------------------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    ("note", "lines", "errors"),
    [
        (
            "bad JSON",
            ["{oops"],
            ["2: error: ticket: not JSON: key must be a string at line 1 column 2"],
        ),
        ("not an object", ["[1, 2]"], ["2: error: ticket: expected an object, found a list"]),
        (
            "invalid ticket",
            ['{"id": "X", "created_at": "2026-11-24T10:00"}'],
            ["2: error: ticket 'X': created_at: naive datetime, give a time zone offset"],
        ),
        (
            "missing id",
            ['{"subject": "hi"}'],
            ["2: error: ticket: id: required field missing"],
        ),
        (
            "envelope with a naive now",
            ['{"ticket": {"id": "X"}, "now": "2026-11-24T10:00"}'],
            [
                '2: error: now: "2026-11-24T10:00" has no UTC offset; '
                "give one, e.g. 2026-11-24T10:00+00:00"
            ],
        ),
        (
            "envelope with an unknown key",
            ['{"ticket": {"id": "X"}, "priority": "high"}'],
            [
                "2: error: envelope: unknown key 'priority' "
                "(it has 'ticket', 'now', 'event', 'history')"
            ],
        ),
        (
            "envelope with an unknown event",
            ['{"ticket": {"id": "X"}, "event": "closed"}'],
            [
                "2: error: event: expected one of created, updated, replied, status_changed, "
                'found "closed"'
            ],
        ),
        (
            "envelope history not a list",
            ['{"ticket": {"id": "X"}, "history": {}}'],
            ["2: error: history: expected a list of objects {to, at, template}"],
        ),
        (
            "envelope history entry with a naive time",
            ['{"ticket": {"id": "X"}, "history": [{"to": "a@b.c", "at": "2026-11-24T10:00"}]}'],
            ["2: error: ticket 'X': a reply history entry needs an aware 'at' datetime"],
        ),
        (
            "envelope whose ticket is not an object",
            ['{"ticket": "T-1"}'],
            ['2: error: ticket: expected an object, found "T-1"'],
        ),
        (
            "envelope prefix but broken JSON",
            ['{"ticket": {"id": "X"'],
            ["2: error: ticket: not JSON: EOF while parsing an object at line 1 column 21"],
        ),
        (
            # accepted before, and written out as `"fields":{"mrr":NaN}`: not JSON
            "a NaN in a custom field",
            ['{"id": "X", "fields": {"mrr": NaN}}'],
            ["2: error: ticket 'X': fields.mrr: expected a finite number, found nan"],
        ),
        (
            "an infinity in an envelope's ticket",
            ['{"ticket": {"id": "X", "fields": {"caps": [1e999]}}}'],
            ["2: error: ticket 'X': fields.caps[0]: expected a finite number, found inf"],
        ),
        (
            "two bad lines",
            ["{oops", "", '{"id": ""}'],
            [
                "2: error: ticket: not JSON: key must be a string at line 1 column 2",
                "4: error: ticket: id: expected a non-empty string, found ''",
            ],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_dry_run_skips_malformed_lines(note, lines, errors, capsys, tmp_path):
    tickets = tmp_path / "t.jsonl"
    text = '{"id": "A"}\n' + "\n".join(lines) + '\n\n{"id": "B"}\n'
    tickets.write_text(text, encoding="utf-8")
    code, out, err = _run(capsys, RULES, "--tickets", str(tickets), "--now", NOW)
    n = len(errors)
    expected_err = "".join(f"{tickets}:{e}\n" for e in errors) + (
        f"{tickets}: skipped {n} malformed line{'s' if n > 1 else ''}, evaluated 2 tickets\n"
    )
    assert (code, [json.loads(x)["ticket_id"] for x in out.splitlines()], err) == (
        1,
        ["A", "B"],
        expected_err,
    )


def test_dry_run_reports_at_most_20_malformed_lines(capsys, tmp_path):
    tickets = tmp_path / "t.jsonl"
    tickets.write_text("[]\n" * 25 + '{"id": "A"}\n', encoding="utf-8")
    code, out, err = _run(capsys, RULES, "--tickets", str(tickets), "--now", NOW)
    expected = [
        f"{tickets}:{i}: error: ticket: expected an object, found a list" for i in range(1, 21)
    ]
    expected += [
        f"{tickets}: 5 more malformed lines not shown",
        f"{tickets}: skipped 25 malformed lines, evaluated 1 ticket",
    ]
    assert (code, len(out.splitlines()), err.splitlines()) == (1, 1, expected)


CSV_HEADER = "id,subject,tags,requester.email,headers.List-Id,fields.mrr,fields.trial,fields.plan\n"


@pytest.mark.parametrize(
    ("note", "row", "result"),
    [
        (
            "nested objects, tags split, declared types converted",
            "A,Hi,billing; VIP ,a@b.com,list-1,12.5,yes,pro",
            {
                "tags": ["billing", "trial", "vip"],
                "fields": {"mrr": 12.5, "trial": True, "plan": "pro"},
            },
        ),
        ("empty cells are omitted", "A,,,,,,,", {"tags": [], "fields": {}}),
        (
            "integers stay integers",
            "A,,,,,1000,0,",
            {"tags": ["high-value"], "fields": {"mrr": 1000, "trial": False}},
        ),
        (
            "a number that is not",
            "A,,,,,lots,,",
            '1: error: fields.mrr: expected a number, found "lots"',
        ),
        (
            "a boolean that is not",
            "A,,,,,,maybe,",
            '1: error: fields.trial: expected true or false, found "maybe"',
        ),
        ("too many cells", "A,,,,,,,,x", "1: error: 9 cells, but the header has 8"),
        ("invalid ticket", ",Hi,,,,,,", "1: error: ticket: id: required field missing"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_dry_run_csv_rows(note, row, result, capsys, tmp_path):
    tickets = tmp_path / "t.csv"
    tickets.write_text(CSV_HEADER + row + "\n", encoding="utf-8")
    code, out, err = _run(capsys, RULES, "--tickets", str(tickets), "--now", NOW)
    if isinstance(result, str):
        line, message = result.split(":", 1)
        expected_err = (
            f"{tickets}:{int(line) + 1}:{message}\n"
            f"{tickets}: skipped 1 malformed line, evaluated 0 tickets\n"
        )
        assert (code, out, err) == (1, "", expected_err)
    else:
        d = json.loads(out)
        assert (code, err, {"tags": d["tags"], "fields": d["fields"]}) == (0, "", result)


@pytest.mark.parametrize(
    ("note", "content", "suffix", "errors", "evaluated"),
    [
        (
            "CSV quote not closed",
            b'id,subject\nA,"open\n',
            "csv",
            ["2: error: not CSV: unexpected end of data"],
            [],
        ),
        (
            "CSV text after a closing quote",
            b'id,subject\nA,"x"y\nB,ok\n',
            "csv",
            ["2: error: not CSV: ',' expected after '\"'"],
            ["B"],
        ),
        (
            "CSV not UTF-8",
            b"id,subject\nA,caf\xe9\nB,ok\n",
            "csv",
            ["2: error: not UTF-8 text"],
            ["B"],
        ),
        (
            "JSON line not UTF-8",
            b'{"id": "A", "subject": "caf\xe9"}\n{"id": "B"}\n',
            "jsonl",
            ["1: error: not UTF-8 text: byte 0xe9 at column 28"],
            ["B"],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_dry_run_unreadable_lines(note, content, suffix, errors, evaluated, capsys, tmp_path):
    tickets = tmp_path / f"t.{suffix}"
    tickets.write_bytes(content)
    code, out, err = _run(capsys, RULES, "--tickets", str(tickets), "--now", NOW)
    n = len(evaluated)
    expected_err = "".join(f"{tickets}:{e}\n" for e in errors) + (
        f"{tickets}: skipped 1 malformed line, evaluated {n} ticket{'s' if n != 1 else ''}\n"
    )
    assert (code, [json.loads(x)["ticket_id"] for x in out.splitlines()], err) == (
        1,
        evaluated,
        expected_err,
    )


# ---------------------------------------------------------------------------- usage and rules


@pytest.mark.parametrize(
    ("note", "argv", "err"),
    [
        (
            "missing tickets file",
            [RULES, "--tickets", "nope.jsonl"],
            "routing dry-run: error: tickets file 'nope.jsonl' not found\n",
        ),
        (
            "naive --now",
            [RULES, "--tickets", TICKETS, "--now", "2026-11-24T12:00"],
            'routing dry-run: error: --now: "2026-11-24T12:00" has no UTC offset; '
            "give one, e.g. 2026-11-24T12:00+00:00\n",
        ),
        (
            "malformed --now",
            [RULES, "--tickets", TICKETS, "--now", "tomorrow"],
            "routing dry-run: error: --now: expected an ISO 8601 date-time with offset, "
            'found "tomorrow"\n',
        ),
        (
            "unknown extension",
            [RULES, "--tickets", __file__],
            f"routing dry-run: error: cannot tell the format of '{__file__}' from its "
            "extension (known: .jsonl, .ndjson, .json-lines, .csv, .eml, .mbox, .mbx) or its "
            "content; pass --input-format (jsonl, csv, eml, mbox, maildir)\n",
        ),
        (
            "missing file with an unknown extension",
            [RULES, "--tickets", "tickets.txt"],
            "routing dry-run: error: tickets file 'tickets.txt' not found\n",
        ),
        (
            "trace with summary",
            [RULES, "--tickets", TICKETS, "--trace", "--format", "summary"],
            "routing dry-run: error: --trace works with --format jsonl, not summary\n",
        ),
        (
            "output not writable",
            [RULES, "--tickets", TICKETS, "--output", "/nonexistent/out.jsonl"],
            "routing dry-run: error: --output: cannot write '/nonexistent/out.jsonl': "
            "No such file or directory\n",
        ),
        (
            "tickets path is a directory",
            [RULES, "--tickets", str(DATA), "--input-format", "jsonl"],
            f"routing dry-run: error: '{DATA}' is a directory, expected a tickets file\n",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_dry_run_usage_errors(note, argv, err, capsys):
    assert _run(capsys, *argv) == (2, "", err)


def test_dry_run_csv_conflicting_columns(capsys, tmp_path):
    tickets = tmp_path / "t.csv"
    tickets.write_text("id,requester,requester.email\nA,x,y\n", encoding="utf-8")
    assert _run(capsys, RULES, "--tickets", str(tickets)) == (
        2,
        "",
        f"routing dry-run: error: {tickets}:1: column 'requester.email' conflicts with "
        "column 'requester'\n",
    )


def test_dry_run_broken_rules(capsys, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "version: 1\nqueues: [a]\nstages:\n  - name: s\n    mode: all\n    rules:\n"
        '      - name: r\n        when: requestor.domain == "x"\n        then: [{route: a}]\n',
        encoding="utf-8",
    )
    assert _run(capsys, str(rules), "--tickets", TICKETS, "--now", NOW) == (
        1,
        "",
        f"{rules}:8:15: error[name/unknown-field]: unknown ticket field 'requestor'\n"
        "  |\n"
        '8 |         when: requestor.domain == "x"\n'
        "  |               ^^^^^^^^^\n"
        "  = help: did you mean 'requester'?\n",
    )


# ---------------------------------------------------------------------------- progress


class _FakeProgress:
    made: ClassVar[list[object]] = []

    def __init__(self, reader: object) -> None:
        _FakeProgress.made.append(reader)

    def update(self, tickets: int) -> None:
        pass

    def stop(self) -> None:
        pass


@pytest.mark.parametrize(
    ("note", "stderr_tty", "ci", "shown"),
    [
        ("not a terminal", False, None, False),
        ("terminal in CI", True, "true", False),
        ("terminal outside CI", True, None, True),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_dry_run_progress_bar_only_on_a_terminal_outside_ci(
    note, stderr_tty, ci, shown, capsys, monkeypatch
):
    _FakeProgress.made = []
    monkeypatch.setattr(dry_run, "_Progress", _FakeProgress)
    monkeypatch.setattr(dry_run, "_isatty", lambda s: stderr_tty and s is sys.stderr)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    code, out, err = _run(capsys, RULES, "--tickets", TICKETS, "--now", NOW)
    assert (code, out, err, len(_FakeProgress.made)) == (0, _jsonl(DECISIONS), "", int(shown))


# ---------------------------------------------------------------------------- the example


def test_dry_run_examples_helpdesk(capsys):
    tickets = EXAMPLES / "tickets.jsonl"
    ids = []
    for line in tickets.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        ids.append(data["ticket"]["id"] if "ticket" in data else data["id"])
    code, out, err = _run(capsys, str(EXAMPLES / "rules"), "--tickets", str(tickets), "--now", NOW)
    decisions = [json.loads(x) for x in out.splitlines()]
    assert (code, err, [d["ticket_id"] for d in decisions]) == (0, "", ids)


def test_dry_run_table_is_the_default_on_a_terminal_and_uses_rich(capsys, monkeypatch):
    monkeypatch.setattr(dry_run, "_isatty", lambda s: s is sys.stdout)
    monkeypatch.setenv("COLUMNS", "120")
    assert _run(capsys, RULES, "--tickets", TICKETS, "--now", NOW) == (
        0,
        "┏━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳"
        "━━━━━━━━━━━━━━━━━━━━━━━━┓\n"
        "┃ ticket ┃ queue   ┃ priority ┃ tags            ┃ spam ┃ fired            ┃ replies    ┃"
        " errors                 ┃\n"
        "┡━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇"
        "━━━━━━━━━━━━━━━━━━━━━━━━┩\n"
        "│ T-1    │ billing │ high     │                 │ no   │ refunds          │ refund-ack │"
        " eval/missing-field     │\n"
        "│ T-2    │ tech    │ urgent   │ high-value, vip │ no   │ vip, big spender │            │"
        "                        │\n"
        "│ T-3    │ general │ normal   │                 │ no   │ everything else  │            │"
        " eval/missing-field (2) │\n"
        "└────────┴─────────┴──────────┴─────────────────┴──────┴──────────────────┴────────────┴"
        "────────────────────────┘\n",
        "",
    )

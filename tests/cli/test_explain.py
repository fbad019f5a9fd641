"""``routing explain``: whole text and JSON explanations, ticket sources and exit codes."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from routing.cli.main import main

DATA = Path(__file__).parent / "data"
RULES = str(DATA / "rules.yaml")
TICKET = str(DATA / "ticket.json")
ENVELOPE = str(DATA / "envelope.json")
NOW = "2026-11-24T12:00:00Z"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "helpdesk"

T1_TEXT = """\
ticket T-1 at 2026-11-24T12:00:00+00:00

stage triage
  · vip
      requester.domain in $vip_domains  → false
        requester.domain                → "shop.com"
  ✓ refunds
      text mentions "refund"  → true
        text                  → "Refund please\\n"
  – everything else  (skipped)

stage enrich
  · big spender
      fields.mrr >= 1000  → false
        fields.mrr        → 50
  ✗ trial user
      error[eval/missing-field]: the ticket has no custom field 'trial'
      fields.trial  → error: the ticket has no custom field 'trial'
  · automatic mail
      headers["Auto-Submitted"] is not empty  → false
        headers["Auto-Submitted"]             → null
  – old rule  (disabled)

decision
  queue     billing
  priority  high
  status    new
  assignee  -
  tags      -
  spam      no (score 0)
  fields    mrr=50
  fired     refunds
  effects
    reply refund-ack to ann@shop.com  [rule 'refunds']
  sla       standard on always
    first reply due  2026-11-24T13:00:00+00:00
  errors
    rule 'trial user': error[eval/missing-field]: the ticket has no custom field 'trial'
"""

ENVELOPE_TEXT = """\
ticket T-9 at 2026-11-24T09:00:00+01:00

stage triage
  · vip
      requester.domain in $vip_domains  → false
        requester.domain                → "shop.com"
  ✓ refunds
      text mentions "refund"  → true
        text                  → "Automatic reply: refund\\n"
  – everything else  (skipped)

stage enrich
  ✓ big spender
      fields.mrr >= 1000  → true
        fields.mrr        → 1200
  ✓ trial user
      fields.trial  → true
  ✓ automatic mail
      headers["Auto-Submitted"] is not empty  → true
        headers["Auto-Submitted"]             → "auto-replied"
  – old rule  (disabled)

decision
  queue     billing
  priority  high
  status    new
  assignee  -
  tags      auto, high-value, trial
  spam      no (score 0)
  fields    mrr=1200, trial=true
  fired     refunds, big spender, trial user, automatic mail
  sla       standard on always
    first reply due  2026-11-24T09:00:00+00:00
  suppressed replies
    refund-ack (rule 'refunds'): no-reply: a rule set no_reply
"""

MISSING_TRIAL = {
    "rule": "trial user",
    "code": "eval/missing-field",
    "message": "the ticket has no custom field 'trial'",
}

T1_JSON = {
    "decision": {
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
        "sla": {
            "policy": "standard",
            "calendar": "always",
            "first_reply_due": "2026-11-24T13:00:00+00:00",
            "next_reply_due": None,
            "periodic_update_due": None,
            "resolution_due": None,
            "remaining": {"first_reply": 3600.0},
            "breached": [],
            "warning": [],
            "paused": False,
        },
        "errors": [MISSING_TRIAL],
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
    },
    "trace": [
        {
            "stage": "triage",
            "rule": "vip",
            "outcome": "not-matched",
            "tests": [
                {"test": "requester.domain in $vip_domains", "value": False},
                {"test": "requester.domain", "value": "shop.com"},
            ],
        },
        {
            "stage": "triage",
            "rule": "refunds",
            "outcome": "fired",
            "tests": [
                {"test": 'text mentions "refund"', "value": True},
                {"test": "text", "value": "Refund please\n"},
            ],
        },
        {"stage": "triage", "rule": "everything else", "outcome": "skipped"},
        {
            "stage": "enrich",
            "rule": "big spender",
            "outcome": "not-matched",
            "tests": [
                {"test": "fields.mrr >= 1000", "value": False},
                {"test": "fields.mrr", "value": 50},
            ],
        },
        {
            "stage": "enrich",
            "rule": "trial user",
            "outcome": "error",
            "error": MISSING_TRIAL,
            "tests": [
                {
                    "test": "fields.trial",
                    "value": {"error": "the ticket has no custom field 'trial'"},
                }
            ],
        },
        {
            "stage": "enrich",
            "rule": "automatic mail",
            "outcome": "not-matched",
            "tests": [
                {"test": 'headers["Auto-Submitted"] is not empty', "value": False},
                {"test": 'headers["Auto-Submitted"]', "value": None},
            ],
        },
        {"stage": "enrich", "rule": "old rule", "outcome": "disabled"},
    ],
}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["explain", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("note", "argv", "out"),
    [
        ("plain ticket, --now", [TICKET, "--now", NOW], T1_TEXT),
        ("envelope now beats --now", [ENVELOPE, "--now", NOW], ENVELOPE_TEXT),
        ("envelope without --now", [ENVELOPE], ENVELOPE_TEXT),
        (
            "by id from JSON Lines",
            [str(DATA / "tickets.jsonl"), "--id", "T-1", "--now", NOW],
            T1_TEXT,
        ),
        ("by id from CSV", [str(DATA / "tickets.csv"), "--id", "T-1", "--now", NOW], T1_TEXT),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_explain_text_exact(note, argv, out, capsys):
    assert _run(capsys, RULES, "--ticket", *argv) == (0, out, "")


def test_explain_json_exact(capsys):
    code, out, err = _run(capsys, RULES, "--ticket", TICKET, "--now", NOW, "--format", "json")
    assert (code, json.loads(out), err) == (0, T1_JSON, "")
    assert out == json.dumps(T1_JSON, ensure_ascii=False, indent=2) + "\n"


def test_explain_reads_stdin(capsys, monkeypatch):
    data = Path(TICKET).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert _run(capsys, RULES, "--ticket", "-", "--now", NOW) == (0, T1_TEXT, "")


@pytest.mark.parametrize(
    ("note", "content", "extra", "code", "err"),
    [
        (
            "not JSON",
            "{oops",
            [],
            1,
            "{path}:1: error: not JSON: Expecting property name enclosed in double quotes\n",
        ),
        (
            "two JSON lines",
            '{"id": "A"}\n{"id": "B"}\n',
            [],
            1,
            "{path}:2: error: not JSON: Extra data (more than one JSON value: pick a ticket "
            "with --id ID)\n",
        ),
        (
            "invalid ticket",
            '{"id": "A", "priority": "hihg"}',
            [],
            1,
            "{path}: error: ticket 'A': priority: expected a priority (low, normal, high, urgent), "
            "found 'hihg'\n",
        ),
        ("not an object", "[]", [], 1, "{path}: error: ticket: expected an object, found a list\n"),
        (
            "envelope with a naive now",
            '{"ticket": {"id": "A"}, "now": "2026-11-24T10:00"}',
            [],
            1,
            '{path}: error: now: "2026-11-24T10:00" has no UTC offset; '
            "give one, e.g. 2026-11-24T10:00+00:00\n",
        ),
        (
            "id not in the file",
            '{"id": "A"}\n',
            ["--id", "B"],
            1,
            "{path}: error: no ticket with id 'B'\n",
        ),
        (
            "naive --now",
            '{"id": "A"}',
            ["--now", "2026-11-24T10:00"],
            2,
            'routing explain: error: --now: "2026-11-24T10:00" has no UTC offset; '
            "give one, e.g. 2026-11-24T10:00+00:00\n",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else None,
)
def test_explain_input_errors(note, content, extra, code, err, capsys, tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(content, encoding="utf-8")
    assert _run(capsys, RULES, "--ticket", str(path), *extra) == (
        code,
        "",
        err.format(path=path),
    )


def test_explain_missing_ticket_file(capsys):
    assert _run(capsys, RULES, "--ticket", "nope.json") == (
        2,
        "",
        "routing explain: error: ticket file 'nope.json' not found\n",
    )


def test_explain_broken_rules(capsys, tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("version: 1\nstages: []\nqueues: nope\n", encoding="utf-8")
    assert _run(capsys, str(rules), "--ticket", TICKET) == (
        1,
        "",
        f"{rules}:3:9: error[file/wrong-type]: expected a list of queue names, found a string\n"
        "  |\n"
        "3 | queues: nope\n"
        "  |         ^^^^\n",
    )


def test_explain_examples_helpdesk(capsys, tmp_path):
    first = (EXAMPLES / "tickets.jsonl").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / "t.json"
    path.write_text(first, encoding="utf-8")
    code, out, err = _run(capsys, str(EXAMPLES / "rules"), "--ticket", str(path))
    lines = out.splitlines()
    assert (code, err, lines[0], lines[2], lines[3]) == (
        0,
        "",
        "ticket T-100001 at 2026-11-24T11:01:20+00:00",
        "stage spam",
        "  · spam phrases",
    )


def _mail(message_id: str, subject: str) -> str:
    return (
        f"From: Ann <ann@shop.com>\nTo: support@acme.example\nSubject: {subject}\n"
        f"Date: Tue, 24 Nov 2026 11:00:00 +0000\nMessage-ID: <{message_id}>\n\nHello.\n"
    )


def test_explain_reads_an_eml_file(capsys, tmp_path):
    """Regression: an .eml ticket file was parsed as JSON ("not JSON: Expecting value")."""
    path = tmp_path / "refund.eml"
    path.write_text(_mail("m1@shop.com", "Refund please"), encoding="utf-8")
    code, out, err = _run(capsys, RULES, "--ticket", str(path), "--now", NOW, "--format", "json")
    decision = json.loads(out)["decision"]
    assert (code, err) == (0, "")
    assert (decision["ticket_id"], decision["queue"], decision["fired"]) == (
        "m1@shop.com",
        "billing",
        ["refunds"],
    )


def test_explain_mbox_needs_an_id_when_it_holds_several_messages(capsys, tmp_path):
    path = tmp_path / "two.mbox"
    path.write_text(
        "From ann@shop.com Tue Nov 24 11:00:00 2026\n"
        + _mail("m1@shop.com", "Refund please")
        + "\nFrom ann@shop.com Tue Nov 24 11:05:00 2026\n"
        + _mail("m2@shop.com", "Hello"),
        encoding="utf-8",
    )
    assert _run(capsys, RULES, "--ticket", str(path), "--now", NOW) == (
        1,
        "",
        f"{path}: error: it holds more than one message; pick one with --id MESSAGE-ID\n",
    )
    code, out, err = _run(capsys, RULES, "--ticket", str(path), "--id", "m2@shop.com", "--now", NOW)
    assert (code, out.splitlines()[0], err) == (0, f"ticket m2@shop.com at {NOW[:-1]}+00:00", "")


MODELS_RULES = """\
version: 1
stages:
  - name: s
    mode: all
    rules:
      - name: a
        when: 'headers is empty or attachments is empty or requester is empty'
        then: [{tag: x}]
"""


def test_explain_shows_headers_attachments_and_requester_as_json(capsys, tmp_path):
    """`--format json` failed with "Object of type Headers is not JSON serializable" (a
    traceback) when a test read `headers`, `attachments` or `requester`, and the text
    showed their Python reprs (`"Headers({'X-A': '1'})"`)."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(MODELS_RULES, encoding="utf-8")
    ticket = tmp_path / "t.json"
    attachment = {"filename": "a.png", "content_type": "image/png", "size": 10}
    ticket.write_text(
        json.dumps(
            {
                "id": "A1",
                "headers": {"X-A": "1"},
                "attachments": [attachment],
                "requester": {"email": "ann@acme.example"},
            }
        ),
        encoding="utf-8",
    )
    code, out, err = _run(
        capsys, str(rules), "--ticket", str(ticket), "--now", NOW, "--format", "json"
    )
    assert (code, err) == (0, "")
    tests = json.loads(out)["trace"][0]["tests"]
    requester = {
        "email": "ann@acme.example",
        "name": None,
        "domain": "acme.example",
        "language": None,
        "timezone": None,
        "organization": None,
    }
    assert tests == [
        {"test": "headers is empty or attachments is empty or requester is empty", "value": False},
        {"test": "headers is empty", "value": False},
        {"test": "headers", "value": {"X-A": "1"}},
        {"test": "attachments is empty", "value": False},
        {"test": "attachments", "value": [attachment]},
        {"test": "requester is empty", "value": False},
        {"test": "requester", "value": requester},
    ]
    code, out, err = _run(capsys, str(rules), "--ticket", str(ticket), "--now", NOW)
    assert code == 0
    shown = [line.split("→")[1].strip() for line in out.splitlines() if "→" in line]
    assert shown[2] == '{"X-A": "1"}'
    assert shown[4] == '[{"filename": "a.png", "content_type": "image/png", "size": 10}]'

"""Ticket intake and decision output: the per-ticket costs around ``routing dry-run``'s engine.

Run: ``python benchmarks/bench_ticket_intake.py [--repeat 7] [--number 20000]``

Measures `Ticket.from_dict` (the public way in, with error translation), `Ticket.model_validate`
(pydantic directly), reading a JSON line (`json.loads` + `from_dict`, and `Ticket.from_json`)
and `Ticket.to_dict` on one email ticket shaped like a help desk export:
10 headers, 5 tags, a requester with a time zone, an ISO created_at, two custom fields and an
attachment; then an envelope line read in one pass (as `TicketReader` does) and the general
way (``json.loads`` + `record_from_data`), `TicketReader` over a file of such lines (15%
envelopes), building a `Decision`, and its ``jsonl`` line (orjson, and the stdlib encoder).
Prints the median of `--repeat` runs of `--number` calls each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from routing.cli import _tickets
from routing.cli.dry_run import _dumps, jsonl_line
from routing.model import Ticket
from routing.model.decision import Decision

TICKET: dict[str, Any] = {
    "id": "T-104233",
    "subject": "Checkout fails with error 502 since this morning",
    "body": (
        "Hello,\n\nsince about 8:00 every checkout on our shop ends with a 502 error. "
        "We are losing orders. Please call me back as soon as possible.\n\nRegards,\nBob"
    ),
    "channel": "email",
    "status": "new",
    "priority": "normal",
    "queue": None,
    "assignee": None,
    "requester": {
        "email": "Bob.Smith@BigCorp.example",
        "name": "Bob Smith",
        "language": "en",
        "timezone": "Europe/Berlin",
        "organization": "BigCorp",
    },
    "tags": ["checkout", "Outage", "vip ", "web-shop", "eu"],
    "headers": {
        "From": "Bob Smith <Bob.Smith@BigCorp.example>",
        "To": "support@example.com",
        "Subject": "Checkout fails with error 502 since this morning",
        "Date": "Mon, 23 Nov 2026 08:12:44 +0100",
        "Message-ID": "<CAF=abc123@mail.bigcorp.example>",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Reply-To": "bob.smith@bigcorp.example",
        "X-Mailer": "Outlook 16.0",
        "Received": "from mail.bigcorp.example by mx.example.com",
    },
    "attachments": [{"filename": "screenshot.png", "content_type": "image/png", "size": 183204}],
    "created_at": "2026-11-23T08:12:44+01:00",
    "updated_at": "2026-11-23T08:12:45+01:00",
    "fields": {"plan": "enterprise", "order_count": 1412},
    "spam": False,
    "spam_score": 0.0,
}


def measure(call: Callable[[], object], number: int, repeat: int) -> float:
    """The median rate, in calls per second, over `repeat` runs of `number` calls."""
    rates = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            call()
        rates.append(number / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--number", type=int, default=20_000)
    args = parser.parse_args()

    ticket = Ticket.from_dict(TICKET)
    text = json.dumps(TICKET)
    assert Ticket.from_dict(ticket.to_dict()) == ticket
    cases: list[tuple[str, Callable[[], object]]] = [
        ("Ticket.from_dict", lambda: Ticket.from_dict(TICKET)),
        ("Ticket.model_validate", lambda: Ticket.model_validate(TICKET)),
        ("json.loads + from_dict", lambda: Ticket.from_dict(json.loads(text))),
        ("Ticket.from_json", lambda: Ticket.from_json(text)),
        ("Ticket.to_dict", ticket.to_dict),
    ]
    envelope = json.dumps({"ticket": TICKET, "now": "2026-11-23T10:00:00+01:00"}).encode()
    validate_envelope = _tickets._envelope_validator().validate_json
    decision_args = _decision_args()
    decision = Decision(**decision_args)
    assert jsonl_line(decision, False) == _dumps(decision.to_dict())
    cases += [
        (
            "envelope, one pass",
            lambda: _tickets._valid_envelope(1, validate_envelope(envelope)),
        ),
        (
            "envelope, json.loads",
            lambda: _tickets.record_from_data(1, json.loads(envelope)),
        ),
        ("Decision(...)", lambda: Decision(**decision_args)),
        ("jsonl line (orjson)", lambda: jsonl_line(decision, False)),
        ("jsonl line (json)", lambda: _dumps(decision.to_dict())),
    ]
    for name, call in cases:
        show(name, measure(call, args.number, args.repeat))
    show(
        "TicketReader, per line", measure_reader(text, envelope.decode(), args.number, args.repeat)
    )


def show(name: str, rate: float) -> None:
    print(f"{name:24} {rate:>10,.0f} tickets/s  ({1e6 / rate:.1f} us each, median)")


def _decision_args() -> dict[str, Any]:
    """A decision as the example rules make one (an SLA, custom fields, no effects)."""
    return {
        "ticket_id": "T-104233",
        "queue": "billing",
        "priority": "high",
        "status": "open",
        "assignee": "kenji.sato",
        "tags": ("enterprise", "outage", "vip"),
        "spam": False,
        "spam_score": -3.0,
        "fields": {"plan": "enterprise", "mrr": 24950.0, "order_id": "", "product": "network"},
        "fired": ("enterprise customers", "outage keywords"),
        "effects": (),
        "sla": {
            "policy": "enterprise",
            "calendar": "support-eu",
            "first_reply_due": "2026-11-23T09:12:44+00:00",
            "next_reply_due": None,
            "periodic_update_due": None,
            "resolution_due": "2026-11-24T07:12:44+00:00",
            "remaining": {"first_reply": 3600.0, "resolution": 86400.0},
            "breached": [],
            "warning": [],
            "paused": False,
        },
        "errors": (),
    }


def measure_reader(line: str, envelope: str, number: int, repeat: int) -> float:
    """The median rate of `TicketReader` over `number` lines, one in seven an envelope."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as f:
        for i in range(number):
            f.write((envelope if i % 7 == 0 else line) + "\n")
        f.flush()
        rates = []
        for _ in range(repeat):
            start = time.perf_counter()
            with _tickets.TicketReader(f.name, "jsonl") as reader:
                count = sum(1 for _ in reader)
            rates.append(count / (time.perf_counter() - start))
    return statistics.median(rates)


if __name__ == "__main__":
    main()

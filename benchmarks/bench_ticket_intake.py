"""Ticket intake: how many realistic ticket dicts per second become `Ticket`s.

Run: ``python benchmarks/bench_ticket_intake.py [--repeat 7] [--number 20000]``

Measures `Ticket.from_dict` (the public way in, with error translation), `Ticket.model_validate`
(pydantic directly), reading a JSON line (`json.loads` + `from_dict`, and `Ticket.from_json`)
and `Ticket.to_dict` on one email ticket shaped like a help desk export:
10 headers, 5 tags, a requester with a time zone, an ISO created_at, two custom fields and an
attachment. Prints the median of `--repeat` runs of `--number` calls each.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

from routing.model import Ticket

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
    for name, call in cases:
        rate = measure(call, args.number, args.repeat)
        print(f"{name:24} {rate:>10,.0f} tickets/s  ({1e6 / rate:.1f} us each, median)")


if __name__ == "__main__":
    main()

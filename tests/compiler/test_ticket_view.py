"""`State.ticket` is a `TicketView`: the ticket's fields, read as plain attributes
(docs/decisions/0027-define-reads.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from routing.compiler.state import State, TicketView, ticket_view
from routing.model.ticket import Ticket

NOW = datetime.fromisoformat("2026-11-23T10:00:00+00:00")

TICKETS: list[dict[str, Any]] = [
    {"id": "T-1"},
    {
        "id": 7,
        "subject": "Refund",
        "body": "Hello\nthere",
        "channel": "web",
        "status": "open",
        "priority": "high",
        "queue": "billing",
        "assignee": "ann",
        "requester": {"email": "A@Example.com", "language": "de", "timezone": "Europe/Berlin"},
        "tags": [" VIP ", "x"],
        "headers": {"List-Id": "news"},
        "attachments": [{"filename": "a.png", "content_type": "image/png", "size": 3}],
        "created_at": "2026-11-20T08:00:00+01:00",
        "updated_at": "2026-11-21T08:00:00Z",
        "fields": {"plan": "pro", "mrr": 12.5, "order_id": None},
        "spam": True,
        "spam_score": 2.5,
    },
]


@pytest.mark.parametrize("data", TICKETS)
def test_the_view_reads_every_field_of_the_ticket(data: dict[str, Any]) -> None:
    ticket = Ticket.from_dict(data)
    view = ticket_view(ticket)
    assert type(view) is TicketView
    read = {name: getattr(view, name) for name in Ticket.model_fields}
    assert read == {name: getattr(ticket, name) for name in Ticket.model_fields}
    # the very objects, not copies
    assert all(read[name] is getattr(ticket, name) for name in Ticket.model_fields)
    assert view.text == ticket.text
    assert view.requester is ticket.requester  # the model itself (`model_dump` works)


def test_the_state_holds_a_view_and_reads_its_start_values_from_it() -> None:
    ticket = Ticket.from_dict(TICKETS[1])
    s = State(ticket, NOW)
    assert type(s.ticket) is TicketView
    assert (s.queue, s.priority, s.status, s.assignee, s.spam, s.spam_score) == (
        "billing",
        "high",
        "open",
        "ann",
        True,
        2.5,
    )
    assert s.tags == {"vip", "x"}
    assert s.fields == {"plan": "pro", "mrr": 12.5, "order_id": None}
    assert s.fields is not ticket.fields

"""Pure data: the ticket the engine reads.

`routing.model` imports nothing from `routing` except `routing.errors` and
`routing.diagnostics`.
"""

from routing.model.ticket import (
    Attachment,
    Channel,
    Headers,
    Priority,
    Requester,
    Status,
    Ticket,
)

__all__ = [
    "Attachment",
    "Channel",
    "Headers",
    "Priority",
    "Requester",
    "Status",
    "Ticket",
]

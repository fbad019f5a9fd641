"""The names a rule expression can read, and their types (the checker's environment).

`TicketSchema` maps ticket paths (``subject``, ``requester.domain``, ``fields.plan``) to
`Type`s: the fixed fields of DESIGN section 3 plus the custom fields a rule set declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from routing.model.types import (
    BOOL,
    DATETIME,
    NUMBER,
    STRING,
    Kind,
    Type,
    enum_type,
    list_of,
)

__all__ = [
    "CHANNELS",
    "PRIORITIES",
    "REQUESTER_FIELDS",
    "STATUSES",
    "WEEKDAYS",
    "TicketSchema",
]

CHANNELS: tuple[str, ...] = ("email", "chat", "phone", "web", "social", "api")
STATUSES: tuple[str, ...] = ("new", "open", "pending", "on_hold", "solved", "closed")
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
REQUESTER_FIELDS: tuple[str, ...] = (
    "email",
    "name",
    "domain",
    "language",
    "timezone",
    "organization",
)

CHANNEL = enum_type("channel", CHANNELS)
STATUS = enum_type("status", STATUSES)
PRIORITY = enum_type("priority", PRIORITIES, ordered=True)
WEEKDAY = enum_type("weekday", WEEKDAYS, ordered=True)
HEADERS = Type(Kind.MAP, item=STRING)
ATTACHMENTS = list_of(Type(Kind.MAP, item=STRING))


def _fixed_fields(queue_type: Type) -> dict[str, Type]:
    return {
        "id": STRING,
        "subject": STRING,
        "body": STRING,
        "text": STRING,
        "channel": CHANNEL,
        "status": STATUS,
        "priority": PRIORITY,
        "queue": queue_type,
        "assignee": STRING,
        "tags": list_of(STRING),
        "headers": HEADERS,
        "attachments": ATTACHMENTS,
        "created_at": DATETIME,
        "updated_at": DATETIME,
        "spam": BOOL,
        "spam_score": NUMBER,
    }


@dataclass(frozen=True)
class TicketSchema:
    """The typed names of a ticket under one rule set.

    Args:
        custom: declared custom fields, name to type.
        queues: declared queue names (a literal compared with `queue` must be one).
    """

    custom: Mapping[str, Type] = field(default_factory=dict)
    queues: tuple[str, ...] = ()

    @property
    def queue_type(self) -> Type:
        return enum_type("queue", self.queues) if self.queues else STRING

    @property
    def roots(self) -> dict[str, Type]:
        """Top-level names: fixed fields, plus `requester` and `fields` (objects)."""
        out = _fixed_fields(self.queue_type)
        out["requester"] = Type(Kind.MAP, name="requester", item=STRING)
        out["fields"] = Type(Kind.MAP, name="fields")
        return out

    def field_type(self, name: str) -> Type | None:
        """The type of a top-level ticket field (not `requester`/`fields`)."""
        return _fixed_fields(self.queue_type).get(name)

    def settable(self) -> dict[str, Type]:
        """Targets of the ``set`` action, with their types."""
        out: dict[str, Type] = {
            "status": STATUS,
            "priority": PRIORITY,
            "queue": self.queue_type,
            "assignee": STRING,
        }
        for name, t in self.custom.items():
            out[f"fields.{name}"] = t
        return out

"""The working state of one evaluation: the ticket as the rules have changed it so far.

Compiled predicates read it and compiled actions write it. A write bumps `version`, which
is how the values of defines are cached per ticket and still see earlier actions: the
actions' closures bump it for every write, the fused stage code only for the writes some
define reads (`routing.compiler.compiler.define_reads`, docs/decisions/0027-define-reads.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = ["EvalFailure", "State", "TicketView", "ticket_view"]

_new = object.__new__


class TicketView:
    """A ticket's fields as plain attributes: the very values of the `Ticket`, whose field
    dict it shares (a ticket is immutable), read at the cost of a plain object's attribute.

    Every attribute read of a pydantic model goes through `BaseModel.__getattr__`'s type
    slot: Python 3.11 cannot specialize it, and a read costs about five times a plain
    one (630 against 120 instructions measured). Generated conditions read the ticket
    through `State.ticket` some thirty times per example ticket, so the state holds this
    view (docs/decisions/0027-define-reads.md). Only fields are here, and `text`; the
    requester is the model itself.
    """

    @property
    def text(self) -> str:
        """``subject + "\\n" + body``, as `Ticket.text`."""
        return self.subject + "\n" + self.body  # type: ignore[attr-defined, no-any-return]


def ticket_view(ticket: Any) -> TicketView:
    """A `TicketView` of `ticket` (any object whose ``__dict__`` holds its fields). The
    requester stays the model: a view of it too (a copy of the field dict to hold it) cost
    as much as it saved."""
    view: TicketView = _new(TicketView)
    view.__dict__ = ticket.__dict__
    return view


class EvalFailure(Exception):
    """A run-time error inside a condition: a value, not a crash.

    The rule whose condition fails does not fire; the failure goes into the decision.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class State:
    """Mutable per-evaluation state. Never shared between threads."""

    __slots__ = (
        "agent_state",
        "assignee",
        "assignment",
        "cache",
        "effects",
        "errors",
        "fields",
        "history",
        "no_reply",
        "now",
        "observed",
        "priority",
        "queue",
        "sla_policy",
        "spam",
        "spam_score",
        "status",
        "steps",
        "tags",
        "ticket",
        "version",
    )

    def __init__(self, ticket: Any, now: datetime) -> None:
        #: the ticket's fields as plain attributes (a `TicketView`): what conditions read
        view: Any = ticket_view(ticket)
        self.ticket = ticket = view
        self.now = now
        self.queue: str | None = ticket.queue
        # an enum member's `_value_` is what its `value` property returns, without the call
        self.priority: str = ticket.priority._value_
        self.status: str = ticket.status._value_
        self.assignee: str | None = ticket.assignee
        self.tags: set[str] = set(ticket.tags)
        self.fields: dict[str, Any] = dict(ticket.fields)
        self.spam: bool = ticket.spam
        self.spam_score: float = float(ticket.spam_score)
        self.no_reply = False
        self.sla_policy: str | None = None
        self.effects: list[Any] = []
        self.cache: dict[Any, Any] = {}
        self.version = 0
        self.steps = 0
        self.history: Any = ()
        self.observed: dict[int, Any] | None = None
        self.agent_state: Any = None
        self.assignment: dict[str, Any] | None = None
        self.errors: list[Any] = []

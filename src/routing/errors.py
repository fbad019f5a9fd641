"""The exceptions `routing` raises.

Every exception derives from `RoutingError`::

    RoutingError
     ├── RuleError          a rule file failed to load or check; carries .diagnostics
     ├── TicketError        a ticket could not be read or validated (names the field path)
     ├── EvaluationError    misuse of the evaluation API (a naive `now`), not ticket content
     ├── CalendarError      a calendar spec is invalid, or a calendar is never open
     └── AdapterError       a store failed (lost connection, version conflict, ...)

Diagnostics are data, not exceptions: a `RuleError` carries the list of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from routing.diagnostics import Diagnostic

__all__ = [
    "AdapterError",
    "CalendarError",
    "EvaluationError",
    "RoutingError",
    "RuleError",
    "TicketError",
]


class RoutingError(Exception):
    """The root of every exception raised by `routing`."""


class RuleError(RoutingError):
    """A rule set did not load: one or more diagnostics of severity error.

    Attributes:
        diagnostics: every diagnostic found, errors and warnings, sorted by place.
    """

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        errors = [d for d in self.diagnostics if d.severity.value == "error"]
        first = errors[0] if errors else (self.diagnostics[0] if self.diagnostics else None)
        if first is None:
            message = "the rule set did not load"
        else:
            more = len(errors) - 1
            message = first.headline() + (f" (and {more} more)" if more > 0 else "")
        super().__init__(message)


class TicketError(RoutingError):
    """A ticket is malformed: the message names the field path that failed."""


class EvaluationError(RoutingError):
    """The evaluation API was called incorrectly (never raised for a ticket's content)."""


class CalendarError(RoutingError):
    """A calendar spec is invalid, or a calendar is never open in the searched range.

    Attributes:
        key_path: where in the calendar spec the problem is, e.g. ``("hours", "mon-fri", 1)``;
            empty when the error is not about one key (a calendar that is never open).
        at_key: the problem is the last key of `key_path` itself (an unknown key, a day
            name that is not a day), not the value under it.
    """

    def __init__(
        self, message: str, *, key_path: tuple[str | int, ...] = (), at_key: bool = False
    ) -> None:
        super().__init__(message)
        self.key_path: tuple[str | int, ...] = key_path
        self.at_key = at_key


class AdapterError(RoutingError):
    """A ticket store failed."""

"""The decision: what the rules decided for one ticket, as pure data (DESIGN section 7)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Final

from pydantic import BaseModel

__all__ = [
    "SLA_DUE_KEYS",
    "SLA_KEYS",
    "Decision",
    "DecisionError",
    "Effect",
    "RuleTrace",
    "SentReply",
    "Suppressed",
    "jsonable",
]

#: The due times of a decision's ``sla`` object, one per SLA metric.
SLA_DUE_KEYS: tuple[str, ...] = (
    "first_reply_due",
    "next_reply_due",
    "periodic_update_due",
    "resolution_due",
)
#: Every key of a decision's ``sla`` object (DESIGN section 7), in the order it is written.
SLA_KEYS: tuple[str, ...] = (
    "policy",
    "calendar",
    *SLA_DUE_KEYS,
    "remaining",
    "breached",
    "warning",
    "paused",
)


@dataclass(frozen=True, slots=True)
class Effect:
    """Something the adapter carries out: a reply, a notification or a webhook call."""

    type: str  # "reply", "notify" or "webhook"
    rule: str
    template: str | None = None
    to: str | None = None
    subject: str | None = None
    body: str | None = None
    url: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        # (the keys one by one, not a loop of getattr: a decision with replies writes
        # these for every line)
        out: dict[str, Any] = {"type": self.type, "rule": self.rule}
        if self.template is not None:
            out["template"] = self.template
        if self.to is not None:
            out["to"] = self.to
        if self.subject is not None:
            out["subject"] = self.subject
        if self.url is not None:
            out["url"] = self.url
        if self.body is not None:
            out["body"] = self.body
        if self.headers:
            out["headers"] = dict(self.headers)
        return out


@dataclass(frozen=True, slots=True)
class DecisionError:
    """A run-time error: the rule did not fire (or its action failed); nothing else changed."""

    code: str
    message: str
    rule: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Suppressed:
    """An auto-reply that was not produced, and why."""

    rule: str
    template: str
    code: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "template": self.template,
            "code": self.code,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class SentReply:
    """An auto-reply the gate let through: the checks it passed, in order, and per
    rate-limit tier ``(limit, window, earlier replies counted)``."""

    rule: str
    template: str
    to: str
    passed: tuple[str, ...]
    tiers: tuple[tuple[int, str, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "template": self.template,
            "to": self.to,
            "passed": list(self.passed),
            "rate_limits": [{"limit": n, "per": w, "count": c} for n, w, c in self.tiers],
        }


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """What happened to one rule for one ticket.

    `outcome` is "fired", "not-matched", "error", "disabled", "other-event",
    "skipped" (an earlier rule of a `first` stage fired) or "stopped" (a `stop` rule ended
    the pipeline). `tests` holds (expression text, value) per sub-test, for explain.
    """

    stage: str
    rule: str
    outcome: str
    error: DecisionError | None = None
    tests: tuple[tuple[str, Any], ...] = ()

    @property
    def fired(self) -> bool:
        return self.outcome == "fired"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"stage": self.stage, "rule": self.rule, "outcome": self.outcome}
        if self.error is not None:
            out["error"] = self.error.to_dict()
        if self.tests:
            out["tests"] = [{"test": t, "value": jsonable(v)} for t, v in self.tests]
        return out


def jsonable(v: Any) -> Any:
    """A value a condition read (as `RuleTrace.tests` holds it) as plain JSON data: sets
    sorted, tuples as lists, instants and dates in ISO 8601, an enum by its value, the
    ticket's own models (`headers`, `attachments`, `requester`) as the objects `to_dict`
    writes, an error as ``{"error": message}``; nested values alike."""
    if v is None or isinstance(v, str | bool | int | float):
        return v
    if isinstance(v, set | frozenset):
        return [jsonable(x) for x in sorted(v, key=str)]
    if isinstance(v, tuple | list):
        return [jsonable(x) for x in v]
    if isinstance(v, Exception):
        return {"error": str(v)}
    if isinstance(v, Enum):
        return jsonable(v.value)
    if isinstance(v, BaseModel):
        return v.model_dump(mode="json")
    to_dict = getattr(v, "to_dict", None)  # Headers
    if callable(to_dict):
        return jsonable(to_dict())
    if isinstance(v, Mapping):
        return {str(k): jsonable(x) for k, x in v.items()}
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


#: The default of `Decision.extra`: a fresh empty dict per decision (like ``default_factory``).
_NEW_DICT: Final[Any] = object()


# Not `slots=True`, and with its own `__init__` (init=False keeps the dataclass from writing
# one): a frozen dataclass's generated `__init__` sets each of the 18 fields through
# ``object.__setattr__`` (a global lookup and a call per field, about 2.5 µs per decision),
# while this one fills the instance dict with one store per field (about 0.4 µs on top of the
# call itself). Equality, repr, hash, `dataclasses.replace`/`fields` and the frozen
# ``__setattr__`` are the dataclass's own; tests/model/test_decision.py checks that the
# parameters below stay the fields, in order, with their defaults.
@dataclass(frozen=True, init=False)
class Decision:
    """The outcome of evaluating one ticket: fields as the rules left them, effects, SLA."""

    ticket_id: str
    queue: str | None
    priority: str
    status: str
    assignee: str | None
    tags: tuple[str, ...]
    spam: bool
    spam_score: float
    fields: dict[str, Any]
    fired: tuple[str, ...]
    effects: tuple[Effect, ...]
    sla: dict[str, Any] | None
    errors: tuple[DecisionError, ...]
    trace: tuple[RuleTrace, ...] = ()
    suppressed: tuple[Suppressed, ...] = ()
    assignment: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    sent: tuple[SentReply, ...] = ()

    def __init__(
        self,
        ticket_id: str,
        queue: str | None,
        priority: str,
        status: str,
        assignee: str | None,
        tags: tuple[str, ...],
        spam: bool,
        spam_score: float,
        fields: dict[str, Any],
        fired: tuple[str, ...],
        effects: tuple[Effect, ...],
        sla: dict[str, Any] | None,
        errors: tuple[DecisionError, ...],
        trace: tuple[RuleTrace, ...] = (),
        suppressed: tuple[Suppressed, ...] = (),
        assignment: dict[str, Any] | None = None,
        extra: dict[str, Any] = _NEW_DICT,
        sent: tuple[SentReply, ...] = (),
    ) -> None:
        # The instance dict is written directly: the frozen __setattr__ only guards users.
        d = self.__dict__
        d["ticket_id"] = ticket_id
        d["queue"] = queue
        d["priority"] = priority
        d["status"] = status
        d["assignee"] = assignee
        d["tags"] = tags
        d["spam"] = spam
        d["spam_score"] = spam_score
        d["fields"] = fields
        d["fired"] = fired
        d["effects"] = effects
        d["sla"] = sla
        d["errors"] = errors
        d["trace"] = trace
        d["suppressed"] = suppressed
        d["assignment"] = assignment
        d["extra"] = {} if extra is _NEW_DICT else extra
        d["sent"] = sent

    def to_dict(self, *, trace: bool = False) -> dict[str, Any]:
        """The JSON object of DESIGN section 7; `trace` adds suppressed, sent, assignment, trace."""
        out: dict[str, Any] = {
            "ticket_id": self.ticket_id,
            "queue": self.queue,
            "priority": self.priority,
            "status": self.status,
            "assignee": self.assignee,
            "tags": list(self.tags),
            "spam": self.spam,
            "spam_score": self.spam_score,
            "fields": dict(self.fields),
            "fired": list(self.fired),
            "effects": [e.to_dict() for e in self.effects],
            "sla": self.sla,
            "errors": [e.to_dict() for e in self.errors],
        }
        if trace:
            out["suppressed"] = [s.to_dict() for s in self.suppressed]
            out["sent"] = [s.to_dict() for s in self.sent]
            out["assignment"] = self.assignment
            out["trace"] = [t.to_dict() for t in self.trace]
        return out

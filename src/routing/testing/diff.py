"""What a rule change does to recorded tickets: the data model behind ``routing diff``.

A `DiffReport` is computed from pairs of decisions, one pair per ticket (the decision of the
*base* rule set and of the *head* rule set, each in the ``Decision.to_dict()`` shape), and
from a description of both rule sets (`describe_ruleset`). It holds:

- counts of tickets per kind of change (`KINDS`: rerouted, reprioritised, retagged, ...);
- the route matrix (base queue -> head queue, every ticket) and the volume per queue;
- the shift of SLA due times, in minutes, per metric (for a histogram);
- the rules responsible: rules added, removed or changed (by their normalised definition:
  condition printed canonically, actions, stage, mode, enabled, events, stop, order) and
  unchanged rules that fire on other tickets now, each with the tickets it newly fires on
  and no longer fires on; declarations (lists, defines, templates, SLA policies, ...) that
  changed;
- one `TicketChange` per ticket that changed: each `Change`, and the `Reason` for it.

Everything is plain data, so the report renders the same way every time (text, markdown,
JSON, HTML: `routing.testing.report_text`, `report_markdown`, `report_html`).

Limits (``--fail-on``) are `Limit` values: ``rerouted>2%`` or ``new-replies>0``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from routing.dsl.durations import format_duration
from routing.dsl.suggest import did_you_mean
from routing.model.decision import SLA_DUE_KEYS
from routing.testing.diff_rules import (
    RuleDef,
    RuleSetInfo,
    classify_declarations,
    classify_rules,
    describe_ruleset,
)

__all__ = [
    "ATTRIBUTES",
    "FORMAT_VERSION",
    "KINDS",
    "SLA_METRICS",
    "Change",
    "DeclarationChange",
    "DiffBuilder",
    "DiffReport",
    "Limit",
    "LimitResult",
    "Reason",
    "RuleChange",
    "RuleDef",
    "RuleSetInfo",
    "Skipped",
    "TicketChange",
    "describe_change",
    "describe_ruleset",
    "diff_decisions",
]

#: The version of the JSON shape of `DiffReport.to_dict` (documented in docs/cli/diff.md).
FORMAT_VERSION: Final = 1

#: Kinds of change counted over tickets, with what each counts. ``--fail-on`` uses these names.
KINDS: Final[tuple[tuple[str, str], ...]] = (
    ("changed", "tickets with any change"),
    ("rerouted", "the queue changed"),
    ("reprioritised", "the priority changed"),
    ("retagged", "the tags changed"),
    ("spam", "the spam flag or spam score changed"),
    ("new-spam", "flagged as spam now, not before"),
    ("replies", "the auto-replies changed (template, recipient or text)"),
    ("new-replies", "an auto-reply template the ticket did not get before"),
    ("notifications", "the notify or webhook effects changed"),
    ("sla", "the SLA policy, calendar or a due time changed"),
    ("reassigned", "the assignee changed"),
    ("status", "the status changed"),
    ("fields", "a custom field changed"),
    ("fired", "the rules that fired changed"),
    ("errors", "the run-time errors changed"),
    ("new-errors", "a run-time error the ticket did not have before"),
)
_KIND_NAMES: Final = tuple(k for k, _ in KINDS)

#: The attributes of a decision a `Change` is about, each with the kind it counts as.
ATTRIBUTES: Final[tuple[tuple[str, str], ...]] = (
    ("route", "rerouted"),
    ("priority", "reprioritised"),
    ("tags", "retagged"),
    ("spam", "spam"),
    ("replies", "replies"),
    ("notifications", "notifications"),
    ("sla", "sla"),
    ("assignee", "reassigned"),
    ("status", "status"),
    ("fields", "fields"),
    ("fired", "fired"),
    ("errors", "errors"),
)
_COUNTED_AS: Final = dict(ATTRIBUTES)

#: The SLA keys a diff compares (not `remaining`, `breached` or `warning`: they only say how
#: far `now` is from the due times), and the due times whose shift is measured.
_SLA_KEYS: Final = ("policy", "calendar", *SLA_DUE_KEYS, "paused")
SLA_METRICS: Final = ("first_reply_due", "resolution_due")

_NONE: Final = "(none)"

# ------------------------------------------------------------------------ the report


@dataclass(frozen=True, slots=True)
class Change:
    """One attribute of a ticket's decision that differs.

    `before` and `after` are JSON values: a queue, a priority, a list of tags, a dict of the
    SLA keys or custom fields that differ, ... `detail` says more where the values alone
    do not (``text changed`` for replies with the same templates).
    """

    kind: str
    before: Any
    after: Any
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this change."""
        out = {"kind": self.kind, "before": self.before, "after": self.after}
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a ticket changed: a rule (``rule``) or a declaration (``sla_policies``, ...).

    `why` is ``changed`` (the definition differs, and the rule fires on the ticket with both
    rule sets), ``now fires`` / ``no longer fires`` (an unchanged rule), or ``added, now
    fires``, ``removed, no longer fires``, ``changed, now fires``, ``changed, no longer
    fires``; for a declaration ``added``, ``removed`` or ``changed``.
    """

    kind: str
    name: str
    why: str

    def to_dict(self) -> dict[str, str]:
        """The JSON object of this reason."""
        return {"kind": self.kind, "name": self.name, "why": self.why}

    def describe(self) -> str:
        """``rule "refunds" changed``."""
        return f"{_SINGULAR.get(self.kind, self.kind)} {json.dumps(self.name)} {self.why}"


_SINGULAR: Final = {
    "fields": "field",
    "lists": "list",
    "queues": "queue",
    "defines": "define",
    "calendars": "calendar",
    "templates": "template",
    "sla_policies": "sla policy",
    "agents": "agent",
}


@dataclass(frozen=True, slots=True)
class TicketChange:
    """A ticket whose decision differs: what changed and why."""

    line: int
    ticket_id: str
    subject: str | None
    changes: tuple[Change, ...]
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this ticket."""
        return {
            "line": self.line,
            "ticket_id": self.ticket_id,
            "subject": self.subject,
            "changes": [c.to_dict() for c in self.changes],
            "reasons": [r.to_dict() for r in self.reasons],
        }


@dataclass(frozen=True, slots=True)
class RuleChange:
    """A rule that is added, removed or changed, or that fires on other tickets now.

    `status` is ``added``, ``removed``, ``changed`` or ``unchanged``; `details` holds
    (aspect, base text, head text) for every aspect of a changed rule that differs
    (``when``, ``then``, ``stage``, ``mode``, ``enabled``, ``on``, ``stop``, ``order``).
    """

    name: str
    status: str
    stage: str
    location: str
    details: tuple[tuple[str, str, str], ...]
    fired_base: int
    fired_head: int
    now_fires: tuple[str, ...]
    no_longer_fires: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this rule."""
        return {
            "name": self.name,
            "status": self.status,
            "stage": self.stage,
            "location": self.location,
            "changes": [{"aspect": a, "base": b, "head": h} for a, b, h in self.details],
            "fired": {"base": self.fired_base, "head": self.fired_head},
            "now_fires": list(self.now_fires),
            "no_longer_fires": list(self.no_longer_fires),
        }


@dataclass(frozen=True, slots=True)
class DeclarationChange:
    """A declaration (list, define, template, SLA policy, ...) added, removed or changed."""

    kind: str
    name: str
    status: str

    def to_dict(self) -> dict[str, str]:
        """The JSON object of this declaration."""
        return {"kind": self.kind, "name": self.name, "status": self.status}

    def describe(self) -> str:
        """``sla policy "standard" changed``."""
        return Reason(self.kind, self.name, self.status).describe()


@dataclass(frozen=True, slots=True)
class Skipped:
    """A ticket record that has no decision pair (unreadable, or evaluation failed)."""

    line: int
    error: str


@dataclass(frozen=True, slots=True)
class DiffReport:
    """The whole comparison of two rule sets over recorded tickets (see the module doc).

    `route_matrix` maps (base queue, head queue) to a count of tickets (queues may be None);
    `volume` maps a queue to (base count, head count); `sla_shifts` maps each of
    `SLA_METRICS` to the shifts, in minutes, of the tickets whose due time moved.
    """

    base: str
    head: str
    compared: int
    counts: Mapping[str, int]
    route_matrix: Mapping[tuple[str | None, str | None], int]
    volume: Mapping[str | None, tuple[int, int]]
    sla_shifts: Mapping[str, tuple[float, ...]]
    rules: tuple[RuleChange, ...]
    declarations: tuple[DeclarationChange, ...]
    tickets: tuple[TicketChange, ...]
    skipped: tuple[Skipped, ...]

    @property
    def changed(self) -> int:
        """How many tickets changed in any way."""
        return self.counts["changed"]

    @property
    def queues(self) -> tuple[str | None, ...]:
        """Every queue of the matrix, sorted (no queue last)."""
        return tuple(sorted(self.volume, key=_queue_key))

    def to_dict(self, limits: Sequence[LimitResult] = ()) -> dict[str, Any]:
        """The JSON document of ``routing diff --format json`` (`FORMAT_VERSION`)."""
        return {
            "format_version": FORMAT_VERSION,
            "base": self.base,
            "head": self.head,
            "tickets": {
                "compared": self.compared,
                "changed": self.changed,
                "unchanged": self.compared - self.changed,
                "skipped": len(self.skipped),
            },
            "counts": dict(self.counts),
            "route_matrix": [
                {"base": b, "head": h, "count": n}
                for (b, h), n in sorted(self.route_matrix.items(), key=_matrix_key)
            ],
            "volume": [
                {"queue": q, "base": self.volume[q][0], "head": self.volume[q][1]}
                for q in self.queues
            ],
            "sla_shift_minutes": {m: list(v) for m, v in self.sla_shifts.items()},
            "rules": [r.to_dict() for r in self.rules],
            "declarations": [d.to_dict() for d in self.declarations],
            "changes": [t.to_dict() for t in self.tickets],
            "skipped": [{"line": s.line, "error": s.error} for s in self.skipped],
            "limits": [r.to_dict() for r in limits],
        }


def _queue_key(queue: str | None) -> tuple[int, str]:
    return (1, "") if queue is None else (0, queue)


def _matrix_key(item: tuple[tuple[str | None, str | None], int]) -> tuple[Any, ...]:
    (b, h), _ = item
    return (_queue_key(b), _queue_key(h))


# ------------------------------------------------------------------------ comparing


def diff_decisions(base: Mapping[str, Any], head: Mapping[str, Any]) -> tuple[Change, ...]:
    """Every attribute in which two decisions of one ticket differ, in `ATTRIBUTES` order."""
    changes: list[Change] = []
    if base.get("queue") != head.get("queue"):
        changes.append(Change("route", base.get("queue"), head.get("queue")))
    if base.get("priority") != head.get("priority"):
        changes.append(Change("priority", base.get("priority"), head.get("priority")))
    if list(base.get("tags", ())) != list(head.get("tags", ())):
        changes.append(Change("tags", list(base.get("tags", ())), list(head.get("tags", ()))))
    b_spam = {"spam": base.get("spam"), "spam_score": base.get("spam_score")}
    h_spam = {"spam": head.get("spam"), "spam_score": head.get("spam_score")}
    if b_spam != h_spam:
        changes.append(Change("spam", b_spam, h_spam))
    b_replies, h_replies = _effects(base, "reply"), _effects(head, "reply")
    if b_replies != h_replies:
        b_names, h_names = _templates(b_replies), _templates(h_replies)
        detail = None
        if b_names == h_names:
            same_to = [r.get("to") for r in b_replies] == [r.get("to") for r in h_replies]
            detail = "text changed" if same_to else "recipient changed"
        changes.append(Change("replies", b_names, h_names, detail))
    b_notes, h_notes = _notifications(base), _notifications(head)
    if b_notes != h_notes:
        changes.append(Change("notifications", b_notes, h_notes))
    b_sla, h_sla = base.get("sla") or {}, head.get("sla") or {}
    keys = [k for k in _SLA_KEYS if b_sla.get(k) != h_sla.get(k)]
    if keys:
        changes.append(
            Change("sla", {k: b_sla.get(k) for k in keys}, {k: h_sla.get(k) for k in keys})
        )
    for key, kind in (("assignee", "assignee"), ("status", "status")):
        if base.get(key) != head.get(key):
            changes.append(Change(kind, base.get(key), head.get(key)))
    b_fields, h_fields = base.get("fields") or {}, head.get("fields") or {}
    names = sorted(k for k in {*b_fields, *h_fields} if b_fields.get(k) != h_fields.get(k))
    if names:
        changes.append(
            Change(
                "fields", {k: b_fields.get(k) for k in names}, {k: h_fields.get(k) for k in names}
            )
        )
    if list(base.get("fired", ())) != list(head.get("fired", ())):
        changes.append(Change("fired", list(base.get("fired", ())), list(head.get("fired", ()))))
    b_errors, h_errors = _errors(base), _errors(head)
    if b_errors != h_errors:
        changes.append(Change("errors", b_errors, h_errors))
    return tuple(changes)


def _effects(decision: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    return [e for e in decision.get("effects", ()) if e.get("type") == kind]


def _templates(replies: Iterable[Mapping[str, Any]]) -> list[str]:
    return [str(r.get("template") or "-") for r in replies]


def _notifications(decision: Mapping[str, Any]) -> list[str]:
    out = []
    for e in decision.get("effects", ()):
        if e.get("type") == "notify":
            out.append(f"notify {e.get('template')} to {e.get('to')}")
        elif e.get("type") == "webhook":
            out.append(f"webhook {e.get('url')}")
    return out


def _errors(decision: Mapping[str, Any]) -> list[str]:
    return [f"{e.get('code')} ({e.get('rule')})" for e in decision.get("errors", ())]


def _shift_minutes(before: Any, after: Any) -> float | None:
    if not isinstance(before, str) or not isinstance(after, str):
        return None
    try:
        delta = datetime.fromisoformat(after) - datetime.fromisoformat(before)
    except ValueError:
        return None
    minutes = delta.total_seconds() / 60
    return int(minutes) if minutes.is_integer() else round(minutes, 2)


class DiffBuilder:
    """Collects ticket pairs one at a time (no decision is kept) and builds a `DiffReport`.

    Example::

        builder = DiffBuilder(describe_ruleset(old, "old/"), describe_ruleset(new, "new/"))
        builder.add(1, "T-1", "Refund", old_decision.to_dict(), new_decision.to_dict())
        report = builder.finish()
    """

    def __init__(self, base: RuleSetInfo, head: RuleSetInfo) -> None:
        self._base = base
        self._head = head
        self._rule_status, self._rule_details = classify_rules(base.rules, head.rules)
        self._declarations = tuple(
            DeclarationChange(*d)
            for d in classify_declarations(base.declarations, head.declarations)
        )
        self._changed_declarations = {(d.kind, d.name) for d in self._declarations}
        order = [r.name for r in head.rules] + [
            r.name for r in base.rules if self._rule_status.get(r.name) == "removed"
        ]
        self._order = {name: i for i, name in enumerate(order)}
        self._compared = 0
        self._counts: Counter[str] = Counter()
        self._matrix: Counter[tuple[str | None, str | None]] = Counter()
        self._volume_base: Counter[str | None] = Counter()
        self._volume_head: Counter[str | None] = Counter()
        self._shifts: dict[str, list[float]] = {m: [] for m in SLA_METRICS}
        self._fired_base: Counter[str] = Counter()
        self._fired_head: Counter[str] = Counter()
        self._now_fires: dict[str, list[str]] = {}
        self._no_longer: dict[str, list[str]] = {}
        self._tickets: list[TicketChange] = []
        self._skipped: list[Skipped] = []

    def skip(self, line: int, error: str) -> None:
        """Record a ticket record that could not be compared."""
        self._skipped.append(Skipped(line, error))

    def add(
        self,
        line: int,
        ticket_id: str,
        subject: str | None,
        base: Mapping[str, Any],
        head: Mapping[str, Any],
    ) -> None:
        """Add one ticket's pair of decisions (``Decision.to_dict()`` shapes)."""
        self._compared += 1
        b_queue, h_queue = base.get("queue"), head.get("queue")
        self._matrix[(b_queue, h_queue)] += 1
        self._volume_base[b_queue] += 1
        self._volume_head[h_queue] += 1
        b_fired, h_fired = list(base.get("fired", ())), list(head.get("fired", ()))
        self._fired_base.update(b_fired)
        self._fired_head.update(h_fired)
        changes = diff_decisions(base, head)
        if not changes:
            return
        counts = self._counts
        counts["changed"] += 1
        for change in changes:
            counts[_COUNTED_AS[change.kind]] += 1
            if change.kind == "spam" and change.after["spam"] and not change.before["spam"]:
                counts["new-spam"] += 1
            elif change.kind == "replies" and Counter(change.after) - Counter(change.before):
                counts["new-replies"] += 1
            elif change.kind == "errors" and Counter(change.after) - Counter(change.before):
                counts["new-errors"] += 1
            elif change.kind == "sla":
                for metric in SLA_METRICS:
                    shift = _shift_minutes(change.before.get(metric), change.after.get(metric))
                    if shift is not None:
                        self._shifts[metric].append(shift)
        b_set, h_set = set(b_fired), set(h_fired)
        for name in h_fired:
            if name not in b_set:
                self._now_fires.setdefault(name, []).append(ticket_id)
        for name in b_fired:
            if name not in h_set:
                self._no_longer.setdefault(name, []).append(ticket_id)
        reasons = self._reasons(b_fired, h_fired, changes, base, head)
        self._tickets.append(TicketChange(line, ticket_id, subject, changes, reasons))

    def _reasons(
        self,
        b_fired: list[str],
        h_fired: list[str],
        changes: Sequence[Change],
        base: Mapping[str, Any],
        head: Mapping[str, Any],
    ) -> tuple[Reason, ...]:
        b_set, h_set = set(b_fired), set(h_fired)
        found: list[Reason] = []
        names = sorted(b_set | h_set, key=lambda n: self._order.get(n, len(self._order)))
        for name in names:
            status = self._rule_status.get(name, "unchanged")
            if name in h_set and name not in b_set:
                why = "now fires" if status == "unchanged" else f"{status}, now fires"
            elif name in b_set and name not in h_set:
                why = "no longer fires" if status == "unchanged" else f"{status}, no longer fires"
            elif status != "unchanged":
                why = status
            else:
                continue
            found.append(Reason("rule", name, why))
        if not self._changed_declarations:
            return tuple(found)
        used: set[tuple[str, str]] = set()
        for decision in (base, head):
            sla = decision.get("sla") or {}
            if sla.get("policy"):
                used.add(("sla_policies", str(sla["policy"])))
            if sla.get("calendar"):
                used.add(("calendars", str(sla["calendar"])))
            for effect in decision.get("effects", ()):
                if effect.get("template"):
                    used.add(("templates", str(effect["template"])))
        relevant = [
            Reason(d.kind, d.name, d.status) for d in self._declarations if (d.kind, d.name) in used
        ]
        if not found and not relevant:  # nothing points anywhere: every changed declaration
            relevant = [Reason(d.kind, d.name, d.status) for d in self._declarations]
        return (*found, *relevant)

    def finish(self) -> DiffReport:
        """The report of every pair added so far."""
        rules: list[RuleChange] = []
        by_name_head = {r.name: r for r in self._head.rules}
        by_name_base = {r.name: r for r in self._base.rules}
        for name in sorted(
            set(by_name_head) | set(by_name_base), key=lambda n: self._order.get(n, 0)
        ):
            status = self._rule_status.get(name, "unchanged")
            now_fires = tuple(self._now_fires.get(name, ()))
            no_longer = tuple(self._no_longer.get(name, ()))
            if status == "unchanged" and not now_fires and not no_longer:
                continue
            rule = by_name_head.get(name) or by_name_base[name]
            rules.append(
                RuleChange(
                    name=name,
                    status=status,
                    stage=rule.stage,
                    location=rule.location,
                    details=self._rule_details.get(name, ()),
                    fired_base=self._fired_base[name],
                    fired_head=self._fired_head[name],
                    now_fires=now_fires,
                    no_longer_fires=no_longer,
                )
            )
        queues = set(self._volume_base) | set(self._volume_head)
        return DiffReport(
            base=self._base.label,
            head=self._head.label,
            compared=self._compared,
            counts={k: self._counts[k] for k in _KIND_NAMES},
            route_matrix=dict(sorted(self._matrix.items(), key=_matrix_key)),
            volume={
                q: (self._volume_base[q], self._volume_head[q])
                for q in sorted(queues, key=_queue_key)
            },
            sla_shifts={m: tuple(v) for m, v in self._shifts.items()},
            rules=tuple(rules),
            declarations=self._declarations,
            tickets=tuple(self._tickets),
            skipped=tuple(self._skipped),
        )


_ASPECTS: Final = ("when", "then", "stage", "mode", "enabled", "on", "stop")


# ------------------------------------------------------------------------ describing


def _q(value: Any) -> str:
    if value is None:
        return _NONE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _plus_minus(before: Sequence[str], after: Sequence[str]) -> str:
    added = list((Counter(after) - Counter(before)).elements())
    removed = list((Counter(before) - Counter(after)).elements())
    return " ".join([*(f"+{a}" for a in added), *(f"-{r}" for r in removed)])


def _shift_text(minutes: float) -> str:
    seconds = round(minutes * 60)
    sign = "+" if seconds >= 0 else "-"
    return f"{sign}{format_duration(abs(seconds))}"


def describe_change(change: Change) -> str:
    """One change as a short phrase: ``queue billing -> tech-1``, ``tags +vip -outage``."""
    kind, before, after = change.kind, change.before, change.after
    if kind == "route":
        return f"queue {_q(before)} -> {_q(after)}"
    if kind in ("tags", "fired"):
        return f"{kind} {_plus_minus(before, after)}"
    if kind == "errors":
        return f"errors {_plus_minus(before, after)}"
    if kind == "spam":
        parts = []
        if before["spam"] != after["spam"]:
            parts.append(f"spam {_q(before['spam'])} -> {_q(after['spam'])}")
        if before["spam_score"] != after["spam_score"]:
            parts.append(f"spam score {_q(before['spam_score'])} -> {_q(after['spam_score'])}")
        return ", ".join(parts)
    if kind in ("replies", "notifications"):
        text = f"{kind} {', '.join(before) or _NONE} -> {', '.join(after) or _NONE}"
        if change.detail:
            text = f"{kind} {', '.join(after)} ({change.detail})"
        return text
    if kind == "sla":
        parts = []
        for key in before:
            if key.endswith("_due"):
                label = key.removesuffix("_due").replace("_", " ") + " due"
                shift = _shift_minutes(before[key], after[key])
                if shift is not None:
                    parts.append(f"{label} {_shift_text(shift)}")
                    continue
            else:
                label = key
            parts.append(f"{label} {_q(before[key])} -> {_q(after[key])}")
        return "sla " + ", ".join(parts)
    if kind == "fields":
        return ", ".join(f"fields.{k} {_q(before[k])} -> {_q(after[k])}" for k in before)
    return f"{kind} {_q(before)} -> {_q(after)}"


# ------------------------------------------------------------------------ limits


@dataclass(frozen=True, slots=True)
class LimitResult:
    """A `Limit` applied to a report: the value found and whether it is over the limit."""

    limit: Limit
    count: int
    percent: float
    exceeded: bool

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of this result."""
        return {
            "limit": self.limit.text,
            "kind": self.limit.kind,
            "count": self.count,
            "percent": round(self.percent, 2),
            "exceeded": self.exceeded,
        }

    def describe(self) -> str:
        """``rerouted>2%: 3 tickets (4.5%), over the limit``."""
        plural = "" if self.count == 1 else "s"
        verdict = "over the limit" if self.exceeded else "within the limit"
        return f"{self.limit.text}: {self.count} ticket{plural} ({self.percent:.1f}%), {verdict}"


_LIMIT: Final = re.compile(
    r"^\s*(?P<kind>[a-z][a-z-]*)\s*(?P<op>>=|>)\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<pct>%?)\s*$"
)


@dataclass(frozen=True, slots=True)
class Limit:
    """A ``--fail-on`` limit: ``KIND>N``, ``KIND>=N``, ``KIND>N%`` or ``KIND>=N%``.

    The limit is exceeded when the count of tickets of that kind (`KINDS`), or its share of
    the tickets compared in percent, is over (``>``) or at least (``>=``) the value.
    """

    kind: str
    op: str
    value: float
    percent: bool
    text: str

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Parse one limit.

        Raises:
            ValueError: a one-line message naming what is wrong and the valid kinds.
        """
        match = _LIMIT.match(text)
        if match is None:
            raise ValueError(
                f"bad limit {json.dumps(text)}: expected KIND>N, KIND>=N, KIND>N% or KIND>=N%, "
                f"e.g. 'rerouted>2%' or 'new-replies>0'; kinds: {', '.join(_KIND_NAMES)}"
            )
        kind = match["kind"]
        if kind not in _KIND_NAMES:
            hint = did_you_mean(kind, _KIND_NAMES)
            raise ValueError(
                f"unknown kind {json.dumps(kind)} in limit {json.dumps(text)}"
                + (f" ({hint})" if hint else "")
                + f"; kinds: {', '.join(_KIND_NAMES)}"
            )
        value = float(match["value"])
        if match["pct"] and value > 100:
            raise ValueError(f"bad limit {json.dumps(text)}: a percentage is at most 100")
        canonical = f"{kind}{match['op']}{match['value']}{match['pct']}"
        return cls(kind, match["op"], value, bool(match["pct"]), canonical)

    def check(self, report: DiffReport) -> LimitResult:
        """Apply this limit to a report."""
        count = report.counts[self.kind]
        percent = 100 * count / report.compared if report.compared else 0.0
        found = percent if self.percent else count
        exceeded = found > self.value if self.op == ">" else found >= self.value
        return LimitResult(self, count, percent, exceeded)

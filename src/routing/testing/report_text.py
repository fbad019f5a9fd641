"""``routing diff --format text``: a `DiffReport` as a plan a reviewer reads top to bottom.

Rules first (``+`` added, ``-`` removed, ``~`` changed, ``=`` unchanged but firing on other
tickets), then changed declarations, one line per changed ticket::

    ~ T-17  queue billing -> tech-1  (rule "refunds" changed)

then the route matrix, the volume per queue, the counts per kind of change, the limits,
and a last line that says it all: ``Diff: 3 of 120 tickets change (2 rerouted, ...)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from routing.testing.diff import (
    DiffReport,
    LimitResult,
    RuleChange,
    TicketChange,
    describe_change,
)

__all__ = [
    "RULE_MARKS",
    "change_phrases",
    "columns",
    "render_text",
    "rule_phrase",
    "summary_line",
    "ticket_list",
]

#: The mark in front of a rule, by its status.
RULE_MARKS: Final = {"added": "+", "removed": "-", "changed": "~", "unchanged": "="}
NONE: Final = "(none)"


def columns(rows: Sequence[Sequence[str]], *, right: frozenset[int] = frozenset()) -> list[str]:
    """Rows as aligned lines: two spaces between columns, no trailing blanks."""
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


def queue_name(queue: str | None) -> str:
    """A queue as reports show it: ``(none)`` for no queue."""
    return NONE if queue is None else queue


def change_phrases(ticket: TicketChange) -> list[str]:
    """The phrases of a ticket's changes; `fired` only when nothing else changed (the
    reasons say which rules fire)."""
    shown = [c for c in ticket.changes if c.kind != "fired"] or list(ticket.changes)
    return [describe_change(c) for c in shown]


def ticket_list(ids: Sequence[str], limit: int) -> str:
    """``T-1, T-2 and 3 more``."""
    head = ", ".join(ids[:limit])
    rest = len(ids) - limit
    return f"{head} and {rest} more" if rest > 0 else head


def _tickets(n: int) -> str:
    return f"{n} ticket{'' if n == 1 else 's'}"


def rule_phrase(rule: RuleChange, limit: int = 10) -> list[str]:
    """What a rule does to the tickets: ``now fires on 2 tickets: T-1, T-2``, one per line."""
    out = []
    if rule.now_fires:
        out.append(
            f"now fires on {_tickets(len(rule.now_fires))}: {ticket_list(rule.now_fires, limit)}"
        )
    if rule.no_longer_fires:
        out.append(
            f"no longer fires on {_tickets(len(rule.no_longer_fires))}: "
            f"{ticket_list(rule.no_longer_fires, limit)}"
        )
    if not out:
        out.append(f"fires on the same tickets ({rule.fired_head})")
    return out


def summary_line(report: DiffReport) -> str:
    """``Diff: 3 of 120 tickets change (2 rerouted, 1 new-replies).``"""
    counts = [f"{n} {k}" for k, n in report.counts.items() if k != "changed" and n]
    detail = f" ({', '.join(counts)})" if counts else ""
    skipped = f"; {len(report.skipped)} skipped" if report.skipped else ""
    if not report.changed:
        return f"Diff: no change in {_tickets(report.compared)}{skipped}."
    return f"Diff: {report.changed} of {_tickets(report.compared)} change{detail}{skipped}."


def render_text(report: DiffReport, limits: Sequence[LimitResult] = ()) -> str:
    """The whole text report."""
    lines = [
        f"routing diff: base {report.base} -> head {report.head}",
        f"{_tickets(report.compared)} compared",
    ]
    if report.rules:
        lines += ["", "Rules"]
        for rule in report.rules:
            aspects = ", ".join(a for a, _, _ in rule.details)
            status = f"{rule.status}: {aspects}" if aspects else rule.status
            where = f"{rule.stage}, {rule.location}"
            lines.append(f"  {RULE_MARKS[rule.status]} {rule.name}  ({status}; {where})")
            for aspect, before, after in rule.details:
                lines.append(f"      {aspect}: {before}")
                lines.append(f"      {' ' * len(aspect)}  -> {after}")
            lines += [f"      {p}" for p in rule_phrase(rule)]
    if report.declarations:
        lines += ["", "Declarations"]
        for d in report.declarations:
            lines.append(f"  {RULE_MARKS[d.status]} {d.describe()}")
    if report.tickets:
        lines += ["", "Tickets"]
        width = max(len(t.ticket_id) for t in report.tickets)
        for t in report.tickets:
            why = "; ".join(r.describe() for r in t.reasons)
            tail = f"  ({why})" if why else ""
            lines.append(f"  ~ {t.ticket_id.ljust(width)}  {', '.join(change_phrases(t))}{tail}")
    if report.skipped:
        lines += ["", "Skipped"]
        lines += [f"  ! line {s.line}: {s.error}" for s in report.skipped]
    if report.route_matrix:
        queues = report.queues
        lines += ["", "Route matrix (rows: base queue, columns: head queue)"]
        rows = [["base \\ head", *(queue_name(q) for q in queues)]]
        for b in queues:
            cells = [str(report.route_matrix.get((b, h), 0) or ".") for h in queues]
            if any(c != "." for c in cells):
                rows.append([queue_name(b), *cells])
        right = frozenset(range(1, len(queues) + 1))
        lines += [f"  {r}" for r in columns(rows, right=right)]
        lines += ["", "Queue volume"]
        rows = [["queue", "base", "head", "change"]]
        for q in queues:
            b_n, h_n = report.volume[q]
            rows.append(
                [queue_name(q), str(b_n), str(h_n), f"{h_n - b_n:+d}" if h_n != b_n else "0"]
            )
        lines += [f"  {r}" for r in columns(rows, right=frozenset({1, 2, 3}))]
    if report.changed:
        lines += ["", "Changes"]
        rows = [
            [kind, str(n), f"{100 * n / report.compared:.1f}%"]
            for kind, n in report.counts.items()
            if n
        ]
        lines += [f"  {r}" for r in columns(rows, right=frozenset({1, 2}))]
    if limits:
        lines += ["", "Limits"]
        lines += [f"  {'!' if r.exceeded else 'ok'} {r.describe()}" for r in limits]
    lines += ["", summary_line(report)]
    return "\n".join(lines) + "\n"

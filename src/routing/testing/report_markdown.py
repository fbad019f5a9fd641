"""``routing diff --format markdown``: a `DiffReport` as a pull-request comment.

GitHub-flavoured markdown: a heading that says how many tickets change, a summary table,
the limits, the rules responsible, the route matrix and the volume per queue as tables, and
the per-ticket list inside a collapsible ``<details>`` block, capped (``and N more``).
Every user string (ticket ids, subjects, rule and queue names) is escaped, so a hostile
subject cannot inject markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Final

from routing.testing.diff import DiffReport, LimitResult, RuleChange
from routing.testing.report_text import RULE_MARKS, change_phrases, queue_name, ticket_list

__all__ = ["MAX_TICKETS", "render_markdown"]

#: Changed tickets listed in the ``<details>`` block; the rest are counted.
MAX_TICKETS: Final = 50
#: Ticket ids listed per rule.
MAX_IDS: Final = 10
_SUBJECT: Final = 60
_SPECIAL: Final = re.compile(r"([\\`*_\[\]|~])")
#: The size, in characters, the per-ticket table stops growing at (GitHub comments hold 65536).
BUDGET: Final = 40_000


def md(text: str) -> str:
    """Escape a user string for a markdown table cell: HTML, markdown punctuation, newlines."""
    flat = " ".join(text.split())
    return _SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _arrow(text: str) -> str:
    return text.replace(" -&gt; ", " → ")


def code(text: str) -> str:
    """A user string as inline code (HTML ``<code>``, so backticks and pipes are harmless)."""
    flat = " ".join(text.split())
    return "<code>" + html.escape(flat).replace("|", "&#124;") + "</code>"


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "0.0%"


def _tickets(n: int) -> str:
    return f"{n} ticket{'' if n == 1 else 's'}"


def _cell(n: int, *, moved: bool) -> str:
    if not n:
        return "·"
    return f"**{n}**" if moved else str(n)


def _heading(report: DiffReport) -> str:
    if not report.changed:
        return f"### routing diff: no change in {_tickets(report.compared)}"
    return f"### routing diff: {report.changed} of {_tickets(report.compared)} change"


def _ids(ids: Sequence[str]) -> str:
    return f"{len(ids)}: {md(ticket_list(ids, MAX_IDS))}" if ids else "0"


def _rule_row(rule: RuleChange) -> str:
    what = "<br>".join(f"{md(a)}: {code(b)} → {code(h)}" for a, b, h in rule.details) or "-"
    return (
        f"| {RULE_MARKS[rule.status]} {code(rule.name)} | {rule.status} | {what} | "
        f"{rule.fired_base} → {rule.fired_head} | {_ids(rule.now_fires)} | "
        f"{_ids(rule.no_longer_fires)} |"
    )


def _matrix(report: DiffReport) -> list[str]:
    moved = [(b, h) for (b, h), n in report.route_matrix.items() if n and b != h]
    if not moved:
        return []
    involved = {q for pair in moved for q in pair}
    queues = [q for q in report.queues if q in involved]
    out = [
        "",
        "#### Route matrix",
        "",
        "| base ↓ / head → | " + " | ".join(code(queue_name(q)) for q in queues) + " |",
        "|---|" + "--:|" * len(queues),
    ]
    for b in queues:
        row = [_cell(report.route_matrix.get((b, h), 0), moved=b != h) for h in queues]
        out.append(f"| {code(queue_name(b))} | " + " | ".join(row) + " |")
    out += ["", "| queue | base | head | change |", "|---|--:|--:|--:|"]
    for q in report.queues:
        b_n, h_n = report.volume[q]
        if b_n != h_n:
            out.append(f"| {code(queue_name(q))} | {b_n} | {h_n} | {h_n - b_n:+d} |")
    out += ["", "Only queues that gain or lose tickets are shown."]
    return out


def _ticket_rows(report: DiffReport) -> list[str]:
    out = [
        "",
        f"<details><summary>{_tickets(len(report.tickets))} changed</summary>",
        "",
        "| ticket | subject | changes | why |",
        "|---|---|---|---|",
    ]
    size = 0
    shown = 0
    for t in report.tickets[:MAX_TICKETS]:
        subject = t.subject or ""
        if len(subject) > _SUBJECT:
            subject = subject[: _SUBJECT - 1] + "…"
        changes = "<br>".join(_arrow(md(p)) for p in change_phrases(t))
        why = "<br>".join(md(r.describe()) for r in t.reasons) or "-"
        row = f"| {code(t.ticket_id)} | {md(subject)} | {changes} | {why} |"
        size += len(row)
        if shown and size > BUDGET:
            break
        out.append(row)
        shown += 1
    rest = len(report.tickets) - shown
    if rest:
        out += ["", f"… and {rest} more (the JSON report lists every ticket)."]
    out += ["", "</details>"]
    return out


def render_markdown(report: DiffReport, limits: Sequence[LimitResult] = ()) -> str:
    """The whole markdown report."""
    out = [
        _heading(report),
        "",
        f"base {code(report.base)} → head {code(report.head)}",
    ]
    if report.skipped:
        out += ["", f"⚠️ {_tickets(len(report.skipped))} could not be compared (see the log)."]
    if limits:
        out.append("")
        for r in limits:
            mark = "❌" if r.exceeded else "✅"
            out.append(f"- {mark} {code(r.limit.text)}: {md(r.describe().split(': ', 1)[1])}")
    if report.changed:
        out += ["", "| change | tickets | share |", "|---|--:|--:|"]
        out += [
            f"| {kind} | {n} | {_pct(n, report.compared)} |"
            for kind, n in report.counts.items()
            if n
        ]
    if report.rules:
        out += [
            "",
            "#### Rules responsible",
            "",
            "| rule | status | what changed | fired on (base → head) | now fires on "
            "| no longer fires on |",
            "|---|---|---|--:|---|---|",
        ]
        out += [_rule_row(rule) for rule in report.rules]
    if report.declarations:
        out += ["", "#### Declarations changed", ""]
        out += [f"- {RULE_MARKS[d.status]} {md(d.describe())}" for d in report.declarations]
    out += _matrix(report)
    if report.tickets:
        out += _ticket_rows(report)
    return "\n".join(out) + "\n"

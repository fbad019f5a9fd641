"""``routing diff --format html``: a `DiffReport` as one self-contained HTML page.

The page needs nothing but itself: inline CSS, charts as inline SVG drawn with matplotlib
(no pyplot, so no GUI backend; text kept as SVG ``<text>`` in the browser's own sans-serif
font), no script, no font, no URL; a Content-Security-Policy forbids fetching anything.
Three charts show what people would rather look at than read:

- the route matrix as a heatmap (rows: base queue, columns: head queue, counts in the cells);
- the volume per queue, base and head side by side (grouped bars);
- the shift of SLA due times (first reply and resolution) as a histogram.

Around them: the summary, the limits, the rules responsible, the changed declarations and
a per-ticket table (capped, with the count of the rest). Every user string is escaped with
`html.escape` (ticket subjects are hostile input). The output is deterministic: the SVG ids
come from a fixed salt and carry no date, so the same report gives the same bytes.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from typing import Any, Final

from routing.testing.diff import DiffReport, LimitResult
from routing.testing.report_text import (
    RULE_MARKS,
    change_phrases,
    queue_name,
    summary_line,
    ticket_list,
)

__all__ = ["CHART_IDS", "MAX_TICKETS", "render_html"]

#: Changed tickets listed in the table; the rest are counted.
MAX_TICKETS: Final = 500
#: The ``id`` of each chart's ``<figure>``.
CHART_IDS: Final = ("route-matrix", "queue-volume", "sla-shift")
_MAX_IDS: Final = 20
_BASE_COLOUR: Final = "#9aa5b1"
_HEAD_COLOUR: Final = "#1f6feb"
_METRIC_LABELS: Final = {"first_reply_due": "first reply", "resolution_due": "resolution"}
_METRIC_COLOURS: Final = {"first_reply_due": "#1f6feb", "resolution_due": "#d4a72c"}

_METADATA: Final = re.compile(r"\s*<metadata>.*?</metadata>", re.S)

_CSS: Final = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1f2328;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
.sub{color:#59636e;margin-top:0}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;
font-size:.9em;background:#f6f8fa;padding:.1em .3em;border-radius:4px}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;
text-align:left;vertical-align:top}th{background:#f6f8fa}td.n{text-align:right;
font-variant-numeric:tabular-nums}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
figure{margin:0;flex:1 1 30rem}figure svg{width:100%;height:auto;max-width:40rem}
figcaption{color:#59636e;font-size:.9rem}
.over{color:#cf222e;font-weight:600}.ok{color:#1a7f37}
.mark-added{color:#1a7f37}.mark-removed{color:#cf222e}.mark-changed{color:#9a6700}
.mark-unchanged{color:#59636e}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _tickets(n: int) -> str:
    return f"{n} ticket{'' if n == 1 else 's'}"


# ---------------------------------------------------------------------------- charts


def _svg(figure: Any, salt: str) -> str:
    """The figure as an inline ``<svg>`` element, the same bytes for the same figure."""
    import matplotlib as mpl

    buffer = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": f"routing-diff-{salt}", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    text = _METADATA.sub("", text[text.index("<svg") :])
    return text.strip()


def _figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def _style(ax: Any) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=9)


def _placeholder(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def route_matrix_svg(report: DiffReport) -> str:
    """The route matrix as a heatmap with the count in every non-empty cell."""
    queues = report.queues
    if not queues:
        figure = _figure(4.0, 3.2)
        _placeholder(figure.add_subplot(), "no tickets")
        return _svg(figure, "route-matrix")
    labels = [queue_name(q) for q in queues]
    n = len(queues)
    counts = [[report.route_matrix.get((b, h), 0) for h in queues] for b in queues]
    size = min(7.0, max(3.2, 0.4 * n + 1.6))
    figure = _figure(size + 0.6, size)
    ax = figure.add_subplot()
    shade = [[math.log1p(c) for c in row] for row in counts]
    peak = max((v for row in shade for v in row), default=0.0) or 1.0
    # pcolormesh, not imshow: vector cells, where imshow would embed a raster image
    ax.pcolormesh(shade, cmap="Blues", vmin=0, vmax=peak, edgecolors="white", linewidth=1)
    ax.set_xlim(0, n)
    ax.set_ylim(n, 0)
    ax.set_aspect("equal")
    for i, row in enumerate(counts):
        for j, count in enumerate(row):
            if count:
                dark = shade[i][j] > 0.6 * peak
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    str(count),
                    ha="center",
                    va="center",
                    fontsize=9,
                    color="white" if dark else "#1f2328",
                    fontweight="bold" if i != j else "normal",
                    parse_math=False,
                )
    centres = [k + 0.5 for k in range(n)]
    ax.set_xticks(centres, labels, rotation=40, ha="right", parse_math=False)
    ax.set_yticks(centres, labels, parse_math=False)
    ax.set_xlabel("head queue")
    ax.set_ylabel("base queue")
    ax.tick_params(labelsize=9, length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return _svg(figure, "route-matrix")


def queue_volume_svg(report: DiffReport) -> str:
    """Tickets per queue with the base and with the head rule set, as grouped bars."""
    queues = report.queues
    labels = [queue_name(q) for q in queues]
    base = [report.volume[q][0] for q in queues]
    head = [report.volume[q][1] for q in queues]
    figure = _figure(max(4.0, 0.7 * len(queues) + 1.5), 3.2)
    ax = figure.add_subplot()
    if not queues:
        _placeholder(ax, "no tickets")
        return _svg(figure, "queue-volume")
    width = 0.4
    xs = list(range(len(queues)))
    ax.bar([x - width / 2 for x in xs], base, width, label="base", color=_BASE_COLOUR)
    ax.bar([x + width / 2 for x in xs], head, width, label="head", color=_HEAD_COLOUR)
    ax.set_xticks(xs, labels, rotation=40, ha="right", parse_math=False)
    ax.set_ylabel("tickets")
    ax.legend(fontsize=9, frameon=False)
    _style(ax)
    return _svg(figure, "queue-volume")


def sla_shift_svg(report: DiffReport) -> str:
    """How far SLA due times moved (head minus base), per metric, as a histogram."""
    figure = _figure(4.8, 3.2)
    ax = figure.add_subplot()
    series = {m: v for m, v in report.sla_shifts.items() if v}
    values = [x for v in series.values() for x in v]
    if not values:
        _placeholder(ax, "no due time moved")
    else:
        span = max(abs(x) for x in values)
        unit, scale = ("hours", 60.0) if span >= 600 else ("minutes", 1.0)
        lo, hi = min(values) / scale, max(values) / scale
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        bins = [lo + (hi - lo) * i / 20 for i in range(21)]
        ax.hist(
            [[x / scale for x in series[m]] for m in series],
            bins=bins,
            label=[_METRIC_LABELS.get(m, m) for m in series],
            color=[_METRIC_COLOURS.get(m, "#888888") for m in series],
            stacked=True,
        )
        ax.axvline(0, color="#59636e", linewidth=0.8, linestyle="--")
        ax.set_xlabel(f"due time shift ({unit}; negative: earlier)")
        ax.set_ylabel("tickets")
        ax.legend(fontsize=9, frameon=False)
    _style(ax)
    return _svg(figure, "sla-shift")


# ---------------------------------------------------------------------------- page


def _summary(report: DiffReport, limits: Sequence[LimitResult]) -> list[str]:
    out = ["<h2>Summary</h2>", "<table><tr><th>change</th><th>tickets</th><th>share</th></tr>"]
    total = report.compared or 1
    for kind, n in report.counts.items():
        if n:
            out.append(
                f"<tr><td>{_e(kind)}</td><td class=n>{n}</td>"
                f"<td class=n>{100 * n / total:.1f}%</td></tr>"
            )
    out.append("</table>")
    zero = [kind for kind, n in report.counts.items() if not n]
    if zero:
        out.append(f"<p class=sub>No ticket: {_e(', '.join(zero))}.</p>")
    if limits:
        out.append("<ul>")
        for r in limits:
            cls = "over" if r.exceeded else "ok"
            out.append(f"<li class={cls}>{_e(r.describe())}</li>")
        out.append("</ul>")
    if report.skipped:
        out.append(f"<p class=over>{_tickets(len(report.skipped))} could not be compared:</p>")
        out.append("<ul>")
        out += [f"<li>line {s.line}: {_e(s.error)}</li>" for s in report.skipped[:_MAX_IDS]]
        out.append("</ul>")
    return out


def _rules(report: DiffReport) -> list[str]:
    if not report.rules and not report.declarations:
        return []
    out = ["<h2>Rules responsible</h2>"]
    if report.rules:
        out.append(
            "<table><tr><th></th><th>rule</th><th>status</th><th>what changed</th>"
            "<th>now fires on</th><th>no longer fires on</th></tr>"
        )
        for rule in report.rules:
            details = "<br>".join(
                f"<b>{_e(a)}</b>: <code>{_e(b)}</code> → <code>{_e(h)}</code>"
                for a, b, h in rule.details
            )
            now = ticket_list(rule.now_fires, _MAX_IDS)
            gone = ticket_list(rule.no_longer_fires, _MAX_IDS)
            out.append(
                f"<tr><td class=mark-{rule.status}>{RULE_MARKS[rule.status]}</td>"
                f"<td><code>{_e(rule.name)}</code><br><small>{_e(rule.stage)}, "
                f"{_e(rule.location)}</small></td><td>{_e(rule.status)}</td>"
                f"<td>{details or '-'}</td>"
                f"<td>{len(rule.now_fires)}{': ' + _e(now) if now else ''}</td>"
                f"<td>{len(rule.no_longer_fires)}{': ' + _e(gone) if gone else ''}</td></tr>"
            )
        out.append("</table>")
    if report.declarations:
        out.append("<p>Declarations changed:</p><ul>")
        out += [f"<li>{_e(d.describe())}</li>" for d in report.declarations]
        out.append("</ul>")
    return out


def _tickets_table(report: DiffReport) -> list[str]:
    if not report.tickets:
        return []
    shown = report.tickets[:MAX_TICKETS]
    out = [
        f"<h2>Tickets that change ({len(report.tickets)})</h2>",
        "<table><tr><th>line</th><th>ticket</th><th>subject</th><th>changes</th><th>why</th></tr>",
    ]
    for t in shown:
        changes = "<br>".join(_e(p) for p in change_phrases(t))
        why = "<br>".join(_e(r.describe()) for r in t.reasons) or "-"
        out.append(
            f"<tr><td class=n>{t.line}</td><td><code>{_e(t.ticket_id)}</code></td>"
            f"<td>{_e(t.subject or '')}</td><td>{changes}</td><td>{why}</td></tr>"
        )
    out.append("</table>")
    rest = len(report.tickets) - len(shown)
    if rest:
        out.append(f"<p>… and {rest} more (the JSON report lists every ticket).</p>")
    return out


def render_html(report: DiffReport, limits: Sequence[LimitResult] = ()) -> str:
    """The whole HTML page."""
    if report.changed:
        title = f"{report.changed} of {_tickets(report.compared)} change"
    else:
        title = f"no change in {_tickets(report.compared)}"
    charts = [
        (
            CHART_IDS[0],
            "Route matrix: tickets per base queue (rows) and head queue (columns)",
            route_matrix_svg(report),
        ),
        (CHART_IDS[1], "Tickets per queue, base and head", queue_volume_svg(report)),
        (CHART_IDS[2], "SLA due time shift per ticket whose due time moved", sla_shift_svg(report)),
    ]
    page = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>routing diff: {_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>routing diff: {_e(title)}</h1>",
        f'<p class="sub">base <code>{_e(report.base)}</code> → head '
        f"<code>{_e(report.head)}</code>, {_tickets(report.compared)} compared</p>",
        f"<p>{_e(summary_line(report))}</p>",
        *_summary(report, limits),
        '<h2>Charts</h2><div class="charts">',
    ]
    for chart_id, caption, svg in charts:
        page.append(f'<figure id="{chart_id}">{svg}<figcaption>{_e(caption)}</figcaption></figure>')
    page.append("</div>")
    page += _rules(report)
    page += _tickets_table(report)
    page += ["</body>", "</html>"]
    return "\n".join(page) + "\n"

"""``routing explain RULES --ticket FILE``: why each rule fired or not, for one ticket.

The ticket file holds one JSON object: a ticket, or an envelope
``{"ticket": {...}, "now": "..."}`` carrying its evaluation instant (``-`` reads standard
input), or one e-mail (an .eml file, or an mbox or Maildir holding one message). With
``--id ID`` the file may be JSON Lines, CSV, an mbox or a Maildir, as for ``routing dry-run``,
and the first ticket with that id is explained.

``--format text`` (default) lists, stage by stage, each rule with a marker (✓ fired,
· not matched, ✗ error, an en dash for skipped, disabled, other event or stopped), the value
of each of its sub-tests, and then the decision. ``--format json`` prints
``{"decision": ..., "trace": [...]}``.

Exit codes: 0 explained; 1 the rule set did not load, or the ticket could not be read;
2 usage error (bad option, naive ``--now``, missing file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from routing.cli._tickets import (
    INPUT_FORMATS,
    MAIL_FORMATS,
    Record,
    TicketReader,
    TicketSourceError,
    guess_format,
    parse_instant,
    record_from_data,
)
from routing.cli.main import EXIT_FINDING, EXIT_OK, EXIT_USAGE
from routing.model.decision import jsonable

__all__ = ["MARKERS", "register", "render_text"]

_DASH: Final = "\u2013"

#: The marker printed before a rule, per trace outcome.
MARKERS: Final = {
    "fired": "✓",
    "not-matched": "·",
    "error": "✗",
    "skipped": _DASH,
    "disabled": _DASH,
    "other-event": _DASH,
    "stopped": _DASH,
}
_NOT_EVALUATED: Final = "(not evaluated)"
_MAX_VALUE: Final = 80
_MAX_TEST: Final = 60


class _UsageError(Exception):
    """A bad argument: one line on stderr and exit code 2."""


class _InputError(Exception):
    """The ticket could not be read: one line on stderr and exit code 1."""


def register(subparsers: Any) -> None:
    """Add ``routing explain``."""
    p = subparsers.add_parser(
        "explain",
        help="why each rule fired or not, for one ticket",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("rules", metavar="RULES", help="a rule file or directory")
    p.add_argument(
        "--ticket", required=True, metavar="FILE", help="a JSON ticket (or envelope) file, or -"
    )
    p.add_argument("--id", metavar="ID", help="explain the ticket with this id in FILE")
    p.add_argument("--input-format", choices=INPUT_FORMATS, help="with --id: the file's format")
    p.add_argument(
        "--now", metavar="T", help="evaluation instant, ISO 8601 with offset (default: this minute)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except _UsageError as exc:
        sys.stderr.write(f"routing explain: error: {exc}\n")
        return EXIT_USAGE
    except _InputError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_FINDING


def _run(args: argparse.Namespace) -> int:
    import routing
    from routing.cli.output import render

    if args.now is None:
        now = datetime.now(UTC).replace(second=0, microsecond=0)
    else:
        try:
            now = parse_instant(args.now)
        except ValueError as exc:
            raise _UsageError(f"--now: {exc}") from None
    mail = _mail_format(args)
    if args.ticket != "-" and not os.path.isfile(args.ticket) and mail != "maildir":
        what = "is a directory" if os.path.isdir(args.ticket) else "not found"
        raise _UsageError(f"ticket file '{args.ticket}' {what}")

    try:
        ruleset = routing.load(args.rules)
    except routing.RuleError as exc:
        sys.stderr.write(render(exc.diagnostics, "text") + "\n")
        return EXIT_FINDING

    if args.id is not None:
        record = _find(args, ruleset)
    elif mail is not None:
        record = _only_message(args.ticket, mail, ruleset)
    else:
        record = _read_one(args.ticket)
    assert record.ticket is not None
    at = record.now or now
    try:
        decision = ruleset.explain(record.ticket, at, event=record.event, history=record.history)
    except routing.RoutingError as exc:  # a malformed history entry
        raise _InputError(f"{args.ticket}: error: {exc}") from None
    if args.format == "json":
        data = decision.to_dict(trace=True)
        trace = data.pop("trace")
        text = json.dumps({"decision": data, "trace": trace}, ensure_ascii=False, indent=2)
        sys.stdout.write(text + "\n")
    else:
        from routing.cli.output import printable

        sys.stdout.write(printable(render_text(decision, at)))
    return EXIT_OK


def _read_one(path: str) -> Record:
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            raw = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as handle:
                raw = handle.read()
    except OSError as exc:
        raise _UsageError(f"cannot read '{path}': {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.removeprefix(b"\xef\xbb\xbf"))
    except ValueError as exc:
        line = getattr(exc, "lineno", 1)
        hint = ""
        if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data":
            hint = " (more than one JSON value: pick a ticket with --id ID)"
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise _InputError(f"{name}:{line}: error: not JSON: {message}{hint}") from None
    except RecursionError:
        raise _InputError(f"{name}:1: error: not JSON: nested too deeply") from None
    record = record_from_data(1, data)
    if record.ticket is None:
        raise _InputError(f"{name}: error: {record.error}")
    return record


def _mail_format(args: argparse.Namespace) -> str | None:
    """The mail format of ``--ticket`` (eml, mbox, maildir), or None for a JSON ticket."""
    if args.input_format is not None:
        return str(args.input_format) if args.input_format in MAIL_FORMATS else None
    if args.ticket == "-":
        return None
    try:
        fmt = guess_format(args.ticket, None)
    except TicketSourceError:
        return None  # read as JSON, which says what is wrong
    return fmt if fmt in MAIL_FORMATS else None


def _only_message(path: str, fmt: str, ruleset: Any) -> Record:
    """The one message of a mail file: an .eml, or an mbox/Maildir holding exactly one."""
    try:
        reader = TicketReader(path, fmt, field_types=ruleset.checked.field_types)
    except TicketSourceError as exc:
        raise _UsageError(str(exc)) from None
    with reader:
        records = []
        for record in reader:
            records.append(record)
            if len(records) > 1:
                raise _InputError(
                    f"{reader.name}: error: it holds more than one message; "
                    "pick one with --id MESSAGE-ID"
                )
    if not records:
        raise _InputError(f"{reader.name}: error: it holds no message")
    record = records[0]
    if record.ticket is None:
        raise _InputError(f"{reader.name}: error: {record.error}")
    return record


def _find(args: argparse.Namespace, ruleset: Any) -> Record:
    try:
        fmt = guess_format(args.ticket, args.input_format)
        reader = TicketReader(args.ticket, fmt, field_types=ruleset.checked.field_types)
    except TicketSourceError as exc:
        raise _UsageError(str(exc)) from None
    with reader:
        for record in reader:
            if record.ticket is not None and record.ticket.id == args.id:
                return record
    raise _InputError(f"{reader.name}: error: no ticket with id '{args.id}'")


# ---------------------------------------------------------------------------- text


def render_text(decision: Any, now: datetime) -> str:
    """The explanation of one decision (made with a trace) for a person to read."""
    lines = [f"ticket {decision.ticket_id} at {now.isoformat()}", ""]
    stage = None
    for t in decision.trace:
        if t.stage != stage:
            if stage is not None:
                lines.append("")
            stage = t.stage
            lines.append(f"stage {stage}")
        marker = MARKERS.get(t.outcome, "?")
        head = f"  {marker} {t.rule}"
        if t.outcome not in ("fired", "not-matched", "error"):
            head += f"  ({t.outcome})"
        lines.append(head)
        if t.error is not None:
            lines.append(f"      error[{t.error.code}]: {t.error.message}")
        lines.extend(_tests(t.tests))
    lines.append("")
    lines.extend(_decision(decision))
    return "\n".join(lines) + "\n"


def _tests(tests: Sequence[tuple[str, Any]]) -> list[str]:
    """Sub-tests as an indented tree: a test sits under the nearest earlier one containing it.

    The engine lists sub-tests in pre-order with their printed text, so a test's text is part
    of its parent's text.
    """
    if not tests:
        return []
    stack: list[str] = []
    rows: list[tuple[str, Any]] = []
    for text, value in tests:
        while stack and text not in stack[-1]:
            stack.pop()
        rows.append(("  " * len(stack) + text, value))
        stack.append(text)
    width = min(_MAX_TEST, max(len(text) for text, _ in rows))
    return [f"      {text.ljust(width)}  → {show_value(value)}" for text, value in rows]


def show_value(value: Any) -> str:
    """A sub-test's value as short JSON (``true``, ``"acme.com"``, ``["a", "b"]``)."""
    if isinstance(value, str) and value == _NOT_EVALUATED:
        return _NOT_EVALUATED
    if isinstance(value, Exception):
        return f"error: {value}"
    text = json.dumps(jsonable(value), ensure_ascii=False)
    if len(text) > _MAX_VALUE:
        text = text[: _MAX_VALUE - 1] + "…"
    return text


def _decision(d: Any) -> list[str]:
    rows: list[tuple[str, str]] = [
        ("queue", d.queue or "-"),
        ("priority", d.priority),
        ("status", d.status),
        ("assignee", _assignee(d)),
        ("tags", ", ".join(d.tags) or "-"),
        ("spam", f"{'yes' if d.spam else 'no'} (score {d.spam_score:g})"),
        ("fields", ", ".join(f"{k}={show_value(v)}" for k, v in d.fields.items()) or "-"),
        ("fired", ", ".join(d.fired) or "-"),
    ]
    width = max(len(k) for k, _ in rows)
    lines = ["decision"]
    lines.extend(f"  {k.ljust(width)}  {v}" for k, v in rows)
    if d.effects:
        lines.append("  effects")
        lines.extend(f"    {_effect(e)}" for e in d.effects)
    lines.extend(_sla(d.sla, width))
    if d.suppressed:
        lines.append("  suppressed replies")
        lines.extend(
            f"    {s.template} (rule '{s.rule}'): {s.code}: {s.reason}" for s in d.suppressed
        )
    if d.errors:
        lines.append("  errors")
        for e in d.errors:
            where = f"rule '{e.rule}': " if e.rule else ""
            lines.append(f"    {where}error[{e.code}]: {e.message}")
    return lines


def _assignee(d: Any) -> str:
    if d.assignee is None and not d.assignment:
        return "-"
    text = d.assignee or "-"
    a = d.assignment or {}
    if a.get("strategy"):
        text += f" ({a['strategy']}"
        if a.get("reason"):
            text += f": {a['reason']}"
        text += ")"
    return text


def _effect(e: Any) -> str:
    if e.type == "reply":
        text = f"reply {e.template}"
        if e.to:
            text += f" to {e.to}"
    elif e.type == "notify":
        text = "notify " + (e.to or "-")
        if e.template:
            text += f" ({e.template})"
    else:
        text = f"{e.type} {e.url or ''}".rstrip()
    return f"{text}  [rule '{e.rule}']"


_SLA_TIMES: Final = (
    ("first_reply_due", "first reply due"),
    ("next_reply_due", "next reply due"),
    ("periodic_update_due", "update due"),
    ("resolution_due", "resolution due"),
)


def _sla(sla: dict[str, Any] | None, width: int) -> list[str]:
    label = "sla".ljust(width)
    if not sla:
        return [f"  {label}  -"]
    head = f"  {label}  {sla.get('policy')} on {sla.get('calendar')}"
    if sla.get("paused"):
        head += " (paused)"
    lines = [head]
    breached = set(sla.get("breached") or ())
    warning = set(sla.get("warning") or ())
    for key, label in _SLA_TIMES:
        value = sla.get(key)
        if value is None:
            continue
        target = key.removesuffix("_due")
        note = " (breached)" if target in breached else " (warning)" if target in warning else ""
        lines.append(f"    {label.ljust(15)}  {value}{note}")
    return lines

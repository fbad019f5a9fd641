"""``routing dry-run RULES --tickets FILE``: the decisions of a rule set for recorded tickets.

Each ticket is evaluated at ``--now`` (default: the current minute, UTC) unless its line is an
envelope ``{"ticket": {...}, "now": "..."}`` (or its CSV row has a ``now`` cell); an envelope
may also give the ``event`` and the reply ``history``. Output, on
standard output or ``--output PATH``:

- ``jsonl``: one decision JSON object per line (DESIGN section 7; ``--trace`` adds the trace),
  written as UTF-8 bytes (`jsonl_bytes`) to the file or standard output's binary buffer;
- ``table``: one row per ticket (a rich table on a terminal, aligned plain text otherwise);
- ``summary``: counts per queue, priority, tag, SLA policy, effects, errors, unfired rules.

The default is ``table`` when the output is a terminal and ``jsonl`` otherwise. A line that
cannot be read is reported on standard error as ``FILE:LINE: error: message`` and skipped.

Exit codes: 0 every line evaluated; 1 a line was skipped, or the rule set did not load;
2 usage error (bad option, naive ``--now``, missing tickets file).
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import IO, Any, Final, Protocol

import orjson

from routing.cli._parallel import Evaluation, Project, WorkerError
from routing.cli._tickets import INPUT_FORMATS, TicketSourceError, guess_format, parse_instant
from routing.cli.main import EXIT_FINDING, EXIT_OK, EXIT_USAGE
from routing.model.decision import Decision

__all__ = ["MAX_LINE_ERRORS", "register"]

#: Malformed lines reported one by one; the rest are counted.
MAX_LINE_ERRORS: Final = 20
OUTPUT_FORMATS: Final = ("table", "jsonl", "summary")
_PRIORITY_ORDER: Final = ("urgent", "high", "normal", "low")
_TOP_TAGS: Final = 20

_dumps: Final = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_orjson_dumps: Final = orjson.dumps


class _UsageError(Exception):
    """A bad argument: one line on stderr and exit code 2."""


class _Sink(Protocol):
    def add(self, payload: Any) -> None: ...

    def flush(self) -> None: ...

    def finish(self) -> None: ...


def register(subparsers: Any) -> None:
    """Add ``routing dry-run``."""
    p = subparsers.add_parser(
        "dry-run",
        help="decisions of a rule set for recorded tickets",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("rules", metavar="RULES", help="a rule file or directory")
    p.add_argument(
        "--tickets",
        required=True,
        metavar="FILE",
        help="JSON Lines (.jsonl, .ndjson, .json-lines), CSV (.csv), e-mail (an .eml file, an "
        "mbox file, a Maildir folder), or - for JSON Lines on stdin",
    )
    p.add_argument(
        "--input-format", choices=INPUT_FORMATS, help="the tickets' format (default: by extension)"
    )
    p.add_argument(
        "--now", metavar="T", help="evaluation instant, ISO 8601 with offset (default: this minute)"
    )
    p.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        help="output format (default: table on a terminal, else jsonl)",
    )
    p.add_argument("--output", metavar="PATH", help="write the output to PATH, not stdout")
    p.add_argument("--trace", action="store_true", help="jsonl: add each rule's outcome")
    p.add_argument("--no-progress", action="store_true", help="never show a progress bar on stderr")
    p.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="worker processes (default: every CPU; 1: no worker processes)",
    )
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except _UsageError as exc:
        sys.stderr.write(f"routing dry-run: error: {exc}\n")
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    import routing
    from routing.cli.output import render

    now = _default_now(args.now)
    fmt_in = ticket_source(args)
    if args.trace and args.format not in (None, "jsonl"):
        raise _UsageError(f"--trace works with --format jsonl, not {args.format}")

    terminal = args.output is None and _isatty(sys.stdout)
    fmt = args.format or ("jsonl" if args.trace or not terminal else "table")
    try:
        evaluation = Evaluation(
            [args.rules],
            args.tickets,
            fmt_in,
            now=now,
            jobs=args.jobs,
            trace=args.trace,
            project=_PROJECTS[fmt],
        )
    except routing.RuleError as exc:
        sys.stderr.write(render(exc.diagnostics, "text") + "\n")
        return EXIT_FINDING
    except TicketSourceError as exc:
        raise _UsageError(str(exc)) from None
    with evaluation:
        if fmt == "jsonl":
            write, close = _open_binary_output(args.output)
            sink: _Sink = _JsonlSink(write)
        else:
            out, close = _open_output(args.output)
            sink = _make_sink(fmt, out, terminal, evaluation.rulesets[0].rule_names)
        try:
            show_progress = (
                not args.no_progress
                and _isatty(sys.stderr)
                and not os.environ.get("CI")
                and not (terminal and fmt == "jsonl")
            )
            try:
                skipped = _evaluate_all(evaluation, sink, show_progress)
            except TicketSourceError as exc:  # a CSV header that cannot be used
                raise _UsageError(str(exc)) from None
            except WorkerError as exc:
                sink.flush()
                sys.stderr.write(f"routing dry-run: error: {exc}\n")
                return EXIT_FINDING
            sink.finish()
        finally:
            close()
    return EXIT_FINDING if skipped else EXIT_OK


def ticket_source(args: argparse.Namespace) -> str:
    """The input format of ``--tickets`` after checking it and ``--jobs`` (dry-run, diff).

    Raises:
        _UsageError: N below 1, a tickets file that is missing or of no known format.
    """
    if args.jobs is not None and args.jobs < 1:
        raise _UsageError(f"--jobs: expected a number of processes >= 1, found {args.jobs}")
    try:
        fmt = guess_format(args.tickets, args.input_format)
    except TicketSourceError as exc:
        raise _UsageError(str(exc)) from None
    if args.tickets != "-" and not os.path.exists(args.tickets):
        raise _UsageError(f"tickets file '{args.tickets}' not found")
    return fmt


def _default_now(text: str | None) -> datetime:
    if text is None:
        return datetime.now(UTC).replace(second=0, microsecond=0)
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise _UsageError(f"--now: {exc}") from None


def _isatty(stream: IO[Any]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _open_output(path: str | None) -> tuple[IO[str], Callable[[], None]]:
    if path is None:
        return sys.stdout, sys.stdout.flush
    try:
        handle = open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20)  # noqa: SIM115
    except OSError as exc:
        raise _UsageError(f"--output: cannot write '{path}': {exc.strerror or exc}") from None
    return handle, handle.close


def _open_binary_output(
    path: str | None,
) -> tuple[Callable[[bytes], object], Callable[[], None]]:
    """`_open_output` for bytes: the write and close functions of the file in binary mode,
    or of standard output's binary buffer."""
    if path is None:
        stdout = sys.stdout
        buffer = getattr(stdout, "buffer", None)
        if buffer is None:  # a text-only stand-in (io.StringIO): decode for it
            return lambda data: stdout.write(data.decode()), stdout.flush
        stdout.flush()  # whatever was written as text goes first
        return buffer.write, buffer.flush
    try:
        handle = open(path, "wb", buffering=1 << 20)  # noqa: SIM115
    except OSError as exc:
        raise _UsageError(f"--output: cannot write '{path}': {exc.strerror or exc}") from None
    return handle.write, handle.close


def _evaluate_all(evaluation: Evaluation, sink: _Sink, show_progress: bool) -> int:
    """Evaluate every record into `sink`; report malformed lines; return how many were skipped."""
    add = sink.add
    name = evaluation.name
    skipped = 0
    evaluated = 0
    messages: list[str] = []
    progress = _Progress(evaluation) if show_progress else None
    try:
        for rows in evaluation:
            for line, _id, _subject, payloads, error in rows:
                if payloads is None:
                    skipped += 1
                    if skipped <= MAX_LINE_ERRORS:
                        messages.append(f"{name}:{line}: error: {error}\n")
                    continue
                add(payloads[0])
                evaluated += 1
            sink.flush()
            if messages:
                sys.stderr.write("".join(messages))
                messages.clear()
            if progress is not None:
                progress.update(evaluated)
    finally:
        if progress is not None:
            progress.stop()
    if skipped > MAX_LINE_ERRORS:
        messages.append(f"{name}: {skipped - MAX_LINE_ERRORS} more malformed lines not shown\n")
    if skipped:
        messages.append(
            f"{name}: skipped {skipped} malformed line{'s' if skipped != 1 else ''}, "
            f"evaluated {evaluated} ticket{'s' if evaluated != 1 else ''}\n"
        )
    if messages:
        sys.stderr.write("".join(messages))
    return skipped


class _Progress:
    """A rich progress bar on stderr, advanced once per batch of tickets."""

    def __init__(self, reader: Evaluation, description: str = "dry-run") -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        self._reader = reader
        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[tickets]} tickets"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task(description, total=reader.size, tickets=0)
        self._progress.start()

    def update(self, tickets: int) -> None:
        self._progress.update(self._task, completed=self._reader.bytes_read, tickets=tickets)

    def stop(self) -> None:
        self._progress.stop()


# ---------------------------------------------------------------------------- sinks


# Each output format has a projection, run where the ticket is evaluated (possibly in a worker
# process), that keeps of a decision only what its sink needs, and a sink that adds up the
# projections in source order. Projections are module-level functions so that they pickle.


def _make_sink(fmt: str, out: IO[str], terminal: bool, rule_names: Sequence[str]) -> _Sink:
    if fmt == "table":
        return _TableSink(out, rich=terminal)
    return _SummarySink(out, rule_names)


def jsonl_line(decision: Any, trace: bool) -> str:
    """The decision's JSON text, one line: what ``json`` writes for
    ``decision.to_dict(trace=trace)`` (compact, UTF-8 as is), as `jsonl_bytes` writes it."""
    data = None if trace else _orjson_line(decision)
    if data is not None:
        return data.decode()
    text: str = _dumps(decision.to_dict(trace=trace))
    return text


def jsonl_bytes(decision: Any, trace: bool) -> bytes:
    """The ``jsonl`` projection: `jsonl_line` encoded as UTF-8.

    Without the trace, orjson writes the line, about four times faster, whenever every value
    is one orjson writes byte for byte as ``json`` does (`_orjson_object`); otherwise, and
    whenever orjson refuses a value, ``json`` writes it. Bytes, because orjson gives bytes
    and the sink writes bytes: nothing is decoded here or encoded again by the output file.
    """
    data = None if trace else _orjson_line(decision)
    if data is not None:
        return data
    text: str = _dumps(decision.to_dict(trace=trace))
    return text.encode()


def _orjson_line(decision: Any) -> bytes | None:
    """orjson's line for the decision, or None when ``json`` must write it."""
    try:
        data = _orjson_object(decision)
    except RecursionError:  # nested too deeply (or a cycle): json says which
        return None
    if data is None:
        return None
    try:
        return _orjson_dumps(data)
    except TypeError:  # a key that is not a string, an integer beyond 64 bits, ...
        return None


# orjson and json write the same bytes for a str, None, a bool, an int of 64 bits (orjson
# raises beyond) and a float in [1e-4, 1e16) or zero; they differ for other floats (orjson:
# 1e16 and 0.00001, json: 1e+16 and 1e-05; NaN and infinities: null vs NaN, Infinity) and for
# types json refuses but orjson writes (enums, UUIDs, dataclasses, datetimes). So a value goes
# to orjson only after `_plain` has seen every leaf; tests/cli/test_jsonl_writer.py checks the
# equivalence, orjson's float digits included.
_ORJSON_MIN: Final = 1e-4
_ORJSON_MAX: Final = 1e16
_INT_MIN: Final = -(1 << 63)
_INT_END: Final = 1 << 64
_LEAVES: Final[frozenset[type]] = frozenset({str, bool, type(None)})
_SEQUENCES: Final[frozenset[type]] = frozenset({tuple, list})


def _plain(value: Any) -> bool:
    """True when orjson writes `value` (a JSON tree) exactly as ``json`` does, or refuses it."""
    kind = type(value)
    if kind is dict:
        # Keys need no look: orjson raises on a key that is not a string (json converts it).
        return _plain_items(value.values())
    if kind is list or kind is tuple:
        return _plain_items(value)
    return _plain_items((value,))


def _plain_items(
    values: Any,
    # Bound as defaults: locals, not global lookups, in the loop below.
    leaves: frozenset[type] = _LEAVES,
    low: float = _ORJSON_MIN,
    high: float = _ORJSON_MAX,
    int_min: int = _INT_MIN,
    int_end: int = _INT_END,
) -> bool:
    # A loop with the leaves inline: one call per non-empty container, not one per value.
    for value in values:
        kind = type(value)
        if kind in leaves:
            continue
        if kind is float:
            # False for NaN and the infinities too: every comparison with NaN is false.
            if not (low <= value < high or -high < value <= -low) and value != 0.0:
                return False
        elif kind is dict:
            if value and not _plain_items(value.values()):
                return False
        elif kind is list or kind is tuple:
            if value and not _plain_items(value):
                return False
        elif kind is int:
            if not int_min <= value < int_end:
                return False
        else:
            return False
    return True


# The 13 values of the JSON object (not in its order), fetched from the instance dict in one
# C call.
_DECISION_VALUES_NAMES: Final = (
    "ticket_id",
    "queue",
    "priority",
    "status",
    "assignee",
    "spam",
    "spam_score",
    "tags",
    "fired",
    "fields",
    "sla",
    "effects",
    "errors",
)
_DECISION_VALUES: Final = operator.itemgetter(*_DECISION_VALUES_NAMES)


def _orjson_object(d: Any) -> dict[str, Any] | None:
    """``d.to_dict()`` for orjson (tuples unconverted, nothing copied), or None when some
    value might be written otherwise than by ``json`` (see `_plain`)."""
    # A Decision's values come from its instance dict in one C call; anything else that
    # looks like one gives them attribute by attribute.
    if type(d) is Decision:
        values = _DECISION_VALUES(d.__dict__)
    else:
        values = tuple(getattr(d, name) for name in _DECISION_VALUES_NAMES)
    (
        ticket_id,
        queue,
        priority,
        status,
        assignee,
        spam,
        score,
        tags,
        fired,
        fields,
        sla,
        effects,
        errors,
    ) = values
    if not (
        # `to_dict` lists the tags and the fired rules: a tuple or a list is written alike,
        # anything else (a text, a dict) otherwise
        type(tags) in _SEQUENCES
        and type(fired) in _SEQUENCES
        # The type checks of the leaves run in C (no Python loop), in one call: str, bool or
        # None (a tag or a rule name that is None or a bool is written alike too).
        and _LEAVES.issuperset(
            map(type, (ticket_id, queue, priority, status, assignee, spam, *tags, *fired))
        )
        and (
            # the usual spam score inline, anything else the general way
            (type(score) is float and (_ORJSON_MIN <= abs(score) < _ORJSON_MAX or score == 0.0))
            or _plain_items((score,))
        )
        and type(fields) is dict
        and _plain_items(fields.values())
        and (sla is None or (type(sla) is dict and _plain_items(sla.values())))
    ):
        return None
    if effects:
        effects = [e.to_dict() for e in effects]
        if not _plain_items(effects):
            return None
    else:
        effects = []
    if errors:
        errors = [e.to_dict() for e in errors]
        if not _plain_items(errors):
            return None
    else:
        errors = []
    return {
        "ticket_id": ticket_id,
        "queue": queue,
        "priority": priority,
        "status": status,
        "assignee": assignee,
        "tags": tags,
        "spam": spam,
        "spam_score": score,
        "fields": fields,
        "fired": fired,
        "effects": effects,
        "sla": sla,
        "errors": errors,
    }


class _JsonlSink:
    """One decision JSON object per line (UTF-8 bytes), written once per batch."""

    def __init__(self, write: Callable[[bytes], object]) -> None:
        self._write = write
        self._lines: list[bytes] = []

    def add(self, payload: bytes) -> None:
        self._lines.append(payload)

    def flush(self) -> None:
        if self._lines:
            self._lines.append(b"")
            self._write(b"\n".join(self._lines))
            self._lines.clear()

    def finish(self) -> None:
        pass


TABLE_HEADER: Final = ("ticket", "queue", "priority", "tags", "spam", "fired", "replies", "errors")


def table_row(decision: Any) -> tuple[str, ...]:
    """The cells of one decision in the ``table`` format."""
    replies = [e.template or "-" for e in decision.effects if e.type == "reply"]
    return (
        decision.ticket_id,
        decision.queue or "-",
        decision.priority,
        ", ".join(decision.tags),
        "yes" if decision.spam else "no",
        ", ".join(decision.fired),
        ", ".join(replies),
        _codes(decision.errors),
    )


def table_payload(decision: Any, trace: bool) -> tuple[str, ...]:
    """The ``table`` projection: the decision's row."""
    return table_row(decision)


def _codes(errors: Sequence[Any]) -> str:
    counts = Counter(e.code for e in errors)
    return ", ".join(code if n == 1 else f"{code} ({n})" for code, n in counts.items())


class _TableSink:
    """A row per ticket: rich on a terminal, aligned plain text otherwise (at the end)."""

    def __init__(self, out: IO[str], *, rich: bool) -> None:
        self._out = out
        self._rich = rich
        self._rows: list[tuple[str, ...]] = []

    def add(self, payload: tuple[str, ...]) -> None:
        self._rows.append(payload)

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        from routing.cli.output import printable

        rows = [tuple(printable(cell) for cell in row) for row in self._rows]
        if self._rich:
            from rich.console import Console
            from rich.table import Table
            from rich.text import Text

            table = Table(*TABLE_HEADER)
            for row in rows:
                # Text, not a str: rich would read "[bold]" or "[/x]" in a ticket id as markup
                table.add_row(*(Text(cell) for cell in row))
            Console(file=self._out).print(table)
            return
        self._out.write(format_columns([TABLE_HEADER, *rows]))


def format_columns(rows: Sequence[Sequence[str]], *, right: frozenset[int] = frozenset()) -> str:
    """Rows as aligned plain text: two spaces between columns, no trailing blanks."""
    if not rows:
        return ""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip() + "\n")
    return "".join(lines)


#: What the summary counts of one decision: spam, queue, priority, tags, fired rules, SLA policy,
#: effect types, suppressed-reply codes, error codes.
SummaryPayload = tuple[
    bool,
    str,
    str,
    tuple[str, ...],
    tuple[str, ...],
    str,
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
]


def summary_payload(d: Any, trace: bool) -> SummaryPayload:
    """The ``summary`` projection: what the summary counts of the decision."""
    return (
        d.spam,
        d.queue or "(none)",
        d.priority,
        d.tags,
        d.fired,
        d.sla["policy"] if d.sla else "(none)",
        tuple(e.type for e in d.effects),
        tuple(s.code for s in d.suppressed),
        tuple(e.code for e in d.errors),
    )


class _SummarySink:
    """Counts over every decision, printed as text at the end."""

    def __init__(self, out: IO[str], rule_names: Sequence[str]) -> None:
        self._out = out
        self._rule_names = rule_names
        self.tickets = 0
        self.spam = 0
        self.queues: Counter[str] = Counter()
        self.priorities: Counter[str] = Counter()
        self.tags: Counter[str] = Counter()
        self.effects: Counter[str] = Counter()
        self.suppressed: Counter[str] = Counter()
        self.policies: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.fired: Counter[str] = Counter()

    def add(self, payload: SummaryPayload) -> None:
        spam, queue, priority, tags, fired, policy, effects, suppressed, errors = payload
        self.tickets += 1
        self.spam += spam
        self.queues[queue] += 1
        self.priorities[priority] += 1
        self.tags.update(tags)
        self.fired.update(fired)
        self.policies[policy] += 1
        if effects:
            self.effects.update(effects)
        if suppressed:
            self.suppressed.update(suppressed)
        if errors:
            self.errors.update(errors)

    def flush(self) -> None:
        pass

    def finish(self) -> None:
        from routing.cli.output import printable

        self._out.write(printable(self.render()))

    def render(self) -> str:
        """The summary text."""
        replies = self.effects["reply"]
        suppressed = sum(self.suppressed.values())
        unfired = [n for n in self._rule_names if not self.fired[n]]
        top = [
            ("tickets", str(self.tickets)),
            ("spam", str(self.spam)),
            ("replies", f"{replies} sent, {suppressed} suppressed"),
            ("notify", str(self.effects["notify"])),
            ("webhook", str(self.effects["webhook"])),
            ("errors", str(sum(self.errors.values()))),
        ]
        parts = [format_columns(top)]
        priorities = Counter({p: self.priorities[p] for p in _PRIORITY_ORDER if self.priorities[p]})
        parts.append(_section("queue", self.queues))
        parts.append(_section("priority", priorities, ordered=True))
        tag_title = f"tag (top {_TOP_TAGS})" if len(self.tags) > _TOP_TAGS else "tag"
        parts.append(_section(tag_title, self.tags, limit=_TOP_TAGS))
        parts.append(_section("sla policy", self.policies))
        parts.append(_section("suppressed reply", self.suppressed))
        parts.append(_section("error", self.errors))
        never = f"rules that never fired ({len(unfired)} of {len(self._rule_names)})\n"
        parts.append(never + "".join(f"  {n}\n" for n in unfired))
        return "\n".join(p for p in parts if p)


_PROJECTS: Final[dict[str, Project]] = {
    "jsonl": jsonl_bytes,
    "table": table_payload,
    "summary": summary_payload,
}


def _section(
    title: str, counts: Counter[str], *, ordered: bool = False, limit: int | None = None
) -> str:
    if not counts:
        return ""
    items = list(counts.items())
    if not ordered:
        items.sort(key=lambda kv: (-kv[1], kv[0]))
    if limit is not None:
        items = items[:limit]
    rows = [(title, "count")] + [(f"  {k}", str(v)) for k, v in items]
    return format_columns(rows, right=frozenset({1}))

"""Evaluating recorded tickets with one or more rule sets, in source order, optionally in parallel.

`evaluate_tickets` is what ``routing dry-run`` and ``routing diff`` run: it reads a ticket
source (`routing.cli._tickets`), evaluates every record with each rule set and yields one
`Outcome` per record, in source order. The result is the same for every value of ``jobs``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from routing.cli._tickets import Record, TicketReader
from routing.errors import RoutingError

__all__ = ["Evaluation", "Outcome", "WorkerError", "default_jobs", "evaluate_tickets"]

#: Records per batch of the in-process path (one progress step, one output flush).
BATCH: Final = 512

#: A result row: (line, ticket id, subject, one payload per rule set or None, error).
Row = tuple[int, str | None, str | None, tuple[Any, ...] | None, str | None]

#: Turns a decision into what the caller keeps of it (run where the ticket is evaluated).
Project = Callable[[Any, bool], Any]


class WorkerError(Exception):
    """A worker process died (killed, out of memory): the message names the lines lost."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the rule sets decided for one record of a ticket source.

    Attributes:
        line: the record's number in the source (line of a JSONL file, row of a CSV file).
        ticket_id: None when the record could not be read.
        subject: the ticket's subject; None when the record could not be read.
        decisions: ``Decision.to_dict(trace=trace)``, one per rule set, in the order given;
            empty when `error` is set.
        error: why the record gave no decisions (unreadable, or its evaluation raised),
            as a one-line message; None otherwise.
    """

    line: int
    ticket_id: str | None
    subject: str | None
    decisions: tuple[dict[str, Any], ...]
    error: str | None


def default_jobs() -> int:
    """The number of CPUs this process may use (at least 1)."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:  # pragma: no cover - Python 3.13+
        return int(count() or 1)
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def to_dict(decision: Any, trace: bool) -> dict[str, Any]:
    """The `Project` of `evaluate_tickets`: the decision's JSON object."""
    result: dict[str, Any] = decision.to_dict(trace=trace)
    return result


def evaluate_tickets(
    rule_paths: Sequence[str],
    tickets: str,
    fmt: str,
    *,
    now: datetime,
    jobs: int | None = None,
    trace: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> Iterator[Outcome]:
    """Evaluate every record of a ticket source with each rule set, in source order.

    Args:
        rule_paths: one or more rule files or directories (``routing diff`` passes two).
        tickets: the path of the ticket source, or ``-`` for standard input.
        fmt: its format, as `routing.cli._tickets.guess_format` returns it.
        now: the default evaluation instant (a record may carry its own).
        jobs: worker processes; None for every CPU, 1 to evaluate in this process.
        trace: put each rule's outcome into the decisions.
        on_progress: called with the number of records done so far, after each batch.

    Returns:
        An iterator of `Outcome`, one per record, in source order; identical for every
        value of `jobs`.

    Raises:
        routing.RuleError: a rule set does not load (before any ticket is read).
        TicketSourceError: the source cannot be read as a whole (missing file, bad CSV
            header).
        WorkerError: a worker process died; the outcomes yielded before are complete.
    """
    evaluation = Evaluation(
        rule_paths, tickets, fmt, now=now, jobs=jobs, trace=trace, project=to_dict
    )
    return _outcomes(evaluation, on_progress)


def _outcomes(
    evaluation: Evaluation, on_progress: Callable[[int], None] | None
) -> Iterator[Outcome]:
    for rows in evaluation:
        for line, ticket_id, subject, payloads, error in rows:
            yield Outcome(line, ticket_id, subject, payloads or (), error)
        if on_progress is not None:
            on_progress(evaluation.records)


class Evaluation:
    """Batches of result rows, in source order: the engine of `evaluate_tickets`.

    Iterating yields lists of `Row`. `records` counts the records done so far; `size` (the
    source's size in bytes, None for standard input) and `bytes_read` serve a progress bar.
    """

    def __init__(
        self,
        rule_paths: Sequence[str],
        tickets: str,
        fmt: str,
        *,
        now: datetime,
        jobs: int | None = None,
        trace: bool = False,
        project: Project = to_dict,
    ) -> None:
        import routing

        if jobs is not None and jobs < 1:
            raise ValueError(f"jobs must be at least 1, found {jobs}")
        self.rule_paths = tuple(rule_paths)
        self.rulesets = tuple(routing.load(p) for p in self.rule_paths)
        self.tickets = tickets
        self.fmt = fmt
        self.now = now
        self.jobs = jobs if jobs is not None else default_jobs()
        self.trace = trace
        self.project = project
        self.records = 0
        self.bytes_read = 0
        self.size: int | None = None
        self._reader = TicketReader(tickets, fmt, field_types=field_types(self.rulesets))
        self.name = self._reader.name
        self.size = self._reader.size

    def __iter__(self) -> Iterator[list[Row]]:
        return self._in_process()

    def close(self) -> None:
        """Release the ticket source."""
        self._reader.close()

    def __enter__(self) -> Evaluation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _in_process(self) -> Iterator[list[Row]]:
        reader = self._reader
        evaluate = _Evaluator(self.rulesets, self.now, self.trace, self.project)
        rows: list[Row] = []
        try:
            for record in reader:
                rows.append(evaluate(record, record.line))
                if len(rows) == BATCH:
                    self.records += len(rows)
                    self.bytes_read = reader.bytes_read
                    yield rows
                    rows = []
            self.records += len(rows)
            self.bytes_read = reader.bytes_read
            if rows:
                yield rows
        finally:
            reader.close()


def field_types(rulesets: Sequence[Any]) -> dict[str, Any]:
    """The custom field types CSV cells are converted by; the first rule set declaring one wins."""
    merged: dict[str, Any] = {}
    for ruleset in reversed(rulesets):
        merged.update(ruleset.checked.field_types)
    return merged


class _Evaluator:
    """Turns one `Record` into a `Row`: every rule set's projected decision, or the error."""

    def __init__(
        self, rulesets: Sequence[Any], now: datetime, trace: bool, project: Project
    ) -> None:
        self._evaluates = tuple(r.evaluate for r in rulesets)
        self._now = now
        self._trace = trace
        self._project = project

    def __call__(self, record: Record, line: int) -> Row:
        ticket = record.ticket
        if ticket is None:
            return (line, None, None, None, record.error)
        now = record.now or self._now
        trace = self._trace
        project = self._project
        try:
            payloads = tuple(
                project(
                    evaluate(ticket, now, event=record.event, history=record.history, trace=trace),
                    trace,
                )
                for evaluate in self._evaluates
            )
        except Exception as exc:  # one bad ticket must not end the run
            why = str(exc) if isinstance(exc, RoutingError) else _internal(exc)
            return (line, ticket.id, ticket.subject, None, f"ticket '{ticket.id}': {why}")
        return (line, ticket.id, ticket.subject, payloads, None)


def _internal(exc: Exception) -> str:
    return f"evaluation failed: {type(exc).__name__}: {exc}"

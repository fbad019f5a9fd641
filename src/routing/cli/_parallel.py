"""Evaluating recorded tickets with one or more rule sets, in source order, optionally in parallel.

`evaluate_tickets` is what ``routing dry-run`` and ``routing diff`` run: it reads a ticket
source (`routing.cli._tickets`), evaluates every record with each rule set and yields one
`Outcome` per record, in source order. The result is the same for every value of ``jobs``.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import gc
import io
import itertools
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any, Final

from routing.cli._tickets import Record, TicketReader, allow_long_csv_cells
from routing.errors import RoutingError

__all__ = [
    "Evaluation",
    "Outcome",
    "WorkerError",
    "default_jobs",
    "evaluate_tickets",
    "outcomes",
]

#: Records per batch of the in-process path (one progress step, one output flush).
BATCH: Final = 512
#: Bytes of whole lines per chunk of work given to a worker process.
CHUNK_BYTES = 1 << 20
#: Records per chunk where the records are read in this process (e-mail).
CHUNK_RECORDS = 256

#: A result row: (line, ticket id, subject, one payload per rule set or None, error).
Row = tuple[int, str | None, str | None, tuple[Any, ...] | None, str | None]

#: Turns a decision into what the caller keeps of it (run where the ticket is evaluated).
Project = Callable[[Any, bool], Any]


class _PoolBroken(Exception):
    """The pool lost a worker while this chunk was unfinished (not necessarily by it)."""


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
    return outcomes(evaluation, on_progress)


def outcomes(
    evaluation: Evaluation, on_progress: Callable[[int], None] | None = None
) -> Iterator[Outcome]:
    """The `Outcome` of each record of an `Evaluation` made with the default projection."""
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
        rulesets: Sequence[Any] | None = None,
    ) -> None:
        import routing

        if jobs is not None and jobs < 1:
            raise ValueError(f"jobs must be at least 1, found {jobs}")
        self.rule_paths = tuple(rule_paths)
        # `rulesets`: the rule sets of `rule_paths`, when the caller has loaded them already
        if rulesets is not None and len(rulesets) != len(self.rule_paths):
            raise ValueError("one loaded rule set per rule path")
        self.rulesets = (
            tuple(rulesets)
            if rulesets is not None
            else tuple(routing.load(p) for p in self.rule_paths)
        )
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
        if self.jobs == 1:
            return self._in_process(self._reader)
        if self.fmt not in ("jsonl", "csv"):  # e-mail: parsed here, evaluated in workers
            return self._from_records()
        if self.tickets == "-":
            return self._from_stdin()
        assert self.size is not None
        if self.size < 2 * CHUNK_BYTES:  # not worth starting processes
            return self._in_process(self._reader)
        if self.fmt == "jsonl":
            self._reader.close()  # the workers read their own byte ranges
            size = self.size
            chunks = -(-size // CHUNK_BYTES)
            tasks = (
                _Task(i, "jsonl", self.tickets, i * CHUNK_BYTES, min((i + 1) * CHUNK_BYTES, size))
                for i in range(chunks)
            )
            return self._in_pool(tasks, min(self.jobs, chunks))
        return self._csv_file()

    def close(self) -> None:
        """Release the ticket source."""
        self._reader.close()

    def __enter__(self) -> Evaluation:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ in this process

    def _in_process(self, reader: TicketReader) -> Iterator[list[Row]]:
        evaluate = _Evaluator(self.rulesets, self.now, self.trace, self.project)
        rows: list[Row] = []
        # The compiled rule sets (and everything imported) live as long as the run: moved
        # out of the collector's generations, the collections that per-ticket allocations
        # trigger stop walking them (3-7% of a dry-run of the example). `unfreeze` puts them
        # back when the run ends, so an embedding process loses nothing.
        gc.freeze()
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
            gc.unfreeze()
            reader.close()

    # ------------------------------------------------------------------ sources of chunks

    def _from_records(self) -> Iterator[list[Row]]:
        """Any other format: the records the reader parses, in chunks of `CHUNK_RECORDS`."""
        reader = self._reader
        try:
            records = iter(reader)
            ahead = list(itertools.islice(records, 2 * CHUNK_RECORDS))
            if len(ahead) < 2 * CHUNK_RECORDS:  # not worth starting processes
                evaluate = _Evaluator(self.rulesets, self.now, self.trace, self.project)
                for start in range(0, len(ahead), BATCH):
                    rows = [evaluate(r, r.line) for r in ahead[start : start + BATCH]]
                    self.records += len(rows)
                    self.bytes_read = reader.bytes_read
                    yield rows
                return
            chunks = _batched(itertools.chain(ahead, records), CHUNK_RECORDS)
            tasks = (
                _Task(i, self.fmt, None, 0, 0, records=chunk) for i, chunk in enumerate(chunks)
            )
            for rows in self._in_pool(tasks, self.jobs):
                self.bytes_read = reader.bytes_read
                yield rows
        finally:
            reader.close()

    def _from_stdin(self) -> Iterator[list[Row]]:
        """Standard input: raw blocks of lines, unless it all fits into two of them."""
        stream = sys.stdin.buffer
        ahead: list[bytes] = []
        ended = False
        while len(ahead) < 2 and not ended:
            block = _read_block(stream)
            ended = len(block) < CHUNK_BYTES
            if block:
                ahead.append(block)
        blocks = itertools.chain(ahead, iter(lambda: _read_block(stream), b""))
        if ended:
            data = b"".join(ahead)
            yield from self._in_process(self._bytes_reader(data))
        elif self.fmt == "csv":
            yield from self._csv_blocks(blocks, None)
        else:
            tasks = (
                _Task(i, "jsonl", None, 0, 0, block, b"" if i == 0 else b"\n")
                for i, block in enumerate(blocks)
            )
            yield from self._in_pool(tasks, self.jobs)

    def _bytes_reader(self, data: bytes) -> TicketReader:
        return TicketReader(
            "-", self.fmt, field_types=field_types(self.rulesets), stdin=io.BytesIO(data)
        )

    def _csv_file(self) -> Iterator[list[Row]]:
        try:
            with open(self.tickets, "rb") as stream:
                blocks = iter(lambda: _read_block(stream), b"")
                yield from self._csv_blocks(blocks, self._reader)
        finally:
            self._reader.close()

    def _csv_blocks(
        self, blocks: Iterator[bytes], reader: TicketReader | None
    ) -> Iterator[list[Row]]:
        """CSV: the header row, then chunks of whole rows (a quoted cell may span lines)."""
        lines = (line for block in blocks for line in io.BytesIO(block))
        allow_long_csv_cells()  # the rows are cut here as the workers will read them
        header = _csv_header(lines)
        # The header's errors are the reader's own, named as the serial reader names them.
        check = reader if reader is not None else self._bytes_reader(header)
        next(iter(check), None)
        tasks = (
            _Task(i, "csv", None, 0, 0, chunk, header) for i, chunk in enumerate(_csv_chunks(lines))
        )
        yield from self._in_pool(tasks, self.jobs, _count_lines(header) + 1)

    # ------------------------------------------------------------------ worker processes

    def _in_pool(
        self, tasks: Iterator[_Task], workers: int, first_line: int = 1
    ) -> Iterator[list[Row]]:
        """Run the tasks in `workers` processes; yield their rows in task order.

        Workers number the lines of a chunk from 0; `first_line` is the source line of the
        first chunk's first line.
        """
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload([__name__, self.project.__module__])
        config = _Config(
            self.rule_paths,
            self.now,
            self.trace,
            self.project,
            os.environ.get(CRASH_ENV, ""),
        )

        def start(n: int) -> ProcessPoolExecutor:
            return ProcessPoolExecutor(
                max_workers=n, mp_context=context, initializer=_init_worker, initargs=(config,)
            )

        executor = start(workers)
        pending: collections.deque[tuple[Future[tuple[int, list[Row]]], _Task]] = (
            collections.deque()
        )
        line = first_line  # the source line of the next chunk's first line
        try:
            tasks = iter(tasks)
            while True:
                while len(pending) < 2 * workers:
                    task = next(tasks, None)
                    if task is None:
                        break
                    pending.append((_submit(executor, task), task))
                if not pending:
                    return
                future, task = pending.popleft()
                try:
                    count, rows = self._result(future, task, line, alone=False)
                except _PoolBroken:
                    # A dead worker takes every unfinished chunk with the pool, so which one
                    # killed it is unknown: run this chunk alone in a fresh process. If it
                    # dies again it is the one (reported); if not, the run goes on with a
                    # new pool and the chunks after it, and nothing is lost.
                    executor.shutdown(wait=True, cancel_futures=True)
                    single = start(1)
                    try:
                        count, rows = self._result(_submit(single, task), task, line, alone=True)
                    finally:
                        single.shutdown(wait=True, cancel_futures=True)
                    executor = start(workers)
                    pending = collections.deque((_submit(executor, t), t) for _, t in pending)
                base = task.records[0].line if task.records else line
                line += count
                self.records += len(rows)
                self.bytes_read = (
                    task.end if task.data is None else self.bytes_read + len(task.data)
                )
                yield [(base + r, i, s, p, e) for r, i, s, p, e in rows]
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    def _result(
        self, future: Future[tuple[int, list[Row]]], task: _Task, line: int, *, alone: bool
    ) -> tuple[int, list[Row]]:
        """The chunk's result; a broken pool raises `_PoolBroken`, or, when the chunk ran
        `alone` in its own pool, the `WorkerError` that names it."""
        from concurrent.futures.process import BrokenProcessPool

        if task.records:
            first, last = task.records[0].line, task.records[-1].line
            where = f"chunk {task.index + 1} (records {first}-{last})"
            line = first
        elif task.data is not None:
            where = f"chunk {task.index + 1} (lines {line}-{line + _count_lines(task.data) - 1})"
        else:
            where = f"chunk {task.index + 1} (bytes {task.start}-{task.end}, from line {line})"
        try:
            return future.result()
        except BrokenProcessPool:
            if not alone:
                raise _PoolBroken from None
            why = "a worker process stopped unexpectedly (killed, or out of memory)"
        except Exception as exc:  # a bug in a worker: reported, not a traceback
            why = f"a worker process failed on {where}: {type(exc).__name__}: {exc}"
        raise WorkerError(
            f"{self.name}: {why}; the results before line {line} are complete, "
            f"{where} and everything after it were not evaluated"
        )


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
        event, history = record.event, record.history
        try:
            if len(self._evaluates) == 1:  # the common case, without a generator
                decision = self._evaluates[0](
                    ticket, now, event=event, history=history, trace=trace
                )
                payloads: tuple[Any, ...] = (project(decision, trace),)
            else:
                payloads = tuple(
                    project(evaluate(ticket, now, event=event, history=history, trace=trace), trace)
                    for evaluate in self._evaluates
                )
        except Exception as exc:  # one bad ticket must not end the run
            why = str(exc) if isinstance(exc, RoutingError) else _internal(exc)
            return (line, ticket.id, ticket.subject, None, f"ticket '{ticket.id}': {why}")
        # the field dict: each attribute read of a pydantic model goes through its
        # `__getattr__` hook (docs/decisions/0027-define-reads.md), one read instead of two
        fields = ticket.__dict__
        return (line, fields["id"], fields["subject"], payloads, None)


# ---------------------------------------------------------------------------- chunks


def _read_block(stream: IO[bytes]) -> bytes:
    """About `CHUNK_BYTES` of whole lines from a binary stream (b"" at the end)."""
    block = stream.read(CHUNK_BYTES)
    if block and not block.endswith(b"\n"):
        block += stream.readline()
    return block


def _submit(executor: Any, task: _Task) -> Future[tuple[int, list[Row]]]:
    """The future of `task`; one that fails as the pool did, if the pool is broken already."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        future: Future[tuple[int, list[Row]]] = executor.submit(_run_chunk, task)
    except BrokenProcessPool as exc:
        future = Future()
        future.set_exception(exc)
    return future


def _batched(items: Iterator[Record], n: int) -> Iterator[tuple[Record, ...]]:
    while chunk := tuple(itertools.islice(items, n)):
        yield chunk


def _count_lines(data: bytes) -> int:
    """The lines of `data` as a binary file iterates them (a last line may lack its newline)."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def _read_range(path: str, start: int, end: int) -> bytes:
    """The lines of a file that begin at a byte offset in [start, end)."""
    with open(path, "rb") as f:
        if start > 0:
            f.seek(start - 1)
            f.readline()  # the rest of the line that began before `start`
        pos = f.tell()
        if pos >= end:
            return b""
        data = f.read(end - pos)
        if data and not data.endswith(b"\n"):
            data += f.readline()
        return data


def _csv_header(lines: Iterator[bytes]) -> bytes:
    """The raw lines of the first CSV row (as the reader's csv module would read it)."""
    taken: list[bytes] = []

    def decoded() -> Iterator[str]:
        for raw in lines:
            taken.append(raw)
            yield raw.decode("utf-8", errors="replace")

    with contextlib.suppress(StopIteration, csv.Error):  # the reader reports those itself
        next(csv.reader(decoded(), strict=True))
    return b"".join(taken)


def _csv_chunks(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Chunks of about `CHUNK_BYTES` of raw lines, each ending where a CSV row ends.

    A chunk without a quote character ends rows at every line; otherwise the csv module
    finds where the last complete row ends, and the rest starts the next chunk.
    """
    pending: list[bytes] = []
    size = 0
    limit = CHUNK_BYTES
    for raw in lines:
        pending.append(raw)
        size += len(raw)
        if size < limit:
            continue
        data = b"".join(pending)
        cut = len(pending) if b'"' not in data else _last_row_start(pending)
        if cut == 0:  # one unfinished row so far: look again when it has doubled
            limit = 2 * size
            continue
        yield b"".join(pending[:cut])
        pending = pending[cut:]
        size = sum(len(p) for p in pending)
        limit = CHUNK_BYTES
    if pending:
        yield b"".join(pending)


def _last_row_start(lines: list[bytes]) -> int:
    """How many of `lines` hold only rows that surely ended (the rest may continue)."""
    reader = csv.reader((raw.decode("utf-8", errors="replace") for raw in lines), strict=True)
    while True:
        start = reader.line_num
        try:
            next(reader)
        except StopIteration:
            return len(lines)
        except csv.Error:
            if reader.line_num >= len(lines):  # perhaps only the end of the data so far
                return start
        if reader.line_num >= len(lines):
            return len(lines)


# ---------------------------------------------------------------------------- workers


@dataclass(frozen=True, slots=True)
class _Task:
    """One chunk: a byte range of a file (`data` None), or raw lines shipped with the task."""

    index: int
    fmt: str
    path: str | None
    start: int
    end: int
    data: bytes | None = None
    header: bytes = b""  # CSV: the header row; JSON Lines: b"\n" to keep a BOM unstripped
    records: tuple[Record, ...] = ()  # records read by the parent (e-mail)


@dataclass(frozen=True, slots=True)
class _Config:
    """What each worker process needs, given once to its initializer."""

    rule_paths: tuple[str, ...]
    now: datetime
    trace: bool
    project: Project
    # test hook: "INDEX:exit" or "INDEX:kill" makes the worker die on that chunk, every time;
    # "INDEX:kill-once:MARKER" only the first time (it creates the file MARKER)
    crash: str


#: The test-only hook that makes a worker process die; see `_Config.crash`.
CRASH_ENV: Final = "ROUTING_TEST_WORKER_CRASH"

_worker: _Worker | None = None


def _init_worker(config: _Config) -> None:
    """The pool's initializer: load and compile each rule set once per process."""
    global _worker  # noqa: PLW0603 - one per worker process, set once
    import routing

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    rulesets = tuple(routing.load(p) for p in config.rule_paths)
    _worker = _Worker(rulesets, config)
    gc.freeze()  # as in `Evaluation._in_process`: the rule sets live as long as the worker


def _run_chunk(task: _Task) -> tuple[int, list[Row]]:
    """Evaluate one chunk in a worker: (its number of lines, its rows with 0-based lines)."""
    assert _worker is not None
    return _worker.run(task)


class _Worker:
    def __init__(self, rulesets: tuple[Any, ...], config: _Config) -> None:
        self._evaluate = _Evaluator(rulesets, config.now, config.trace, config.project)
        self._types = field_types(rulesets)
        index, _, how = config.crash.partition(":")
        self._crash = (int(index), how) if index.isdigit() else None

    def run(self, task: _Task) -> tuple[int, list[Row]]:
        if self._crash is not None and self._crash[0] == task.index:
            how, _, marker = self._crash[1].partition(":")
            if how == "kill-once":  # dies the first time only: MARKER records that it did
                try:
                    os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
                    how = "kill"
                except FileExistsError:
                    how = ""
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if how == "exit":
                os._exit(70)
        evaluate = self._evaluate
        if task.records:
            first = task.records[0].line
            rows = [evaluate(record, record.line - first) for record in task.records]
            return task.records[-1].line - first + 1, rows
        if task.data is None:
            assert task.path is not None
            data = _read_range(task.path, task.start, task.end)
            header = b"" if task.start == 0 else b"\n"
        else:
            data, header = task.data, task.header
        first = header.count(b"\n") + 1  # the line of the chunk's first line in the reader
        reader = TicketReader(
            "-", task.fmt, field_types=self._types, stdin=io.BytesIO(header + data)
        )
        rows = [evaluate(record, record.line - first) for record in reader]
        return _count_lines(data), rows


def _internal(exc: Exception) -> str:
    return f"evaluation failed: {type(exc).__name__}: {exc}"

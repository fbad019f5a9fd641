"""SLA clocks: due instants, remaining time, warnings and breaches of one ticket's metrics.

`SlaClock` knows the targets per priority, how time is counted (``business``: the open time
of a `Calendar`; ``calendar``: wall time) and which statuses pause the clock. `measure` takes
a ticket's `TicketHistory` and ``now`` and gives an `SlaResult`. The rules, Zendesk-like (see
docs/sla.md for pictures):

- ``first_reply`` starts at ``created_at`` and is fulfilled by the first agent reply.
- ``next_reply`` starts at the requester's oldest message not yet answered (after the first
  agent reply) and is fulfilled by the next agent reply; the latest such cycle is reported.
- ``periodic_update`` starts at the latest agent reply and is fulfilled by the next one.
- ``resolution`` starts at ``created_at``; solving (``solved``/``closed``) stops it and
  re-opening resumes it: the time spent solved is not counted, the time before is.
- A status in the pause set (``pending``, ``on_hold`` by default) pauses every metric.
  Solving fulfils the reply metrics that are running.
- Re-prioritised tickets: a metric uses the target of the priority in effect when it was
  fulfilled, or at ``now`` while it runs, always measured from the metric's start. Raising
  the priority can so make a running metric breached at once.
- Events after ``now`` are ignored, so a history can be replayed at any instant.

A ticket with no events since its creation (the common case) is measured in integer µs by
`SlaClock.measure_fresh`; `SlaClock.report_fresh` gives the same as the plain data of a
decision's ``sla`` object (the engine binds it once per plan: `SlaClock.fresh_reporter`).
Both are pinned to the general rules by tests/sla/test_fresh.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from routing.sla.calendar import Calendar
from routing.sla.intervals import (
    OpenTime,
    Pause,
    WallClock,
    add_counted,
    counted_between,
    from_us,
    iso_utc,
    normalize_pauses,
    to_us,
)

__all__ = [
    "METRICS",
    "SOLVED_STATUSES",
    "FreshMetric",
    "MetricStatus",
    "SlaClock",
    "SlaResult",
    "TicketHistory",
]

#: The metrics an SLA policy may target, in report order.
METRICS: tuple[str, ...] = ("first_reply", "next_reply", "periodic_update", "resolution")
#: Statuses that stop the resolution clock (re-opening resumes it).
SOLVED_STATUSES: frozenset[str] = frozenset({"solved", "closed"})
_ZERO = dt.timedelta(0)
_ONE_US = dt.timedelta(microseconds=1)
#: The metrics that run on a ticket with no history (no reply yet, so no reply cycle).
_FRESH_METRICS = ("first_reply", "resolution")

#: One metric of a ticket with no history, as `SlaClock.measure_fresh` gives it: (metric,
#: due in µs since the epoch or None, remaining µs, breached, warning).
FreshMetric = tuple[str, int | None, int, bool, bool]
#: What `SlaClock` keeps per metric of a ticket with no history: (metric, target µs, the
#: elapsed µs from which it warns, its position in `OpenTime.open_and_dues`'s answer).
_FreshRow = tuple[str, int, int, int]


@dataclass(frozen=True, slots=True)
class TicketHistory:
    """What an SLA clock needs to know of a ticket; every instant is an aware datetime.

    Attributes:
        created_at: when the ticket was created (the clocks' start).
        status: the status at creation.
        priority: the priority at creation.
        status_changes: (at, new status), in any order.
        priority_changes: (at, new priority), in any order.
        agent_replies: public agent replies.
        requester_messages: messages of the requester after the one that created the ticket.
    """

    created_at: dt.datetime
    status: str = "new"
    priority: str = "normal"
    status_changes: Sequence[tuple[dt.datetime, str]] = ()
    priority_changes: Sequence[tuple[dt.datetime, str]] = ()
    agent_replies: Sequence[dt.datetime] = ()
    requester_messages: Sequence[dt.datetime] = ()


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def _seconds(d: dt.timedelta) -> int | float:
    seconds = d.total_seconds()
    return int(seconds) if seconds.is_integer() else seconds


@dataclass(frozen=True, slots=True)
class MetricStatus:
    """One metric of one ticket at ``now``.

    Attributes:
        metric: ``first_reply``, ``next_reply``, ``periodic_update`` or ``resolution``.
        priority: the priority whose target applies.
        target: the target (counted time).
        start: when the metric's clock started.
        due: the due instant (UTC); None when paused with no end in sight.
        fulfilled_at: when the metric was fulfilled, or None while it runs.
        elapsed: counted time from start to fulfilment or ``now``.
        remaining: target - elapsed (negative once over).
        paused: the metric runs and the ticket is paused now.
        warning: the metric runs, is not breached, and elapsed >= warn_at * target.
        breached: fulfilled after due, or still running after due.
    """

    metric: str
    priority: str
    target: dt.timedelta
    start: dt.datetime
    due: dt.datetime | None
    fulfilled_at: dt.datetime | None
    elapsed: dt.timedelta
    remaining: dt.timedelta
    paused: bool
    warning: bool
    breached: bool

    @property
    def state(self) -> Literal["achieved", "breached", "paused", "warning", "active"]:
        if self.breached:
            return "breached"
        if self.fulfilled_at is not None:
            return "achieved"
        if self.paused:
            return "paused"
        return "warning" if self.warning else "active"

    def to_dict(self) -> dict[str, Any]:
        """Plain data: instants as ISO 8601 with offset, durations in seconds."""
        return {
            "metric": self.metric,
            "state": self.state,
            "priority": self.priority,
            "target_seconds": _seconds(self.target),
            "start": _iso(self.start),
            "due": _iso(self.due),
            "fulfilled_at": _iso(self.fulfilled_at),
            "elapsed_seconds": _seconds(self.elapsed),
            "remaining_seconds": _seconds(self.remaining),
            "paused": self.paused,
            "warning": self.warning,
            "breached": self.breached,
        }


@dataclass(frozen=True, slots=True)
class SlaResult:
    """Every targeted metric of one ticket at ``now`` (metrics not yet started are absent)."""

    now: dt.datetime
    priority: str
    metrics: tuple[MetricStatus, ...] = field(default=())

    def get(self, metric: str) -> MetricStatus | None:
        """The status of one metric, or None when it has no target or has not started."""
        return next((m for m in self.metrics if m.metric == metric), None)

    @property
    def breached(self) -> bool:
        return any(m.breached for m in self.metrics)

    def to_dict(self) -> dict[str, Any]:
        return {
            "now": _iso(self.now),
            "priority": self.priority,
            "breached": self.breached,
            "metrics": {m.metric: m.to_dict() for m in self.metrics},
        }


def _target(value: object, where: str) -> dt.timedelta:
    if isinstance(value, dt.timedelta):
        target = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        target = dt.timedelta(seconds=value)
    else:
        raise TypeError(f"{where}: a target is seconds or a timedelta, found {value!r}")
    if target < _ZERO:
        raise ValueError(f"{where}: a target must not be negative")
    return target


class SlaClock:
    """Targets per priority and metric, counted in business or wall time, with pauses.

    Args:
        targets: ``{priority: {metric: seconds or timedelta}}``.
        calendar: the calendar whose open time counts (required for ``clock="business"``).
        clock: ``"business"`` or ``"calendar"`` (wall time, still honouring pauses).
        pause_statuses: statuses that pause every metric, or a predicate on the status.
        warn_at: the fraction of a target after which a running metric warns.
    """

    def __init__(
        self,
        targets: Mapping[str, Mapping[str, dt.timedelta | int | float]],
        *,
        calendar: Calendar | None = None,
        clock: Literal["business", "calendar"] = "business",
        pause_statuses: Collection[str] | Callable[[str], bool] = frozenset({"pending", "on_hold"}),
        warn_at: float = 0.8,
    ) -> None:
        if clock not in ("business", "calendar"):
            raise ValueError(f"clock must be 'business' or 'calendar', found {clock!r}")
        if clock == "business" and calendar is None:
            raise ValueError("a business clock needs a calendar")
        if not 0 < warn_at <= 1:
            raise ValueError(f"warn_at must be in (0, 1], found {warn_at}")
        self.targets: dict[str, dict[str, dt.timedelta]] = {}
        for priority, metrics in targets.items():
            self.targets[priority] = {}
            for metric, value in metrics.items():
                if metric not in METRICS:
                    raise ValueError(f"targets.{priority}: unknown metric {metric!r}")
                self.targets[priority][metric] = _target(value, f"targets.{priority}.{metric}")
        self.calendar = calendar if clock == "business" else None
        self.clock = clock
        if callable(pause_statuses):
            self._paused: Callable[[str], bool] = pause_statuses
        else:
            statuses = frozenset(pause_statuses)
            self._paused = statuses.__contains__
        self.warn_at = warn_at
        # For `measure_fresh` and `report_fresh`, worked out once per priority that targets
        # first_reply or resolution (the metrics a ticket with no history runs, no reply
        # cycle being open): the rows (`_FreshRow`) and the targets in µs, as
        # `OpenTime.open_and_dues` takes them. `elapsed >= target * warn_at` compares
        # timedeltas, the product rounded to the µs as `timedelta.__mul__` rounds it; the
        # row's threshold is that product, so the integer test gives the same answer.
        self._fresh: dict[str, tuple[tuple[_FreshRow, ...], tuple[int, ...]]] = {}
        for priority, metrics in self.targets.items():
            names = [m for m in _FRESH_METRICS if m in metrics]
            rows = tuple(
                (m, metrics[m] // _ONE_US, (metrics[m] * warn_at) // _ONE_US, k)
                for k, m in enumerate(names, 1)
            )
            if rows:
                self._fresh[priority] = (rows, tuple(row[1] for row in rows))
        self._open_time: OpenTime = WallClock() if self.calendar is None else self.calendar._open
        # The statuses that stop the clocks (solved, or paused), when the pause statuses are
        # a collection; None when they are a predicate (then `_stops` asks it).
        self._stop_set: frozenset[str] | None = None
        if not callable(pause_statuses):
            self._stop_set = SOLVED_STATUSES | frozenset(pause_statuses)

    def _stops(self, status: str) -> bool:
        """Whether `status` stops the clocks: solved, or paused."""
        return status in SOLVED_STATUSES or self._paused(status)

    # -- counting ------------------------------------------------------------------------

    def _due(
        self, start: dt.datetime, target: dt.timedelta, pauses: Sequence[Pause]
    ) -> dt.datetime | None:
        if self.calendar is not None:
            return self.calendar.add_business_time(start, target, pauses)
        found = add_counted(
            WallClock(),
            to_us(start),
            target // dt.timedelta(microseconds=1),
            normalize_pauses(pauses),
        )
        return None if found is None else from_us(found)

    def _between(self, a: dt.datetime, b: dt.datetime, pauses: Sequence[Pause]) -> dt.timedelta:
        if self.calendar is not None:
            return self.calendar.business_time_between(a, b, pauses)
        us = counted_between(WallClock(), to_us(a), to_us(b), normalize_pauses(pauses))
        return dt.timedelta(microseconds=us)

    # -- measuring -----------------------------------------------------------------------

    def measure_fresh(
        self, created: int, now: int, priority: str, status: str
    ) -> tuple[bool, tuple[FreshMetric, ...]]:
        """`measure` of a ticket with no history, in integer µs since the epoch: what most
        evaluated tickets are (no status or priority change, reply or message since
        `created`, in `status` since then).

        Gives ``(paused, metrics)``, with the metrics in report order; the values are those
        of `measure`'s general rules (tests/sla pin the two together), and so are the errors
        (`CalendarError`) where a calendar is never open or a year is out of range:

        - running: ``first_reply`` and ``resolution`` count from `created`, unpaused, and
          share their elapsed time; one `OpenTime.open_and_dues` pass gives it and the dues.
        - solved (or closed) at creation: both are fulfilled at `created`, with nothing
          elapsed and never breached; the dues are still reported.
        - paused at creation: nothing has elapsed and no due is in sight (None); a metric
          warns only when its target times ``warn_at`` is zero.
        """
        fresh = self._fresh.get(priority)
        if fresh is None:  # no metric runs: nothing to count, nothing that could fail
            return False, ()
        rows, targets = fresh
        if self._stops(status):
            return self._measure_stopped(created, now, status, rows, targets)
        times = self._open_time.open_and_dues(created, now, targets)
        elapsed = times[0]
        out: list[FreshMetric] = []
        for metric, target, warn_from, k in rows:
            due = times[k]
            if now > due:
                out.append((metric, due, target - elapsed, True, False))
            else:
                out.append((metric, due, target - elapsed, False, elapsed >= warn_from))
        return False, tuple(out)

    def _measure_stopped(
        self,
        created: int,
        now: int,
        status: str,
        rows: tuple[_FreshRow, ...],
        targets: tuple[int, ...],
    ) -> tuple[bool, tuple[FreshMetric, ...]]:
        """`measure_fresh` of a ticket solved or paused since its creation."""
        clock = self._open_time
        if status in SOLVED_STATUSES:
            dues = clock.open_and_dues(created, created, targets)
            return False, tuple(
                (metric, dues[k], target, False, False) for metric, target, _, k in rows
            )
        # Paused: the general rules look for an opening and count [created, now), which
        # raise where the calendar cannot answer.
        clock.next_open(created)
        clock.open_between(min(created, now), max(created, now))
        return True, tuple(
            (metric, None, target, False, warn_from <= 0) for metric, target, warn_from, _ in rows
        )

    def report_fresh(
        self,
        created: int,
        now: int,
        priority: str,
        status: str,
        head: dict[str, Any],
        due_keys: Mapping[str, str],
    ) -> dict[str, Any]:
        """`measure_fresh`, as plain data: a copy of `head` with each due and ``remaining``,
        ``breached``, ``warning`` and ``paused`` set (a decision's ``sla`` object).

        ``out[due_keys[metric]]`` is the due instant as ISO 8601 text (what
        `datetime.isoformat` writes of the UTC instant) or None; ``remaining`` maps each
        metric to its remaining time in seconds (as `timedelta.total_seconds` gives it);
        ``breached`` and ``warning`` list metrics; ``paused`` tells whether a metric runs and
        is paused. The engine makes the reporter once per plan (`fresh_reporter`) and calls
        it for every ticket evaluated without a history; this is the same function.
        """
        return self.fresh_reporter(head, due_keys)(created, now, priority, status)

    def fresh_reporter(
        self, head: Mapping[str, Any], due_keys: Mapping[str, str]
    ) -> Callable[[int, int, str, str], dict[str, Any]]:
        """`report_fresh` with `head` and `due_keys` bound: ``report(created, now, priority,
        status)``, the engine's SLA step for a ticket with no history, in one call.

        What depends on the clock and the keys only is worked out here, once: per priority
        the rows (metric, due key, target µs, warning threshold, position of the due in
        `OpenTime.open_and_dues`'s answer) and the targets; the head with ``paused`` False
        (the running case's object starts as a copy of it). The rules are those of
        `measure_fresh`, written out again for speed (tests/sla pin the three together).
        """
        rows_of: dict[str, tuple[tuple[tuple[str, str, int, int, int], ...], tuple[int, ...]]]
        rows_of = {
            priority: (tuple((m, due_keys[m], t, w, k) for m, t, w, k in rows), targets)
            for priority, (rows, targets) in self._fresh.items()
        }
        # The common case, two metrics (first_reply and resolution) with targets above zero
        # on a calendar, in one call of `_OpenTime.open_and_two_dues` (None: the general
        # loop below answers): per priority (metric, due key, target, warning threshold)
        # of both.
        two_dues = getattr(self._open_time, "open_and_two_dues", None)
        pairs: dict[str, tuple[str, str, int, int, str, str, int, int]] = {}
        for priority, (rows, targets) in self._fresh.items():
            if two_dues is not None and len(rows) == 2 and min(targets) > 0:
                (m1, t1, w1, _), (m2, t2, w2, _) = rows
                pairs[priority] = (m1, due_keys[m1], t1, w1, m2, due_keys[m2], t2, w2)
        # The object's keys in place: the head's, then those the report sets, in the order
        # it sets them (`paused` False already: what a running clock gives).
        running = dict(head)
        for key in ("remaining", "breached", "warning"):
            running.setdefault(key, None)
        running["paused"] = False
        open_and_dues = self._open_time.open_and_dues
        fresh_of = self._fresh
        stop_set = self._stop_set
        stops = self._stops
        measure_stopped = self._measure_stopped

        def report(created: int, now: int, priority: str, status: str) -> dict[str, Any]:
            out = running.copy()
            pair = pairs.get(priority)
            if pair is not None and not (
                status in stop_set if stop_set is not None else stops(status)
            ):
                m1, key1, target1, warn1, m2, key2, target2, warn2 = pair
                found = two_dues(created, now, target1, target2)  # type: ignore[misc]
                if found is not None:
                    elapsed, due, due2 = found
                    out[key1] = iso_utc(due)
                    out[key2] = iso_utc(due2)
                    # int / int is correctly rounded, as `timedelta.total_seconds` divides
                    out["remaining"] = {
                        m1: (target1 - elapsed) / 1_000_000,
                        m2: (target2 - elapsed) / 1_000_000,
                    }
                    breached: list[str] = []
                    warning: list[str] = []
                    if now > due:
                        breached.append(m1)
                    elif elapsed >= warn1:
                        warning.append(m1)
                    if now > due2:
                        breached.append(m2)
                    elif elapsed >= warn2:
                        warning.append(m2)
                    out["breached"] = breached
                    out["warning"] = warning
                    return out
            fresh = fresh_of.get(priority)
            if fresh is None:  # no metric runs: nothing to count, nothing that could fail
                out["remaining"] = {}
                out["breached"] = []
                out["warning"] = []
                return out
            rows, targets = rows_of[priority]
            remaining: dict[str, float] = {}
            breached = []
            warning = []
            if status in stop_set if stop_set is not None else stops(status):
                paused, metrics = measure_stopped(created, now, status, fresh[0], targets)
                for (metric, due, left, _, warn), row in zip(metrics, rows, strict=True):
                    out[row[1]] = None if due is None else iso_utc(due)
                    remaining[metric] = left / 1_000_000
                    if warn:
                        warning.append(metric)
                out["remaining"] = remaining
                out["breached"] = breached
                out["warning"] = warning
                out["paused"] = paused
                return out
            times = open_and_dues(created, now, targets)
            elapsed = times[0]
            for metric, key, target, warn_from, k in rows:
                due = times[k]
                out[key] = iso_utc(due)
                # int / int is correctly rounded, as `timedelta.total_seconds` divides
                remaining[metric] = (target - elapsed) / 1_000_000
                if now > due:
                    breached.append(metric)
                elif elapsed >= warn_from:
                    warning.append(metric)
            out["remaining"] = remaining
            out["breached"] = breached
            out["warning"] = warning
            return out

        if all(row[1] in head for rows, _ in rows_of.values() for row in rows):
            return report

        # A head without some due key (not the engine's): the key goes where setting it
        # would put it, after the head's and before ``remaining``.
        def in_order(created: int, now: int, priority: str, status: str) -> dict[str, Any]:
            out = report(created, now, priority, status)
            rows = rows_of.get(priority, ((), ()))[0]
            keys = [*head, *(row[1] for row in rows), "remaining", "breached", "warning"]
            return {key: out[key] for key in dict.fromkeys([*keys, "paused"])}

        return in_order

    def _measure_fresh(
        self, created: dt.datetime, priority: str, status: str, now: dt.datetime
    ) -> SlaResult:
        """`measure_fresh` as `measure` reports it."""
        paused, fresh = self.measure_fresh(to_us(created), to_us(now), priority, status)
        solved = status in SOLVED_STATUSES
        start = created.astimezone(dt.UTC)
        results = []
        for metric, due, remaining, breached, warning in fresh:
            target = self.targets[priority][metric]
            remaining_time = dt.timedelta(microseconds=remaining)
            results.append(
                MetricStatus(
                    metric=metric,
                    priority=priority,
                    target=target,
                    start=start,
                    due=None if due is None else from_us(due),
                    fulfilled_at=start if solved else None,
                    elapsed=target - remaining_time,
                    remaining=remaining_time,
                    paused=paused,
                    warning=warning,
                    breached=breached,
                )
            )
        return SlaResult(now=now.astimezone(dt.UTC), priority=priority, metrics=tuple(results))

    def measure(self, history: TicketHistory, now: dt.datetime) -> SlaResult:
        """The SLA state of a ticket at `now` (aware); events after `now` are ignored."""
        to_us(now, "now")
        created = history.created_at
        to_us(created, "created_at")
        if (
            not history.status_changes
            and not history.priority_changes
            and not history.agent_replies
            and not history.requester_messages
        ):
            return self._measure_fresh(created, history.priority, history.status, now)
        statuses = sorted(
            (
                (at, s)
                for at, s in history.status_changes
                if to_us(at, "status change") <= to_us(now)
            ),
            key=lambda e: e[0],
        )
        timeline = [(created, history.status), *statuses]
        priorities = sorted(
            (
                (at, p)
                for at, p in history.priority_changes
                if to_us(at, "priority change") <= to_us(now)
            ),
            key=lambda e: e[0],
        )
        replies = sorted(r for r in history.agent_replies if created <= r <= now)
        messages = sorted(m for m in history.requester_messages if created <= m <= now)

        def spans(predicate: Callable[[str], bool]) -> list[Pause]:
            out: list[Pause] = []
            for i, (at, status) in enumerate(timeline):
                if predicate(status):
                    end = timeline[i + 1][0] if i + 1 < len(timeline) else None
                    out.append((at, end))
            return out

        def priority_at(t: dt.datetime) -> str:
            current = history.priority
            for at, p in priorities:
                if at <= t:
                    current = p
            return current

        pauses = spans(self._paused)
        solving = spans(lambda s: s in SOLVED_STATUSES)
        solves = [at for at, _ in solving]
        currently_paused = self._paused(timeline[-1][1])

        def first_solve_after(t: dt.datetime) -> dt.datetime | None:
            return next((s for s in solves if s >= t), None)

        def earliest(*instants: dt.datetime | None) -> dt.datetime | None:
            found = [t for t in instants if t is not None]
            return min(found) if found else None

        results: list[MetricStatus] = []

        def add(
            metric: str,
            start: dt.datetime,
            fulfilled: dt.datetime | None,
            metric_pauses: list[Pause],
            paused_now: bool,
        ) -> None:
            priority = priority_at(fulfilled or now)
            target = self.targets.get(priority, {}).get(metric)
            if target is None:
                return
            if fulfilled is not None:  # what happens after fulfilment does not matter
                metric_pauses = [
                    (p, fulfilled if r is None else min(r, fulfilled))
                    for p, r in metric_pauses
                    if p < fulfilled
                ]
            due = self._due(start, target, metric_pauses)
            elapsed = max(_ZERO, self._between(start, fulfilled or now, metric_pauses))
            if fulfilled is not None:
                breached = due is None or fulfilled > due
            else:
                breached = due is not None and now > due
            warning = fulfilled is None and not breached and elapsed >= target * self.warn_at
            results.append(
                MetricStatus(
                    metric=metric,
                    priority=priority,
                    target=target,
                    start=start.astimezone(dt.UTC),
                    due=due,
                    fulfilled_at=None if fulfilled is None else fulfilled.astimezone(dt.UTC),
                    elapsed=elapsed,
                    remaining=target - elapsed,
                    paused=fulfilled is None and paused_now,
                    warning=warning,
                    breached=breached,
                )
            )

        # first reply
        first = replies[0] if replies else None
        add(
            "first_reply",
            created,
            earliest(first, first_solve_after(created)),
            pauses,
            currently_paused,
        )

        # next reply: the latest cycle from an unanswered requester message to the next reply
        if first is not None:
            cycle: tuple[dt.datetime, dt.datetime | None] | None = None
            open_since: dt.datetime | None = None
            events = sorted([(m, 1) for m in messages if m > first] + [(r, 0) for r in replies])
            for at, kind in events:
                if kind == 1 and open_since is None:
                    open_since = at
                    cycle = (at, None)
                elif kind == 0 and open_since is not None:
                    cycle = (open_since, at)
                    open_since = None
            if cycle is not None:
                start, done = cycle
                add(
                    "next_reply",
                    start,
                    earliest(done, first_solve_after(start)),
                    pauses,
                    currently_paused,
                )

        # periodic update: from the latest agent reply to the next one
        if replies:
            last = replies[-1]
            add("periodic_update", last, first_solve_after(last), pauses, currently_paused)

        # resolution: solved time is not counted; re-opening resumes the clock
        solved_now = timeline[-1][1] in SOLVED_STATUSES
        resolved = solves[-1] if solved_now else None
        add("resolution", created, resolved, pauses + solving, currently_paused)

        order = {m: i for i, m in enumerate(METRICS)}
        results.sort(key=lambda m: order[m.metric])
        return SlaResult(
            now=now.astimezone(dt.UTC), priority=priority_at(now), metrics=tuple(results)
        )

"""The SLA step of the pipeline: pick the policy, find (or make) its clock, measure the
ticket, and give the decision's `sla` object.

Per policy (and pause set) a `_Plan` is made once per rule set: the `SlaClock`, the head of
the `sla` object and the clock's reporter for it (`SlaClock.fresh_reporter`). A ticket
without an SLA history (every ticket of a dry run) is then measured in integer microseconds
by that reporter, which gives the whole object (due instants as text); a history goes
through `SlaClock.measure`, the general rules. Both give the same object
(tests/engine/test_sla_fresh.py pins them together); see docs/decisions/0014, 0020 and
0024-sla-step-third-round.md.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from routing.compiler.compiler import CompiledPolicy, CompiledRuleset
from routing.compiler.state import EvalFailure, State
from routing.errors import CalendarError
from routing.model.decision import SLA_DUE_KEYS, SLA_KEYS, DecisionError
from routing.model.schema import STATUSES
from routing.model.ticket import Ticket
from routing.sla import METRICS, SlaClock, TicketHistory
from routing.sla.intervals import fast_us

__all__ = ["sla_of"]

_clock_lock = threading.Lock()

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: The key, among the rule set's SLA clocks, of the plans whose pause set is the same for
#: every ticket, by policy name: one constant key and a name (no key tuple built per ticket).
_STATIC_PLANS = ("plans", None)


def _failure(code: str, message: str, rule: str | None) -> DecisionError:
    return DecisionError(code, message, rule)


def _pause_statuses(compiled: CompiledRuleset, p: CompiledPolicy, s: State) -> frozenset[str]:
    """The statuses in which `pause_when` holds for this ticket.

    A `pause_when` that reads nothing but `status` has the same answer for every ticket:
    it is worked out once per rule set and kept with the SLA clocks.
    """
    if p.pause_when is None:
        return frozenset()
    if p.pause_depends_on_status_only:
        key = ("pause", p.name)
        known: frozenset[str] | None = compiled.clocks.get(key)
        if known is None:
            known = compiled.clocks[key] = _evaluate_pauses(p, s)
        return known
    return _evaluate_pauses(p, s)


def _evaluate_pauses(p: CompiledPolicy, s: State) -> frozenset[str]:
    assert p.pause_when is not None
    keep = s.status
    paused = set()
    try:
        for status in STATUSES:
            s.status = status
            s.version += 1
            try:
                if p.pause_when(s) is True:
                    paused.add(status)
            except EvalFailure:
                continue
    finally:
        s.status = keep
        s.version += 1
    return frozenset(paused)


class _Plan:
    """What the step needs of one policy (and pause set), made once per rule set: the clock
    and the head of the `sla` object (policy, calendar, every due key None, in SLA_KEYS
    order), which each ticket's object starts as a copy of."""

    __slots__ = ("clock", "due_keys", "head", "name", "nows", "report")

    def __init__(self, policy: CompiledPolicy, clock: SlaClock) -> None:
        self.name = policy.name
        self.clock = clock
        self.head: dict[str, Any] = dict.fromkeys(SLA_KEYS)
        self.head["policy"] = policy.name
        self.head["calendar"] = policy.calendar
        self.due_keys = {m: f"{m}_due" for m in METRICS}
        assert set(self.due_keys.values()) == set(SLA_DUE_KEYS)
        #: `SlaClock.report_fresh` with this head and these keys bound, made once.
        self.report = clock.fresh_reporter(self.head, self.due_keys)
        # The last two `now` measured to and their µs since the epoch, the latest first, one
        # tuple (one atomic store, so threads may share it): a dry run measures most tickets
        # at its own `now` and some at theirs, which two slots keep from pushing the common
        # one out. `is` is the test, so the µs are only reused for the very object they
        # were worked out from (which the tuple keeps alive).
        self.nows: tuple[datetime, int, datetime, int] = (_EPOCH, 0, _EPOCH, 0)


def _plan(compiled: CompiledRuleset, p: CompiledPolicy, s: State) -> _Plan:
    """The plan of policy `p` for this ticket, cached with the rule set's SLA clocks: per
    policy when its pause set is the same for every ticket, else per (policy, pause set)."""
    clocks = compiled.clocks
    static = p.pause_when is None or p.pause_depends_on_status_only
    if static:
        plans: dict[str, _Plan] | None = clocks.get(_STATIC_PLANS)
        plan: _Plan | None = plans.get(p.name) if plans is not None else None
        if plan is not None:
            return plan
    paused = _pause_statuses(compiled, p, s)
    key = (p.name, paused)
    plan = clocks.get(key)
    if plan is None:
        with _clock_lock:
            plan = clocks.get(key)
            if plan is None:
                clock = SlaClock(
                    {k: dict(v) for k, v in p.targets.items()},
                    calendar=compiled.calendars.get(p.calendar) if p.calendar else None,
                    clock="business" if p.clock == "business" and p.calendar else "calendar",
                    pause_statuses=paused,
                    warn_at=p.warn_at,
                )
                plan = clocks[key] = _Plan(p, clock)
    if static:
        with _clock_lock:
            clocks.setdefault(_STATIC_PLANS, {})[p.name] = plan
    return plan


def sla_of(
    compiled: CompiledRuleset,
    s: State,
    ticket: Ticket,
    now: datetime,
    sla_history: TicketHistory | None,
    errors: list[DecisionError],
) -> dict[str, Any] | None:
    """The decision's `sla` object (DESIGN section 7), or None when no policy applies;
    a calendar that cannot answer adds an ``eval/calendar`` error and gives None.

    A ticket with no `sla_history` (every ticket of a dry run) is measured in integer µs by
    the plan's reporter (`SlaClock.fresh_reporter`; its instants read by
    `intervals.fast_us`); a history goes
    through `SlaClock.measure`. Both give the same object (tests/engine pin them together).
    """
    if not compiled.policies:
        return None
    policy: CompiledPolicy | None
    if s.sla_policy is not None:
        policy = compiled.policy_by_name.get(s.sla_policy)
        if policy is None:
            return None
    else:
        # the first policy whose `when` holds (none: always); one failing is an error
        for policy in compiled.policies:
            when = policy.when
            if when is None:
                break
            try:
                if when(s) is True:
                    break
            except EvalFailure as exc:
                message = f"SLA policy '{policy.name}': {exc.message}"
                errors.append(_failure(exc.code, message, None))
        else:
            return None
    static: dict[str, _Plan] | None = compiled.clocks.get(_STATIC_PLANS)
    plan = static.get(policy.name) if static is not None else None
    if plan is None:
        plan = _plan(compiled, policy, s)
    created = ticket.created_at or now
    if sla_history is None:
        try:
            a = fast_us(created)
            last_now, b, other_now, other_b = plan.nows
            if now is not last_now:
                last_b = b
                b = other_b if now is other_now else fast_us(now)
                plan.nows = (now, b, last_now, last_b)
        except (TypeError, AttributeError):  # a naive instant: the general path gives the error
            return _general(plan, s, created, now, None, errors)
        try:
            return plan.report(a, b if b > a else a, s.priority, s.status)
        except CalendarError:  # the general path raises it again, in its words
            return _general(plan, s, created, now, None, errors)
    return _general(plan, s, created, now, sla_history, errors)


def _general(
    plan: _Plan,
    s: State,
    created: datetime,
    now: datetime,
    sla_history: TicketHistory | None,
    errors: list[DecisionError],
) -> dict[str, Any] | None:
    """The `sla` object through `SlaClock.measure` (any history)."""
    history = sla_history or TicketHistory(created_at=created, status=s.status, priority=s.priority)
    try:
        result = plan.clock.measure(history, max(now, created))
    except (CalendarError, ValueError) as exc:
        errors.append(_failure("eval/calendar", f"SLA policy '{plan.name}': {exc}", None))
        return None
    out = plan.head.copy()
    remaining: dict[str, float] = {}
    breached: list[str] = []
    warning: list[str] = []
    paused = False
    for m in result.metrics:
        out[plan.due_keys[m.metric]] = m.due.isoformat() if m.due is not None else None
        remaining[m.metric] = m.remaining.total_seconds()
        if m.breached:
            breached.append(m.metric)
        if m.warning:
            warning.append(m.metric)
        paused = paused or m.paused
    out["remaining"] = remaining
    out["breached"] = breached
    out["warning"] = warning
    out["paused"] = paused
    return out

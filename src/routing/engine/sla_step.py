"""The SLA step of the pipeline: pick the policy, find (or make) its clock, measure the
ticket, and give the decision's `sla` object."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from routing.compiler.compiler import CompiledPolicy, CompiledRuleset
from routing.compiler.state import EvalFailure, State
from routing.errors import CalendarError
from routing.model.decision import SLA_DUE_KEYS, DecisionError
from routing.model.schema import STATUSES
from routing.model.ticket import Ticket
from routing.sla import SlaClock, TicketHistory

__all__ = ["sla_of"]

_clock_lock = threading.Lock()


def _failure(code: str, message: str, rule: str | None) -> DecisionError:
    return DecisionError(code, message, rule)


def _pick_policy(
    compiled: CompiledRuleset, s: State, errors: list[DecisionError]
) -> CompiledPolicy | None:
    if s.sla_policy is not None:
        return compiled.policy_by_name.get(s.sla_policy)
    for p in compiled.policies:
        if p.when is None:
            return p
        try:
            if p.when(s) is True:
                return p
        except EvalFailure as exc:
            errors.append(_failure(exc.code, f"SLA policy '{p.name}': {exc.message}", None))
    return None


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


def _clock(compiled: CompiledRuleset, p: CompiledPolicy, paused: frozenset[str]) -> SlaClock:
    key = (p.name, paused)
    clocks = compiled.clocks
    clock: SlaClock | None = clocks.get(key)
    if clock is None:
        with _clock_lock:
            clock = clocks.get(key)
            if clock is None:
                clock = SlaClock(
                    {k: dict(v) for k, v in p.targets.items()},
                    calendar=compiled.calendars.get(p.calendar) if p.calendar else None,
                    clock="business" if p.clock == "business" and p.calendar else "calendar",
                    pause_statuses=paused,
                    warn_at=p.warn_at,
                )
                clocks[key] = clock
    return clock


def sla_of(
    compiled: CompiledRuleset,
    s: State,
    ticket: Ticket,
    now: datetime,
    sla_history: TicketHistory | None,
    errors: list[DecisionError],
) -> dict[str, Any] | None:
    if not compiled.policies:
        return None
    policy = _pick_policy(compiled, s, errors)
    if policy is None:
        return None
    clock = _clock(compiled, policy, _pause_statuses(compiled, policy, s))
    created = ticket.created_at or now
    history = sla_history or TicketHistory(created_at=created, status=s.status, priority=s.priority)
    try:
        result = clock.measure(history, max(now, created))
    except (CalendarError, ValueError) as exc:
        errors.append(_failure("eval/calendar", f"SLA policy '{policy.name}': {exc}", None))
        return None
    out: dict[str, Any] = {
        "policy": policy.name,
        "calendar": policy.calendar,
        **dict.fromkeys(SLA_DUE_KEYS),
    }
    remaining: dict[str, float] = {}
    breached: list[str] = []
    warning: list[str] = []
    paused = False
    for m in result.metrics:
        out[f"{m.metric}_due"] = m.due.isoformat() if m.due is not None else None
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

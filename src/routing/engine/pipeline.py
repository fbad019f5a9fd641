"""The pipeline: stages in order, `first`/`all` modes, `stop`, the spam threshold, the SLA,
and the effects (rendered and gated) — (ticket, now) in, `Decision` out, no I/O."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from routing.compiler.actions import AgentState, PendingEffect
from routing.compiler.compiler import CompiledPolicy, CompiledRuleset
from routing.compiler.state import EvalFailure, State
from routing.dsl import ast
from routing.dsl.durations import format_duration
from routing.dsl.limits import STEP_BUDGET
from routing.dsl.templates import TemplateData, TemplateRenderError, template_data
from routing.engine.replies import (
    DEFAULT_RATE_LIMITS,
    ReplyRecord,
    reply_gate,
    reply_headers,
)
from routing.errors import CalendarError
from routing.model.decision import (
    SLA_DUE_KEYS,
    Decision,
    DecisionError,
    Effect,
    RuleTrace,
    SentReply,
    Suppressed,
)
from routing.model.schema import STATUSES
from routing.model.ticket import Ticket
from routing.sla import SlaClock, TicketHistory

__all__ = ["run"]

_clock_lock = threading.Lock()


def _failure(code: str, message: str, rule: str | None) -> DecisionError:
    return DecisionError(code, message, rule)


def run(
    compiled: CompiledRuleset,
    ticket: Ticket,
    now: datetime,
    *,
    event: str = "created",
    history: Sequence[ReplyRecord] = (),
    agents: AgentState | None = None,
    sla_history: TicketHistory | None = None,
    trace: bool = False,
    step_budget: int = STEP_BUDGET,
) -> Decision:
    """Evaluate one ticket through a compiled rule set."""
    s = State(ticket, now)
    s.agent_state = agents
    if compiled.observe:
        s.observed = {}
    traces: list[RuleTrace] = []
    fired: list[str] = []
    errors: list[DecisionError] = s.errors
    stopped = False
    over_budget = False
    # The rule index (docs/decisions/0012-rule-index.md): without a trace, and when no visit
    # order can exceed the step budget, only the candidate rules are visited; otherwise every
    # rule is, and the rules the index rules out count as not matched without being run.
    index = compiled.index
    jump = index is not None and not trace and index.total_cost <= step_budget
    for stage_no, stage in enumerate(compiled.stages):
        done = False
        rules = stage.rules
        wanted: set[int] | None = None
        visit: Any = range(len(rules))
        if index is not None and jump:
            visit = () if stopped else index.candidates(stage_no, s)
        elif index is not None and not stopped:
            wanted = set(index.candidates(stage_no, s))
        for pos in visit:
            rule = rules[pos]
            if stopped or done or not rule.enabled or event not in rule.events:
                if trace:
                    outcome = (
                        "stopped"
                        if stopped
                        else "skipped"
                        if done
                        else "disabled"
                        if not rule.enabled
                        else "other-event"
                    )
                    traces.append(RuleTrace(stage.name, rule.name, outcome))
                continue
            s.steps += rule.cost
            if s.steps > step_budget:
                stopped = over_budget = True
                err = _failure(
                    "eval/step-budget",
                    f"evaluation stopped at rule '{rule.name}': the ticket exceeded the "
                    f"budget of {step_budget} steps",
                    rule.name,
                )
                errors.append(err)
                if trace:
                    traces.append(RuleTrace(stage.name, rule.name, "error", err))
                continue
            if wanted is not None and pos not in wanted:  # ruled out: its condition is false
                if trace:
                    traces.append(RuleTrace(stage.name, rule.name, "not-matched", None, ()))
                continue
            try:
                matched = rule.condition(s) is True
            except EvalFailure as exc:
                err = _failure(exc.code, exc.message, rule.name)
                errors.append(err)
                if trace:
                    traces.append(RuleTrace(stage.name, rule.name, "error", err, _tests(rule, s)))
                continue
            except (TypeError, ValueError, AttributeError, OverflowError) as exc:
                err = _failure("eval/type-error", f"{type(exc).__name__}: {exc}"[:300], rule.name)
                errors.append(err)
                if trace:
                    traces.append(RuleTrace(stage.name, rule.name, "error", err))
                continue
            if trace:
                traces.append(
                    RuleTrace(
                        stage.name,
                        rule.name,
                        "fired" if matched else "not-matched",
                        None,
                        _tests(rule, s),
                    )
                )
            if not matched:
                continue
            for apply in rule.actions:
                apply(s)
            fired.append(rule.name)
            if rule.stop:
                stopped = True
            if stage.mode == "first":
                done = True
        if stage.name == "spam":
            s.spam = s.spam or s.spam_score >= compiled.spam_threshold
    if not compiled.has_spam_stage:
        s.spam = s.spam or s.spam_score >= compiled.spam_threshold
    _ = over_budget
    sla = _sla(compiled, s, ticket, now, sla_history, errors)
    tags = tuple(sorted(s.tags))
    effects: list[Effect] = []
    suppressed: list[Suppressed] = []
    sent: list[SentReply] = []
    if s.effects:
        _effects(
            compiled, s, ticket, now, history, sla, tags, fired, effects, suppressed, sent, errors
        )
    return Decision(
        ticket_id=ticket.id,
        queue=s.queue,
        priority=s.priority,
        status=s.status,
        assignee=s.assignee,
        tags=tags,
        spam=s.spam,
        spam_score=s.spam_score,
        fields=s.fields,
        fired=tuple(fired),
        effects=tuple(effects),
        sla=sla,
        errors=tuple(errors),
        trace=tuple(traces),
        suppressed=tuple(suppressed),
        assignment=s.assignment,
        sent=tuple(sent),
    )


def _tests(rule: Any, s: State) -> tuple[tuple[str, Any], ...]:
    observed = s.observed
    if observed is None:
        return ()
    out = []
    for nid, text in rule.tests:
        if nid in observed:
            out.append((text, observed[nid]))
        else:
            out.append((text, "(not evaluated)"))
    observed.clear()
    return tuple(out)


# ---------------------------------------------------------------------------- SLA


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


def _sla(
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


# ---------------------------------------------------------------------------- effects


def _calendar_data(
    compiled: CompiledRuleset, now: datetime, errors: list[DecisionError]
) -> dict[str, Any]:
    """``calendars[name]`` for templates: only the calendars some template reads."""
    out: dict[str, Any] = {}
    for name in sorted(compiled.template_calendars):
        cal = compiled.calendars[name]
        try:
            opening = cal.next_open(now).astimezone(cal.timezone).isoformat()
        except (CalendarError, ValueError) as exc:
            errors.append(_failure("eval/calendar", f"calendar '{name}': {exc}", None))
            opening = None
        out[name] = {
            "next_open": opening,
            "is_open": cal.is_open(now),
            "timezone": cal.timezone.key,
        }
    return out


def _effects(
    compiled: CompiledRuleset,
    s: State,
    ticket: Ticket,
    now: datetime,
    history: Sequence[ReplyRecord],
    sla: dict[str, Any] | None,
    tags: tuple[str, ...],
    fired: list[str],
    effects: list[Effect],
    suppressed: list[Suppressed],
    sent: list[SentReply],
    errors: list[DecisionError],
) -> None:
    data: TemplateData | None = None

    def render(rule: str, template: str) -> str | None:
        nonlocal data
        if data is None:
            decision = {
                "ticket_id": ticket.id,
                "queue": s.queue,
                "priority": s.priority,
                "status": s.status,
                "assignee": s.assignee,
                "tags": list(tags),
                "spam": s.spam,
                "spam_score": s.spam_score,
                "fields": dict(s.fields),
                "fired": list(fired),
            }
            plain = ticket.to_dict()
            plain.update(
                queue=s.queue,
                priority=s.priority,
                status=s.status,
                assignee=s.assignee,
                tags=list(tags),
                fields=dict(s.fields),
                spam=s.spam,
                spam_score=s.spam_score,
                text=ticket.text,
            )
            raw = template_data(ticket=plain, decision=decision, sla=sla, now=now)
            raw["calendars"] = _calendar_data(compiled, now, errors)
            data = TemplateData(raw)  # made plain once, per root a template reads
        try:
            return str(compiled.templates[template].render(data))
        except TemplateRenderError as exc:
            errors.append(_failure("eval/template-error", f"template '{template}': {exc}", rule))
            return None

    policy = compiled.replies
    tiers = DEFAULT_RATE_LIMITS if policy.rate_limits is None else policy.rate_limits
    # Replies this decision sends count in the rate-limit tiers of its later replies (they go
    # out at `now`): the tiers cap what the requester receives, however many rules ask.
    issued = 0
    for pending in s.effects:
        assert isinstance(pending, PendingEffect)
        action = pending.action
        if isinstance(action, ast.ReplyAction):
            template = action.template.value
            to = ticket.requester.email
            gate = reply_gate(
                spam=s.spam,
                no_reply=s.no_reply,
                headers=ticket.headers,
                recipient=to,
                template=template,
                now=now,
                once_per=timedelta(seconds=action.once_per) if action.once_per else None,
                history=history,
                own_addresses=policy.own_addresses,
                rate_limits=tiers,
                sent_now=issued,
            )
            reason = gate.suppression
            if reason is not None or to is None:  # reply_gate suppresses a missing address
                assert reason is not None
                suppressed.append(Suppressed(pending.rule, template, reason.code, reason.reason))
                continue
            body = render(pending.rule, template)
            if body is None:
                continue
            subject = ticket.subject.strip() or f"ticket {ticket.id}"
            headers = reply_headers(
                ticket.headers.get("Message-ID"),
                ticket.headers.get("References"),
                sender=policy.sender,
            )
            effects.append(
                Effect(
                    type="reply",
                    rule=pending.rule,
                    template=template,
                    to=to,
                    subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
                    body=body,
                    headers=tuple(headers.items()),
                )
            )
            issued += 1
            sent.append(
                SentReply(
                    pending.rule,
                    template,
                    to,
                    gate.passed,
                    tuple(
                        (t.limit, format_duration(int(t.window.total_seconds())), t.count)
                        for t in gate.tiers
                    ),
                )
            )
        elif isinstance(action, ast.NotifyAction):
            body = render(pending.rule, action.template.value)
            if body is not None:
                effects.append(
                    Effect(
                        type="notify",
                        rule=pending.rule,
                        template=action.template.value,
                        to=str(action.to.value),
                        body=body,
                    )
                )
        elif isinstance(action, ast.WebhookAction):
            body = render(pending.rule, action.body.value) if action.body is not None else None
            if action.body is not None and body is None:
                continue
            effects.append(
                Effect(
                    type="webhook",
                    rule=pending.rule,
                    template=action.body.value if action.body else None,
                    url=str(action.url.value),
                    body=body,
                )
            )

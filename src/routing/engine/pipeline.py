"""The pipeline: stages in order, `first`/`all` modes, `stop`, the spam threshold, the SLA,
and the effects (rendered and gated) — (ticket, now) in, `Decision` out, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from routing.compiler.actions import AgentState
from routing.compiler.compiler import CompiledRuleset
from routing.compiler.state import EvalFailure, State
from routing.dsl.limits import STEP_BUDGET
from routing.engine.effects import effects_of
from routing.engine.replies import ReplyRecord
from routing.engine.sla_step import sla_of
from routing.model.decision import (
    Decision,
    DecisionError,
    Effect,
    RuleTrace,
    SentReply,
    Suppressed,
)
from routing.model.ticket import Ticket
from routing.sla import TicketHistory

__all__ = ["run"]


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
    sla = sla_of(compiled, s, ticket, now, sla_history, errors)
    tags = tuple(sorted(s.tags))
    effects: list[Effect] = []
    suppressed: list[Suppressed] = []
    sent: list[SentReply] = []
    if s.effects:
        effects_of(
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

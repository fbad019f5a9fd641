"""The pipeline: stages in order, `first`/`all` modes, `stop`, the spam threshold, the SLA,
and the effects (rendered and gated) — (ticket, now) in, `Decision` out, no I/O.

Two loops walk the stages. The general one (`_run_general`: with a trace, without a rule
index, or when the step budget could be crossed) visits every rule, counts its steps and
records why it did or did not fire. The fast one (`run` itself, the common `evaluate`)
follows a per-event plan kept on the rule index (`_plan`): per stage, the enabled rules
listening to the event, the index's lookups, and nothing else — no step counting (it cannot
reach the budget, see docs/decisions/0012-rule-index.md), no trace branches.
docs/decisions/0017-stage-plans.md. On a rule set of at most
`routing.compiler.fuse.FUSE_LIMIT` rules the plan runs as one generated function
(docs/decisions/0018-fused-stage-plans.md): the candidate sets, the conditions and the
simple actions inlined; larger rule sets walk the plan's bit sets (`_walk`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from routing.compiler.actions import AgentState
from routing.compiler.compiler import CompiledRuleset
from routing.compiler.fuse import TYPE_ERRORS, FusedRule, FusedStage
from routing.compiler.index import Lookup, RuleIndex, StageIndex
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

#: the Python exceptions a condition may raise that become the rule's `eval/type-error`
_TYPE_ERRORS = TYPE_ERRORS

#: a plan's fused function: ``f(s, fired, errors)``
_Fused = Callable[[State, list[str], list[DecisionError]], None]


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
    index = compiled.index
    if trace or index is None or index.total_cost > step_budget:
        return _run_general(
            compiled, ticket, now, event, history, agents, sla_history, trace, step_budget
        )
    # The fast loop: the plan of the event (docs/decisions/0017-stage-plans.md). The step
    # budget is not counted: every enabled rule together costs no more than it.
    plan = index.plans.get(event)
    if plan is None:
        plan = _plan(compiled, index, event)
        if len(index.plans) < _MAX_PLANS:  # the four events (`run` does not check its input)
            index.plans[event] = plan
    s = State(ticket, now)
    s.agent_state = agents
    fired: list[str] = []
    errors: list[DecisionError] = s.errors
    fused = plan.fused
    if fused is not None:
        fused(s, fired, errors)  # the plan as one generated function (decision 0018)
    else:
        _walk(plan, index, compiled.spam_threshold, s, fired, errors)
    sla = sla_of(compiled, s, ticket, now, sla_history, errors)
    tags = tuple(sorted(s.tags))
    fired_names = tuple(fired)
    effects: tuple[Effect, ...] = ()
    suppressed: tuple[Suppressed, ...] = ()
    sent: tuple[SentReply, ...] = ()
    if s.effects:
        effect_list: list[Effect] = []
        suppressed_list: list[Suppressed] = []
        sent_list: list[SentReply] = []
        effects_of(
            compiled,
            s,
            ticket,
            now,
            history,
            sla,
            tags,
            fired,
            effect_list,
            suppressed_list,
            sent_list,
            errors,
        )
        effects, suppressed, sent = tuple(effect_list), tuple(suppressed_list), tuple(sent_list)
    # positional arguments: a call with 17 keywords costs about as much again as the
    # constructor (tests/model/test_decision.py pins the order of the parameters)
    return Decision(
        ticket.id,
        s.queue,
        s.priority,
        s.status,
        s.assignee,
        tags,
        s.spam,
        s.spam_score,
        s.fields,
        fired_names,
        effects,
        sla,
        tuple(errors),
        (),
        suppressed,
        s.assignment,
        sent=sent,
    )


# ---------------------------------------------------------------------------- the fast loop

#: one rule as the fast loop needs it: name, condition, actions, stop
_Entry = tuple[str, Any, tuple[Any, ...], bool]

#: how many candidate sets a stage of a plan remembers the rules of (`_Stage.runs`)
_RUNS_PER_STAGE = 256
#: how many events' plans a rule index keeps
_MAX_PLANS = 8


class _Stage:
    """One stage of a plan: its rules listening to the event, and the index's lookups for
    them. Sets of rules are ints used as bit sets (bit p is the stage's rule p)."""

    __slots__ = (
        "base",
        "by_bit",
        "fields",
        "first",
        "fixed",
        "listening",
        "offset",
        "runs",
        "spam",
        "tags",
    )

    def __init__(self, spam: bool, first: bool, sx: StageIndex, listening: int) -> None:
        guarded = listening & ~sx.unguarded
        #: the spam threshold is applied after this stage
        self.spam = spam
        #: `mode: first`: the first rule that fires ends the stage
        self.first = first
        #: the rules the stage visits for every ticket
        self.base = listening & sx.unguarded
        # the index's lookups, left out when no listening rule is guarded
        self.fields = sx.fields if guarded else ()
        self.tags = sx.tags if guarded else {}
        self.fixed = sx.fixed and bool(guarded)
        #: where the stage's bits start in the rule set's masks (`RuleIndex.fixed`)
        self.offset = sx.offset
        #: the enabled rules that listen to the event
        self.listening = listening
        #: a rule's bit -> the rule
        self.by_bit: dict[int, _Entry] = {}
        #: candidate set -> its rules in order, remembered for up to _RUNS_PER_STAGE sets
        #: (a set depends only on which guards hold, so few sets recur across tickets)
        self.runs: dict[int, tuple[_Entry, ...]] = {}

    def rules(self, todo: int) -> tuple[_Entry, ...]:
        """The rules of the candidate set `todo`, in rule order."""
        by_bit = self.by_bit
        out = []
        bits = todo
        while bits:
            low = bits & -bits  # the lowest set bit: the earliest rule left
            out.append(by_bit[low])
            bits ^= low
        entries = tuple(out)
        if len(self.runs) < _RUNS_PER_STAGE:
            self.runs[todo] = entries
        return entries


#: a `_Stage` as the fast loop unpacks it (one tuple unpacking instead of ten attribute
#: reads): base, fields, tags, fixed, offset, listening, runs, the stage, first, spam
_Row = tuple[
    int,
    tuple[Lookup, ...],
    dict[str, int],
    bool,
    int,
    int,
    dict[int, tuple[_Entry, ...]],
    _Stage,
    bool,
    bool,
]


class _Plan:
    """What the fast loop does for one event, decided once per compiled rule set."""

    __slots__ = ("fused", "rows", "spam_after", "stages")

    def __init__(
        self, stages: tuple[_Stage, ...], spam_after: bool, fused: _Fused | None = None
    ) -> None:
        self.stages = stages
        #: the plan as one generated function (`routing.compiler.fuse`), or None: `_walk`
        self.fused = fused
        self.rows: tuple[_Row, ...] = tuple(
            (
                st.base,
                st.fields,
                st.tags,
                st.fixed,
                st.offset,
                st.listening,
                st.runs,
                st,
                st.first,
                st.spam,
            )
            for st in stages
        )
        #: no stage is named spam: the threshold is applied after the last stage
        self.spam_after = spam_after


def _plan(compiled: CompiledRuleset, index: RuleIndex, event: str) -> _Plan:
    """The fast loop's plan for `event`. A stage with no rule listening to the event keeps
    its place only when it is the spam stage (the threshold is applied there)."""
    stages: list[_Stage] = []
    fused: list[FusedStage] = []
    line = 0  # the rule's place in the rule set (the line of its block in the fused code)
    for stage, sx in zip(compiled.stages, index.stages, strict=True):
        line += len(stage.rules)
        listening = 0
        for pos, rule in enumerate(stage.rules):
            if rule.enabled and event in rule.events:
                listening |= 1 << pos
        spam = stage.name == "spam"
        if not listening and not spam:
            continue
        planned = _Stage(spam, stage.mode == "first", sx, listening)
        rules: list[FusedRule] = []
        for pos, rule in enumerate(stage.rules):
            if listening >> pos & 1:
                planned.by_bit[1 << pos] = (rule.name, rule.condition, rule.actions, rule.stop)
                rules.append(
                    FusedRule(
                        1 << pos,
                        line - len(stage.rules) + pos + 1,
                        rule.name,
                        rule.condition,
                        rule.actions,
                        rule.specs,
                        rule.stop,
                    )
                )
        stages.append(planned)
        fused.append(
            FusedStage(
                planned.base,
                planned.fields,
                planned.tags,
                planned.fixed,
                planned.offset,
                listening,
                planned.first,
                spam,
                tuple(rules),
            )
        )
    spam_after = not compiled.has_spam_stage
    fuser = compiled.fuser
    return _Plan(
        tuple(stages),
        spam_after,
        fuser.function(event, fused, spam_after) if fuser is not None else None,
    )


def _walk(
    plan: _Plan,
    index: RuleIndex,
    threshold: float,
    s: State,
    fired: list[str],
    errors: list[DecisionError],
) -> None:
    """The plan's stages on `s`, walking the candidate bit sets (a rule set too large to
    fuse: `routing.compiler.fuse.FUSE_LIMIT`)."""
    stopped = False
    fixed = -1  # the ticket's `RuleIndex.fixed` mask, computed when a stage first needs it
    for (
        base,
        fields,
        tag_masks,
        needs_fixed,
        offset,
        listening,
        runs,
        stage,
        first,
        spam,
    ) in plan.rows:
        if not stopped:
            # the candidates, as `StageIndex.mask` computes them, from the state as it is now
            todo = base
            for get, table, every in fields:
                try:
                    value = get(s)
                except EvalFailure:  # the field's read fails: every rule reading it is visited
                    todo |= every
                    continue
                todo |= table.get(value, 0)
            if tag_masks:
                for tag in s.tags:
                    todo |= tag_masks.get(tag, 0)
            if needs_fixed:
                if fixed < 0:
                    fixed = index.fixed(s)
                todo |= fixed >> offset
            todo &= listening
            entries = runs.get(todo)
            if entries is None:
                entries = stage.rules(todo)
            for name, condition, actions, stop in entries:
                try:
                    if condition(s) is not True:
                        continue
                except EvalFailure as exc:
                    errors.append(DecisionError(exc.code, exc.message, name))
                    continue
                except _TYPE_ERRORS as exc:
                    message = f"{type(exc).__name__}: {exc}"[:300]
                    errors.append(DecisionError("eval/type-error", message, name))
                    continue
                for apply in actions:
                    apply(s)
                fired.append(name)
                if stop:
                    stopped = True
                    break
                if first:
                    break
        if spam:
            s.spam = s.spam or s.spam_score >= threshold
    if plan.spam_after:
        s.spam = s.spam or s.spam_score >= threshold


# ---------------------------------------------------------------------------- the general loop


def _run_general(
    compiled: CompiledRuleset,
    ticket: Ticket,
    now: datetime,
    event: str,
    history: Sequence[ReplyRecord],
    agents: AgentState | None,
    sla_history: TicketHistory | None,
    trace: bool,
    step_budget: int,
) -> Decision:
    """`run` with a trace, without a rule index, or when the step budget could be crossed:
    every rule is visited in order, its steps counted, and its outcome traced if asked."""
    index = compiled.index
    s = State(ticket, now)
    s.agent_state = agents
    if compiled.observe:
        s.observed = {}
    traces: list[RuleTrace] = []
    fired: list[str] = []
    errors: list[DecisionError] = s.errors
    stopped = False
    over_budget = False
    # The rule index (docs/decisions/0012-rule-index.md): here every rule is visited, and
    # the ones the index rules out count as not matched (their steps too) without being run.
    for stage_no, stage in enumerate(compiled.stages):
        done = False
        rules = stage.rules
        wanted: set[int] | None = None
        if index is not None and not stopped:
            wanted = set(index.candidates(stage_no, s))
        for pos, rule in enumerate(rules):
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
            except _TYPE_ERRORS as exc:
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
            out.append((text, _snapshot(observed[nid])))
        else:
            out.append((text, "(not evaluated)"))
    observed.clear()
    return tuple(out)


def _snapshot(value: Any) -> Any:
    """A recorded value as it is now: `tags` and `fields` are the state's own set and dict,
    which the rule's actions (run after this) and later rules change."""
    kind = type(value)
    if kind is set:
        return frozenset(value)
    if kind is dict:
        return dict(value)
    if kind is list:
        return list(value)
    return value

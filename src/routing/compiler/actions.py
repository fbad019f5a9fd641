"""Action specs -> appliers: closures that change the working `State` of one ticket.

Effects (reply, notify, webhook) are recorded as pending; the engine renders and gates
them once every rule has run, so templates see the final decision and SLA.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from routing.compiler.state import State
from routing.dsl import ast
from routing.model.schema import PRIORITIES

__all__ = ["AgentState", "Applier", "PendingEffect", "compile_action"]

Applier = Callable[[State], None]
_RANK = {p: i for i, p in enumerate(PRIORITIES)}


@dataclass(frozen=True, slots=True)
class AgentState:
    """What the caller knows of its agents: open tickets per agent, round-robin cursors.

    `cursors` maps a queue to the agent that got that queue's last round-robin ticket.
    """

    load: Mapping[str, int]
    cursors: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PendingEffect:
    rule: str
    action: ast.ReplyAction | ast.NotifyAction | ast.WebhookAction


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    queues: frozenset[str]
    skills: frozenset[str]
    calendar: Any  # routing.sla.Calendar | None


def _bump(s: State) -> None:
    s.version += 1


def compile_action(
    action: ast.Action, rule: str, agents: Sequence[Agent], field_types: Mapping[str, Any]
) -> Applier:
    """One applier per action; everything constant is resolved here."""
    if isinstance(action, ast.RouteAction):
        queue = action.queue.value

        def route(s: State) -> None:
            s.queue = queue
            _bump(s)

        return route
    if isinstance(action, ast.PriorityAction):
        prio = action.priority.value
        if action.raise_only:
            rank = _RANK[prio]

            def raise_priority(s: State) -> None:
                if _RANK[s.priority] < rank:
                    s.priority = prio
                    _bump(s)

            return raise_priority

        def priority(s: State) -> None:
            s.priority = prio
            _bump(s)

        return priority
    if isinstance(action, ast.TagAction):
        tags = frozenset(t.value.strip().lower() for t in action.tags)
        if action.remove:

            def untag(s: State) -> None:
                s.tags.difference_update(tags)
                _bump(s)

            return untag

        def tag(s: State) -> None:
            s.tags.update(tags)
            _bump(s)

        return tag
    if isinstance(action, ast.SetAction):
        items = tuple((i.target.value, i.value.value) for i in action.items)

        def set_(s: State) -> None:
            for target, value in items:
                if target.startswith("fields."):
                    s.fields[target[7:]] = value
                elif target == "status":
                    s.status = str(value)
                elif target == "priority":
                    s.priority = str(value)
                elif target == "queue":
                    s.queue = None if value is None else str(value)
                elif target == "assignee":
                    s.assignee = None if value is None else str(value)
            _bump(s)

        return set_
    if isinstance(action, ast.SpamScoreAction):
        amount = float(action.amount)

        def spam_score(s: State) -> None:
            s.spam_score += amount
            _bump(s)

        return spam_score
    if isinstance(action, ast.MarkSpamAction):
        flag = action.value

        def mark_spam(s: State) -> None:
            s.spam = flag
            _bump(s)

        return mark_spam
    if isinstance(action, ast.NoReplyAction):
        no_reply = action.value

        def suppress(s: State) -> None:
            s.no_reply = s.no_reply or no_reply

        return suppress
    if isinstance(action, ast.SlaAction):
        policy = action.policy.value

        def sla(s: State) -> None:
            s.sla_policy = policy

        return sla
    if isinstance(action, ast.ReplyAction | ast.NotifyAction | ast.WebhookAction):
        pending = PendingEffect(rule, action)

        def effect(s: State) -> None:
            s.effects.append(pending)

        return effect
    if isinstance(action, ast.AssignAction):
        return _assign(action, rule, agents)
    raise AssertionError(f"unknown action {action!r}")  # pragma: no cover


def _assign(action: ast.AssignAction, rule: str, agents: Sequence[Agent]) -> Applier:
    if action.agent is not None:
        agent_id = action.agent.value

        def direct(s: State) -> None:
            s.assignee = agent_id
            s.assignment = {"rule": rule, "strategy": "agent", "agent": agent_id}
            _bump(s)

        return direct
    strategy = action.strategy.value if action.strategy else "least_loaded"
    skills = frozenset(k.value for k in action.skills)

    def assign(s: State) -> None:
        state: AgentState | None = s.agent_state
        load = state.load if state else {}
        cursors = state.cursors if state else {}
        queue = s.queue
        on_shift = [
            a
            for a in agents
            if (queue is None or queue in a.queues or not a.queues)
            and (a.calendar is None or a.calendar.is_open(s.now))
        ]
        pool = [a for a in on_shift if skills <= a.skills]
        if not pool:
            # Not an error: outside every shift nobody can take the ticket. The decision's
            # assignment says why the assignee stayed as it was.
            s.assignment = {
                "rule": rule,
                "strategy": strategy,
                "agent": None,
                "reason": f"no agent of queue '{queue}' is on shift"
                + (f" with skills {', '.join(sorted(skills))}" if skills else ""),
            }
            return
        if strategy == "round_robin":
            ids = [a.id for a in pool]
            last = cursors.get(queue or "")
            if last in ids:
                chosen = pool[(ids.index(last) + 1) % len(pool)]
            else:
                # the next in declared order after the cursor, even if the cursor's
                # agent is off shift now
                order = [a.id for a in agents]
                after = order.index(last) if last in order else -1
                chosen = next(
                    (a for a in pool if order.index(a.id) > after),
                    pool[0],
                )
        else:
            chosen = min(pool, key=lambda a: (load.get(a.id, 0), a.id))
        s.assignee = chosen.id
        s.assignment = {
            "rule": rule,
            "strategy": strategy,
            "agent": chosen.id,
            "load": {chosen.id: load.get(chosen.id, 0) + 1},
            "cursor": {queue or "": chosen.id} if strategy == "round_robin" else {},
        }
        _bump(s)

    return assign

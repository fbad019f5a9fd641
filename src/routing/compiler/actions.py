"""Action specs -> appliers: closures that change the working `State` of one ticket.

Effects (reply, notify, webhook) are recorded as pending; the engine renders and gates
them once every rule has run, so templates see the final decision and SLA.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from routing.compiler.state import State
from routing.dsl import ast
from routing.errors import CalendarError
from routing.model.decision import DecisionError
from routing.model.schema import PRIORITIES

__all__ = ["AgentState", "Applier", "PendingEffect", "Spec", "action_spec", "compile_action"]

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


#: what a simple action does, as data (`action_spec`): a kind and its constants
Spec = tuple[Any, ...]


def action_spec(action: ast.Action, rule: str) -> Spec | None:
    """What `action` does, as data resolved at compile time, or None for ``assign`` (which
    stays a closure). `compile_action` builds its appliers from these, and the fused stage
    code (`routing.compiler.fuse`) inlines them, so both do exactly the same.

    Kinds: ``("route", queue)``, ``("priority", value)``, ``("raise", value, rank)``,
    ``("tag", tags)``, ``("untag", tags)``, ``("set", ((target, value), ...))`` with targets
    ``fields.NAME``, ``status``, ``priority``, ``queue``, ``assignee`` and values as the
    working state holds them, ``("spam_score", amount)``, ``("mark_spam", flag)``,
    ``("no_reply", flag)``, ``("sla", policy)``, ``("effect", PendingEffect)``.
    """
    if isinstance(action, ast.RouteAction):
        return ("route", action.queue.value)
    if isinstance(action, ast.PriorityAction):
        prio = action.priority.value
        if action.raise_only:
            return ("raise", prio, _RANK[prio])
        return ("priority", prio)
    if isinstance(action, ast.TagAction):
        tags = frozenset(t.value.strip().lower() for t in action.tags)
        return ("untag" if action.remove else "tag", tags)
    if isinstance(action, ast.SetAction):
        items: list[tuple[str, Any]] = []
        for i in action.items:
            target, value = i.target.value, i.value.value
            if target.startswith("fields."):
                items.append((target, value))
            elif target in ("status", "priority"):
                items.append((target, str(value)))
            elif target in ("queue", "assignee"):
                items.append((target, None if value is None else str(value)))
        return ("set", tuple(items))
    if isinstance(action, ast.SpamScoreAction):
        return ("spam_score", float(action.amount))
    if isinstance(action, ast.MarkSpamAction):
        return ("mark_spam", action.value)
    if isinstance(action, ast.NoReplyAction):
        return ("no_reply", action.value)
    if isinstance(action, ast.SlaAction):
        return ("sla", action.policy.value)
    if isinstance(action, ast.ReplyAction | ast.NotifyAction | ast.WebhookAction):
        return ("effect", PendingEffect(rule, action))
    if isinstance(action, ast.AssignAction):
        return None
    raise AssertionError(f"unknown action {action!r}")  # pragma: no cover


def compile_action(
    action: ast.Action, rule: str, agents: Sequence[Agent], field_types: Mapping[str, Any]
) -> Applier:
    """One applier per action; everything constant is resolved here (`action_spec`)."""
    spec = action_spec(action, rule)
    if spec is None:
        assert isinstance(action, ast.AssignAction)
        return _assign(action, rule, agents)
    return _applier(spec)


def _applier(spec: Spec) -> Applier:
    kind = spec[0]
    if kind == "route":
        queue = spec[1]

        def route(s: State) -> None:
            s.queue = queue
            _bump(s)

        return route
    if kind == "raise":
        prio, rank = spec[1], spec[2]

        def raise_priority(s: State) -> None:
            if _RANK[s.priority] < rank:
                s.priority = prio
                _bump(s)

        return raise_priority
    if kind == "priority":
        value = spec[1]

        def priority(s: State) -> None:
            s.priority = value
            _bump(s)

        return priority
    if kind == "untag":
        removed = spec[1]

        def untag(s: State) -> None:
            s.tags.difference_update(removed)
            _bump(s)

        return untag
    if kind == "tag":
        added = spec[1]

        def tag(s: State) -> None:
            s.tags.update(added)
            _bump(s)

        return tag
    if kind == "set":
        items = spec[1]

        def set_(s: State) -> None:
            for target, value in items:
                if target.startswith("fields."):
                    s.fields[target[7:]] = value
                elif target == "status":
                    s.status = value
                elif target == "priority":
                    s.priority = value
                elif target == "queue":
                    s.queue = value
                else:
                    s.assignee = value
            _bump(s)

        return set_
    if kind == "spam_score":
        amount = spec[1]

        def spam_score(s: State) -> None:
            s.spam_score += amount
            _bump(s)

        return spam_score
    if kind == "mark_spam":
        flag = spec[1]

        def mark_spam(s: State) -> None:
            s.spam = flag
            _bump(s)

        return mark_spam
    if kind == "no_reply":
        no_reply = spec[1]

        def suppress(s: State) -> None:
            s.no_reply = s.no_reply or no_reply

        return suppress
    if kind == "sla":
        policy = spec[1]

        def sla(s: State) -> None:
            s.sla_policy = policy

        return sla
    pending = spec[1]  # "effect"

    def effect(s: State) -> None:
        s.effects.append(pending)

    return effect


#: Most instants remembered per queue and rule (a dry run has one ``now``); bounded.
_SHIFTS_SIZE = 64


@dataclass(frozen=True, slots=True)
class _Candidates:
    """The agents one ``assign`` may choose from for one queue, worked out when the rule
    set is compiled, and who of them is on shift at the instants seen (`on_shift`)."""

    #: The distinct calendars of the queue's agents, in the order they first appear: each
    #: is asked once per instant, in the order the agents would ask.
    calendars: tuple[Any, ...]
    #: The queue's agents with the rule's skills, in declared order.
    skilled: tuple[Agent, ...]
    #: The same sorted by id (stable): ``least_loaded`` with no load takes the first on shift.
    by_id: tuple[Agent, ...]
    #: Per instant: the skilled agents on shift, in declared order and sorted by id.
    shifts: dict[datetime, tuple[tuple[Agent, ...], tuple[Agent, ...]]] = field(
        default_factory=dict
    )

    def on_shift(self, now: datetime) -> tuple[tuple[Agent, ...], tuple[Agent, ...]]:
        """The skilled agents on shift at `now`: in declared order, and sorted by id.

        Remembered per instant (the key is the instant: a calendar is open or not at an
        instant whatever its zone); a calendar that raises is asked again next time.
        """
        hit = self.shifts.get(now)
        if hit is not None:
            return hit
        closed = {id(c) for c in self.calendars if not c.is_open(now)}
        shift = (
            tuple(a for a in self.skilled if a.calendar is None or id(a.calendar) not in closed),
            tuple(a for a in self.by_id if a.calendar is None or id(a.calendar) not in closed),
        )
        if len(self.shifts) >= _SHIFTS_SIZE:
            self.shifts.clear()
        self.shifts[now] = shift
        return shift


def _candidates(agents: Sequence[Agent], skills: frozenset[str]) -> _Candidates:
    calendars = {id(a.calendar): a.calendar for a in agents if a.calendar is not None}
    skilled = tuple(a for a in agents if skills <= a.skills)
    return _Candidates(
        tuple(calendars.values()), skilled, tuple(sorted(skilled, key=lambda a: a.id))
    )


#: no load and no cursors, when the caller gives no `AgentState` (read only)
_NOTHING: Mapping[str, Any] = MappingProxyType({})


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
    # Everything that depends on the queue alone: the agents of a queue are those that list
    # it or list no queue; a queue no agent lists has only the latter; no queue, everyone.
    named = sorted({q for a in agents for q in a.queues})
    by_queue = {
        q: _candidates([a for a in agents if q in a.queues or not a.queues], skills) for q in named
    }
    unlisted = _candidates([a for a in agents if not a.queues], skills)
    everyone = _candidates(agents, skills)
    order: dict[str, int] = {}
    for i, a in enumerate(agents):
        order.setdefault(a.id, i)  # the first place of an id, as list.index finds it
    with_skills = f" with skills {', '.join(sorted(skills))}" if skills else ""

    def assign(s: State) -> None:
        state: AgentState | None = s.agent_state
        load = state.load if state else _NOTHING
        cursors = state.cursors if state else _NOTHING
        queue = s.queue
        cands = everyone if queue is None else by_queue.get(queue, unlisted)
        try:
            in_order, by_id = cands.on_shift(s.now)
        except CalendarError as exc:  # `now` outside the years a calendar covers
            s.errors.append(DecisionError("eval/calendar", str(exc), rule))
            s.assignment = {"rule": rule, "strategy": strategy, "agent": None, "reason": str(exc)}
            return
        # Least loaded with no load is the lowest id on shift (min keeps the first of ties).
        pool = by_id if not load and strategy != "round_robin" else in_order
        if not pool:
            # Not an error: outside every shift nobody can take the ticket. The decision's
            # assignment says why the assignee stayed as it was.
            s.assignment = {
                "rule": rule,
                "strategy": strategy,
                "agent": None,
                "reason": f"no agent of queue '{queue}' is on shift" + with_skills,
            }
            return
        chosen = pool[0]  # least loaded with no load
        if strategy == "round_robin":
            ids = [a.id for a in pool]
            last = cursors.get(queue or "")
            if last in ids:
                chosen = pool[(ids.index(last) + 1) % len(pool)]
            else:
                # the next in declared order after the cursor, even if the cursor's
                # agent is off shift now
                after = order.get(last, -1) if last is not None else -1
                chosen = next((a for a in pool if order[a.id] > after), pool[0])
        elif load:
            chosen = min(pool, key=lambda a: (load.get(a.id, 0), a.id))
        s.assignee = chosen.id
        s.assignment = {
            "rule": rule,
            "strategy": strategy,
            "agent": chosen.id,
            "load": {chosen.id: load.get(chosen.id, 0) + 1},
            "cursor": {queue or "": chosen.id} if strategy == "round_robin" else {},
        }
        s.version += 1  # `_bump`, without its call

    return assign

"""``assign`` with its per-queue precomputation against the plain algorithm it replaced.

`routing.compiler.actions._assign` works out per queue, when the rule set is compiled, which
agents it may choose from, and remembers per instant who of them is on shift. The reference
below is the algorithm as it was written before (a list comprehension over every agent per
call); on generated agents, calendars, queues, loads and cursors both must leave the same
assignee, assignment and version on the state, call after call.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from routing.compiler.actions import Agent, AgentState, Applier, compile_action
from routing.compiler.state import State
from routing.diagnostics import SourceFile
from routing.dsl.ast import AssignAction, Name
from routing.model.ticket import Ticket

SRC = SourceFile("t.yaml", "")
AT = SRC.span(0, 0)
T0 = datetime(2026, 11, 23, 10, tzinfo=UTC)
INSTANTS = tuple(T0 + timedelta(hours=h) for h in range(4))


class FakeCalendar:
    """Open at the instants given; counts how often it is asked."""

    def __init__(self, name: str, open_at: frozenset[datetime]) -> None:
        self.name = name
        self.open_at = open_at
        self.asked = 0

    def is_open(self, now: datetime) -> bool:
        self.asked += 1
        return now in self.open_at

    def __repr__(self) -> str:
        return f"FakeCalendar({self.name})"


def reference_assign(action: AssignAction, rule: str, agents: Sequence[Agent]) -> Applier:
    """The algorithm before the precomputation, as it was written."""
    if action.agent is not None:
        agent_id = action.agent.value

        def direct(s: State) -> None:
            s.assignee = agent_id
            s.assignment = {"rule": rule, "strategy": "agent", "agent": agent_id}
            s.version += 1

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
                order = [a.id for a in agents]
                after = order.index(last) if last in order else -1
                chosen = next((a for a in pool if order.index(a.id) > after), pool[0])
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
        s.version += 1

    return assign


IDS = ("ana", "ben", "cai")  # few, so that ids repeat
QUEUES = ("billing", "tech", "sales")
SKILLS = ("de", "fr", "vip")


@st.composite
def setups(draw: st.DrawFn) -> tuple[list[Agent], AssignAction]:
    calendars = [
        FakeCalendar(f"c{i}", frozenset(draw(st.sets(st.sampled_from(INSTANTS)))))
        for i in range(draw(st.integers(1, 3)))
    ]
    agents = [
        Agent(
            draw(st.sampled_from(IDS)),  # an id may repeat
            frozenset(draw(st.sets(st.sampled_from(QUEUES), max_size=2))),
            frozenset(draw(st.sets(st.sampled_from(SKILLS), max_size=2))),
            draw(st.none() | st.sampled_from(calendars)),
        )
        for _ in range(draw(st.integers(0, 6)))
    ]
    if draw(st.integers(0, 9)) == 0:
        action = AssignAction(Name(draw(st.sampled_from(IDS)), AT), None, (), AT)
    else:
        strategy = draw(st.sampled_from([None, "least_loaded", "round_robin", "skills"]))
        wanted = draw(st.sets(st.sampled_from(SKILLS), max_size=2))
        action = AssignAction(
            None,
            None if strategy is None else Name(strategy, AT),
            tuple(Name(k, AT) for k in sorted(wanted)),
            AT,
        )
    return agents, action


calls = st.lists(
    st.tuples(
        st.sampled_from((None, *QUEUES, "elsewhere")),
        st.sampled_from(INSTANTS),
        st.none()
        | st.builds(
            AgentState,
            st.dictionaries(st.sampled_from(IDS), st.integers(0, 3), max_size=3),
            st.dictionaries(st.sampled_from(("", *QUEUES)), st.sampled_from((*IDS, "gone"))),
        ),
    ),
    min_size=1,
    max_size=6,
)


def _state(queue: str | None, now: datetime, agents: AgentState | None) -> State:
    s = State(Ticket.from_dict({"id": "T-1", "queue": queue}), now)
    s.agent_state = agents
    return s


def _outcome(s: State) -> tuple[Any, ...]:
    return (s.assignee, s.assignment, s.version)


@settings(max_examples=500, deadline=None)
@given(setup=setups(), sequence=calls)
def test_assign_chooses_as_the_plain_algorithm(
    setup: tuple[list[Agent], AssignAction], sequence: list[Any]
) -> None:
    agents, action = setup
    fast = compile_action(action, "r", agents, {})
    reference = reference_assign(action, "r", agents)
    for queue, now, agent_state in sequence:
        a, b = _state(queue, now, agent_state), _state(queue, now, agent_state)
        fast(a)
        reference(b)
        assert _outcome(a) == _outcome(b)


def test_a_calendar_is_asked_once_per_instant() -> None:
    """Who is on shift is remembered per queue and instant."""
    calendar = FakeCalendar("c", frozenset({INSTANTS[0]}))
    agents = [
        Agent("ana", frozenset({"billing"}), frozenset(), calendar),
        Agent("ben", frozenset({"billing"}), frozenset(), calendar),
    ]
    apply = compile_action(AssignAction(None, None, (), AT), "r", agents, {})
    for _ in range(3):
        s = _state("billing", INSTANTS[0], None)
        apply(s)
        assert _outcome(s) == (
            "ana",
            {
                "rule": "r",
                "strategy": "least_loaded",
                "agent": "ana",
                "load": {"ana": 1},
                "cursor": {},
            },
            1,
        )
    s = _state("billing", INSTANTS[1], None)
    apply(s)
    assert _outcome(s) == (
        None,
        {
            "rule": "r",
            "strategy": "least_loaded",
            "agent": None,
            "reason": "no agent of queue 'billing' is on shift",
        },
        0,
    )
    assert calendar.asked == 2


def test_round_robin_after_a_cursor_whose_id_is_listed_twice() -> None:
    """The cursor's place in the declared order is its id's first place (``list.index``)."""
    off = FakeCalendar("off", frozenset())
    agents = [
        Agent("ben", frozenset(), frozenset(), off),
        Agent("ana", frozenset(), frozenset(), None),
        Agent("ben", frozenset(), frozenset(), off),
        Agent("cai", frozenset(), frozenset(), None),
    ]
    action = AssignAction(None, Name("round_robin", AT), (), AT)
    cursors = AgentState({}, {"billing": "ben"})
    fast, reference = (f(action, "r", agents, {}) for f in (compile_action, _reference))
    a, b = _state("billing", T0, cursors), _state("billing", T0, cursors)
    fast(a)
    reference(b)
    assert _outcome(a) == _outcome(b)
    assert a.assignee == "ana"


def _reference(action: AssignAction, rule: str, agents: Sequence[Agent], _: Any) -> Applier:
    return reference_assign(action, rule, agents)

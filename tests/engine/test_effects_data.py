"""The effects step's template data against `template_data` made the plain way.

`routing.engine.effects` gives templates a mapping that computes each root only when it is
read, and some ticket fields straight from the ticket instead of `Ticket.to_dict`. On
generated tickets and decision values it must hold the same roots, in the same order, with
the same values, and make the same plain data, as ``template_data`` given the ticket's
``to_dict()`` updated with the decision's values (what the step built before).
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.model.strategies_ticket import tickets

from routing.compiler.state import State
from routing.dsl.templates import TemplateData, TemplateRenderError, as_plain, template_data
from routing.engine import effects
from routing.engine.effects import _calendar_data, _Data, _DecisionRoots, _plain_root
from routing.errors import CalendarError
from routing.model.decision import DecisionError
from routing.model.ticket import Ticket

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
CALENDARS = {"eu": {"next_open": "2026-11-23T11:00:00+01:00", "is_open": True, "timezone": "X"}}


def reference(
    s: State,
    ticket: Ticket,
    sla: dict[str, Any] | None,
    tags: tuple[str, ...],
    fired: list[str],
) -> dict[str, object]:
    """The data as the effects step made it before: the whole ticket dumped, then updated."""
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
    raw = template_data(ticket=plain, decision=decision, sla=sla, now=NOW)
    raw["calendars"] = CALENDARS
    return raw


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=5,
)


@settings(max_examples=200, deadline=None)
@given(
    ticket=tickets(),
    queue=st.none() | st.sampled_from(["billing", "tech"]),
    fields=st.dictionaries(st.sampled_from(["plan", "order_id", "x"]), json_values, max_size=3),
    spam=st.booleans(),
    fired=st.lists(st.sampled_from(["a", "b"]), max_size=2),
    sla=st.none() | st.just({"policy": "standard", "remaining": {"first_reply": 1.5}}),
)
def test_decision_roots_are_template_data(
    ticket: Ticket,
    queue: str | None,
    fields: dict[str, Any],
    spam: bool,
    fired: list[str],
    sla: dict[str, Any] | None,
) -> None:
    s = State(ticket, NOW)
    s.queue = queue
    s.fields.update(fields)
    s.spam = spam
    s.tags.add("extra")
    tags = tuple(sorted(s.tags))
    roots = _DecisionRoots(s, ticket, NOW, sla, tags, fired, CALENDARS)
    want = reference(s, ticket, sla, tags, fired)
    assert list(roots) == list(want)
    assert len(roots) == len(want)
    assert all(key in roots for key in want)
    assert "nothing" not in roots
    assert {key: roots[key] for key in roots} == want
    assert TemplateData(roots).select(None) == TemplateData(want).select(None)
    for read in (frozenset({"id", "requester", "subject"}), frozenset({"ticket", "text"})):
        assert TemplateData(roots).select(read) == TemplateData(want).select(read)
    # The engine's makers give each root as `as_plain` of the root gives it, and `_Data`
    # selects what `TemplateData` selects.
    for key in roots:
        assert _plain_root(roots, key) == as_plain(want[key], key)
    every = frozenset(want) | {"nothing"}
    for read in (every, frozenset({"decision", "sla", "now", "body"}), None):
        data = _Data(roots, CALENDARS)
        assert data.select(read) == TemplateData(want).select(read)
        assert data.select(read) == TemplateData(want).select(read)  # (remembered roots)


def test_decision_data_that_is_not_plain_fails_as_template_data() -> None:
    """A root that is not plain data fails as `TemplateData` fails: the first such root in
    the data's order is named, whatever the order the template reads them in."""
    ticket = Ticket.from_dict({"id": "T-1", "requester": {"email": "a@example.com"}})
    s = State(ticket, NOW)
    s.fields["when"] = object()
    sla = {"policy": "standard", "remaining": {"first_reply": object()}}
    roots = _DecisionRoots(s, ticket, NOW, sla, (), [], CALENDARS)
    read = frozenset({"sla", "fields", "decision", "id"})
    with pytest.raises(TemplateRenderError) as want:
        TemplateData(reference(s, ticket, sla, (), [])).select(read)
    with pytest.raises(TemplateRenderError) as got:
        _Data(roots, CALENDARS).select(read)
    assert (
        str(got.value)
        == str(want.value)
        == ("template data at 'fields.when' is of type 'object', not plain data")
    )
    with pytest.raises(TemplateRenderError) as got:
        _Data(roots, CALENDARS).select(frozenset({"sla", "id"}))
    assert str(got.value) == (
        "template data at 'sla.remaining.first_reply' is of type 'object', not plain data"
    )
    s.fields["when"] = NOW  # made plain: a datetime becomes its ISO text
    assert _Data(roots, CALENDARS).select(frozenset({"fields"})) == {
        "fields": {"when": "2026-11-23T10:00:00+00:00"}
    }


def test_a_requester_that_is_not_plain_text_is_dumped_by_pydantic() -> None:
    """The requester's ``__dict__`` is used only when every value is a text or None."""
    ticket = Ticket.from_dict({"id": "T-1", "requester": {"email": "a@example.com"}})
    assert effects._requester(ticket) == ticket.to_dict()["requester"]
    assert effects._requester(ticket) == {
        "email": "a@example.com",
        "name": None,
        "domain": "example.com",
        "language": None,
        "timezone": None,
        "organization": None,
    }


class BrokenCalendar:
    """A calendar whose next opening fails."""

    timezone = SimpleNamespace(key="Europe/Berlin")

    def __init__(self) -> None:
        self.asked = 0

    def next_open(self, now: datetime) -> datetime:
        self.asked += 1
        raise CalendarError("no opening within 10 years")

    def is_open(self, now: datetime) -> bool:
        return False


@pytest.mark.parametrize("runs", [1, 3])
def test_calendar_data_is_remembered_with_its_error(runs: int) -> None:
    """``calendars`` is worked out once per calendar and instant; a failing calendar's
    error goes into every decision that renders, as before."""
    broken = BrokenCalendar()
    compiled = SimpleNamespace(template_calendars=frozenset({"b"}), calendars={"b": broken})
    for _ in range(runs):
        errors: list[DecisionError] = []
        data = _calendar_data(compiled, NOW, errors)  # type: ignore[arg-type]
        assert data == {"b": {"next_open": None, "is_open": False, "timezone": "Europe/Berlin"}}
        assert errors == [
            DecisionError("eval/calendar", "calendar 'b': no opening within 10 years", None)
        ]
    assert broken.asked == 1

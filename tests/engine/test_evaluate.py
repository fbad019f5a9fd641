"""`Ruleset.evaluate` end to end: whole decisions for the DESIGN.md section 4 example, and
the contract of its arguments (DESIGN section 6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.engine.test_properties import DESIGN_EXAMPLE

import routing
from routing.engine.replies import ReplyRecord
from routing.errors import EvaluationError
from routing.model.ticket import Ticket

MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Berlin: support-eu is open
MONDAY_19 = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)  # 20:00 in Berlin: closed


@pytest.fixture(scope="module")
def design() -> routing.Ruleset:
    return routing.loads(DESIGN_EXAMPLE)


@dataclass(frozen=True)
class Case:
    note: str
    ticket: dict[str, Any]
    now: datetime
    want: dict[str, Any]


NO_SLA_PLAN_ERROR = {
    "rule": None,
    "code": "eval/missing-field",
    "message": "SLA policy 'enterprise': the ticket has no custom field 'plan'",
}

CASES = (
    Case(
        "a VIP outage goes to tech-2, urgent, with business-hour due times",
        {
            "id": "T-1",
            "subject": "Site down",
            "requester": {"email": "a@bigcorp.com", "name": "Ann"},
            "created_at": "2026-11-23T09:00:00+00:00",
        },
        MONDAY_9,
        {
            "ticket_id": "T-1",
            "queue": "tech-2",
            "priority": "urgent",
            "status": "new",
            "assignee": None,
            "tags": ["outage", "vip"],
            "spam": False,
            "spam_score": 0.0,
            "fields": {},
            "fired": ["VIP outage"],
            "effects": [],
            "sla": {
                "policy": "enterprise",
                "calendar": "support-eu",
                "first_reply_due": "2026-11-23T09:30:00+00:00",
                "next_reply_due": None,
                "periodic_update_due": None,
                # 4h of business time from 10:00 Berlin, with the 12:00-13:00 lunch break
                "resolution_due": "2026-11-23T14:00:00+00:00",
                "remaining": {"first_reply": 1800.0, "resolution": 14400.0},
                "breached": [],
                "warning": [],
                "paused": False,
            },
            "errors": [],
        },
    ),
    Case(
        "a VIP refund out of hours is high, billing, and gets the closed reply",
        {
            "id": "T-2",
            "subject": "Refund please",
            "requester": {"email": "b@example.org", "name": "Bo"},
            "created_at": "2026-11-23T19:00:00+00:00",
        },
        MONDAY_19,
        {
            "ticket_id": "T-2",
            "queue": "billing",
            "priority": "high",
            "status": "new",
            "assignee": None,
            "tags": [],
            "spam": False,
            "spam_score": 0.0,
            "fields": {},
            "fired": ["refunds", "closed now"],
            "effects": [
                {
                    "type": "reply",
                    "rule": "closed now",
                    "template": "closed-ack",
                    "to": "b@example.org",
                    "subject": "Re: Refund please",
                    "body": "Hello Bo, we are closed right now. We will answer by\n"
                    "2026-11-24T08:00:00+00:00.\n",
                    "headers": {
                        "Auto-Submitted": "auto-replied",
                        "X-Auto-Response-Suppress": "All",
                    },
                }
            ],
            "sla": {
                "policy": "enterprise",
                "calendar": "support-eu",
                "first_reply_due": "2026-11-24T08:00:00+00:00",
                "next_reply_due": None,
                "periodic_update_due": None,
                # high: 8h of business time from Tuesday 08:00 Berlin, lunch excluded
                "resolution_due": "2026-11-24T16:00:00+00:00",
                "remaining": {"first_reply": 3600.0, "resolution": 28800.0},
                "breached": [],
                "warning": [],
                "paused": False,
            },
            "errors": [],
        },
    ),
    Case(
        # DESIGN's own example: `vip` reads fields.plan, so a non-VIP ticket without it has
        # no SLA, and the closed-ack template (which needs sla.first_reply_due) fails.
        "a non-VIP ticket without the plan field has no SLA and no closed reply",
        {
            "id": "T-3",
            "subject": "refund please",
            "requester": {"email": "c@small.test", "name": "Cy"},
            "created_at": "2026-11-23T19:00:00+00:00",
        },
        MONDAY_19,
        {
            "ticket_id": "T-3",
            "queue": "billing",
            "priority": "high",
            "status": "new",
            "assignee": None,
            "tags": [],
            "spam": False,
            "spam_score": 0.0,
            "fields": {},
            "fired": ["refunds", "closed now"],
            "effects": [],
            "sla": None,
            "errors": [
                NO_SLA_PLAN_ERROR,
                {
                    "rule": "closed now",
                    "code": "eval/template-error",
                    "message": "template 'closed-ack': undefined variable "
                    "'sla.first_reply_due' (line 2, column 4)",
                },
            ],
        },
    ),
    Case(
        "a spam phrase on top of an incoming score reaches the threshold; spam is not answered",
        {
            "id": "T-4",
            "subject": "crypto giveaway",
            "body": "work from home, viagra",
            "requester": {"email": "x@example.org"},
            "created_at": "2026-11-23T19:00:00+00:00",
            "fields": {"plan": "free"},
            "spam_score": 2.0,
        },
        MONDAY_19,
        {
            "ticket_id": "T-4",
            "queue": None,
            "priority": "normal",
            "status": "new",
            "assignee": None,
            "tags": [],
            "spam": True,
            "spam_score": 5.0,
            "fields": {"plan": "free"},
            "fired": ["spam phrases"],
            "effects": [],
            "sla": {
                "policy": "enterprise",
                "calendar": "support-eu",
                "first_reply_due": "2026-11-24T11:00:00+00:00",
                "next_reply_due": None,
                "periodic_update_due": None,
                "resolution_due": "2026-11-26T14:00:00+00:00",
                "remaining": {"first_reply": 14400.0, "resolution": 86400.0},
                "breached": [],
                "warning": [],
                "paused": False,
            },
            "errors": [],
        },
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_design_example_decisions(design: routing.Ruleset, case: Case) -> None:
    """The DESIGN section 4 example decides whole tickets as section 7 shows."""
    assert design.evaluate(case.ticket, case.now).to_dict() == case.want


def test_a_ticket_model_and_its_dict_decide_the_same(design: routing.Ruleset) -> None:
    """evaluate takes a dict or a routing.Ticket."""
    ticket = CASES[0].ticket
    assert (
        design.evaluate(Ticket.from_dict(ticket), MONDAY_9).to_dict()
        == design.evaluate(ticket, MONDAY_9).to_dict()
    )


def test_history_records_and_dicts_are_the_same() -> None:
    """Reply history may be ReplyRecord objects or {"to", "at", "template"} dicts."""
    rules = routing.loads(
        "version: 1\n"
        "templates: {ack: ok}\n"
        "stages: [{name: s, mode: all, rules: [{name: a, when: 'true', "
        "then: [{reply: {template: ack, once_per: 1h}}]}]}]\n"
    )
    ticket = {"id": "T1", "requester": {"email": "a@b.test"}}
    at = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
    by_record = rules.evaluate(ticket, MONDAY_9, history=[ReplyRecord("a@b.test", at, "ack")])
    by_dict = rules.evaluate(
        ticket, MONDAY_9, history=[{"to": "a@b.test", "at": at, "template": "ack"}]
    )
    assert by_record.to_dict(trace=True) == by_dict.to_dict(trace=True)
    assert [s.code for s in by_record.suppressed] == ["once-per"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"now": datetime(2026, 11, 23, 9, 0)},
            "'now' must be an aware datetime (with a time zone)",
        ),
        (
            {"now": MONDAY_9, "event": "deleted"},
            "unknown event 'deleted'; expected one of created, updated, replied, status_changed",
        ),
        # these raised AttributeError or ValueError from inside the engine
        (
            {"now": MONDAY_9, "history": [1]},
            "a reply history entry is a dict {to, at, template} or a ReplyRecord, found int",
        ),
        (
            {"now": MONDAY_9, "history": "a@b.test"},
            "'history' is a list of reply records, found str",
        ),
        (
            {"now": MONDAY_9, "history": [{"to": "a@b.test", "at": "yesterday"}]},
            "a reply history entry's 'at' is not an ISO 8601 date-time: 'yesterday'",
        ),
        (
            {"now": MONDAY_9, "agents": {"ann": 2}},
            "'agents' is a routing.compiler.actions.AgentState or None, found dict",
        ),
        (
            {"now": MONDAY_9, "sla_history": []},
            "'sla_history' is a routing.sla.TicketHistory or None, found list",
        ),
    ],
    ids=[
        "naive now",
        "unknown event",
        "history entry not a dict",
        "history a text",
        "history time not ISO",
        "agents a dict",
        "sla history a list",
    ],
)
def test_misuse_raises_evaluation_error(
    design: routing.Ruleset, kwargs: dict[str, Any], message: str
) -> None:
    """A naive `now`, an unknown event or arguments of the wrong kind are the caller's
    mistake, raised as EvaluationError with what was expected, not decided; `explain` checks
    them alike."""
    with pytest.raises(EvaluationError) as info:
        design.evaluate({"id": "T1"}, **kwargs)
    assert str(info.value) == message
    with pytest.raises(EvaluationError) as info:
        design.explain({"id": "T1"}, **kwargs)
    assert str(info.value) == message


TAGS_THEN_TAGGED = """\
version: 1
stages:
  - name: s
    mode: all
    rules:
      - name: untagged
        when: 'tags == [] or tags has "x"'
        then: [{tag: seen}]
      - name: later
        when: 'true'
        then: [{tag: more}]
"""


def test_explain_shows_the_values_a_test_saw_not_what_actions_made_of_them_later() -> None:
    """Explain recorded the state's own tag set, and showed it as the rule's actions and
    later rules changed it: `tags == []` -> true over `tags -> ["more", "seen"]`. It shows
    the tags as the test read them."""
    rules = routing.loads(TAGS_THEN_TAGGED)
    decision = rules.explain({"id": "T1"}, MONDAY_9)
    assert [t.to_dict() for t in decision.trace] == [
        {
            "stage": "s",
            "rule": "untagged",
            "outcome": "fired",
            "tests": [
                {"test": 'tags == [] or tags has "x"', "value": True},
                {"test": "tags == []", "value": True},
                {"test": "tags", "value": []},
                {"test": 'tags has "x"', "value": "(not evaluated)"},
                {"test": "tags", "value": "(not evaluated)"},
            ],
        },
        {"stage": "s", "rule": "later", "outcome": "fired"},
    ]
    assert decision.tags == ("more", "seen")

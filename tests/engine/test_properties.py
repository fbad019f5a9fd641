"""Properties of `Ruleset.evaluate` on generated tickets (STYLE.md section 3.6):

- the engine agrees with the reference evaluator (`tests/oracle.py`) on every compared key;
- evaluation is deterministic: the same inputs twice give equal decisions;
- evaluation never raises for a valid ticket.

The rule sets: a "kitchen sink" exercising every operator, function and action, the
DESIGN.md section 4 example, and the example help desk (`examples/helpdesk/rules`), whose
recorded tickets (`examples/helpdesk/tickets.jsonl`) are also replayed one by one.
"""

from __future__ import annotations

import json
import string
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.oracle import compare_keys, engine_view, run_oracle

import routing
from routing.model.ticket import Ticket

ROOT = Path(__file__).resolve().parents[2]
HELPDESK = ROOT / "examples" / "helpdesk"

KITCHEN_SINK = r"""
version: 1
fields:
  plan: {type: enum, values: [free, pro, enterprise]}
  mrr: {type: number}
  order_id: {type: string}
  langs: {type: list}
  renewal: {type: datetime}
  vip_flag: {type: boolean}
lists:
  vip_domains: [bigcorp.com, example.org]
  spam_phrases: ["crypto giveaway", "work from home", "viagra"]
  hot: [outage, urgent]
queues: [billing, tech-1, tech-2, sales]
define:
  vip: requester.domain in $vip_domains or fields.plan == "enterprise"
  rich: fields.mrr >= 1000
  late: since(created_at) > 2h
calendars:
  eu:
    timezone: Europe/Berlin
    hours: {mon-fri: ["08:00-12:00", "13:00-18:00"], sat: "10:00-14:00"}
    closed: ["2026-12-24"]
templates:
  ack: "Hello {{ requester.name | default: 'there' }}"
  note: "Ticket {{ ticket.id }}"
sla_policies:
  - name: vip
    when: vip
    calendar: eu
    targets:
      urgent: {first_reply: 30m, resolution: 4h}
      normal: {first_reply: 4h, resolution: 24h}
  - name: rest
    targets:
      normal: {first_reply: 8h}
      high: {first_reply: 2h}
stages:
  - name: spam
    mode: all
    rules:
      - name: spam phrases
        when: text contains any of $spam_phrases
        then: [{spam_score: 3}]
      - name: shouting
        when: subject matches /^[A-Z !]{8,}$/
        then: [{spam_score: 2.5}]
      - name: auto mail
        when: headers["Auto-Submitted"] is not empty and headers["Auto-Submitted"] != "no"
        then: [{tag: auto-generated}, {no_reply: true}]
      - name: robot
        when: requester.email matches /^(no-?reply|mailer-daemon)@/i
        then: [{spam_score: 1}]
  - name: triage
    mode: first
    rules:
      - name: vip outage
        when: vip and (subject matches /outage|down|5\d\d/i or tags has any of $hot)
        then: [{route: tech-2}, {priority: urgent}, {tag: [vip, outage]}]
      - name: refunds
        when: text mentions any of ["refund", "chargeback", "money back"]
        then: [{route: billing}, {raise_priority: high}]
      - name: rich customers
        when: rich and not spam
        then: [{route: sales}, {tag: rich}]
      - name: order questions
        when: fields.order_id is not empty and text contains "order"
        then: [{route: billing}, {set: {fields.plan: pro}}]
      - name: fallback
        when: queue is empty
        then: [{route: tech-1}]
  - name: enrich
    mode: all
    rules:
      - name: german
        when: fields.langs has "de" or requester.language == "de"
        then: [{tag: lang-de}]
      - name: weekend
        when: weekday(now, "Europe/Berlin") in ["sat", "sun"]
        then: [{tag: weekend}]
      - name: night
        when: hour(now, "Europe/Berlin") < 7 or hour(now, "Europe/Berlin") >= 20
        then: [{tag: night}]
      - name: old ticket
        when: late and status not in ["solved", "closed"]
        then: [{raise_priority: high}, {tag: late}]
      - name: renewal soon
        when: fields.renewal < now
        then: [{tag: renewal-due}]
      - name: priority order
        when: priority >= "high" and priority < "urgent"
        then: [{tag: high-ish}]
      - name: untag
        when: tags has all of ["rich", "lang-de"]
        then: [{untag: rich}]
      - name: starts
        when: subject starts with "Re:" or subject ends with "?"
        then: [{tag: conversation}]
      - name: long
        when: len(body) > 40 and lower(subject) contains "help"
        then: [{tag: long-help}]
      - name: flagged
        when: fields.vip_flag
        then: [{tag: flagged}]
      - name: business age
        when: business_since(created_at, "eu") >= 1h and is_open("eu")
        then: [{tag: aging}]
      - name: stopper
        when: tags has "stop-here"
        then: [{tag: stopped}]
        stop: true
  - name: replies
    mode: all
    rules:
      - name: closed now
        when: not spam and not is_open("eu")
        then: [{reply: {template: ack, once_per: 24h}}]
      - name: notify vip
        when: vip
        then: [{notify: {to: lead@desk.test, template: note}}]
      - name: hook
        when: tags has "outage"
        then: [{webhook: {url: "https://hooks.test/outage", body: note}}]
      - name: updates only
        on: [updated]
        when: "true"
        then: [{tag: updated}]
      - name: disabled
        enabled: false
        when: "true"
        then: [{tag: never}]
"""

DESIGN_EXAMPLE = r"""
version: 1
fields:
  plan: {type: enum, values: [free, pro, enterprise]}
  mrr: {type: number}
  order_id: {type: string}
lists:
  vip_domains: [bigcorp.com, example.org]
  spam_phrases: ["crypto giveaway", "work from home", "viagra"]
queues: [billing, tech-1, tech-2, sales, trust-safety]
define:
  vip: requester.domain in $vip_domains or fields.plan == "enterprise"
calendars:
  support-eu:
    timezone: Europe/Berlin
    hours: {mon-fri: ["08:00-12:00", "13:00-18:00"], sat: "10:00-14:00"}
    holidays: {country: DE, subdivision: BE}
    closed: ["2026-12-24"]
    special: {"2026-12-23": "08:00-12:00"}
templates:
  closed-ack: |
    Hello {{ requester.name }}, we are closed right now. We will answer by
    {{ sla.first_reply_due }}.
sla_policies:
  - name: enterprise
    when: vip
    calendar: support-eu
    targets:
      urgent: {first_reply: 30m, resolution: 4h}
      high:   {first_reply: 1h, resolution: 8h}
      normal: {first_reply: 4h, resolution: 24h}
      low:    {first_reply: 8h, resolution: 40h}
    pause_when: status in ["pending", "on_hold"]
stages:
  - name: spam
    mode: all
    rules:
      - name: spam phrases
        when: text contains any of $spam_phrases
        then: [{spam_score: 3}]
      - name: auto-generated mail
        when: headers["Auto-Submitted"] is not empty and headers["Auto-Submitted"] != "no"
        then: [{tag: auto-generated}, {no_reply: true}]
  - name: triage
    mode: first
    rules:
      - name: VIP outage
        when: vip and subject matches /outage|down|5\d\d/i
        then:
          - route: tech-2
          - priority: urgent
          - tag: [vip, outage]
      - name: refunds
        when: text mentions any of ["refund", "chargeback", "money back"]
        then: [{route: billing}, {raise_priority: high}]
  - name: replies
    mode: all
    rules:
      - name: closed now
        when: not spam and not is_open("support-eu")
        then: [{reply: closed-ack}]
spam_threshold: 5
"""


@cache
def ruleset(name: str) -> routing.Ruleset:
    if name == "kitchen-sink":
        return routing.loads(KITCHEN_SINK)
    if name == "design-example":
        return routing.loads(DESIGN_EXAMPLE)
    assert name == "helpdesk"
    return routing.load(HELPDESK / "rules")


RULESETS = ("kitchen-sink", "design-example", "helpdesk")

# ----------------------------------------------------------------------------- strategies

WORDS = (
    "refund",
    "Refund's",
    "refunded",
    "_refund",
    "chargeback",
    "money",
    "back",
    "order",
    "outage",
    "down",
    "download",
    "503",
    "help",
    "HELP",
    "viagra",
    "crypto giveaway",
    "work from home",
    "Straße",
    "STRASSE",
    "İstanbul",
    "ıi",
    "ΟΔΟΣ",
    "οδος",
    "Erstattung",
    "unacceptable",
    "lawyer",
    "Re:",
    "?",
    "!!!",
    "ausfall",
    "障害",
    "invoice",
    "cancel immediately",
)
SEPARATORS = (" ", "  ", "\n", "\t", ", ", "'", "-", "_", "\u00a0", "")

texts = st.lists(
    st.sampled_from(WORDS) | st.text(string.ascii_letters + " ", max_size=6) | st.text(max_size=3),
    max_size=8,
).flatmap(
    lambda words: st.lists(
        st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)
    ).map(lambda seps: "".join(w + s for w, s in zip(words, seps, strict=True)))
)

LOCAL_PARTS = ("ann", "no-reply", "NoReply", "mailer-daemon", "postmaster", "bob+x", "no-reply+b")
DOMAINS = ("bigcorp.com", "example.org", "gmail.com", "nordbank.de", "Shop.test")
emails = st.builds(lambda a, b: f"{a}@{b}", st.sampled_from(LOCAL_PARTS), st.sampled_from(DOMAINS))

HEADER_CHOICES = (
    ("Auto-Submitted", ("auto-replied", "no", "NO", "", "no; x=1")),
    ("Precedence", ("bulk", "LIST", "junk", "auto_reply", "first-class")),
    ("List-Id", ("<x.lists.test>",)),
    ("list-unsubscribe", ("<mailto:u@x>",)),
    ("X-Auto-Response-Suppress", ("All", "None", "OOF")),
    ("X-Loop", ("desk",)),
    ("Return-Path", ("<>", "<a@b.test>", " < > ")),
    ("X-Mailer", ("Outlook",)),
)
headers = st.lists(
    st.sampled_from(HEADER_CHOICES).flatmap(
        lambda hv: st.tuples(
            st.sampled_from([hv[0], hv[0].upper(), hv[0].lower()]), st.sampled_from(hv[1])
        )
    ),
    max_size=3,
).map(dict)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
instants = st.integers(min_value=-14 * 24 * 60, max_value=14 * 24 * 60).map(
    lambda minutes: NOW + timedelta(minutes=minutes)
)

field_values = st.fixed_dictionaries(
    {},
    optional={
        "plan": st.sampled_from(["free", "pro", "enterprise", "gold"]) | st.none(),
        "mrr": st.sampled_from([0, 999, 1000, 5000, 20700.5, "lots"]) | st.none(),
        "order_id": st.sampled_from(["", "A-1", 5]) | st.none(),
        "langs": st.lists(st.sampled_from(["de", "en", "fr"]), max_size=2) | st.none(),
        "renewal": st.sampled_from(["2026-01-01T00:00:00+00:00", "2027-01-01T00:00:00+00:00"])
        | st.none(),
        "vip_flag": st.booleans() | st.none(),
        "product": st.sampled_from(["compute", "storage", "database", "network", "other"]),
    },
)

ticket_dicts = st.fixed_dictionaries(
    {"id": st.text(string.ascii_uppercase + string.digits, min_size=1, max_size=6)},
    optional={
        "subject": texts,
        "body": texts,
        "channel": st.sampled_from(["email", "chat", "phone", "web", "social", "api"]),
        "status": st.sampled_from(["new", "open", "pending", "on_hold", "solved", "closed"]),
        "priority": st.sampled_from(["low", "normal", "high", "urgent"]),
        "queue": st.sampled_from(["billing", "tech-1", "sales"]) | st.none(),
        "requester": st.fixed_dictionaries(
            {},
            optional={
                "email": emails,
                "name": st.sampled_from(["Ann", "İlker", "Σοφία"]),
                "language": st.sampled_from(["de", "en", "fr", "es"]),
                "timezone": st.sampled_from(["Europe/Berlin", "America/New_York"]),
            },
        ),
        "tags": st.lists(
            st.sampled_from(["vip", "outage", "urgent", "rich", "stop-here", "VIP", "x"]),
            max_size=3,
        ),
        "headers": headers,
        "created_at": instants.map(datetime.isoformat),
        "fields": field_values,
        "spam": st.booleans(),
        "spam_score": st.sampled_from([0.0, 2.0, 4.5, 5.0]),
    },
)

histories = st.lists(
    st.fixed_dictionaries(
        {
            "to": emails,
            "at": instants,
            "template": st.sampled_from(["ack", "closed-ack", "other"]),
        }
    ),
    max_size=3,
)
events = st.sampled_from(["created", "created", "updated", "replied", "status_changed"])

# ----------------------------------------------------------------------------- checks


def agree(name: str, ticket: dict[str, Any], now: datetime, event: str, history: list) -> None:
    rules = ruleset(name)
    decision = rules.evaluate(ticket, now, event=event, history=history)
    result = run_oracle(rules.checked, Ticket.from_dict(ticket), now, event=event, history=history)
    mine, theirs = compare_keys(result, engine_view(decision.to_dict(trace=True)))
    assert mine == theirs


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@pytest.mark.parametrize("name", RULESETS)
@PROPERTY_SETTINGS
@given(ticket=ticket_dicts, now=instants, event=events, history=histories)
def test_engine_agrees_with_the_oracle(
    name: str, ticket: dict[str, Any], now: datetime, event: str, history: list
) -> None:
    """On any ticket, the engine and the reference evaluator decide the same."""
    agree(name, ticket, now, event, history)


@pytest.mark.parametrize("name", RULESETS)
@PROPERTY_SETTINGS
@given(ticket=ticket_dicts, now=instants, event=events, history=histories)
def test_evaluate_is_deterministic(
    name: str, ticket: dict[str, Any], now: datetime, event: str, history: list
) -> None:
    """The same rules, ticket, now and history give the same decision, trace included."""
    rules = ruleset(name)
    first = rules.evaluate(ticket, now, event=event, history=history, trace=True)
    second = rules.evaluate(ticket, now, event=event, history=history, trace=True)
    assert first.to_dict(trace=True) == second.to_dict(trace=True)


@pytest.mark.parametrize("name", RULESETS)
@PROPERTY_SETTINGS
@given(ticket=ticket_dicts, now=instants, event=events)
def test_evaluate_never_raises(
    name: str, ticket: dict[str, Any], now: datetime, event: str
) -> None:
    """Every valid ticket gets a decision (errors go into it), and it is JSON."""
    decision = ruleset(name).evaluate(ticket, now, event=event, trace=True)
    json.dumps(decision.to_dict(trace=True), default=str)


def _recorded() -> list[tuple[dict[str, Any], datetime]]:
    out = []
    for line in (HELPDESK / "tickets.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if "ticket" in record:
            out.append((record["ticket"], datetime.fromisoformat(record["now"])))
        else:
            out.append((record, NOW))
    return out


RECORDED = _recorded()


@pytest.mark.parametrize("name", ["helpdesk", "design-example", "kitchen-sink"])
def test_engine_agrees_with_the_oracle_on_recorded_tickets(name: str) -> None:
    """Every recorded example ticket gets the same decision from engine and oracle."""
    rules = ruleset(name)
    disagreements = []
    for ticket, now in RECORDED:
        decision = rules.evaluate(ticket, now)
        result = run_oracle(rules.checked, Ticket.from_dict(ticket), now)
        mine, theirs = compare_keys(result, engine_view(decision.to_dict(trace=True)))
        if mine != theirs:
            diff = {k: (mine[k], theirs[k]) for k in mine if mine[k] != theirs[k]}
            disagreements.append((ticket["id"], diff))
    assert disagreements[:5] == []

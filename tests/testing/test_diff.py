"""The `routing diff` report model: changes per kind, the route matrix, SLA shifts, rule
classification, reasons, limits."""

from __future__ import annotations

from typing import Any

import pytest

import routing
from routing.testing.diff import (
    Change,
    DeclarationChange,
    DiffBuilder,
    Limit,
    Reason,
    RuleChange,
    RuleDef,
    RuleSetInfo,
    TicketChange,
    describe_change,
    describe_ruleset,
    diff_decisions,
)


def decision(**overrides: Any) -> dict[str, Any]:
    """A decision dict in the `Decision.to_dict()` shape, with `overrides`."""
    base: dict[str, Any] = {
        "ticket_id": "T-1",
        "queue": "billing",
        "priority": "normal",
        "status": "new",
        "assignee": None,
        "tags": ["a"],
        "spam": False,
        "spam_score": 0.0,
        "fields": {"plan": "pro"},
        "fired": ["r1"],
        "effects": [],
        "sla": {
            "policy": "standard",
            "calendar": "always",
            "first_reply_due": "2026-11-24T13:00:00+00:00",
            "next_reply_due": None,
            "periodic_update_due": None,
            "resolution_due": "2026-11-25T12:00:00+00:00",
            "remaining": {"first_reply": 3600.0},
            "breached": [],
            "warning": [],
            "paused": False,
        },
        "errors": [],
    }
    base.update(overrides)
    return base


def sla(**overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = dict(decision()["sla"])
    value.update(overrides)
    return value


REPLY = {"type": "reply", "rule": "r1", "template": "ack", "to": "a@x.com", "body": "Hi"}
NOTIFY = {"type": "notify", "rule": "r1", "template": "page", "to": "ops@x.com", "body": "!"}
HOOK = {"type": "webhook", "rule": "r1", "url": "https://h.example/x", "body": "{}"}
ERROR = {"rule": "r2", "code": "eval/missing-field", "message": "no field 'x'"}

DIFF_CASES = [
    ("same", {}, ()),
    ("route", {"queue": "tech"}, (Change("route", "billing", "tech"),)),
    ("route to none", {"queue": None}, (Change("route", "billing", None),)),
    ("priority", {"priority": "high"}, (Change("priority", "normal", "high"),)),
    ("tags", {"tags": ["a", "b"]}, (Change("tags", ["a"], ["a", "b"]),)),
    (
        "spam flag",
        {"spam": True, "spam_score": 5.0},
        (
            Change(
                "spam",
                {"spam": False, "spam_score": 0.0},
                {"spam": True, "spam_score": 5.0},
            ),
        ),
    ),
    ("new reply", {"effects": [REPLY]}, (Change("replies", [], ["ack"]),)),
    (
        "reply text",
        {"effects": [{**REPLY, "body": "Hello"}]},
        (Change("replies", ["ack"], ["ack"], "text changed"),),
    ),
    (
        "reply recipient",
        {"effects": [{**REPLY, "to": "b@x.com"}]},
        (Change("replies", ["ack"], ["ack"], "recipient changed"),),
    ),
    (
        "notifications",
        {"effects": [NOTIFY, HOOK]},
        (
            Change(
                "notifications",
                [],
                ["notify page to ops@x.com", "webhook https://h.example/x"],
            ),
        ),
    ),
    (
        "sla due times",
        {"sla": sla(first_reply_due="2026-11-24T12:30:00+00:00", remaining={})},
        (
            Change(
                "sla",
                {"first_reply_due": "2026-11-24T13:00:00+00:00"},
                {"first_reply_due": "2026-11-24T12:30:00+00:00"},
            ),
        ),
    ),
    (
        "sla policy gone",
        {"sla": None},
        (
            Change(
                "sla",
                {
                    "policy": "standard",
                    "calendar": "always",
                    "first_reply_due": "2026-11-24T13:00:00+00:00",
                    "resolution_due": "2026-11-25T12:00:00+00:00",
                    "paused": False,
                },
                {
                    "policy": None,
                    "calendar": None,
                    "first_reply_due": None,
                    "resolution_due": None,
                    "paused": None,
                },
            ),
        ),
    ),
    ("assignee", {"assignee": "ann"}, (Change("assignee", None, "ann"),)),
    ("status", {"status": "open"}, (Change("status", "new", "open"),)),
    (
        "fields",
        {"fields": {"plan": "enterprise", "mrr": 5}},
        (Change("fields", {"mrr": None, "plan": "pro"}, {"mrr": 5, "plan": "enterprise"}),),
    ),
    ("fired", {"fired": ["r1", "r2"]}, (Change("fired", ["r1"], ["r1", "r2"]),)),
    (
        "errors",
        {"errors": [ERROR]},
        (Change("errors", [], ["eval/missing-field (r2)"]),),
    ),
    (
        "several, in ATTRIBUTES order",
        {"status": "open", "queue": "tech", "tags": []},
        (
            Change("route", "billing", "tech"),
            Change("tags", ["a"], []),
            Change("status", "new", "open"),
        ),
    ),
]


#: Cases whose base decision has the reply REPLY.
WITH_REPLY = {"reply text", "reply recipient"}


@pytest.mark.parametrize(("case", "head", "expected"), DIFF_CASES, ids=[c[0] for c in DIFF_CASES])
def test_diff_decisions(case, head, expected):
    base = decision(effects=[REPLY]) if case in WITH_REPLY else decision()
    assert diff_decisions(base, decision(**head)) == expected


def test_remaining_time_alone_is_no_change():
    assert diff_decisions(decision(), decision(sla=sla(remaining={"first_reply": 1.0}))) == ()


DESCRIBE_CASES = [
    (Change("route", "billing", None), "queue billing -> (none)"),
    (Change("priority", "normal", "high"), "priority normal -> high"),
    (Change("tags", ["a", "b"], ["b", "c"]), "tags +c -a"),
    (
        Change("spam", {"spam": False, "spam_score": 1.0}, {"spam": True, "spam_score": 6.0}),
        "spam no -> yes, spam score 1.0 -> 6.0",
    ),
    (Change("replies", ["ack"], []), "replies ack -> (none)"),
    (Change("replies", ["ack"], ["ack"], "text changed"), "replies ack (text changed)"),
    (
        Change(
            "sla",
            {"policy": "a", "first_reply_due": "2026-11-24T13:00:00+00:00"},
            {"policy": "b", "first_reply_due": "2026-11-24T14:30:00+00:00"},
        ),
        "sla policy a -> b, first reply due +1h30m",
    ),
    (
        Change("sla", {"resolution_due": None}, {"resolution_due": "2026-11-24T14:30:00+00:00"}),
        "sla resolution due (none) -> 2026-11-24T14:30:00+00:00",
    ),
    (Change("fields", {"plan": "pro"}, {"plan": None}), "fields.plan pro -> (none)"),
    (Change("fired", ["r1"], ["r2"]), "fired +r2 -r1"),
    (Change("assignee", None, "ann"), "assignee (none) -> ann"),
]


@pytest.mark.parametrize(("change", "text"), DESCRIBE_CASES, ids=[c[1] for c in DESCRIBE_CASES])
def test_describe_change(change, text):
    assert describe_change(change) == text


def rule(name: str, stage: str = "triage", position: int = 0, **kw: Any) -> RuleDef:
    values: dict[str, Any] = {
        "name": name,
        "stage": stage,
        "mode": "first",
        "when": "true",
        "then": ("route: billing",),
        "enabled": True,
        "on": ("created",),
        "stop": False,
        "location": f"rules.yaml:{position + 1}",
        "position": position,
    }
    values.update(kw)
    return RuleDef(**values)


def info(label: str, *rules: RuleDef, declarations: dict | None = None) -> RuleSetInfo:
    return RuleSetInfo(label, rules, declarations or {})


def test_builder_counts_matrix_volume_shifts_and_reasons():
    base = info("old", rule("r1", position=0), rule("r2", position=1), rule("gone", position=2))
    head = info(
        "new",
        rule("r1", position=0, when='subject contains "x"'),
        rule("r2", position=1),
        rule("new one", stage="replies", then=("reply: ack",)),
    )
    builder = DiffBuilder(base, head)
    # T-1: r1 changed, rerouted; due 30 minutes earlier
    builder.add(
        1,
        "T-1",
        "Refund",
        decision(fired=["r1"]),
        decision(
            fired=["r1"],
            queue="tech",
            sla=sla(first_reply_due="2026-11-24T12:30:00+00:00"),
        ),
    )
    # T-2: nothing changes
    builder.add(2, "T-2", "Hello", decision(), decision())
    # T-3: "gone" no longer fires, "new one" fires, a new reply, now spam, a new error
    builder.add(
        3,
        "T-3",
        None,
        decision(fired=["r2", "gone"], queue=None),
        decision(
            fired=["r2", "new one"],
            queue=None,
            effects=[REPLY],
            spam=True,
            errors=[ERROR],
        ),
    )
    # T-4: r2 unchanged, but fires now (an earlier rule changed)
    builder.add(4, "T-4", "x", decision(fired=["r1"]), decision(fired=["r2"], priority="high"))
    builder.skip(5, "not JSON")
    report = builder.finish()

    assert report.compared == 4
    assert dict(report.counts) == {
        "changed": 3,
        "rerouted": 1,
        "reprioritised": 1,
        "retagged": 0,
        "spam": 1,
        "new-spam": 1,
        "replies": 1,
        "new-replies": 1,
        "notifications": 0,
        "sla": 1,
        "reassigned": 0,
        "status": 0,
        "fields": 0,
        "fired": 2,
        "errors": 1,
        "new-errors": 1,
    }
    assert dict(report.route_matrix) == {
        ("billing", "billing"): 2,
        ("billing", "tech"): 1,
        (None, None): 1,
    }
    assert dict(report.volume) == {"billing": (3, 2), "tech": (0, 1), None: (1, 1)}
    assert report.queues == ("billing", "tech", None)
    assert dict(report.sla_shifts) == {"first_reply_due": (-30,), "resolution_due": ()}
    assert report.rules == (
        RuleChange(
            name="r1",
            status="changed",
            stage="triage",
            location="rules.yaml:1",
            details=(("when", "true", 'subject contains "x"'),),
            fired_base=3,  # T-1, T-2, T-4
            fired_head=2,  # T-1, T-2
            now_fires=(),
            no_longer_fires=("T-4",),
        ),
        RuleChange("r2", "unchanged", "triage", "rules.yaml:2", (), 1, 2, ("T-4",), ()),
        RuleChange("new one", "added", "replies", "rules.yaml:1", (), 0, 1, ("T-3",), ()),
        RuleChange("gone", "removed", "triage", "rules.yaml:3", (), 1, 0, (), ("T-3",)),
    )
    assert [t.ticket_id for t in report.tickets] == ["T-1", "T-3", "T-4"]
    assert report.tickets[0] == TicketChange(
        1,
        "T-1",
        "Refund",
        (
            Change("route", "billing", "tech"),
            Change(
                "sla",
                {"first_reply_due": "2026-11-24T13:00:00+00:00"},
                {"first_reply_due": "2026-11-24T12:30:00+00:00"},
            ),
        ),
        (Reason("rule", "r1", "changed"),),
    )
    assert report.tickets[1].reasons == (
        Reason("rule", "new one", "added, now fires"),
        Reason("rule", "gone", "removed, no longer fires"),
    )
    assert report.tickets[2].reasons == (
        Reason("rule", "r1", "changed, no longer fires"),
        Reason("rule", "r2", "now fires"),
    )
    assert [r.describe() for r in report.tickets[2].reasons] == [
        'rule "r1" changed, no longer fires',
        'rule "r2" now fires',
    ]
    assert report.skipped[0].line == 5
    assert report.to_dict()["tickets"] == {
        "compared": 4,
        "changed": 3,
        "unchanged": 1,
        "skipped": 1,
    }
    assert report.to_dict()["route_matrix"] == [
        {"base": "billing", "head": "billing", "count": 2},
        {"base": "billing", "head": "tech", "count": 1},
        {"base": None, "head": None, "count": 1},
    ]


def test_declarations_explain_a_change_no_rule_explains():
    decl_base = {
        ("sla_policies", "standard"): "a",
        ("lists", "vip"): "x",
        ("templates", "ack"): "1",
    }
    decl_head = {("sla_policies", "standard"): "b", ("lists", "vip"): "y", ("queues", "new"): "q"}
    builder = DiffBuilder(
        info("old", rule("r1"), declarations=decl_base),
        info("new", rule("r1"), declarations=decl_head),
    )
    builder.add(
        1, "T-1", "s", decision(), decision(sla=sla(resolution_due="2026-11-25T13:00:00+00:00"))
    )
    builder.add(2, "T-2", "s", decision(queue="x"), decision(queue="y", sla=None))
    report = builder.finish()
    assert report.declarations == (
        DeclarationChange("lists", "vip", "changed"),
        DeclarationChange("queues", "new", "added"),
        DeclarationChange("sla_policies", "standard", "changed"),
        DeclarationChange("templates", "ack", "removed"),
    )
    assert report.tickets[0].reasons == (Reason("sla_policies", "standard", "changed"),)
    assert report.tickets[0].reasons[0].describe() == 'sla policy "standard" changed'
    assert report.tickets[1].reasons == (Reason("sla_policies", "standard", "changed"),)
    assert report.sla_shifts["resolution_due"] == (60,)


RULES = """\
version: 1
queues: [billing, tech]
lists:
  words: [refund]
define:
  refundish: text mentions any of $words
stages:
  - name: triage
    mode: first
    rules:
      - name: refunds
        when: refundish
        then: [{route: billing}, {raise_priority: high}]
      - name: outage
        when: subject contains "down"
        then: [{route: tech}]
      - name: same
        when: subject contains "same"
        then: [{route: tech}]
      - name: old
        when: subject contains "old"
        then: [{tag: old}]
"""


def _changed(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    return text


def test_rule_classification_by_normalised_definition():
    head_text = _changed(
        RULES,
        ("[refund]", "[refund, money back]"),
        # the same condition, written differently: not a change
        ('when: subject contains "down"', "when: (subject   contains 'down')"),
        ("{raise_priority: high}", "{raise_priority: urgent}"),
        (
            '      - name: old\n        when: subject contains "old"\n        then: [{tag: old}]\n',
            "",
        ),
        ("mode: first", "mode: all"),
    )
    head_text += "      - name: added\n        when: spam\n        then: [{tag: spam}]\n"
    base = describe_ruleset(routing.loads(RULES, name="old.yaml"), "old")
    head = describe_ruleset(routing.loads(head_text, name="new.yaml"), "new")
    assert base.rules[0] == RuleDef(
        name="refunds",
        stage="triage",
        mode="first",
        when="refundish",
        then=("route: billing", "raise_priority: high"),
        enabled=True,
        on=("created",),
        stop=False,
        location="old.yaml:11",
        position=0,
    )
    builder = DiffBuilder(base, head)
    builder.add(1, "T-1", "x", decision(fired=["old"]), decision(fired=["added"]))
    report = builder.finish()
    assert [(r.name, r.status, r.details) for r in report.rules] == [
        (
            "refunds",
            "changed",
            (
                ("then", "raise_priority: high", "raise_priority: urgent"),
                ("mode", "first", "all"),
            ),
        ),
        ("outage", "changed", (("mode", "first", "all"),)),
        ("same", "changed", (("mode", "first", "all"),)),
        ("added", "added", ()),
        ("old", "removed", ()),
    ]
    assert report.declarations == (DeclarationChange("lists", "words", "changed"),)


def test_rule_order_enabled_and_events():
    outage = '      - name: outage\n        when: subject contains "down"\n'
    outage += "        then: [{route: tech}]\n"
    head_text = _changed(
        RULES,
        (outage, ""),
        ("      - name: same\n", "      - name: same\n        on: [updated]\n"),
    )
    head_text += outage + "        enabled: false\n"  # moved to the end of the stage
    base = describe_ruleset(routing.loads(RULES), "old")
    head = describe_ruleset(routing.loads(head_text), "new")
    report = DiffBuilder(base, head).finish()
    assert [(r.name, r.status, r.details) for r in report.rules] == [
        ("same", "changed", (("on", "created", "updated"),)),
        ("outage", "changed", (("enabled", "true", "false"), ("order", "2", "4"))),
    ]


LIMIT_CASES = [
    ("rerouted>2%", Limit("rerouted", ">", 2.0, True, "rerouted>2%")),
    (" new-replies > 0 ", Limit("new-replies", ">", 0.0, False, "new-replies>0")),
    ("changed>=10", Limit("changed", ">=", 10.0, False, "changed>=10")),
    ("sla>=0.5%", Limit("sla", ">=", 0.5, True, "sla>=0.5%")),
]


@pytest.mark.parametrize(("text", "limit"), LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES])
def test_limit_parse(text, limit):
    assert Limit.parse(text) == limit


KINDS_TEXT = (
    "kinds: changed, rerouted, reprioritised, retagged, spam, new-spam, replies, new-replies, "
    "notifications, sla, reassigned, status, fields, fired, errors, new-errors"
)
BAD_LIMITS = [
    (
        "rerouted=2",
        'bad limit "rerouted=2": expected KIND>N, KIND>=N, KIND>N% or KIND>=N%, e.g. '
        f"'rerouted>2%' or 'new-replies>0'; {KINDS_TEXT}",
    ),
    (
        "reroutd>2",
        f'unknown kind "reroutd" in limit "reroutd>2" (did you mean \'rerouted\'?); {KINDS_TEXT}',
    ),
    ("rerouted>200%", 'bad limit "rerouted>200%": a percentage is at most 100'),
]


@pytest.mark.parametrize(("text", "message"), BAD_LIMITS, ids=[c[0] for c in BAD_LIMITS])
def test_limit_parse_errors(text, message):
    with pytest.raises(ValueError) as info_:
        Limit.parse(text)
    assert str(info_.value) == message


def test_limit_check():
    builder = DiffBuilder(info("a", rule("r1")), info("b", rule("r1")))
    for i in range(40):
        queue = "tech" if i == 0 else "billing"
        builder.add(i + 1, f"T-{i}", None, decision(), decision(queue=queue))
    report = builder.finish()
    results = [
        Limit.parse(t).check(report)
        for t in ("rerouted>2%", "rerouted>=2.5%", "rerouted>1", "rerouted>=1", "new-spam>0")
    ]
    assert [(r.count, r.percent, r.exceeded) for r in results] == [
        (1, 2.5, True),
        (1, 2.5, True),
        (1, 2.5, False),
        (1, 2.5, True),
        (0, 0.0, False),
    ]
    assert results[0].describe() == "rerouted>2%: 1 ticket (2.5%), over the limit"
    assert results[0].to_dict() == {
        "limit": "rerouted>2%",
        "kind": "rerouted",
        "count": 1,
        "percent": 2.5,
        "exceeded": True,
    }
    empty = DiffBuilder(info("a"), info("b")).finish()
    assert Limit.parse("changed>0%").check(empty).exceeded is False

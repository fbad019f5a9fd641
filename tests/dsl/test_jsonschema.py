"""`routing.dsl.jsonschema`: the JSON Schema accepts valid rule files and locates mistakes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import yaml

from routing.dsl.jsonschema import DURATION_PATTERN, SCHEMA_ID, rule_file_schema

jsonschema = pytest.importorskip("jsonschema")

DESIGN_EXAMPLE = """\
version: 1
fields:                       # custom fields: string, number, boolean, enum, datetime, list
  plan: {type: enum, values: [free, pro, enterprise]}
  mrr: {type: number}
  order_id: {type: string}
lists:
  vip_domains: [bigcorp.com, example.org]
  spam_phrases: ["crypto giveaway", "work from home", "viagra"]
queues: [billing, tech-1, tech-2, sales, trust-safety]
define:                       # named conditions, reusable in any rule
  vip: requester.domain in $vip_domains or fields.plan == "enterprise"
calendars:
  support-eu:
    timezone: Europe/Berlin
    hours: {mon-fri: ["08:00-12:00", "13:00-18:00"], sat: "10:00-14:00"}
    holidays: {country: DE, subdivision: BE}
    closed: ["2026-12-24"]
    special: {"2026-12-23": "08:00-12:00"}
templates:                    # Liquid, the template language of Zendesk placeholders
  closed-ack: |
    Hello {{ requester.name }}, we are closed right now. We will answer by
    {{ sla.first_reply_due | local: requester.timezone }}.
sla_policies:                 # the first policy whose `when` matches applies
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
    mode: all                 # every matching rule fires, in order
    rules:
      - name: spam phrases
        when: text contains any of $spam_phrases
        then: [{spam_score: 3}]
      - name: auto-generated mail
        when: headers["Auto-Submitted"] is not empty and headers["Auto-Submitted"] != "no"
        then: [{tag: auto-generated}, {no_reply: true}]
  - name: triage
    mode: first               # the first matching rule fires, then the stage ends
    rules:
      - name: VIP outage
        when: vip and subject matches /outage|down|5\\d\\d/i
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
spam_threshold: 5             # after the stage named "spam", spam = spam_score >= threshold
"""


def _validator() -> Any:
    return jsonschema.Draft202012Validator(rule_file_schema())


def _errors(document: object) -> list[tuple[list[str | int], str]]:
    found = _validator().iter_errors(document)
    return sorted(
        ((list(e.absolute_path), e.validator) for e in found),
        key=lambda pair: [str(p) for p in pair[0]],
    )


def test_schema_is_valid_draft_2020_12() -> None:
    """The schema itself is a valid draft 2020-12 schema with an id and a title."""
    schema = rule_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert (schema["$schema"], schema["$id"], schema["title"]) == (
        "https://json-schema.org/draft/2020-12/schema",
        SCHEMA_ID,
        "routing rule file",
    )


def _walk(node: object, path: str = "#") -> list[str]:
    """Paths of every property schema that has no description."""
    missing: list[str] = []
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            if "description" not in sub:
                missing.append(f"{path}/properties/{name}")
        for key, sub in node.items():
            missing.extend(_walk(sub, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            missing.extend(_walk(sub, f"{path}/{i}"))
    return missing


def test_every_property_is_described() -> None:
    """Editors show a description for every key."""
    assert _walk(rule_file_schema()) == []


def test_design_example_is_valid() -> None:
    """The rule file of DESIGN.md section 4 validates without errors."""
    assert _errors(yaml.safe_load(DESIGN_EXAMPLE)) == []


@dataclass(frozen=True)
class Case:
    note: str
    document: dict[str, Any]
    want: list[tuple[list[str | int], str]]


def _rules(*then: object, **rule: object) -> dict[str, Any]:
    body = {"name": "r", "when": "x", "then": list(then), **rule}
    return {"version": 1, "stages": [{"name": "s", "mode": "first", "rules": [body]}]}


CASES = (
    Case("unknown top-level key", {"version": 1, "colour": 1}, [([], "additionalProperties")]),
    Case("missing version", {"queues": []}, [([], "required")]),
    Case("wrong version", {"version": 2}, [(["version"], "const")]),
    Case(
        "unknown stage mode",
        {"version": 1, "stages": [{"name": "s", "mode": "any", "rules": []}]},
        [(["stages", 0, "mode"], "enum")],
    ),
    Case(
        "rule without when",
        {
            "version": 1,
            "stages": [{"name": "s", "mode": "all", "rules": [{"name": "r", "then": []}]}],
        },
        [(["stages", 0, "rules", 0], "required"), (["stages", 0, "rules", 0, "then"], "minItems")],
    ),
    Case(
        "unknown event",
        _rules({"tag": "x"}, on="closed"),
        [(["stages", 0, "rules", 0, "on"], "oneOf")],
    ),
    Case(
        "two keys in one action",
        _rules({"route": "a", "tag": "b"}),
        [(["stages", 0, "rules", 0, "then", 0], "oneOf")],
    ),
    Case(
        "unknown action",
        _rules({"escalate": True}),
        [(["stages", 0, "rules", 0, "then", 0], "oneOf")],
    ),
    Case(
        "bad assignment strategy",
        _rules({"assign": {"strategy": "random"}}),
        [(["stages", 0, "rules", 0, "then", 0], "oneOf")],
    ),
    Case(
        "bad once_per duration",
        _rules({"reply": {"template": "t", "once_per": "1 day"}}),
        [(["stages", 0, "rules", 0, "then", 0], "oneOf")],
    ),
    Case(
        "valid actions",
        _rules(
            {"route": "a"},
            {"tag": ["a", "b"]},
            {"set": {"status": "open", "fields.mrr": 3}},
            {"reply": {"template": "t", "once_per": "1d12h"}},
            {"assign": {"strategy": "skills", "skills": ["de"]}},
            {"webhook": {"url": "https://x"}},
        ),
        [],
    ),
    Case(
        "SLA target of an unknown priority and a bad duration",
        {
            "version": 1,
            "sla_policies": [
                {"name": "p", "targets": {"hi": {"first_reply": "1h"}, "low": {"resolution": "2x"}}}
            ],
        },
        [
            (["sla_policies", 0, "targets"], "additionalProperties"),
            (["sla_policies", 0, "targets", "low", "resolution"], "pattern"),
        ],
    ),
    Case(
        "calendar day that is not a day",
        {
            "version": 1,
            "calendars": {"eu": {"timezone": "UTC", "hours": {"monday": "08:00-18:00"}}},
        },
        [(["calendars", "eu", "hours"], "pattern")],
    ),
    Case(
        "calendar without timezone and with a bad time range",
        {"version": 1, "calendars": {"eu": {"hours": {"mon": "8-18"}}}},
        [(["calendars", "eu"], "required"), (["calendars", "eu", "hours", "mon"], "oneOf")],
    ),
    Case(
        "enum field without values",
        {"version": 1, "fields": {"plan": {"type": "enum"}}},
        [(["fields", "plan"], "required")],
    ),
    Case(
        "unknown field type",
        {"version": 1, "fields": {"plan": {"type": "text"}}},
        [(["fields", "plan", "type"], "enum")],
    ),
    Case(
        "agent without id",
        {"version": 1, "agents": [{"queues": ["billing"]}]},
        [(["agents", 0], "required")],
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_errors_are_located(case: Case) -> None:
    """Each broken file gives exactly the expected (path, keyword) errors."""
    assert _errors(case.document) == case.want


@dataclass(frozen=True)
class Duration:
    text: str
    valid: bool


DURATIONS = (
    Duration("30s", True),
    Duration("1h30m", True),
    Duration("1w2d3h4m5s", True),
    Duration("3d", True),
    Duration("90", False),
    Duration("1m1h", False),
    Duration("1 day", False),
    Duration("", False),
)


@pytest.mark.parametrize("case", DURATIONS, ids=[c.text or "empty" for c in DURATIONS])
def test_duration_strings(case: Duration) -> None:
    """Durations follow DESIGN.md's duration regex; the empty string is not one."""
    schema = {**rule_file_schema()["$defs"]["duration"], "$defs": rule_file_schema()["$defs"]}
    assert jsonschema.Draft202012Validator(schema).is_valid(case.text) is case.valid
    assert schema["pattern"] == DURATION_PATTERN

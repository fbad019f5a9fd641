"""Pass 6, check_actions: stage modes and the values of every action."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.checking import diagnostics_through

Found = tuple[str, str, str | None, str]

HEAD = """\
version: 1
fields:
  plan: {type: enum, values: [free, pro, enterprise]}
  mrr: {type: number}
  renew: {type: datetime}
queues: [billing, tech]
templates:
  ack: "hello"
stages:
  - name: s
    mode: all
    rules:
      - name: r
        when: 'true'
        then: THEN
"""
LINE = 15  # the `then:` line; its flow list starts at column 15


def _through(pass_name: str, text: str) -> list[Found]:
    return [
        (d.code, d.message, d.hint, f"{d.line}:{d.column}")
        for d in diagnostics_through(pass_name, ("r.yaml", text))
    ]


@dataclass(frozen=True)
class Case:
    note: str
    then: str
    want: tuple[Found, ...]


def _one(code: str, message: str, col: int, hint: str | None = None) -> tuple[Found, ...]:
    return ((code, message, hint, f"{LINE}:{col}"),)


CASES = (
    Case(
        "every settable target with a value of its type: clean",
        "[{set: {status: pending, priority: high, queue: billing, assignee: bob, "
        'fields.plan: pro, fields.mrr: 3, fields.renew: "2026-01-01T00:00:00Z"}}]',
        (),
    ),
    Case(
        "status value misspelt",
        "[{set: {status: opn}}]",
        _one(
            "type/unknown-enum-value",
            "'status' takes one of new, open, pending, on_hold, solved, closed, found 'opn'",
            31,
            "did you mean 'open'?",
        ),
    ),
    Case(
        "priority value misspelt in set",
        "[{set: {priority: hgh}}]",
        _one(
            "type/unknown-enum-value",
            "'priority' takes one of low, normal, high, urgent, found 'hgh'",
            33,
            "did you mean 'high'?",
        ),
    ),
    Case(
        "custom enum value misspelt",
        "[{set: {fields.plan: prro}}]",
        _one(
            "type/unknown-enum-value",
            "'fields.plan' takes one of free, pro, enterprise, found 'prro'",
            36,
            "did you mean 'pro'?",
        ),
    ),
    Case(
        "datetime field set to a date",
        '[{set: {fields.renew: "2026-01-01"}}]',
        _one(
            "action/bad-value",
            "'fields.renew' takes an ISO 8601 date-time with an offset, found '2026-01-01'",
            37,
        ),
    ),
    Case(
        "set an undeclared custom field",
        "[{set: {fields.paln: pro}}]",
        _one(
            "name/unknown-custom-field",
            "custom field 'paln' is not declared",
            23,
            "did you mean 'fields.plan'?",
        ),
    ),
    Case(
        "set an undeclared custom field with nothing close",
        "[{set: {fields.zzzzzz: 1}}]",
        _one(
            "name/unknown-custom-field",
            "custom field 'zzzzzz' is not declared",
            23,
            "declare it under 'fields:'",
        ),
    ),
    Case(
        "set a field rules cannot set",
        "[{set: {subject: x}}]",
        _one(
            "name/unknown-field",
            "'subject' cannot be set by a rule",
            23,
            "rules can set status, priority, queue, assignee and fields.NAME",
        ),
    ),
    Case(
        "set a misspelt target",
        "[{set: {stauts: open}}]",
        _one(
            "name/unknown-field", "'stauts' cannot be set by a rule", 23, "did you mean 'status'?"
        ),
    ),
    Case(
        "priority action misspelt",
        "[{priority: hgh}]",
        _one(
            "type/unknown-enum-value",
            "expected a priority (low, normal, high, urgent), found 'hgh'",
            27,
            "did you mean 'high'?",
        ),
    ),
    Case(
        "raise_priority misspelt",
        "[{raise_priority: urgnet}]",
        _one(
            "type/unknown-enum-value",
            "expected a priority (low, normal, high, urgent), found 'urgnet'",
            33,
            "did you mean 'urgent'?",
        ),
    ),
    Case(
        "webhook with an ftp URL",
        '[{webhook: {url: "ftp://x", body: ack}}]',
        _one("action/bad-value", "expected an http or https URL, found 'ftp://x'", 32),
    ),
    Case(
        "webhook URL without a host",
        '[{webhook: {url: "https://", body: ack}}]',
        _one("action/bad-value", "expected an http or https URL, found 'https://'", 32),
    ),
    Case(
        "set a number field to a number too large for a float",
        "[{set: {fields.mrr: 1e999}}]",
        _one("action/bad-value", "'fields.mrr' takes a finite number, found inf", 35),
    ),
    Case(
        "spam score step at the limit: clean",
        "[{spam_score: -1000000}, {spam_score: 1e6}]",
        (),
    ),
    Case(
        "spam score step beyond the limit",
        "[{spam_score: 1e308}]",
        _one(
            "action/bad-value",
            "'spam_score' adds a number from -1,000,000 to 1,000,000, found 1e+308",
            17,
        ),
    ),
    Case(
        "spam score step of an infinite number",
        "[{spam_score: -1e999}]",
        _one(
            "action/bad-value",
            "'spam_score' adds a number from -1,000,000 to 1,000,000, found -inf",
            17,
        ),
    ),
    Case(
        # found by fuzzing: urlsplit raised ValueError, a traceback out of `routing check`
        "webhook URL with an unmatched bracket in the host",
        '[{webhook: {url: "https://[hooks.example.com/x", body: ack}}]',
        _one(
            "action/bad-value",
            "expected an http or https URL, found 'https://[hooks.example.com/x': Invalid IPv6 URL",
            32,
        ),
    ),
    Case(
        "webhook URL with a stray closing bracket in the host",
        '[{webhook: {url: "http://hooks]/x", body: ack}}]',
        _one(
            "action/bad-value",
            "expected an http or https URL, found 'http://hooks]/x': Invalid IPv6 URL",
            32,
        ),
    ),
    Case(
        "webhook with an https URL: clean",
        '[{webhook: {url: "https://hooks.example.com/x", body: ack}}]',
        (),
    ),
    Case(
        "notify without a recipient",
        '[{notify: {to: "", template: ack}}]',
        _one("action/bad-value", "'notify' needs a recipient in 'to', found ''", 30),
    ),
    Case(
        "reply once per zero time",
        "[{reply: {template: ack, once_per: 0s}}]",
        _one("action/bad-value", "'once_per' must be a positive duration", 17),
    ),
    Case(
        "assign with a misspelt strategy",
        "[{assign: {strategy: round_robn}}]",
        (
            (
                "action/bad-value",
                "expected an assignment strategy (round_robin, least_loaded, skills), "
                "found 'round_robn'",
                "did you mean 'round_robin'?",
                f"{LINE}:36",
            ),
        ),
    ),
    Case(
        "assign by strategy with no agents declared",
        "[{assign: {strategy: least_loaded}}]",
        _one(
            "name/unknown-agent",
            "'assign' picks among agents, but no agents are declared",
            17,
            "declare them under 'agents:'",
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_check_actions_reports_bad_values(case: Case) -> None:
    """An action value of the wrong type is located at the value, with a close suggestion."""
    assert _through("check_actions", HEAD.replace("THEN", case.then)) == list(case.want)


def test_check_actions_reports_a_bad_stage_mode() -> None:
    """A stage mode is first or all."""
    text = HEAD.replace("THEN", "[]").replace("mode: all", "mode: frist")
    assert _through("check_actions", text) == [
        (
            "file/bad-value",
            "expected a stage mode (first, all), found 'frist'",
            "did you mean 'first'?",
            "11:11",
        )
    ]

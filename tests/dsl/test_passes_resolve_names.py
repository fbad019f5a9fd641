"""Pass 3, resolve_names: every name refers to a declaration, with a scoped did-you-mean."""

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
lists:
  vip_domains: [bigcorp.com, example.org]
queues: [billing, tech]
calendars:
  support-eu: {timezone: Europe/Berlin, hours: {mon-fri: "09:00-17:00"}}
templates:
  ack: "hello {{ requester.name }}"
sla_policies:
  - name: enterprise
    targets: {normal: {first_reply: 1h}}
agents:
  - {id: alice, queues: [billing]}
"""
# the `when:` of the single rule is on line 22; the expression starts at column 16
RULE = """\
stages:
  - name: s
    mode: all
    rules:
      - name: r
        when: '{when}'
        then: {then}
"""
LINE = 22


def _through(pass_name: str, text: str) -> list[Found]:
    return [
        (d.code, d.message, d.hint, f"{d.line}:{d.column}")
        for d in diagnostics_through(pass_name, ("r.yaml", text))
    ]


@dataclass(frozen=True)
class Case:
    note: str
    when: str
    want: tuple[Found, ...]
    then: str = "[{tag: x}]"


def _at(col: int, line: int = LINE) -> str:
    return f"{line}:{col}"


CASES = (
    Case(
        "every kind of name resolves: clean",
        'requester.domain in $vip_domains and fields.plan == "pro" and is_open("support-eu")'
        ' and headers["X-Loop"] is empty and len(subject) > 1',
        (),
        "[{route: billing}, {reply: ack}, {sla: enterprise}, {assign: {agent: alice}}]",
    ),
    Case(
        "unknown ticket field with a did-you-mean",
        'requestor.domain == "x"',
        (
            (
                "name/unknown-field",
                "unknown ticket field 'requestor'",
                "did you mean 'requester'?",
                _at(16),
            ),
        ),
    ),
    Case(
        "unknown bare name with a did-you-mean",
        'subjcet == "a"',
        (
            (
                "name/unknown-field",
                "unknown ticket field or define 'subjcet'",
                "did you mean 'subject'?",
                _at(16),
            ),
        ),
    ),
    Case(
        "unknown bare name with nothing close",
        "xyzzy",
        (("name/unknown-field", "unknown ticket field or define 'xyzzy'", None, _at(16)),),
    ),
    Case(
        "a bare list name gets the $ hint",
        "requester.domain in vip_domains",
        (
            (
                "name/unknown-field",
                "unknown ticket field or define 'vip_domains'",
                "did you mean '$vip_domains'?",
                _at(36),
            ),
        ),
    ),
    Case(
        "unknown list with a did-you-mean",
        "requester.domain in $vip_domian",
        (
            (
                "name/unknown-list",
                "list '$vip_domian' is not declared",
                "did you mean '$vip_domains'?",
                _at(36),
            ),
        ),
    ),
    Case(
        "unknown list with nothing close",
        "requester.domain in $nothing",
        (
            (
                "name/unknown-list",
                "list '$nothing' is not declared",
                "declare it under 'lists:'",
                _at(36),
            ),
        ),
    ),
    Case(
        "unknown function with a did-you-mean",
        "lenn(subject) > 1",
        (
            (
                "name/unknown-function",
                "unknown function 'lenn'",
                "did you mean 'len'?",
                _at(16),
            ),
        ),
    ),
    Case(
        "unknown function with nothing close",
        "frobnicate(subject)",
        (("name/unknown-function", "unknown function 'frobnicate'", None, _at(16)),),
    ),
    Case(
        "unknown calendar with a did-you-mean",
        'is_open("support-ue")',
        (
            (
                "name/unknown-calendar",
                "calendar 'support-ue' is not declared",
                "did you mean 'support-eu'?",
                _at(24),
            ),
        ),
    ),
    Case(
        "unknown calendar with nothing close",
        'business_since(created_at, "zz") > 1h',
        (
            (
                "name/unknown-calendar",
                "calendar 'zz' is not declared",
                "declare it under 'calendars:'",
                _at(43),
            ),
        ),
    ),
    Case(
        "route to an unknown queue",
        "true",
        (
            (
                "name/unknown-queue",
                "queue 'biling' is not declared",
                "did you mean 'billing'?",
                _at(24, LINE + 1),
            ),
        ),
        "[{route: biling}]",
    ),
    Case(
        "route to a queue with nothing close",
        "true",
        (
            (
                "name/unknown-queue",
                "queue 'zzz' is not declared",
                "declare it under 'queues:'",
                _at(24, LINE + 1),
            ),
        ),
        "[{route: zzz}]",
    ),
    Case(
        "set queue to an unknown queue",
        "true",
        (
            (
                "name/unknown-queue",
                "queue 'biling' is not declared",
                "did you mean 'billing'?",
                _at(30, LINE + 1),
            ),
        ),
        "[{set: {queue: biling}}]",
    ),
    Case(
        "reply with an unknown template",
        "true",
        (
            (
                "name/unknown-template",
                "template 'ackk' is not declared",
                "did you mean 'ack'?",
                _at(24, LINE + 1),
            ),
        ),
        "[{reply: ackk}]",
    ),
    Case(
        "webhook body with an unknown template and nothing close",
        "true",
        (
            (
                "name/unknown-template",
                "template 'welcome' is not declared",
                "declare it under 'templates:'",
                _at(61, LINE + 1),
            ),
        ),
        '[{webhook: {url: "https://a.example/x", body: welcome}}]',
    ),
    Case(
        "force an unknown SLA policy",
        "true",
        (
            (
                "name/unknown-policy",
                "SLA policy 'enterprize' is not declared",
                "did you mean 'enterprise'?",
                _at(22, LINE + 1),
            ),
        ),
        "[{sla: enterprize}]",
    ),
    Case(
        "assign an unknown agent",
        "true",
        (
            (
                "name/unknown-agent",
                "agent 'alcie' is not declared",
                "did you mean 'alice'?",
                _at(33, LINE + 1),
            ),
        ),
        "[{assign: {agent: alcie}}]",
    ),
    Case(
        "set assignee to an unknown agent",
        "true",
        (
            (
                "name/unknown-agent",
                "agent 'bob' is not declared",
                "declare it under 'agents:'",
                _at(33, LINE + 1),
            ),
        ),
        "[{set: {assignee: bob}}]",
    ),
    Case(
        "several unknown names in one condition are all reported, in order",
        'requestor.x == "a" and $vip_domian has "b" and lenn(subject) > 1',
        (
            (
                "name/unknown-field",
                "unknown ticket field 'requestor'",
                "did you mean 'requester'?",
                _at(16),
            ),
            (
                "name/unknown-list",
                "list '$vip_domian' is not declared",
                "did you mean '$vip_domains'?",
                _at(39),
            ),
            ("name/unknown-function", "unknown function 'lenn'", "did you mean 'len'?", _at(63)),
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_resolve_names_reports_unknown_names(case: Case) -> None:
    """An unknown name is located at the name and hints only at a close candidate."""
    text = HEAD + RULE.format(when=case.when, then=case.then)
    assert _through("resolve_names", text) == list(case.want)


@dataclass(frozen=True)
class CycleCase:
    note: str
    defines: str
    want: tuple[Found, ...]


CYCLES = (
    CycleCase("a chain of defines: clean", "  a: b\n  b: c\n  c: 'true'\n", ()),
    CycleCase(
        "a define that uses itself",
        "  a: a and true\n",
        (("name/define-cycle", "define 'a' refers to itself: a -> a", None, "3:3"),),
    ),
    CycleCase(
        "two defines in a cycle",
        "  a: b\n  b: a\n",
        (("name/define-cycle", "define 'a' refers to itself: a -> b -> a", None, "3:3"),),
    ),
    CycleCase(
        "three defines in a cycle",
        "  a: b\n  b: c\n  c: a\n",
        (("name/define-cycle", "define 'a' refers to itself: a -> b -> c -> a", None, "3:3"),),
    ),
    CycleCase(
        "a define that leads into a cycle is not the cycle",
        "  a: b\n  b: c\n  c: b\n",
        (("name/define-cycle", "define 'b' refers to itself: b -> c -> b", None, "4:3"),),
    ),
)


@pytest.mark.parametrize("case", CYCLES, ids=[c.note for c in CYCLES])
def test_resolve_names_reports_define_cycles(case: CycleCase) -> None:
    """A cycle of named conditions is one error, at the define where the cycle closes."""
    text = "version: 1\ndefine:\n" + case.defines + "stages: []\n"
    assert _through("resolve_names", text) == list(case.want)


def test_resolve_names_checks_template_variables() -> None:
    """A template variable must exist; a close one is suggested."""
    text = (
        "version: 1\ntemplates:\n"
        '  t: "{{ requester.nmae }} {{ requestr.name }} {{ frobnicate }}"\nstages: []\n'
    )
    assert _through("resolve_names", text) == [
        (
            "name/unknown-template-variable",
            "template 't' uses unknown variable 'requester.nmae'",
            "did you mean 'requester.name'?",
            "3:10",
        ),
        (
            "name/unknown-template-variable",
            "template 't' uses unknown variable 'requestr'",
            "did you mean 'requester'?",
            "3:31",
        ),
        (
            "name/unknown-template-variable",
            "template 't' uses unknown variable 'frobnicate'",
            None,
            "3:51",
        ),
    ]

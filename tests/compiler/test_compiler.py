"""`compile_ruleset`: a checked rule set becomes stages of compiled rules and policies."""

from __future__ import annotations

import pytest

from routing.compiler.compiler import compile_ruleset
from routing.dsl.checker import CheckedRuleset, check
from routing.dsl.loader import load_text

RULES = """\
version: 1
queues: [billing]
lists:
  words: [a, b, c]
sla_policies:
  - name: p
    when: 'priority == "urgent"'
    pause_when: 'status == "pending"'
    targets: {urgent: {first_reply: 30m, resolution: 4h}}
stages:
  - name: spam
    mode: all
    rules:
      - {name: s1, when: 'subject contains any of $words', then: [{spam_score: 3}]}
  - name: triage
    mode: first
    rules:
      - name: t1
        when: 'not spam and subject mentions "refund"'
        on: [created, updated]
        stop: true
        then: [{route: billing}, {raise_priority: high}]
      - {name: t2, when: 'true', enabled: false, then: []}
"""


def _checked(text: str = RULES) -> CheckedRuleset:
    rule_file, diags = load_text(text, "r.yaml")
    return check([rule_file] if rule_file else [], extra=diags)


def test_compile_ruleset_keeps_stages_rules_and_their_settings() -> None:
    """Stages and rules keep file order, mode, events, stop, enabled and the printed text."""
    compiled = compile_ruleset(_checked())
    assert [
        (s.name, s.mode, [(r.name, r.enabled, sorted(r.events), r.stop, r.text) for r in s.rules])
        for s in compiled.stages
    ] == [
        ("spam", "all", [("s1", True, ["created"], False, "subject contains any of $words")]),
        (
            "triage",
            "first",
            [
                (
                    "t1",
                    True,
                    ["created", "updated"],
                    True,
                    'not spam and subject mentions "refund"',
                ),
                ("t2", False, ["created"], False, "true"),
            ],
        ),
    ]


def test_compile_ruleset_compiles_policies() -> None:
    """An SLA policy keeps its calendar, targets (seconds) and default warning level."""
    compiled = compile_ruleset(_checked())
    p = compiled.policy_by_name["p"]
    assert (
        [x.name for x in compiled.policies],
        p.calendar,
        p.clock,
        dict(p.targets),
        p.warn_at,
        p.when is not None,
        p.pause_when is not None,
        compiled.has_spam_stage,
        compiled.spam_threshold,
    ) == (
        ["p"],
        None,
        "calendar",
        {"urgent": {"first_reply": 1800, "resolution": 14400}},
        0.8,
        True,
        True,
        True,
        5.0,
    )


def test_compile_ruleset_counts_list_items_in_the_cost() -> None:
    """A rule's cost counts its nodes and the items of the lists it reads."""
    compiled = compile_ruleset(_checked())
    assert [r.cost for s in compiled.stages for r in s.rules] == [6, 6, 1]


def test_compile_ruleset_refuses_a_rule_set_with_errors() -> None:
    """Only a checked rule set without errors compiles."""
    with pytest.raises(ValueError, match="cannot compile a rule set with errors"):
        compile_ruleset(_checked("version: 1\nqueues: [a, a]\nstages: []\n"))


def test_compile_ruleset_records_tests_only_for_explain() -> None:
    """The explain plan lists each sub-test; the fast plan lists none."""
    checked = _checked()
    fast, observed = compile_ruleset(checked), compile_ruleset(checked, observe=True)
    t1 = next(r for s in observed.stages for r in s.rules if r.name == "t1")
    assert (
        [r.tests for s in fast.stages for r in s.rules],
        [text for _, text in t1.tests],
    ) == (
        [(), (), ()],
        [
            'not spam and subject mentions "refund"',
            "not spam",
            "spam",
            'subject mentions "refund"',
            "subject",
        ],
    )

"""Rule and branch coverage on a small rule set whose uncovered branches are known."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tests.testing.helpers import RULES, write

import routing
from routing.compiler.compiler import observed_nodes
from routing.dsl.printer import print_expr
from routing.testing.coverage import Coverage, percent
from routing.testing.runner import run_suites
from routing.testing.suite import load_suites

TESTS = """\
rules: rules.yaml
now: "2026-11-23T10:00:00Z"
tests:
  - name: refund by mail
    ticket: {subject: Refund please, requester: {email: ann@shop.example}}
    expect: {queue: billing}
  - name: an error
    ticket: {subject: Error 500}
    expect: {queue: tech}
"""


def _coverage(tmp_path: Path) -> Coverage:
    suites, _ = load_suites(write(tmp_path, TESTS))
    (coverage,) = run_suites(suites).coverage
    return coverage


def test_rule_coverage_counts_enabled_rules_that_fired(tmp_path: Path) -> None:
    """3 of the 4 enabled rules fired; the disabled rule is listed, not counted."""
    c = _coverage(tmp_path)
    assert [(r.rule, r.enabled, r.evaluated, r.fired) for r in c.rules] == [
        ("refunds", True, 2, 1),
        ("tech", True, 1, 1),
        ("everything else", True, 0, 0),
        ("ack", True, 2, 1),
        ("old", False, 0, 0),
    ]
    assert (c.fired_rules, len(c.enabled_rules), c.rule_percent) == (3, 4, 75.0)
    assert [r.rule for r in c.uncovered_rules] == ["everything else"]
    assert [r.rule for r in c.disabled_rules] == ["old"]
    assert str(c.uncovered_rules[0].span) == f"{tmp_path / 'rules.yaml'}:17:15"


def test_branch_coverage_lists_each_operand_never_true_or_false(tmp_path: Path) -> None:
    """Each operand of and/or/not and each whole condition; short-circuited operands and the
    literal condition of the catch-all do not count."""
    c = _coverage(tmp_path)
    rules = tmp_path / "rules.yaml"
    assert [(b.rule, b.text, str(b.span), b.missing) for b in c.branches] == [
        ("refunds", 'text mentions "refund" and not channel == "phone"', f"{rules}:12:15", ()),
        ("refunds", 'text mentions "refund"', f"{rules}:12:15", ()),
        ("refunds", 'not channel == "phone"', f"{rules}:12:42", ("false",)),
        ("refunds", 'channel == "phone"', f"{rules}:12:47", ("true",)),
        ("tech", 'text mentions "error" or channel == "api"', f"{rules}:15:15", ("false",)),
        ("tech", 'text mentions "error"', f"{rules}:15:15", ("false",)),
        ("tech", 'channel == "api"', f"{rules}:15:40", ("true", "false")),
        ("ack", 'tags has "refund"', f"{rules}:24:15", ()),
    ]
    assert (c.branch_covered, c.branch_total) == (10, 16)
    assert c.branch_percent == 62.5


def test_nothing_to_cover_is_full_coverage() -> None:
    """An empty denominator counts as 100%."""
    assert (percent(0, 0), percent(1, 3)) == (100.0, 100 / 3)


def test_trace_values_line_up_with_the_observed_nodes() -> None:
    """Explain records one value per `observed_nodes` entry, in that order (the contract
    coverage relies on)."""
    ruleset = routing.loads(RULES)
    checked = ruleset.checked
    decision = ruleset.explain(
        {"id": "T", "subject": "Refund please"}, datetime.fromisoformat("2026-11-23T10:00:00Z")
    )
    rules = {r.name.value: r for s in checked.stages for r in s.rules}
    for trace in decision.trace:
        if trace.outcome in ("fired", "not-matched"):
            nodes = observed_nodes(checked.expr(rules[trace.rule].when))
            assert [t for t, _ in trace.tests] == [print_expr(n) for n in nodes]

"""The rules benchmark's workload (benchmarks/workload.py): deterministic, valid for routing,
and the hand-written baseline agrees with routing. No timing here: that is bench_rules.py."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import routing

ROOT = Path(__file__).resolve().parents[2]


def _load_workload() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_workload", ROOT / "benchmarks" / "workload.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


wl = _load_workload()
NOW = datetime.fromisoformat(wl.NOW)


def _baseline(rules: Any, lists: Any) -> Any:
    namespace: dict[str, Any] = {}
    exec(compile(wl.python_source(rules, lists), "<hand-written>", "exec"), namespace)
    pairs = namespace["RULES"]
    return lambda t: tuple(name for name, fn in pairs if fn(t))


def test_workload_same_seed_same_workload():
    """Rules, lists and tickets depend on the seed only."""
    assert wl.make_workload(40, 30, seed=7) == wl.make_workload(40, 30, seed=7)


def test_workload_other_seed_other_workload():
    a, b = wl.make_workload(40, 30, seed=7), wl.make_workload(40, 30, seed=8)
    assert (a.rules, a.tickets) != (b.rules, b.tickets)


def test_workload_bigger_sets_extend_smaller_ones():
    """Growth from 10 to 10,000 rules adds rules to the same set."""
    small, _ = wl.make_rules(10, seed=3)
    big, _ = wl.make_rules(100, seed=3)
    assert big[:10] == small


def test_workload_routing_expr_prints_each_atom():
    rule = wl.And(
        (
            wl.Contains("subject", "refund"),
            wl.Not(wl.HasTag("spam")),
            wl.Or((wl.Eq("channel", "email"), wl.Cmp("mrr", ">=", 500))),
            wl.In("domain", ("a.com", "b.com"), "customers_01"),
            wl.In("priority", ("high", "urgent")),
            wl.Regex("(order|invoice) ?#?[0-9]{5,6}", True),
        )
    )
    assert wl.routing_expr(rule) == (
        'subject contains "refund" and not (tags has "spam") and '
        '(channel == "email" or fields.mrr >= 500) and requester.domain in $customers_01 and '
        'priority in ["high", "urgent"] and subject matches /(order|invoice) ?#?[0-9]{5,6}/i'
    )


def test_workload_python_source_is_written_by_hand():
    rule = wl.Rule(
        "r00001",
        wl.And((wl.Contains("body", "refund"), wl.Regex("ACME-[0-9]{4}", False))),
    )
    assert wl.python_source((rule,), {}) == (
        "import re\n"
        "\n"
        "RX_0 = re.compile('ACME-[0-9]{4}')\n"
        "\n"
        "\n"
        "def r00001(t):\n"
        "    return 'refund' in t['body'].lower() and RX_0.search(t['subject']) is not None\n"
        "\n"
        "\n"
        "RULES = [\n"
        "    ('r00001', r00001),\n"
        "]\n"
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_workload_rule_sets_load_without_warnings(seed):
    """Every generated rule set passes `routing.loads` with no diagnostic at all."""
    rules, lists = wl.make_rules(300, seed)
    ruleset = routing.loads(wl.routing_yaml(rules, lists))
    assert (ruleset.diagnostics, ruleset.rule_names) == ((), tuple(r.name for r in rules))


@pytest.mark.parametrize("seed", [0, 1])
def test_workload_baseline_and_routing_agree(seed):
    """Differential: 50 rules over 200 tickets, the same matches in the same order."""
    rules, lists = wl.make_rules(50, seed)
    tickets = wl.make_tickets(200, seed)
    ruleset = routing.loads(wl.routing_yaml(rules, lists))
    baseline = _baseline(rules, lists)
    ours = [(t["id"], ruleset.evaluate(t, now=NOW).fired) for t in tickets]
    theirs = [(t["id"], baseline(t)) for t in tickets]
    assert ours == theirs
    assert sum(len(fired) for _, fired in theirs) > 0  # the comparison is not vacuous


def test_workload_match_rates_are_selective():
    """Most rules match a small fraction of tickets, and tickets match a few rules."""
    rules, lists = wl.make_rules(1000, 0)
    tickets = wl.make_tickets(200, 0)
    baseline = _baseline(rules, lists)
    per_ticket = [len(baseline(t)) for t in tickets]
    counts: dict[str, int] = {}
    for t in tickets:
        for name in baseline(t):
            counts[name] = counts.get(name, 0) + 1
    broad = sorted(name for name, c in counts.items() if c > len(tickets) // 5)
    mean = sum(per_ticket) / len(per_ticket)
    assert (broad, 1 <= mean <= 20) == ([], True)


def test_workload_tickets_are_valid_routing_tickets():
    """Every ticket dict is accepted as it is by `routing.Ticket.from_dict`."""
    tickets = wl.make_tickets(100, 5)
    parsed = [routing.Ticket.from_dict(t) for t in tickets]
    assert [p.id for p in parsed] == [t["id"] for t in tickets]

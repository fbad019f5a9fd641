"""The checker: an ordered table of named passes; nothing stops at the first error."""

from __future__ import annotations

from pathlib import Path

import routing
from routing.dsl.checker import PASSES, check
from routing.dsl.loader import load_path, load_text

REPO = Path(__file__).resolve().parents[2]

MANY_ERRORS = """\
version: 1
fields:
  plan: {type: enum, values: [free, pro, enterprise]}
lists:
  vip_domains: [a.com]
queues: [billing]
define:
  a: b
  b: a
stages:
  - name: s
    mode: first
    rules:
      - name: r1
        when: requestor.domain == "x"
        then: [{route: biling}]
      - name: r2
        when: requester.domain in vip_domains and subject ==
        then: [{reply: nope}]
      - name: r3
        when: priority == "hihg" and subject matches /(a)\\1/
        then: [{priority: urgnet}]
"""


def _found(text: str) -> list[tuple[str, str]]:
    rule_file, diags = load_text(text, "r.yaml")
    checked = check([rule_file] if rule_file else [], extra=diags)
    return [(d.code, f"{d.line}:{d.column}") for d in checked.diagnostics]


def test_check_runs_the_passes_in_their_documented_order() -> None:
    """The pass table is the one STYLE.md 3.3 lists, by module name."""
    assert [name for name, _ in PASSES] == [
        "collect_declarations",
        "parse_expressions",
        "resolve_names",
        "check_types",
        "check_literals",
        "check_actions",
        "check_reachability",
        "check_conflicts",
        "check_limits",
    ]


def test_check_reports_every_independent_error_sorted_by_line() -> None:
    """Several independent errors of one file are all reported, in (line, column) order."""
    assert _found(MANY_ERRORS) == [
        ("name/define-cycle", "8:3"),
        ("name/unknown-field", "15:15"),
        ("name/unknown-queue", "16:24"),
        ("syntax/unexpected-end", "18:61"),
        ("name/unknown-template", "19:24"),
        ("type/unknown-enum-value", "21:27"),
        ("regex/not-linear", "21:54"),
        ("type/unknown-enum-value", "22:27"),
    ]


def test_loads_raises_rule_error_with_every_diagnostic() -> None:
    """`routing.loads` raises RuleError carrying the same sorted diagnostics as `check`."""
    try:
        routing.loads(MANY_ERRORS, name="r.yaml")
    except routing.RuleError as exc:
        got = [(d.code, f"{d.line}:{d.column}") for d in exc.diagnostics]
    else:  # pragma: no cover - the rule set has errors
        got = []
    assert got == _found(MANY_ERRORS)


def test_parse_expressions_reports_every_syntax_error() -> None:
    """A syntax error in one condition does not hide one in another (define, SLA, rule)."""
    text = """\
version: 1
define:
  d: subject ==
sla_policies:
  - name: p
    when: priority = "high"
    pause_when: status in ["pending"
    targets: {normal: {first_reply: 1h}}
templates:
  t: "{{ requester.name "
stages:
  - name: s
    mode: all
    rules:
      - {name: r1, when: "spam &&", then: []}
      - {name: r2, when: "subject contains any \\"x\\"", then: []}
"""
    assert _found(text) == [
        ("syntax/unexpected-end", "3:16"),
        ("syntax/unexpected-character", "6:20"),
        ("syntax/unexpected-end", "7:37"),
        ("template/syntax", "10:7"),
        ("syntax/unexpected-character", "15:32"),
        ("syntax/unexpected-token", "16:48"),
    ]


def test_check_of_the_shipped_rule_sets_is_clean() -> None:
    """The example help desk and the starter rules check without any diagnostic."""
    results = []
    for path in (REPO / "examples/helpdesk/rules", REPO / "rules/starter.yaml"):
        files, diags = load_path(path)
        checked = check(files, extra=diags)
        results.append((checked.ok, [d.code for d in checked.diagnostics]))
    assert results == [(True, []), (True, [])]


def test_check_records_a_timing_per_pass() -> None:
    """Timings are keyed by pass name, in pass order."""
    rule_file, diags = load_text("version: 1\nstages: []\n", "r.yaml")
    assert rule_file is not None
    checked = check([rule_file], extra=diags)
    assert (list(checked.timings), checked.ok, checked.diagnostics) == (
        [name for name, _ in PASSES],
        True,
        (),
    )

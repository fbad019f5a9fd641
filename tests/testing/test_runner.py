"""Running rule tests: statuses, how each kind of expected key matches, the diff text."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.testing.helpers import write

from routing.testing.runner import Mismatch, Report, matches, run_suites, show
from routing.testing.suite import load_suites

HEAD = """\
rules: rules.yaml
now: "2026-11-23T10:00:00+01:00"
defaults:
  ticket: {requester: {email: ann@shop.example}}
tests:
"""


def _run(tmp_path: Path, tests: str, select: str | None = None) -> Report:
    path = write(tmp_path, HEAD + textwrap.indent(textwrap.dedent(tests), "  "))
    suites, problems = load_suites(path)
    assert problems == []
    assert [s.diagnostics for s in suites] == [()]
    return run_suites(suites, select=re.compile(select) if select else None)


def _mismatches(tmp_path: Path, expect: str, ticket: str = "{subject: Refund please}") -> list[str]:
    """The rendered mismatches of one test (message, then its diff lines)."""
    report = _run(tmp_path, f"- name: t\n  ticket: {ticket}\n  expect: {expect}\n")
    (result,) = report.results
    return [line for m in result.mismatches for line in (m.message, *m.diff)]


@dataclass(frozen=True)
class Case:
    note: str
    expect: str
    want: tuple[str, ...]  # the rendered mismatches; empty: the test passes
    ticket: str = "{subject: Refund please}"


CASES = (
    Case("value: queue passes", "{queue: billing, priority: high, spam: false}", ()),
    Case(
        "value: queue and priority differ",
        "{queue: tech, priority: urgent, status: new}",
        (
            "expected queue 'tech', got 'billing'",
            "expected priority 'urgent', got 'high'",
        ),
    ),
    Case("value: spam_score compares numbers", "{spam_score: 0}", ()),
    Case(
        "value: null assignee",
        "{assignee: null, queue: null}",
        ("expected queue null, got 'billing'",),
    ),
    Case("tags: exact set in any order", "{tags: [refund]}", ()),
    Case(
        "tags: exact set differs, with a diff",
        "{tags: [refund, vip]}",
        ("expected tags ['refund', 'vip'], got ['refund']", "  refund", "- vip"),
    ),
    Case(
        "tags: unexpected tag",
        "{tags: []}",
        ("expected tags [], got ['refund']", "+ refund"),
    ),
    Case("tags: includes and excludes pass", "{tags: {includes: [refund], excludes: [vip]}}", ()),
    Case(
        "tags: includes and excludes fail",
        "{tags: {includes: [vip], excludes: [refund]}}",
        (
            "expected tags to include 'vip', got ['refund']",
            "expected tags to exclude 'refund', got ['refund']",
        ),
    ),
    Case("fired: exact list", "{fired: [refunds, ack]}", ()),
    Case(
        "fired: order matters",
        "{fired: [ack, refunds]}",
        (
            "expected fired ['ack', 'refunds'], got ['refunds', 'ack']",
            "+ refunds",
            "  ack",
            "- refunds",
        ),
    ),
    Case(
        "fired: includes",
        "{fired: {includes: [tech]}}",
        ("expected fired to include 'tech', got ['refunds', 'ack']",),
    ),
    Case(
        "effects: each item a subset, in order",
        "{effects: [{type: reply, template: refund-ack, to: ann@shop.example}]}",
        (),
    ),
    Case(
        "effects: an item differs",
        "{effects: [{type: notify, template: refund-ack}]}",
        ("expected effects[0].type 'notify', got 'reply'",),
    ),
    Case(
        "effects: a different number, with a diff of the shown keys",
        "{effects: []}",
        ("expected 0 effects, got 1", "+ {type: 'reply', rule: 'ack', template: 'refund-ack'}"),
    ),
    Case(
        "effects: includes a pattern no effect matches",
        "{effects: {includes: [{to: bob@shop.example}]}}",
        (
            "expected effects to include {to: 'bob@shop.example'}; the effects are:",
            "  {to: 'ann@shop.example'}",
        ),
    ),
    Case(
        "effects: excludes",
        "{effects: {excludes: [{type: reply}]}}",
        ("expected effects to exclude {type: 'reply'}, found effects[0]", "  {type: 'reply'}"),
    ),
    Case("errors: none", "{errors: [], suppressed: []}", ()),
    Case("fields: subset of the custom fields", "{fields: {}}", ()),
    Case(
        "fields: a missing field",
        "{fields: {plan: pro}}",
        ("expected fields.plan 'pro', got nothing",),
    ),
    Case("sla: no policy matches, so no sla", "{sla: {}}", ()),
    Case(
        "sla: a key of an absent sla",
        "{sla: {first_reply_due: '2026-11-23T12:00:00Z'}}",
        ("expected sla.first_reply_due '2026-11-23T12:00:00Z', got nothing",),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_each_kind_of_key_matches_as_documented(tmp_path: Path, case: Case) -> None:
    """Keys not given are not checked; each given key matches by its kind, or says how not."""
    assert tuple(_mismatches(tmp_path, case.expect, case.ticket)) == case.want


def test_statuses_and_the_summary_counts(tmp_path: Path) -> None:
    """PASS, FAIL, ERROR (a test that cannot run) and SKIP, in file order."""
    report = _run(
        tmp_path,
        """\
        - name: passes
          ticket: {subject: Refund please}
          expect: {queue: billing}
        - name: fails
          ticket: {subject: Refund please}
          expect: {queue: tech}
        - name: errors
          ticket: {subject: x, priority: hihg}
          expect: {queue: tech}
        - name: skipped
          ticket: {subject: x}
          expect: {queue: tech}
          skip: waiting for the tech rules
        """,
    )
    assert [(r.test.name, r.status) for r in report.results] == [
        ("passes", "pass"),
        ("fails", "fail"),
        ("errors", "error"),
        ("skipped", "skip"),
    ]
    assert [report.count(s) for s in ("pass", "fail", "error", "skip")] == [1, 1, 1, 1]
    assert (report.total, report.ok) == (4, False)
    fails = report.results[1]
    assert fails.mismatches == (
        Mismatch("queue", "expected queue 'tech', got 'billing'", "tech", "billing"),
    )
    assert fails.decision is not None
    assert report.results[2].problems[0].code == "test/bad-ticket"


def test_run_selects_tests_by_name(tmp_path: Path) -> None:
    """`select` is searched in each test name; the others do not run."""
    report = _run(
        tmp_path,
        """\
        - name: refund goes to billing
          ticket: {subject: Refund please}
          expect: {queue: billing}
        - name: errors go to tech
          ticket: {subject: An error}
          expect: {queue: tech}
        """,
        select="^errors",
    )
    assert [r.test.name for r in report.results] == ["errors go to tech"]
    assert report.ok


def test_times_compare_as_instants() -> None:
    """An ISO 8601 instant matches the same instant at any offset, and nothing else."""
    assert matches("2026-11-23T10:30:00+01:00", "2026-11-23T09:30:00+00:00")
    assert not matches("2026-11-23T10:30:00+00:00", "2026-11-23T09:30:00+00:00")
    assert not matches("2026-11-23", "2026-11-23T00:00:00+00:00")
    assert matches({"a": [1, {"b": True}]}, {"a": [1.0, {"b": True, "c": 2}], "d": 3})
    assert not matches({"a": [1]}, {"a": [1, 2]})
    assert not matches(True, 1)
    assert not matches(0, False)


def test_values_show_as_the_messages_write_them() -> None:
    """Strings quoted, null, true/false, numbers without a trailing .0, lists, mappings."""
    assert [show(v) for v in ("a", None, True, 3.0, 2.5, 7, ["x", None], {"k": False})] == [
        "'a'",
        "null",
        "true",
        "3",
        "2.5",
        "7",
        "['x', null]",
        "{k: false}",
    ]

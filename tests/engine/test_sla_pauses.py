"""`pause_when` decides which statuses pause the SLA clock, per ticket or once per rule set."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import routing

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RULES = """
version: 1
sla_policies:
  - name: p
    when: "true"
    targets: {{normal: {{first_reply: 1h}}}}
    pause_when: '{pause}'
stages: []
"""
CASES = (
    ("status only, paused", 'status in ["pending", "on_hold"]', "pending", [], True),
    ("status only, running", 'status in ["pending", "on_hold"]', "open", [], False),
    (
        "reads tags, tag present",
        'status == "pending" and tags has "wait"',
        "pending",
        ["wait"],
        True,
    ),
    ("reads tags, tag absent", 'status == "pending" and tags has "wait"', "pending", [], False),
)


@pytest.mark.parametrize(
    ("note", "pause", "status", "tags", "paused"), CASES, ids=[c[0] for c in CASES]
)
def test_pause_when(note, pause, status, tags, paused):
    """A paused clock has no due time; the same rule set gives each ticket its own answer."""
    rules = routing.loads(RULES.format(pause=pause))
    ticket = {"id": "T", "status": status, "tags": tags, "created_at": "2026-11-23T09:00:00+00:00"}
    # evaluate twice: a cached answer must not differ from the first one
    slas = [rules.evaluate(ticket, now=NOW).sla for _ in range(2)]
    want_due = None if paused else "2026-11-23T10:00:00+00:00"
    assert [(s["paused"], s["first_reply_due"]) for s in slas] == [(paused, want_due)] * 2


def test_status_only_pause_is_worked_out_once_per_rule_set():
    """The statuses a status-only pause_when holds for are computed once and reused."""
    rules = routing.loads(RULES.format(pause='status == "pending"'))
    ticket = {"id": "T", "status": "open", "created_at": "2026-11-23T09:00:00+00:00"}
    rules.evaluate(ticket, now=NOW)
    compiled = rules._compiled
    assert compiled.clocks[("pause", "p")] == frozenset({"pending"})

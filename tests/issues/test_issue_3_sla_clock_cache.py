"""Regression: SLA clocks were cached per id() of the compiled rule set, so a new rule set
allocated where a freed one had been could reuse the old policy's targets."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import routing

RULES = """
version: 1
sla_policies:
  - name: p
    when: "true"
    targets:
      normal: {{first_reply: {target}}}
stages: []
"""
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TICKET = {"id": "T-1", "created_at": "2026-11-23T09:00:00+00:00"}


def test_sla_targets_follow_each_rule_set_even_when_rebuilt():
    """Rule sets loaded one after another, each freed, each get their own policy targets."""
    seen = []
    for hours in (1, 2, 3, 1, 2, 3):
        rules = routing.loads(RULES.format(target=f"{hours}h"))
        sla = rules.evaluate(TICKET, now=NOW).sla
        assert sla is not None
        seen.append(sla["first_reply_due"])
        del rules
        gc.collect()
    assert seen == [
        "2026-11-23T10:00:00+00:00",
        "2026-11-23T11:00:00+00:00",
        "2026-11-23T12:00:00+00:00",
        "2026-11-23T10:00:00+00:00",
        "2026-11-23T11:00:00+00:00",
        "2026-11-23T12:00:00+00:00",
    ]

"""A small rule set and a writer of test files, shared by the tests of `routing.testing`."""

from __future__ import annotations

import textwrap
from pathlib import Path

RULES = """\
version: 1
fields:
  plan: {type: enum, values: [free, pro]}
queues: [billing, tech, general]
templates:
  refund-ack: "We got your refund request."
stages:
  - name: triage
    mode: first
    rules:
      - name: refunds
        when: text mentions "refund" and not (channel == "phone")
        then: [{route: billing}, {raise_priority: high}, {tag: refund}]
      - name: tech
        when: text mentions "error" or channel == "api"
        then: [{route: tech}, {tag: [technical]}]
      - name: everything else
        when: "true"
        then: [{route: general}]
  - name: replies
    mode: all
    rules:
      - name: ack
        when: tags has "refund"
        then: [{reply: refund-ack}]
      - name: old
        enabled: false
        when: tags has "x"
        then: [{tag: legacy}]
"""


def write(directory: Path, tests: str, *, name: str = "tests.yaml") -> Path:
    """Write `rules.yaml` and a test file (dedented) into `directory`; return the test file."""
    (directory / "rules.yaml").write_text(RULES, encoding="utf-8")
    path = directory / name
    path.write_text(textwrap.dedent(tests), encoding="utf-8")
    return path

"""Pass 7, check_reachability: in a `first` stage, a rule after one that always fires (for
the same events) can never fire."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.checking import diagnostics_through

Found = tuple[str, str, str | None, tuple[str, ...], str]
HINT = "move the catch-all rule to the end of the stage"


def _through(pass_name: str, text: str) -> list[Found]:
    return [
        (d.code, d.message, d.hint, d.notes, f"{d.line}:{d.column}")
        for d in diagnostics_through(pass_name, ("r.yaml", text))
    ]


def _stage(mode: str, *rules: str) -> str:
    """A rule file with one stage; rule i is on line 5 + i, its name at column 16."""
    lines = "".join(
        f"      - {{name: r{i}, {r}, then: [{{tag: x}}]}}\n" for i, r in enumerate(rules)
    )
    return f"version: 1\nstages:\n  - name: s\n    mode: {mode}\n    rules:\n{lines}"


def _unreachable(rule: int, blocker: int) -> Found:
    return (
        "rule/unreachable",
        f"rule 'r{rule}' can never fire: rule 'r{blocker}' before it always fires "
        "in this 'first' stage",
        HINT,
        (f"'r{blocker}' is at r.yaml:{6 + blocker}:16",),
        f"{6 + rule}:16",
    )


@dataclass(frozen=True)
class Case:
    note: str
    text: str
    want: tuple[Found, ...]


CASES = (
    Case(
        "the catch-all is last: clean",
        _stage("first", "when: 'subject == \"a\"'", "when: 'true'"),
        (),
    ),
    Case(
        "a rule after when true",
        _stage("first", "when: 'true'", "when: 'subject == \"a\"'"),
        (_unreachable(1, 0),),
    ),
    Case(
        "every rule after it is reported",
        _stage("first", "when: 'true'", "when: spam", "when: 'not spam'"),
        (_unreachable(1, 0), _unreachable(2, 0)),
    ),
    Case(
        "true or anything always fires",
        _stage("first", "when: 'true or spam'", "when: spam"),
        (_unreachable(1, 0),),
    ),
    Case(
        "not false always fires",
        _stage("first", "when: 'not false'", "when: spam"),
        (_unreachable(1, 0),),
    ),
    Case(
        "true and a test does not always fire",
        _stage("first", "when: 'true and spam'", "when: spam"),
        (),
    ),
    Case(
        "an all stage runs every rule",
        _stage("all", "when: 'true'", "when: spam"),
        (),
    ),
    Case(
        "a disabled catch-all blocks nothing",
        _stage("first", "when: 'true', enabled: false", "when: spam"),
        (),
    ),
    Case(
        "a disabled rule after the catch-all is not reported",
        _stage("first", "when: 'true'", "when: spam, enabled: false"),
        (),
    ),
    Case(
        "a catch-all for other events blocks nothing",
        _stage("first", "when: 'true', on: [updated]", "when: spam"),
        (),
    ),
    Case(
        "a rule listening to an event the catch-all ignores is reachable",
        _stage("first", "when: 'true'", "when: spam, on: [created, replied]"),
        (),
    ),
    Case(
        "a rule for a subset of the catch-all's events is not",
        _stage("first", "when: 'true', on: [created, updated]", "when: spam, on: [updated]"),
        (_unreachable(1, 0),),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_check_reachability_reports_rules_after_a_catch_all(case: Case) -> None:
    """Unreachable rules are located at their name, with a note at the catch-all."""
    assert _through("check_reachability", case.text) == list(case.want)

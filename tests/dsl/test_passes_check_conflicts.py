"""Pass 8, check_conflicts: a warning where two rules of one `all` stage set one field."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from tests.checking import diagnostics_through

import routing
from routing.diagnostics import Severity

Found = tuple[str, str, str | None, tuple[str, ...], str, str]
HINT = "make the conditions exclusive, or use a 'first' stage"


def _through(pass_name: str, text: str) -> list[Found]:
    return [
        (d.code, d.message, d.hint, d.notes, f"{d.line}:{d.column}", d.severity.value)
        for d in diagnostics_through(pass_name, ("r.yaml", text))
    ]


def _stage(mode: str, *thens: str) -> str:
    """A rule file with one stage; rule i is on line 7 + i."""
    lines = "".join(f"      - {{name: r{i}, when: spam, then: {t}}}\n" for i, t in enumerate(thens))
    return (
        "version: 1\nqueues: [a, b]\nsla_policies: [{name: p, targets: {}}]\n"
        f"stages:\n  - name: s\n    mode: {mode}\n    rules:\n{lines}"
    )


def _conflict(field: str, earlier: int, later: int, col: int) -> Found:
    return (
        "action/conflicting-set",
        f"rules 'r{earlier}' and 'r{later}' both set '{field}' in 'all' stage 's'; "
        "the later one wins",
        HINT,
        (f"'r{earlier}' is at r.yaml:{8 + earlier}:16",),
        f"{8 + later}:{col}",
        "warning",
    )


@dataclass(frozen=True)
class Case:
    note: str
    text: str
    want: tuple[Found, ...]


CASES = (
    Case(
        "different fields: clean",
        _stage("all", "[{route: a}]", "[{priority: high}]", "[{set: {status: open}}]"),
        (),
    ),
    Case(
        "two routes",
        _stage("all", "[{route: a}]", "[{route: b}]"),
        (_conflict("queue", 0, 1, 40),),
    ),
    Case(
        "route and set queue",
        _stage("all", "[{route: a}]", "[{set: {queue: b}}]"),
        (_conflict("queue", 0, 1, 46),),
    ),
    Case(
        "two priorities",
        _stage("all", "[{priority: high}]", "[{priority: low}]"),
        (_conflict("priority", 0, 1, 40),),
    ),
    Case(
        "raise_priority only raises: clean",
        _stage("all", "[{priority: high}]", "[{raise_priority: urgent}]"),
        (),
    ),
    Case(
        "two sla actions",
        _stage("all", "[{sla: p}]", "[{sla: p}]"),
        (_conflict("sla", 0, 1, 40),),
    ),
    Case(
        "the first writer is named for every later one",
        _stage("all", "[{route: a}]", "[{route: b}]", "[{route: a}]"),
        (_conflict("queue", 0, 1, 40), _conflict("queue", 0, 2, 40)),
    ),
    Case(
        "tags add up: clean",
        _stage("all", "[{tag: a}]", "[{tag: b}]"),
        (),
    ),
    Case(
        "a first stage fires one rule: clean",
        _stage("first", "[{route: a}]", "[{route: b}]"),
        (),
    ),
    Case(
        "a disabled rule sets nothing: clean",
        _stage("all", "[{route: a}]", "[{route: b}], enabled: false"),
        (),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_check_conflicts_warns_on_two_writers(case: Case) -> None:
    """The warning is located at the later action and names the earlier rule."""
    assert _through("check_conflicts", case.text) == list(case.want)


def test_loads_succeeds_with_a_conflict_and_keeps_the_warning() -> None:
    """A warning does not stop loading; it is readable on the rule set."""
    rules = routing.loads(_stage("all", "[{route: a}]", "[{route: b}]"), name="r.yaml")
    assert [(d.code, d.severity, f"{d.line}:{d.column}", d.hint) for d in rules.diagnostics] == [
        ("action/conflicting-set", Severity.WARNING, "9:40", HINT)
    ]


def test_rules_of_different_events_do_not_conflict():
    """Two rules that set the queue but listen to different events never both fire."""
    text = """\
version: 1
queues: [a, b]
stages:
  - name: s
    mode: all
    rules:
      - {name: on create, when: "true", then: [{route: a}]}
      - {name: on update, on: updated, when: "true", then: [{route: b}]}
"""
    assert _through("check_conflicts", text) == []

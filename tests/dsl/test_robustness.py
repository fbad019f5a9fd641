"""Issue 2: whatever text is loaded, `routing.loads` raises nothing but `RuleError`; deep
expressions are limit errors; regexes run in linear time; non-linear regexes are refused."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import MUTATIONS, Mutation, mutate

import routing

REPO = Path(__file__).resolve().parents[2]
SEEDS = (*sorted((REPO / "examples/helpdesk/rules").glob("*.yaml")), REPO / "rules/starter.yaml")
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FUZZ = settings(
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _loads_or_rule_error(text: str) -> None:
    with contextlib.suppress(routing.RuleError):
        routing.loads(text)


# ------------------------------------------------------------------ arbitrary text

#: Pieces of rule files, so that random text often gets past YAML into the checker.
PIECES = (
    "version: 1\n",
    "stages:\n",
    "  - name: s\n",
    "    mode: first\n",
    "    mode: all\n",
    "    rules:\n",
    "      - name: r\n",
    "        when: ",
    "        then: [{tag: x}]\n",
    "        then: [{route: q}]\n",
    "queues: [q]\n",
    "fields:\n  f: {type: enum, values: [a, b]}\n",
    "lists:\n  l: [a, b]\n",
    "define:\n  d: ",
    'calendars:\n  c: {timezone: UTC, hours: {mon: "09:00-10:00"}}\n',
    'templates:\n  t: "{{ requester.name }}"\n',
    "subject",
    "fields.f",
    "$l",
    " == ",
    " > ",
    " in ",
    " contains any of ",
    " mentions ",
    " matches /(a+)+$/",
    " is empty",
    'is_open("c")',
    "lenn(",
    "len(",
    "(",
    ")",
    "[",
    "]",
    '"',
    "'",
    "\n",
    "\t",
    " and ",
    " or ",
    "not ",
    "true",
    "null",
    "3h",
    "1e999",
    "中",
    "&",
    "*a",
)


@FUZZ
@given(st.text())
def test_loads_arbitrary_text_raises_only_rule_error(text: str) -> None:
    """Any string at all either loads or raises RuleError."""
    _loads_or_rule_error(text)


@FUZZ
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_loads_random_rule_file_pieces_raises_only_rule_error(text: str) -> None:
    """Random sequences of rule-file pieces either load or raise RuleError."""
    _loads_or_rule_error(text)


# ------------------------------------------------------------------ mutations of real files


@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in SEEDS])
def test_loads_mutated_rule_files_raises_only_rule_error(seed: Path) -> None:
    """Deleting, duplicating, swapping, editing or re-indenting lines of a real rule file
    never makes `loads` raise anything but RuleError."""
    original = seed.read_text(encoding="utf-8")

    @FUZZ
    @given(st.lists(MUTATIONS, min_size=1, max_size=4))
    def run(mutations: list[Mutation]) -> None:
        _loads_or_rule_error(mutate(original, mutations))

    run()


# ------------------------------------------------------------------ deep expressions

DEEP = """\
version: 1
stages:
  - name: s
    mode: all
    rules:
      - name: r
        when: 'WHEN'
        then: [{tag: x}]
"""


@dataclass(frozen=True)
class DeepCase:
    note: str
    when: str
    code: str = "limit/nesting-depth"


DEEP_CASES = (
    DeepCase("parentheses", "(" * 10_000 + "spam" + ")" * 10_000),
    DeepCase("not", "not " * 10_000 + "spam"),
    DeepCase("lists", "[" * 10_000 + "1" + "]" * 10_000 + " is empty"),
    DeepCase("calls", "subject == " + "lower(" * 10_000 + "subject" + ")" * 10_000),
    DeepCase("unbalanced parentheses", "(" * 10_000 + "spam", "syntax/unexpected-end"),
)


@pytest.mark.parametrize("case", DEEP_CASES, ids=[c.note for c in DEEP_CASES])
def test_a_10000_level_expression_is_a_limit_error(case: DeepCase) -> None:
    """A 10,000-level nested condition is one located error (a limit), no RecursionError."""
    with pytest.raises(routing.RuleError) as caught:
        routing.loads(DEEP.replace("WHEN", case.when))
    assert [(d.code, d.line) for d in caught.value.diagnostics] == [(case.code, 7)]


# ------------------------------------------------------------------ regex linearity

REDOS = routing.loads(DEEP.replace("WHEN", "subject matches /(a+)+$/ or body matches /(a+)+$/"))


def _best_time(size: int) -> float:
    text = "a" * size + "!"
    ticket = routing.Ticket.from_dict({"id": "T-1", "subject": text, "body": text})
    best = float("inf")
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(20):
            decision = REDOS.evaluate(ticket, now=NOW)
        best = min(best, time.perf_counter() - started)
    assert decision.fired == ()
    return best


def test_a_catastrophic_pattern_runs_in_linear_time() -> None:
    """`(a+)+$` on 100 kB of "a" then "!" takes at most ~linear time: 10x the text costs
    far less than 30x the time (a backtracking engine would never finish)."""
    small, large = _best_time(10_000), _best_time(100_000)
    assert large < 30 * max(small, 1e-4)


@dataclass(frozen=True)
class RegexCase:
    note: str
    pattern: str
    message: str


NOT_LINEAR = (
    RegexCase(
        "a backreference",
        "(a)\\1",
        "a backreference ('\\1') has no linear-time match; RE2 does not support it",
    ),
    RegexCase(
        "a look-ahead",
        "a(?=b)",
        "look-around ('(?=') has no linear-time match; RE2 does not support it",
    ),
    RegexCase(
        "a look-behind",
        "(?<=a)b",
        "look-around ('(?<=') has no linear-time match; RE2 does not support it",
    ),
)


@pytest.mark.parametrize("case", NOT_LINEAR, ids=[c.note for c in NOT_LINEAR])
def test_backreference_and_look_around_are_not_linear_errors(case: RegexCase) -> None:
    """A pattern RE2 cannot run in linear time is a check error, regex/not-linear."""
    with pytest.raises(routing.RuleError) as caught:
        routing.loads(DEEP.replace("WHEN", f"subject matches /{case.pattern}/"), name="r.yaml")
    assert [(d.code, d.message, str(d.span)) for d in caught.value.diagnostics] == [
        ("regex/not-linear", case.message, "r.yaml:7:32")
    ]

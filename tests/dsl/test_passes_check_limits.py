"""Pass 9, check_limits (and the parser's own limits): every rule set loads and evaluates in
bounded time, and a rule set past a limit gets a located limit/* error."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from routing.diagnostics import sort_diagnostics
from routing.dsl import limits
from routing.dsl.checker import check
from routing.dsl.loader import load_text
from routing.dsl.passes import check_limits

Found = tuple[str, str, str | None, str]
SPLIT = "split it into named conditions under 'define:'"


def _check(text: str) -> list[Found]:
    rule_file, found = load_text(text, "r.yaml")
    checked = check([rule_file] if rule_file else [], extra=found)
    return [
        (d.code, d.message, d.hint, f"{d.line}:{d.column}")
        for d in sort_diagnostics(checked.diagnostics)
    ]


def _rules(n: int) -> str:
    body = "".join(f"      - {{name: r{i}, when: spam, then: []}}\n" for i in range(n))
    return f"version: 1\nstages:\n  - name: s\n    mode: all\n    rules:\n{body}"


def test_check_limits_counts_rules_per_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file with more rules than the limit is one error at the start of the file."""
    monkeypatch.setattr(check_limits, "MAX_RULES_PER_FILE", 3)
    assert (_check(_rules(3)), _check(_rules(4))) == (
        [],
        [
            (
                "limit/rules-per-file",
                "the file has 4 rules; the limit is 3",
                "split the rules over several files in one directory",
                "1:1",
            )
        ],
    )


def test_check_limits_counts_list_items(monkeypatch: pytest.MonkeyPatch) -> None:
    """A declared list with more items than the limit is an error at its name."""
    monkeypatch.setattr(check_limits, "MAX_LIST_ITEMS", 2)
    text = "version: 1\nlists:\n  ok: [a, b]\n  big: [a, b, c]\nstages: []\n"
    assert _check(text) == [
        ("limit/list-size", "list 'big' has 3 items; the limit is 2", None, "4:3")
    ]


RULE = """\
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
class Case:
    note: str
    when: str
    want: tuple[tuple[str, str, str | None], ...]  # code, message, hint


DEPTH = (
    "limit/nesting-depth",
    f"expression is nested more than {limits.MAX_DEPTH} levels deep",
    SPLIT,
)
CASES = (
    Case("shallow parentheses: clean", "(" * 10 + "spam" + ")" * 10, ()),
    Case("10,000 parentheses", "(" * 10_000 + "spam" + ")" * 10_000, (DEPTH,)),
    Case("10,000 nots", "not " * 10_000 + "spam", (DEPTH,)),
    Case("10,000 nested lists", "[" * 10_000 + "1" + "]" * 10_000 + " is empty", (DEPTH,)),
    Case(
        "10,000 nested calls",
        "subject == " + "lower(" * 10_000 + "subject" + ")" * 10_000,
        (DEPTH,),
    ),
    Case(
        "too many terms",
        " or ".join(["spam"] * (limits.MAX_TERMS + 1)),
        (
            (
                "limit/expression-size",
                f"expression has more than {limits.MAX_TERMS} terms",
                SPLIT,
            ),
        ),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_expression_limits_are_errors_not_crashes(case: Case) -> None:
    """A deep or huge expression is one limit error on the rule's line, never a RecursionError."""
    found = _check(RULE.replace("WHEN", case.when))
    assert [(code, message, hint, at.split(":")[0]) for code, message, hint, at in found] == [
        (*w, "7") for w in case.want
    ]

"""Issue 2 finding: `compile_regex` decides "not linear" by searching the raw pattern text
for `(?=`, `\\1`, ... without regard to escapes, so an invalid pattern that merely contains
those characters after a backslash is blamed on look-around or a backreference."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from routing.dsl.regex import RegexProblem, compile_regex


@dataclass(frozen=True)
class Case:
    note: str
    pattern: str
    want: RegexProblem


CASES = (
    Case(
        "an escaped parenthesis then '?=' and an unmatched ')'",
        r"\(?=a)",
        RegexProblem("unexpected ): \\(?=a)", False),
    ),
    Case(
        "an escaped backslash then a digit inside an unclosed group",
        r"(\\1",
        RegexProblem("missing ): (\\\\1", False),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_an_invalid_pattern_is_not_called_not_linear(case: Case) -> None:
    """A pattern without look-around or backreference is refused as invalid, with RE2's reason."""
    assert compile_regex(case.pattern) == case.want

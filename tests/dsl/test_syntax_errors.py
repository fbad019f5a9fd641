"""Syntax errors in expressions: code, place, wording and hint, as users see them.

Each case's rendered diagnostics are compared with ``tests/golden/syntax/<id>.out``
(re-create with ``pytest --update-goldens`` and review the diff).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from routing.diagnostics import SourceFile, render_text
from routing.dsl.expr_parser import parse_expression

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "syntax"


@dataclass(frozen=True)
class ErrorCase:
    note: str
    text: str

    @property
    def golden(self) -> Path:
        return GOLDEN / (re.sub(r"[^a-z0-9]+", "-", self.note.lower()).strip("-") + ".out")


CASES = (
    ErrorCase("single equals for double equals", "a = b"),
    ErrorCase("triple equals", "a === b"),
    ErrorCase("arrow for greater or equal", "a => 1"),
    ErrorCase("angle brackets for not equal", "a <> b"),
    ErrorCase("double ampersand for and", "a && b"),
    ErrorCase("double bar for or", "a || b"),
    ErrorCase("bang for not", "!spam"),
    ErrorCase("bang after and", "vip and !spam"),
    ErrorCase("contains any without of", "text contains any $phrases"),
    ErrorCase("mentions any without of", 'text mentions any ["refund"]'),
    ErrorCase("has none without of", 'tags has none "x"'),
    ErrorCase("quantifier at the end", "tags has all"),
    ErrorCase("unterminated double-quoted string", 'subject == "refund'),
    ErrorCase("unterminated single-quoted string", "subject == 'refund"),
    ErrorCase("string broken across lines", 'subject == "a\nb" or vip'),
    ErrorCase("unterminated regex", "subject matches /outage"),
    ErrorCase("a slash starts a regex", "a / b"),
    ErrorCase("end after and", "a and"),
    ErrorCase("end before trailing spaces", "a ==   "),
    ErrorCase("empty expression", ""),
    ErrorCase("unclosed parenthesis", "(a or b"),
    ErrorCase("two values in a row", "a b"),
    ErrorCase("missing comma in a call", "f(1 2)"),
    ErrorCase("missing comma in a list", "x in [1 2]"),
    ErrorCase("starts without with", 'subject starts "Re:"'),
    ErrorCase("matches a string", 'subject matches "x"'),
    ErrorCase("is with a value", 'status is "open"'),
    ErrorCase("not before contains", 'text not contains "x"'),
    ErrorCase("chained comparison", "a == b == c"),
    ErrorCase("keyword as a name", "and b"),
    ErrorCase("bare dollar", "a in $"),
    ErrorCase("unknown character", "a ? b"),
    ErrorCase("nothing after a dot", "x."),
    ErrorCase("durations units out of order", "x == 1m1h"),
    ErrorCase("fractional duration", "x < 1.5h"),
    ErrorCase("unknown string escape", r'x == "\d"'),
    ErrorCase("unknown regex flag", "s matches /x/g"),
    ErrorCase("error on the second line", 'vip and\n  subject = "x"'),
    ErrorCase("tab before the error", 'vip and\tsubject = "x"'),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_syntax_error_renders(case: ErrorCase, golden) -> None:  # type: ignore[no-untyped-def]
    """The rendered diagnostic names what was found, what was expected, and a hint."""
    expr, diagnostics = parse_expression(case.text, SourceFile("<expr>", case.text))
    assert expr is None
    golden.check(case.golden, render_text(diagnostics) + "\n")


def test_syntax_error_goldens_have_cases() -> None:
    """Every golden file belongs to a case (no stale goldens are left behind)."""
    assert sorted(p.name for p in GOLDEN.glob("*.out")) == sorted(c.golden.name for c in CASES)


@dataclass(frozen=True)
class DictCase:
    note: str
    text: str
    want: list[dict[str, object]]


def _d(code: str, message: str, hint: str | None, col: int, end_col: int) -> dict[str, object]:
    return {
        "code": code,
        "severity": "error",
        "message": message,
        "hint": hint,
        "file": "<expr>",
        "line": 1,
        "column": col,
        "end_line": 1,
        "end_column": end_col,
    }


DURATION_HINT = (
    "write whole numbers of w, d, h, m, s, largest unit first, each at most once, as in '1h30m'"
)
STRING_HINT = "close the string with '\"'"
REGEX_HINT = "close the regex with '/' (write \\/ for a slash inside it)"

DICT_CASES = (
    DictCase(
        "unterminated string spans from the quote to the end",
        'a == "xyz',
        [_d("syntax/unterminated-string", "unterminated string", STRING_HINT, 6, 10)],
    ),
    DictCase(
        "unterminated regex spans from the slash to the end",
        "a matches /x(",
        [_d("syntax/unterminated-regex", "unterminated regex", REGEX_HINT, 11, 14)],
    ),
    DictCase(
        "unexpected end points after the last token",
        "a ==  ",
        [
            _d(
                "syntax/unexpected-end",
                "unexpected end of the expression, expected a value: a string, a number, "
                "a path, '$list' or '['",
                None,
                5,
                5,
            )
        ],
    ),
    DictCase(
        "the whole offending token is underlined",
        "a contains any chargeback",
        [
            _d(
                "syntax/unexpected-token",
                "unexpected 'chargeback', expected 'of'",
                "write 'contains any of', as in 'text contains any of $phrases'",
                16,
                26,
            )
        ],
    ),
    DictCase(
        "a number too long for an int",
        "x == " + "9" * 5000,
        [
            _d(
                "syntax/unexpected-token",
                "number '" + "9" * 29 + "…' has too many digits",
                None,
                6,
                5006,
            )
        ],
    ),
    DictCase(
        "literal errors are all reported",
        "a == 1m1h or b == 3h2h",
        [
            _d("literal/bad-duration", "invalid duration '1m1h'", DURATION_HINT, 6, 10),
            _d("literal/bad-duration", "invalid duration '3h2h'", DURATION_HINT, 19, 23),
        ],
    ),
)


@pytest.mark.parametrize("case", DICT_CASES, ids=[c.note for c in DICT_CASES])
def test_syntax_error_fields(case: DictCase) -> None:
    """Codes, messages, hints and exact spans of syntax diagnostics."""
    expr, diagnostics = parse_expression(case.text, SourceFile("<expr>", case.text))
    assert (expr, [d.to_dict() for d in diagnostics]) == (None, case.want)

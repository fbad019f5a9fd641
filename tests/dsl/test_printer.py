"""The canonical expression printer: exact text, and the parse/print round trip."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from tests.strategies import SPAN, exprs

from routing.diagnostics import SourceFile
from routing.dsl.ast import (
    And,
    Compare,
    ContainsTest,
    DurationLit,
    Expr,
    HasTest,
    NumberLit,
    Or,
    Path,
    PathPart,
    RegexLit,
    StringLit,
)
from routing.dsl.expr_parser import parse_expression
from routing.dsl.printer import print_expr


def reprint(text: str) -> str:
    expr, diagnostics = parse_expression(text, SourceFile("<expr>", text))
    assert diagnostics == []
    assert expr is not None
    return print_expr(expr)


@dataclass(frozen=True)
class Case:
    note: str
    text: str
    want: str


CASES = (
    Case("keywords and spacing are normalised", "a==1   and\n  not(b)", "a == 1 and not b"),
    Case("flat chains", "a and b and c or d or e", "a and b and c or d or e"),
    Case("minimal parentheses: and in or", "(a and b) or c", "a and b or c"),
    Case("parentheses kept: or in and", "(a or b) and c", "(a or b) and c"),
    Case("nested and in and keeps its group", "(a and b) and c", "(a and b) and c"),
    Case("nested or in or keeps its group", "a or (b or c)", "a or (b or c)"),
    Case("redundant parentheses dropped", "((a)) and ((not b))", "a and not b"),
    Case("not of a chain", "not (a and b)", "not (a and b)"),
    Case("not of a test", "not (a == b)", "not a == b"),
    Case("not not", "not (not a)", "not not a"),
    Case("single quotes become double", "x == 'it\\'s'", 'x == "it\'s"'),
    Case("minimal string escapes", r'x == "\u0041\"\\\n\t\r\u0001é"', r'x == "A\"\\\n\t\r\u0001é"'),
    Case(
        "durations are canonical",
        "x < 90m and y < 2w and z < 0s",
        "x < 1h30m and y < 14d and z < 0s",
    ),
    Case("regex flags in canonical order", "x matches /a\\/b\\d/si", "x matches /a\\/b\\d/is"),
    Case("numbers", "x in [1, -2, 3.5, 1e20, -0.25]", "x in [1, -2, 3.5, 1e+20, -0.25]"),
    Case(
        "lists and calls",
        "x in [ 'a','b' ] and is_open( 'eu' , t )",
        'x in ["a", "b"] and is_open("eu", t)',
    ),
    Case("empty list", "x in [ ]", "x in []"),
    Case("paths keep their form", "headers['X-Y'].z.in", 'headers["X-Y"].z.in'),
    Case("not in", "a not  in $l", "a not in $l"),
    Case(
        "quantified tests",
        "a contains all of $l and b mentions any of $m and c has none of $n",
        "a contains all of $l and b mentions any of $m and c has none of $n",
    ),
    Case(
        "word operators",
        "a starts with 'x' or a ends with 'y'",
        'a starts with "x" or a ends with "y"',
    ),
    Case("empty tests", "a is  empty and b is  not  empty", "a is empty and b is not empty"),
    Case(
        "literals", "x == true or x == false or x == null", "x == true or x == false or x == null"
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_print_expr_writes_canonical_text(case: Case) -> None:
    assert reprint(case.text) == case.want


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_print_expr_is_idempotent(case: Case) -> None:
    """Printing the parse of canonical text gives the same text."""
    assert reprint(case.want) == case.want


def _p(*names: str) -> Path:
    return Path(
        tuple(PathPart(n, i > 0 and not n.isidentifier(), SPAN) for i, n in enumerate(names)), SPAN
    )


@dataclass(frozen=True)
class TreeCase:
    note: str
    expr: Expr
    want: str


TREE_CASES = (
    TreeCase(
        "infinite float", Compare("<", _p("x"), NumberLit(float("inf"), SPAN), SPAN), "x < 1e999"
    ),
    TreeCase(
        "weeks print as days", Compare("<", _p("x"), DurationLit(604800, SPAN), SPAN), "x < 7d"
    ),
    TreeCase("a part that is not a name is bracketed", _p("headers", "X-Y"), 'headers["X-Y"]'),
    TreeCase(
        "slash in a regex is escaped",
        Compare("==", _p("x"), RegexLit("a/b", "si", SPAN), SPAN),
        "x == /a\\/b/is",
    ),
    TreeCase(
        "control characters use \\u",
        Compare("==", _p("x"), StringLit("\x00\x7f", SPAN), SPAN),
        'x == "\\u0000\\u007f"',
    ),
    TreeCase(
        "and inside or inside and",
        And((Or((_p("a"), _p("b")), SPAN), _p("c")), SPAN),
        "(a or b) and c",
    ),
)


@pytest.mark.parametrize("case", TREE_CASES, ids=[c.note for c in TREE_CASES])
def test_print_expr_of_built_trees(case: TreeCase) -> None:
    assert print_expr(case.expr) == case.want


BAD_TREES = (
    pytest.param(
        Compare("==", And((_p("a"), _p("b")), SPAN), _p("c"), SPAN),
        "And cannot stand where a value must be",
        id="chain as a value",
    ),
    pytest.param(
        Compare("=", _p("a"), _p("b"), SPAN), "unknown comparison operator '='", id="bad operator"
    ),
    pytest.param(_p("and"), "'and' cannot be written as a name", id="keyword as a root name"),
    pytest.param(NumberLit(float("nan"), SPAN), "NaN has no literal", id="nan"),
    pytest.param(
        ContainsTest(_p("a"), _p("b"), "none", SPAN),
        "unknown quantifier 'none'",
        id="contains none of",
    ),
    pytest.param(
        HasTest(_p("a"), _p("b"), "some", SPAN), "unknown quantifier 'some'", id="has some of"
    ),
    pytest.param(
        Path((PathPart("x", True, SPAN),), SPAN),
        "a path starts with a plain name",
        id="bracketed root",
    ),
)


@pytest.mark.parametrize(("expr", "message"), BAD_TREES)
def test_print_expr_refuses_trees_no_text_parses_to(expr: Expr, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        print_expr(expr)


@settings(max_examples=300, deadline=None)
@given(exprs())
def test_print_expr_round_trips(expr: Expr) -> None:
    """parse(print(e)) == e for any tree the grammar can write."""
    text = print_expr(expr)
    assert parse_expression(text, SourceFile("<expr>", text)) == (expr, [])

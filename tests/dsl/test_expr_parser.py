"""The expression parser: text to AST, spans, limits, and robustness on any input."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import SPAN

from routing.diagnostics import SourceFile, Span
from routing.dsl import limits
from routing.dsl.ast import (
    And,
    BoolLit,
    Call,
    Compare,
    ContainsTest,
    DurationLit,
    EmptyTest,
    EndsWithTest,
    Expr,
    HasTest,
    InTest,
    ListLit,
    ListRef,
    MatchesTest,
    MentionsTest,
    Not,
    NullLit,
    NumberLit,
    Or,
    Path,
    PathPart,
    RegexLit,
    StartsWithTest,
    StringLit,
)
from routing.dsl.expr_parser import parse_expression

# ----------------------------------------------------------------- helpers for expected trees


def p(*names: str) -> Path:
    """A path; a name written ``["X"]`` is a bracketed part."""
    parts = []
    for n in names:
        if n.startswith('["') and n.endswith('"]'):
            parts.append(PathPart(n[2:-2], True, SPAN))
        else:
            parts.append(PathPart(n, False, SPAN))
    return Path(tuple(parts), SPAN)


def s(value: str) -> StringLit:
    return StringLit(value, SPAN)


def n(value: float) -> NumberLit:
    return NumberLit(value, SPAN)


def d(seconds: int) -> DurationLit:
    return DurationLit(seconds, SPAN)


def rx(pattern: str, flags: str = "") -> RegexLit:
    return RegexLit(pattern, flags, SPAN)


def lst(*items: Expr) -> ListLit:
    return ListLit(items, SPAN)


def ref(name: str) -> ListRef:
    return ListRef(name, SPAN)


def call(name: str, *args: Expr) -> Call:
    return Call(name, args, SPAN, SPAN)


def and_(*ops: Expr) -> And:
    return And(ops, SPAN)


def or_(*ops: Expr) -> Or:
    return Or(ops, SPAN)


def not_(op: Expr) -> Not:
    return Not(op, SPAN)


def cmp(left: Expr, op: str, right: Expr) -> Compare:
    return Compare(op, left, right, SPAN)


def parse(text: str) -> tuple[Expr | None, list[str]]:
    expr, diagnostics = parse_expression(text, SourceFile("<expr>", text))
    return expr, [f"{x.code}: {x.message}" for x in diagnostics]


# ----------------------------------------------------------------- text -> AST


@dataclass(frozen=True)
class Case:
    note: str
    text: str
    want: Expr


A, B, C, D = p("a"), p("b"), p("c"), p("d")

CASES = (
    # values
    Case("bare name is a one-part path", "spam", p("spam")),
    Case("now without parentheses is a path", "now", p("now")),
    Case("now() is a call", "now()", call("now")),
    Case("dotted path", "requester.domain", p("requester", "domain")),
    Case("bracketed path", 'headers["List-Id"]', p("headers", '["List-Id"]')),
    Case("single-quoted bracket", "headers['X-Loop']", p("headers", '["X-Loop"]')),
    Case("mixed path", 'a.b["c d"].e', p("a", "b", '["c d"]', "e")),
    Case(
        "keyword after a dot is a name",
        "fields.in == fields.not",
        cmp(p("fields", "in"), "==", p("fields", "not")),
    ),
    Case("name starting with a keyword", "notes or android", or_(p("notes"), p("android"))),
    Case("list reference", "$vip_domains", ref("vip_domains")),
    Case(
        "call with arguments", 'is_open("support-eu", t)', call("is_open", s("support-eu"), p("t"))
    ),
    Case("call with a trailing comma", "len(x,)", call("len", p("x"))),
    Case("nested calls", 'lower(hour(t, "UTC"))', call("lower", call("hour", p("t"), s("UTC")))),
    Case("empty list", "x in []", InTest(p("x"), lst(), False, SPAN)),
    Case(
        "list with a trailing comma", "x in [1, 2,]", InTest(p("x"), lst(n(1), n(2)), False, SPAN)
    ),
    Case("nested list", "x == [[1], []]", cmp(p("x"), "==", lst(lst(n(1)), lst()))),
    # literals
    Case("double-quoted string", 'x == "a b"', cmp(p("x"), "==", s("a b"))),
    Case("single-quoted string", "x == 'it\\'s'", cmp(p("x"), "==", s("it's"))),
    Case(
        "string escapes",
        r'x == "\\ \" \' \n \t \r \u00e9"',
        cmp(p("x"), "==", s("\\ \" ' \n \t \r é")),
    ),
    Case("unicode in a string", 'x == "größe 日本"', cmp(p("x"), "==", s("größe 日本"))),
    Case("integer", "x == 12", cmp(p("x"), "==", n(12))),
    Case("float", "x == 3.5", cmp(p("x"), "==", n(3.5))),
    Case("negative integer", "x > -1", cmp(p("x"), ">", n(-1))),
    Case("negative float", "x < -2.5", cmp(p("x"), "<", n(-2.5))),
    Case("exponent", "x < 1e+20", cmp(p("x"), "<", n(1e20))),
    Case(
        "true false null",
        "true != false and x == null",
        and_(
            cmp(BoolLit(True, SPAN), "!=", BoolLit(False, SPAN)), cmp(p("x"), "==", NullLit(SPAN))
        ),
    ),
    Case("seconds", "x < 30s", cmp(p("x"), "<", d(30))),
    Case("minutes", "x < 15m", cmp(p("x"), "<", d(900))),
    Case("hours", "x < 2h", cmp(p("x"), "<", d(7200))),
    Case("days", "x < 3d", cmp(p("x"), "<", d(259200))),
    Case("weeks", "x < 1w", cmp(p("x"), "<", d(604800))),
    Case("compound duration is one token", "x < 1h30m", cmp(p("x"), "<", d(5400))),
    Case("regex literal", "x matches /a.c/", MatchesTest(p("x"), rx("a.c"), SPAN)),
    Case(
        "regex flags in canonical order",
        "x matches /a/si",
        MatchesTest(p("x"), rx("a", "is"), SPAN),
    ),
    Case("regex repeated flag", "x matches /a/mm", MatchesTest(p("x"), rx("a", "m"), SPAN)),
    Case("regex escaped slash", r"x matches /a\/b/", MatchesTest(p("x"), rx("a/b"), SPAN)),
    Case(
        "regex keeps other backslashes",
        r"x matches /\d+\.\\/",
        MatchesTest(p("x"), rx(r"\d+\.\\"), SPAN),
    ),
    Case("regex as a value", "x == /a/", cmp(p("x"), "==", rx("a"))),
    # tests
    *(
        Case(f"compare {op}", f"a {op} b", cmp(A, op, B))
        for op in ("==", "!=", "<", "<=", ">", ">=")
    ),
    Case("compare without spaces", "a==b", cmp(A, "==", B)),
    Case("in", "a in $l", InTest(A, ref("l"), False, SPAN)),
    Case("not in", "a not in [1]", InTest(A, lst(n(1)), True, SPAN)),
    Case("contains", 'a contains "x"', ContainsTest(A, s("x"), None, SPAN)),
    Case("contains any of", "a contains any of $l", ContainsTest(A, ref("l"), "any", SPAN)),
    Case("contains all of", "a contains all of $l", ContainsTest(A, ref("l"), "all", SPAN)),
    Case("mentions", 'a mentions "x"', MentionsTest(A, s("x"), None, SPAN)),
    Case("mentions any of", "a mentions any of $l", MentionsTest(A, ref("l"), "any", SPAN)),
    Case("mentions all of", "a mentions all of $l", MentionsTest(A, ref("l"), "all", SPAN)),
    Case("starts with", 'a starts with "x"', StartsWithTest(A, s("x"), SPAN)),
    Case("ends with", 'a ends with "x"', EndsWithTest(A, s("x"), SPAN)),
    Case("has", 'tags has "x"', HasTest(p("tags"), s("x"), None, SPAN)),
    Case("has any of", "tags has any of $l", HasTest(p("tags"), ref("l"), "any", SPAN)),
    Case("has all of", "tags has all of $l", HasTest(p("tags"), ref("l"), "all", SPAN)),
    Case("has none of", "tags has none of $l", HasTest(p("tags"), ref("l"), "none", SPAN)),
    Case("is empty", "a is empty", EmptyTest(A, False, SPAN)),
    Case("is not empty", "a is not empty", EmptyTest(A, True, SPAN)),
    # precedence and grouping
    Case("and chain is flat", "a and b and c", and_(A, B, C)),
    Case("or chain is flat", "a or b or c", or_(A, B, C)),
    Case("and binds tighter than or", "a or b and c", or_(A, and_(B, C))),
    Case("and binds tighter than or, left", "a and b or c", or_(and_(A, B), C)),
    Case("not binds tighter than and", "not a and b", and_(not_(A), B)),
    Case("not of a test", "not a == b", not_(cmp(A, "==", B))),
    Case("not not", "not not a", not_(not_(A))),
    Case("parenthesised and in and stays nested", "(a and b) and c", and_(and_(A, B), C)),
    Case("parenthesised or in or stays nested", "a or (b or c)", or_(A, or_(B, C))),
    Case("parentheses change precedence", "(a or b) and c", and_(or_(A, B), C)),
    Case("not of a group", "not (a or b)", not_(or_(A, B))),
    Case("redundant parentheses vanish", "((a))", A),
    Case("line breaks are white space", "a\n  and\tb", and_(A, B)),
    Case("mixed chain", "a and b or c and d", or_(and_(A, B), and_(C, D))),
    # DESIGN.md section 4
    Case(
        "auto-submitted header",
        'headers["Auto-Submitted"] is not empty and headers["Auto-Submitted"] != "no"',
        and_(
            EmptyTest(p("headers", '["Auto-Submitted"]'), True, SPAN),
            cmp(p("headers", '["Auto-Submitted"]'), "!=", s("no")),
        ),
    ),
    Case(
        "vip outage",
        r"vip and subject matches /outage|down|5\d\d/i",
        and_(p("vip"), MatchesTest(p("subject"), rx(r"outage|down|5\d\d", "i"), SPAN)),
    ),
    Case(
        "refund phrases",
        'text mentions any of ["refund", "chargeback", "money back"]',
        MentionsTest(p("text"), lst(s("refund"), s("chargeback"), s("money back")), "any", SPAN),
    ),
    Case(
        "vip define",
        'requester.domain in $vip_domains or fields.plan == "enterprise"',
        or_(
            InTest(p("requester", "domain"), ref("vip_domains"), False, SPAN),
            cmp(p("fields", "plan"), "==", s("enterprise")),
        ),
    ),
    Case(
        "closed now",
        'not spam and not is_open("support-eu")',
        and_(not_(p("spam")), not_(call("is_open", s("support-eu")))),
    ),
    Case(
        "spam phrases",
        "text contains any of $spam_phrases",
        ContainsTest(p("text"), ref("spam_phrases"), "any", SPAN),
    ),
    Case(
        "pause when",
        'status in ["pending", "on_hold"]',
        InTest(p("status"), lst(s("pending"), s("on_hold")), False, SPAN),
    ),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_parse_expression_builds_the_ast(case: Case) -> None:
    """Each construct of the language parses to its AST node."""
    assert parse(case.text) == (case.want, [])


# ----------------------------------------------------------------- spans


def _where(text: str, pick: str) -> tuple[int, int, int, int]:
    """Line and column range of the node reached from the root by `pick` (``a.0.b``)."""
    node: object = parse_expression(text, SourceFile("<expr>", text))[0]
    for step in pick.split(".") if pick else []:
        node = node[int(step)] if step.isdigit() else getattr(node, step)  # type: ignore[index]
    span = node if isinstance(node, Span) else getattr(node, "span")  # noqa: B009
    return (span.start.line, span.start.column, span.end.line, span.end.column)


@dataclass(frozen=True)
class SpanCase:
    note: str
    text: str
    pick: str  # attribute path from the root node
    want: tuple[int, int, int, int]  # start line, column, end line, column


SPAN_CASES = (
    SpanCase("whole and chain", "a and b == 1", "", (1, 1, 1, 13)),
    SpanCase("compare operand", "a and b == 1", "operands.1", (1, 7, 1, 13)),
    SpanCase("root path part", "requester.domain", "parts.0", (1, 1, 1, 10)),
    SpanCase("dotted part covers the dot", "requester.domain", "parts.1", (1, 10, 1, 17)),
    SpanCase(
        "bracketed part covers the brackets", 'headers["X-Y"] == 1', "left.parts.1", (1, 8, 1, 15)
    ),
    SpanCase("call name span", 'is_open("eu")', "name_span", (1, 1, 1, 8)),
    SpanCase("call span", 'is_open("eu")', "", (1, 1, 1, 14)),
    SpanCase("not covers its parenthesised operand", "not (a or b)", "", (1, 1, 1, 13)),
    SpanCase("group keeps its inner span", "not (a or b)", "operand", (1, 6, 1, 12)),
    SpanCase("and over a group covers the parentheses", "(a or b) and c", "", (1, 1, 1, 15)),
    SpanCase("list", "x in [1, 2]", "container", (1, 6, 1, 12)),
    SpanCase("regex in matches", "s matches /a/i", "regex", (1, 11, 1, 15)),
    SpanCase("second line", "a and\n  b == 1", "operands.1", (2, 3, 2, 9)),
    SpanCase("string on the second line", 'a and\n  b == "x"', "operands.1.right", (2, 8, 2, 11)),
)


@pytest.mark.parametrize("case", SPAN_CASES, ids=[c.note for c in SPAN_CASES])
def test_parse_expression_locates_nodes(case: SpanCase) -> None:
    """Every node's span covers exactly its text (line and column, end exclusive)."""
    assert _where(case.text, case.pick) == case.want


def test_parse_expression_uses_the_span_map() -> None:
    """Offsets go through the given span map, so embedded expressions point into their file."""

    class Shifted:
        source = SourceFile("rules.yaml", "when: a == 1\n")

        def span(self, start: int, end: int):  # type: ignore[no-untyped-def]
            return self.source.span(start + 6, end + 6)

    expr, diagnostics = parse_expression("a == 1", Shifted())
    assert diagnostics == []
    assert expr is not None
    assert (str(expr.span), expr.span.end.column) == ("rules.yaml:1:7", 13)


# ----------------------------------------------------------------- limits


N = 10_000


@dataclass(frozen=True)
class LimitCase:
    note: str
    text: str
    code: str


LIMIT_CASES = (
    LimitCase("nested parentheses", "(" * N + "a" + ")" * N, "limit/nesting-depth"),
    LimitCase("chained not", "not " * N + "a", "limit/nesting-depth"),
    LimitCase("nested lists", "x in " + "[" * N + "]" * N, "limit/nesting-depth"),
    LimitCase("nested calls", "f(" * N + ")" * N, "limit/nesting-depth"),
    LimitCase("and chain", " and ".join(["a"] * N), "limit/expression-size"),
    LimitCase("or chain", " or ".join(["a"] * N), "limit/expression-size"),
    LimitCase("long list", "x in [" + ", ".join(["1"] * N) + "]", "limit/expression-size"),
    LimitCase("long path", "a" + ".b" * N, "limit/expression-size"),
)


@pytest.mark.parametrize("case", LIMIT_CASES, ids=[c.note for c in LIMIT_CASES])
def test_parse_expression_refuses_huge_expressions(case: LimitCase) -> None:
    """10,000 levels or terms give one limit diagnostic, never an exception."""
    expr, diagnostics = parse_expression(case.text, SourceFile("<expr>", case.text))
    assert (expr, [x.code for x in diagnostics]) == (None, [case.code])


def test_parse_expression_accepts_the_deepest_allowed_nesting() -> None:
    """Nesting up to the limit parses (depth counts nodes and parentheses)."""
    text = "not " * (limits.MAX_DEPTH - 2) + "a"
    expr, diagnostics = parse(text)
    assert (expr is not None, diagnostics) == (True, [])


def test_parse_expression_refuses_one_level_more() -> None:
    text = "not " * (limits.MAX_DEPTH - 1) + "a"
    assert parse(text) == (
        None,
        [f"limit/nesting-depth: expression is nested more than {limits.MAX_DEPTH} levels deep"],
    )


# ----------------------------------------------------------------- robustness


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_parse_expression_never_raises_on_any_text(text: str) -> None:
    expr, diagnostics = parse_expression(text, SourceFile("<expr>", text))
    assert (expr is None) == bool(diagnostics)


_PIECES = [*"ab1 ()[]\"'/\\$.,=!<>&|-hms\n", "and ", "or ", "not ", "in ", "contains ", "any "]
_PIECES += ["of ", "is ", "empty ", "has ", "none ", "starts ", "with ", "matches ", "1h30m"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES)).map("".join))
def test_parse_expression_never_raises_on_near_misses(text: str) -> None:
    expr, diagnostics = parse_expression(text, SourceFile("<expr>", text))
    assert (expr is None) == bool(diagnostics)

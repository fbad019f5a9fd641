"""The expression parser's fast path (routing.dsl._fast_expr) against lark, spans included.

The fast path may decline any text (lark then parses it); what it accepts must be exactly
what lark builds: the same nodes, with the same spans, and only texts lark accepts.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import random
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import exprs

from routing.diagnostics import SourceFile, Span
from routing.dsl import limits
from routing.dsl._fast_expr import fast_parse
from routing.dsl.ast import SpanMap
from routing.dsl.expr_parser import parse_expression, parse_with_lark
from routing.dsl.loader import load_text
from routing.dsl.passes._context import CheckContext
from routing.dsl.passes.collect_declarations import collect_declarations
from routing.dsl.printer import print_expr

ROOT = Path(__file__).resolve().parents[2]


def located(value: object) -> object:
    """A node as nested tuples, spans included (AST equality leaves spans out)."""
    if isinstance(value, Span):
        return (value.source.name, value.start, value.end)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple((f.name, located(getattr(value, f.name))) for f in dataclasses.fields(value)),
        )
    if isinstance(value, tuple):
        return tuple(located(v) for v in value)
    return value


def same_as_lark(text: str, spans: SpanMap) -> bool:
    """Assert that the fast path agrees with lark on `text`; True if it accepted it."""
    fast = fast_parse(text, spans)
    expr, diagnostics = parse_with_lark(text, spans)
    if fast is None:
        return False
    assert diagnostics == [], text
    assert located(fast) == located(expr), text
    return True


def _rule_texts(paths: list[Path]) -> list[tuple[str, str]]:
    """(name, text) of every rule file, and of every rule set a conformance case holds."""
    out: list[tuple[str, str]] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        out.append((str(path), text))
        if "cases" in path.parts:
            cases = yaml.safe_load(text).get("cases", [])
            out.extend(
                (f"{path}#{i}", case["rules"])
                for i, case in enumerate(cases)
                if isinstance(case.get("rules"), str)
            )
    return out


def _conditions(paths: list[Path]) -> list[tuple[str, SpanMap]]:
    out: list[tuple[str, SpanMap]] = []
    for name, text in _rule_texts(paths):
        rule_file, _ = load_text(text, name)
        if rule_file is None:
            continue
        ctx = CheckContext(files=[rule_file])
        collect_declarations(ctx)
        out.extend((site.condition.text, site.condition.source) for site in ctx.conditions())
    return out


def _workload() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fast_expr_workload", ROOT / "benchmarks" / "workload.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_condition_of_the_repository_agrees_with_lark() -> None:
    files = sorted(
        p
        for folder in ("tests", "examples", "rules", "docs")
        for p in (ROOT / folder).rglob("*.y*ml")
    )
    conditions = _conditions(files)
    accepted = sum(same_as_lark(text, spans) for text, spans in conditions)
    assert len(conditions) > 500
    # most conditions are plain; the rest are syntax errors, escapes and limits on purpose
    assert accepted > len(conditions) * 0.8


def test_the_generated_rule_sets_are_all_parsed_by_the_fast_path() -> None:
    wl = _workload()
    text = wl.routing_yaml(*wl.make_rules(400, 7))
    conditions = _conditions_of_text(text)
    assert len(conditions) == 400
    assert [same_as_lark(t, s) for t, s in conditions] == [True] * 400


def _conditions_of_text(text: str) -> list[tuple[str, SpanMap]]:
    rule_file, diagnostics = load_text(text, "generated.yaml")
    assert rule_file is not None
    assert diagnostics == []
    ctx = CheckContext(files=[rule_file])
    collect_declarations(ctx)
    return [(site.condition.text, site.condition.source) for site in ctx.conditions()]


# Words that start with a keyword, keywords after a dot, spacing, trailing commas, every
# test form, literals next to each other: where a lexer could split text differently.
TRICKY = [
    "nothing",
    "not nothing",
    "order == 1",
    "android and island",
    "index in internal",
    "isa is empty",
    "isa is not empty",
    "nullable == null",
    "trueish != true",
    "falsey == false",
    "anything contains any of ofs",
    "hasty has none of nonesuch",
    "fields.in == fields.and",
    "x.not.or.true",
    'x . y ["a b"] . z',
    "headers['x-y'] starts with 'a'",
    "f()",
    "f(1,)",
    "f(a, [1, 2,], $l, /x/i, 5m, -3.5e2, null)",
    "[]",
    "[,]",
    "x in [1,,2]",
    "x inbox",
    "x orange",
    "x andy",
    "subject notin y",
    "a==b",
    "a===b",
    "a = b",
    "a <= -1",
    "a < 1e5h",
    "a == 5x",
    "a == 1.5h",
    "a == 5min",
    "a == 90m",
    "a == 1h30m",
    "a == 99999999999999999999999999999999999",
    "a matches /x\\/y/ims",
    "a matches /x/q",
    "a matches 'x'",
    "a == 'it''s'",
    'a == "tab\\there"',
    'a == "\\q"',
    "a == 'ok' b",
    "(a)",
    "((a or b) and (c or d))",
    "not (a and b) or not not c",
    "a and b and c or d and e",
    "$list_1 has x",
    "a contains all of [1]",
    "a mentions any of $words",
    "a ends with 'z'",
    "a\tand\fb\r\nor\nc",
    "a\u00a0and b",
    "a and",
    "",
    "   ",
    "a)",
    "(a",
    "a ==",
    "timeout == 5m and now > created_at",
    "a.b(1)",
    "f(1) == g(2, 3)",
    "f(x) is empty",
    "[1, [2, [3]]] has 1",
    "x == 'ü' and y == '二段階'",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_agree_with_lark(text: str) -> None:
    same_as_lark(text, SourceFile("tricky.txt", text))


def test_the_fast_path_accepts_the_plain_tricky_texts() -> None:
    """It must not decline everything: these are plain and it takes all of them."""
    plain = [t for t in TRICKY[:20] if t not in ("[]",)]
    assert [t for t in plain if fast_parse(t, SourceFile("t", t)) is None] == []


def test_limits_are_left_to_lark() -> None:
    deep = "(" * (limits.MAX_DEPTH + 1) + "a" + ")" * (limits.MAX_DEPTH + 1)
    wide = " or ".join(f"a{i}" for i in range(limits.MAX_TERMS))
    very_deep = "not " * 10_000 + "a"
    for text in (deep, wide, very_deep):
        source = SourceFile("limits.txt", text)
        assert fast_parse(text, source) is None
        assert parse_expression(text, source) == parse_with_lark(text, source)
    # a path is 2 deep: 62 pairs of parentheses are the most it takes, and the fast path's
    inside = "(" * (limits.MAX_DEPTH - 2) + "a" + ")" * (limits.MAX_DEPTH - 2)
    assert same_as_lark(inside, SourceFile("limits.txt", inside))
    over = "(" + inside + ")"
    assert fast_parse(over, SourceFile("limits.txt", over)) is None
    assert parse_with_lark(over, SourceFile("limits.txt", over))[0] is None
    # the largest expression it takes: MAX_TERMS nodes (a chain of n paths is 2n + 1)
    n = (limits.MAX_TERMS - 1) // 2
    most = " or ".join(f"a{i}" for i in range(n))
    assert same_as_lark(most, SourceFile("limits.txt", most))
    one_more = most + " or b"
    assert fast_parse(one_more, SourceFile("limits.txt", one_more)) is None
    assert parse_with_lark(one_more, SourceFile("limits.txt", one_more))[0] is None


@settings(max_examples=300, deadline=None)
@given(exprs())
def test_printed_expressions_agree_with_lark(expr: object) -> None:
    text = print_expr(expr)  # type: ignore[arg-type]
    same_as_lark(text, SourceFile("generated.txt", text))


_PIECES = [
    "a", "b.c", "x['k']", "and", "or", "not", "in", "contains", "any", "all", "none", "of",
    "has", "is", "empty", "starts", "with", "ends", "matches", "mentions", "true", "null",
    "(", ")", "[", "]", ",", ".", "==", "<", ">=", "!=", "1", "-2.5", "3h", "/r/i", "'s'",
    '"t"', "$l", "f(", "=", "!", "nothing", "inx", "ora",
]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(["", " ", "\n"])), max_size=12))
def test_token_soup_agrees_with_lark(pieces: list[tuple[str, str]]) -> None:
    text = "".join(piece + space for piece, space in pieces)
    same_as_lark(text, SourceFile("soup.txt", text))


class _Texts:
    """Random expressions from the grammar's productions, with uneven spacing and names
    that start with keywords; some have errors lark reports (bad durations, flags...)."""

    NAMES = ("a", "nothing", "order", "isle", "android", "inbox", "trueish", "_x", "ofs", "A1")
    PARTS = (*NAMES, "in", "and", "not", "true", "null", "of")
    OPS = (
        "==", "!=", "<", "<=", ">", ">=", "in", "not in", "contains", "contains any of",
        "contains all of", "mentions", "mentions any of", "starts with", "ends with", "has",
        "has any of", "has all of", "has none of",
    )  # fmt: skip
    LEAVES = (
        "'s'", '"t t"', "''", "'二段'", '"a\\"b"', "'x\\n'", "'\\u0041'", "'\\q'", "1", "-2",
        "3.5", "1e3", "-0.5E-2", "007", "5m", "1h30m", "1w2d3h4m5s", "5mo", "1.5h", "/x/",
        "/a\\/b/i", "/(e|f)+/ims", "/x/q", "true", "false", "null", "$nothing", "$a",
    )  # fmt: skip

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def ws(self) -> str:
        return self.rng.choice(["", " ", " ", "  ", "\n", "\t", " \r\n "])

    def path(self) -> str:
        text = self.rng.choice(self.NAMES)
        for _ in range(self.rng.randint(0, 3)):
            if self.rng.random() < 0.7:
                text += f"{self.ws()}.{self.ws()}{self.rng.choice(self.PARTS)}"
            else:
                text += f"{self.ws()}[{self.ws()}{self.rng.choice(['k', 'x-y', 'a b'])!r}]"
        return text

    def items(self, depth: int) -> str:
        sep = "," + self.ws()
        inner = sep.join(self.value(depth + 1) for _ in range(self.rng.randint(0, 3)))
        return f"{self.ws()}{inner}{self.rng.choice(['', ','])}{self.ws()}"

    def value(self, depth: int) -> str:
        r = self.rng.random()
        if depth > 3 or r < 0.3:
            return self.rng.choice(self.LEAVES)
        if r < 0.6:
            return self.path()
        if r < 0.75:
            return f"{self.rng.choice(self.NAMES)}{self.ws()}({self.items(depth)})"
        return f"[{self.items(depth)}]"

    def test(self, depth: int) -> str:
        r = self.rng.random()
        if r < 0.15:
            return self.value(depth)
        if r < 0.25:
            return f"{self.value(depth)} matches {self.ws()}{self.rng.choice(self.LEAVES[19:23])}"
        if r < 0.32:
            return f"{self.value(depth)} is {self.rng.choice(['', 'not '])}empty"
        op = self.rng.choice(self.OPS).replace(" ", " " + self.ws())
        space = " " if op[0].isalpha() else self.ws()
        return f"{self.value(depth)}{space}{op}{space}{self.value(depth)}"

    def expr(self, depth: int = 0) -> str:
        r = self.rng.random()
        if depth > 4 or r < 0.4:
            return self.test(depth)
        if r < 0.55:
            return f"not {self.ws()}{self.expr(depth + 1)}"
        if r < 0.7:
            return f"({self.ws()}{self.expr(depth + 1)}{self.ws()})"
        joint = self.rng.choice([" and ", " or "])
        return joint.join(self.expr(depth + 1) for _ in range(self.rng.randint(2, 4)))


def test_random_grammar_texts_agree_with_lark() -> None:
    texts = _Texts(seed=6)
    samples = [texts.ws() + texts.expr() + texts.ws() for _ in range(3000)]
    accepted = sum(same_as_lark(text, SourceFile("random.txt", text)) for text in samples)
    # the rest hold a malformed literal somewhere (5mo, 1.5h, /x/q, '\q'): lark's
    assert accepted > 1000

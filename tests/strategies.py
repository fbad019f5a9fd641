"""Hypothesis strategies shared by the test suite (``from tests.strategies import exprs``).

Expressions: `exprs()` draws ASTs the grammar can write, so ``parse(print(e)) == e``.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from routing.diagnostics import SourceFile, Span
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
from routing.dsl.expr_parser import KEYWORDS

__all__ = ["SPAN", "exprs", "names", "regexes", "values"]

#: The span given to generated nodes (spans do not take part in equality).
SPAN: Span = SourceFile("<strategy>", "").span(0, 0)

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]{0,7}"


def names() -> st.SearchStrategy[str]:
    """Names usable as a bare name: identifiers that are not keywords."""
    return st.from_regex(_IDENTIFIER, fullmatch=True).filter(lambda n: n not in KEYWORDS)


def _part_names() -> st.SearchStrategy[str]:
    """Names after a ``.``: any identifier, keywords included."""
    return st.from_regex(_IDENTIFIER, fullmatch=True) | st.sampled_from(sorted(KEYWORDS))


def _paths() -> st.SearchStrategy[Path]:
    rest = st.one_of(
        _part_names().map(lambda n: PathPart(n, False, SPAN)),
        st.text(max_size=6).map(lambda n: PathPart(n, True, SPAN)),
    )
    return st.builds(
        lambda root, parts: Path((PathPart(root, False, SPAN), *parts), SPAN),
        names(),
        st.lists(rest, max_size=3),
    )


def regexes() -> st.SearchStrategy[RegexLit]:
    """Regex literals: any pattern a `/…/` literal can hold, canonical flags."""
    plain = st.characters(blacklist_characters="\\\n\r")
    escaped = st.characters(blacklist_characters="/\n\r").map(lambda c: "\\" + c)
    pattern = st.lists(plain | escaped, max_size=8).map("".join)
    flags = st.sets(st.sampled_from("ims")).map(lambda s: "".join(f for f in "ims" if f in s))
    return st.builds(lambda p, f: RegexLit(p, f, SPAN), pattern, flags)


def _literals() -> st.SearchStrategy[Expr]:
    numbers = st.integers(-(10**12), 10**12) | st.floats(allow_nan=False, allow_infinity=False)
    return st.one_of(
        st.text(max_size=8).map(lambda s: StringLit(s, SPAN)),
        numbers.map(lambda n: NumberLit(n, SPAN)),
        st.booleans().map(lambda b: BoolLit(b, SPAN)),
        st.just(NullLit(SPAN)),
        st.integers(0, 10**8).map(lambda s: DurationLit(s, SPAN)),
        regexes(),
        names().map(lambda n: ListRef(n, SPAN)),
        _paths(),
    )


def values() -> st.SearchStrategy[Expr]:
    """Values: literals, paths, ``$lists``, calls and list literals (nested a little)."""
    return st.recursive(
        _literals(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3).map(lambda items: ListLit(tuple(items), SPAN)),
            st.builds(
                lambda n, args: Call(n, tuple(args), SPAN, SPAN),
                names(),
                st.lists(inner, max_size=3),
            ),
        ),
        max_leaves=6,
    )


def _tests() -> st.SearchStrategy[Expr]:
    v = values()
    q2 = st.sampled_from([None, "any", "all"])
    q3 = st.sampled_from([None, "any", "all", "none"])
    return st.one_of(
        v,
        st.builds(
            lambda op, a, b: Compare(op, a, b, SPAN),
            st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
            v,
            v,
        ),
        st.builds(lambda a, b, n: InTest(a, b, n, SPAN), v, v, st.booleans()),
        st.builds(lambda a, b, q: ContainsTest(a, b, q, SPAN), v, v, q2),
        st.builds(lambda a, b, q: MentionsTest(a, b, q, SPAN), v, v, q2),
        st.builds(lambda a, b: StartsWithTest(a, b, SPAN), v, v),
        st.builds(lambda a, b: EndsWithTest(a, b, SPAN), v, v),
        st.builds(lambda a, r: MatchesTest(a, r, SPAN), v, regexes()),
        st.builds(lambda a, b, q: HasTest(a, b, q, SPAN), v, v, q3),
        st.builds(lambda a, n: EmptyTest(a, n, SPAN), v, st.booleans()),
    )


def exprs() -> st.SearchStrategy[Expr]:
    """Expressions: tests combined with ``not``, ``and`` and ``or`` (nested chains too)."""
    return st.recursive(
        _tests(),
        lambda inner: st.one_of(
            inner.map(lambda e: Not(e, SPAN)),
            st.lists(inner, min_size=2, max_size=4).map(lambda ops: And(tuple(ops), SPAN)),
            st.lists(inner, min_size=2, max_size=4).map(lambda ops: Or(tuple(ops), SPAN)),
        ),
        max_leaves=12,
    )


# ------------------------------------------------------------------ line mutations of real files


@dataclass(frozen=True)
class Mutation:
    """One edit of a text's lines, as a careless hand or a bad merge makes them."""

    kind: str  # delete, duplicate, swap, insert, indent
    line: int
    other: int
    text: str
    shift: int


MUTATIONS = st.builds(
    Mutation,
    kind=st.sampled_from(("delete", "duplicate", "swap", "insert", "indent")),
    line=st.integers(min_value=0, max_value=10_000),
    other=st.integers(min_value=0, max_value=10_000),
    text=st.text(
        alphabet=st.sampled_from(list("{}[]():,\"'$/\\|>-#&*!%@`\t =<.0aé中\n")), max_size=4
    ),
    shift=st.sampled_from((-4, -2, -1, 1, 2, 3)),
)


def mutate(text: str, mutations: list[Mutation]) -> str:
    """`text` with `mutations` applied to its lines in turn (line numbers wrap round)."""
    lines = text.split("\n")
    for m in mutations:
        i, j = m.line % len(lines), m.other % len(lines)
        if m.kind == "delete" and len(lines) > 1:
            del lines[i]
        elif m.kind == "duplicate":
            lines.insert(i, lines[i])
        elif m.kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif m.kind == "insert":
            k = j % (len(lines[i]) + 1)
            lines[i] = lines[i][:k] + m.text + lines[i][k:]
        elif m.kind == "indent":
            s = lines[i]
            if m.shift > 0:
                lines[i] = " " * m.shift + s
            else:
                lines[i] = s[min(-m.shift, len(s) - len(s.lstrip(" "))) :]
    return "\n".join(lines)

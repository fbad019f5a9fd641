"""A fast path for `expr_parser.parse_expression`: well-formed expressions without lark.

The grammar is ``grammar.lark``; this is a small recursive-descent reading of the same
productions that builds the same AST (same nodes, same spans) for expressions that parse
cleanly. It only ever *accepts*: at the first thing it does not handle exactly the way lark
and `_lark_expr._Builder` do, it gives up (returns None) and the caller parses the text
with lark, which then makes every diagnostic. It gives up on:

- any syntax error, and any token sequence the grammar does not have;
- a keyword written directly before a name character, or a number directly before one
  (lark's contextual lexer may split such a word where this reader does not);
- an unknown escape in a string, a number with more digits than `int` converts, a
  malformed duration, an unknown regex flag (lark's path reports each);
- an expression deeper than `limits.MAX_DEPTH` or larger than `limits.MAX_TERMS` nodes
  (lark reports the limit at the node that crosses it).

Depth and size are counted exactly as `_Builder` counts them, so an accepted expression is
one that lark accepts too. ``tests/dsl/test_fast_expr.py`` compares both parsers, spans
included, on every expression of the test corpus and on generated ones.
"""

from __future__ import annotations

import re

from routing.diagnostics import Span
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
    SpanMap,
    StartsWithTest,
    StringLit,
)
from routing.dsl.durations import parse_duration

__all__ = ["HEX4", "REGEX_FLAGS", "STRING_ESCAPES", "fast_parse"]

# One alternative per terminal of grammar.lark, in the order lark's lexer tries them where
# they compete (DURATION before NUMBER); whitespace is lark's common.WS.
_TOKEN = re.compile(
    r"""
    (?P<WS>[\ \t\f\r\n]+)
  | (?P<STRING>"(?:[^"\\\n\r]|\\[^\n\r])*"|'(?:[^'\\\n\r]|\\[^\n\r])*')
  | (?P<REGEX>/(?:[^/\\\n\r]|\\[^\n\r])*/[A-Za-z]*)
  | (?P<DURATION>\d+(?:\.\d+)?[wdhms]\w*)
  | (?P<NUMBER>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<LISTREF>\$[A-Za-z_][A-Za-z0-9_]*)
  | (?P<WORD>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<OP>==|!=|<=|>=|<|>)
  | (?P<PUNCT>[()\[\].,])
    """,
    re.VERBOSE,
)
_NAME_CHAR = re.compile(r"[A-Za-z0-9_]")
_KEYWORDS = frozenset(
    {
        "and", "or", "not", "in", "contains", "any", "all", "none", "of", "mentions",
        "starts", "ends", "with", "matches", "has", "is", "empty", "true", "false", "null",
    }
)  # fmt: skip
#: The regex flags the language has (shared with `_lark_expr`).
REGEX_FLAGS = "ims"
_REGEX_ESCAPE = re.compile(r"\\(.)")
#: A string's escapes besides ``\\uXXXX`` (shared with `_lark_expr`).
STRING_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r"}
HEX4 = re.compile(r"[0-9A-Fa-f]{4}")


class _GiveUp(Exception):
    """The text is not one the fast path handles; lark parses it instead."""


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of every token; a keyword's kind is the word itself."""
    out: list[tuple[str, str, int, int]] = []
    pos, n = 0, len(text)
    match = _TOKEN.match
    while pos < n:
        m = match(text, pos)
        if m is None:
            raise _GiveUp
        kind = m.lastgroup or ""
        end = m.end()
        if kind != "WS":
            value = m.group()
            if kind == "WORD":
                kind = value if value in _KEYWORDS else "NAME"
            elif kind == "PUNCT":
                kind = value
            elif kind in ("NUMBER", "DURATION") and end < n and _NAME_CHAR.match(text, end):
                raise _GiveUp
            out.append((kind, value, pos, end))
        pos = end
    return out


# A built node: (node, start, end, depth), as `_lark_expr._L`.
_Built = tuple[Expr, int, int, int]


class _Reader:
    __slots__ = ("i", "level", "nodes", "spans", "toks")

    def __init__(self, toks: list[tuple[str, str, int, int]], spans: SpanMap) -> None:
        self.toks = toks
        self.spans = spans
        self.i = 0
        self.nodes = 0
        self.level = 0

    # -- helpers

    def _peek(self) -> str:
        toks = self.toks
        return toks[self.i][0] if self.i < len(toks) else "$END"

    def _take(self, kind: str) -> tuple[str, str, int, int]:
        toks = self.toks
        if self.i >= len(toks) or toks[self.i][0] != kind:
            raise _GiveUp
        tok = toks[self.i]
        self.i += 1
        return tok

    def _next(self) -> tuple[str, str, int, int]:
        toks = self.toks
        if self.i >= len(toks):
            raise _GiveUp
        tok = toks[self.i]
        self.i += 1
        return tok

    def _count(self) -> None:
        self.nodes += 1
        if self.nodes > limits.MAX_TERMS:
            raise _GiveUp

    def _make(self, node: Expr, start: int, end: int, depth: int) -> _Built:
        if depth > limits.MAX_DEPTH:
            raise _GiveUp
        return node, start, end, depth

    def _counted_span(self, start: int, end: int) -> Span:
        self._count()
        return self.spans.span(start, end)

    def _descend(self) -> None:
        self.level += 1
        if self.level > limits.MAX_DEPTH:
            raise _GiveUp

    # -- expressions

    def or_expr(self) -> _Built:
        first = self.and_expr()
        if self._peek() != "or":
            return first
        items = [first]
        while self._peek() == "or":
            self.i += 1
            items.append(self.and_expr())
        return self._chain(Or, items)

    def and_expr(self) -> _Built:
        first = self.not_expr()
        if self._peek() != "and":
            return first
        items = [first]
        while self._peek() == "and":
            self.i += 1
            items.append(self.not_expr())
        return self._chain(And, items)

    def _chain(self, make: type[And] | type[Or], items: list[_Built]) -> _Built:
        start, end = items[0][1], items[-1][2]
        depth = 1 + max(b[3] for b in items)
        span = self._counted_span(start, end)
        return self._make(make(tuple(b[0] for b in items), span), start, end, depth)

    def not_expr(self) -> _Built:
        kind = self._peek()
        if kind == "not":
            tok = self._next()
            self._descend()
            operand = self.not_expr()
            self.level -= 1
            start, end = tok[2], operand[2]
            span = self._counted_span(start, end)
            return self._make(Not(operand[0], span), start, end, operand[3] + 1)
        if kind == "(":
            open_ = self._next()
            self._descend()
            inner = self.or_expr()
            self.level -= 1
            close = self._take(")")
            return self._make(inner[0], open_[2], close[3], inner[3] + 1)
        return self.test()

    def test(self) -> _Built:
        value = self.value()
        kind = self._peek()
        start = value[1]
        if kind == "OP":
            op = self._next()
            right = self.value()
            end = right[2]
            span = self._counted_span(start, end)
            node: Expr = Compare(op[1], value[0], right[0], span)
            return self._make(node, start, end, 1 + max(value[3], right[3]))
        if kind in {"in", "not"}:
            negated = kind == "not"
            self.i += 1
            if negated:
                self._take("in")
            right = self.value()
            end = right[2]
            span = self._counted_span(start, end)
            node = InTest(value[0], right[0], negated, span)
            return self._make(node, start, end, 1 + max(value[3], right[3]))
        if kind in ("contains", "mentions", "has"):
            self.i += 1
            quantifier: str | None = None
            after = self._peek()
            if after in ("any", "all") or (after == "none" and kind == "has"):
                self.i += 1
                self._take("of")
                quantifier = after
            right = self.value()
            end = right[2]
            span = self._counted_span(start, end)
            if kind == "contains":
                node = ContainsTest(value[0], right[0], quantifier, span)
            elif kind == "mentions":
                node = MentionsTest(value[0], right[0], quantifier, span)
            else:
                node = HasTest(value[0], right[0], quantifier, span)
            return self._make(node, start, end, 1 + max(value[3], right[3]))
        if kind in ("starts", "ends"):
            self.i += 1
            self._take("with")
            right = self.value()
            end = right[2]
            span = self._counted_span(start, end)
            if kind == "starts":
                node = StartsWithTest(value[0], right[0], span)
            else:
                node = EndsWithTest(value[0], right[0], span)
            return self._make(node, start, end, 1 + max(value[3], right[3]))
        if kind == "matches":
            self.i += 1
            regex = self._regex(self._take("REGEX"))
            end = regex[2]
            span = self._counted_span(start, end)
            lit = regex[0]
            assert isinstance(lit, RegexLit)
            node = MatchesTest(value[0], lit, span)
            return self._make(node, start, end, 1 + max(value[3], regex[3]))
        if kind == "is":
            self.i += 1
            negated = self._peek() == "not"
            if negated:
                self.i += 1
            end = self._take("empty")[3]
            span = self._counted_span(start, end)
            node = EmptyTest(value[0], negated, span)
            return self._make(node, start, end, 1 + value[3])
        return value

    # -- values

    def value(self) -> _Built:
        tok = self._next()
        kind, text, start, end = tok
        if kind == "NAME":
            if self._peek() == "(":
                return self._call(tok)
            return self._path(tok)
        if kind == "STRING":
            return self._leaf(StringLit(_unquote(text), self._counted_span(start, end)), start, end)
        if kind == "NUMBER":
            number: int | float
            if "." in text or "e" in text or "E" in text:
                number = float(text)
            else:
                try:
                    number = int(text)
                except ValueError:  # more digits than int() converts: lark reports it
                    raise _GiveUp from None
            return self._leaf(NumberLit(number, self._counted_span(start, end)), start, end)
        if kind == "DURATION":
            seconds = parse_duration(text)
            if seconds is None:
                raise _GiveUp
            return self._leaf(DurationLit(seconds, self._counted_span(start, end)), start, end)
        if kind == "REGEX":
            return self._regex(tok)
        if kind == "LISTREF":
            return self._leaf(ListRef(text[1:], self._counted_span(start, end)), start, end)
        if kind in {"true", "false"}:
            return self._leaf(BoolLit(kind == "true", self._counted_span(start, end)), start, end)
        if kind == "null":
            return self._leaf(NullLit(self._counted_span(start, end)), start, end)
        if kind == "[":
            self._descend()
            items, close = self._values("]")
            self.level -= 1
            end = close[3]
            depth = 1 + max((b[3] for b in items), default=0)
            node = ListLit(tuple(b[0] for b in items), self._counted_span(start, end))
            return self._make(node, start, end, depth)
        raise _GiveUp

    def _leaf(self, node: Expr, start: int, end: int) -> _Built:
        return node, start, end, 1

    def _regex(self, tok: tuple[str, str, int, int]) -> _Built:
        _, text, start, end = tok
        close = text.rindex("/")
        body, flags = text[1:close], text[close + 1 :]
        if any(f not in REGEX_FLAGS for f in flags):
            raise _GiveUp
        pattern = _REGEX_ESCAPE.sub(lambda m: "/" if m[1] == "/" else m[0], body)
        canonical = "".join(f for f in REGEX_FLAGS if f in flags)
        return RegexLit(pattern, canonical, self._counted_span(start, end)), start, end, 1

    def _values(self, close: str) -> tuple[list[_Built], tuple[str, str, int, int]]:
        """``(value (, value)* ,?)? close``: the values and the closing token."""
        items: list[_Built] = []
        while self._peek() != close:
            items.append(self.value())
            if self._peek() == ",":
                self.i += 1
            elif self._peek() != close:
                raise _GiveUp
        return items, self._next()

    def _call(self, name: tuple[str, str, int, int]) -> _Built:
        self.i += 1  # the "("
        self._descend()
        args, close = self._values(")")
        self.level -= 1
        start, end = name[2], close[3]
        depth = 1 + max((b[3] for b in args), default=0)
        name_span = self.spans.span(name[2], name[3])
        span = self._counted_span(start, end)
        node = Call(name[1], tuple(b[0] for b in args), name_span, span)
        return self._make(node, start, end, depth)

    def _path(self, root: tuple[str, str, int, int]) -> _Built:
        _, text, start, end = root
        parts = [PathPart(text, False, self._counted_span(start, end))]
        while True:
            kind = self._peek()
            if kind == ".":
                dot = self._next()
                part = self._next()
                if part[0] != "NAME" and part[0] not in _KEYWORDS:
                    raise _GiveUp
                end = part[3]
                parts.append(PathPart(part[1], False, self._counted_span(dot[2], end)))
            elif kind == "[":
                open_ = self._next()
                key = self._take("STRING")
                end = self._take("]")[3]
                name = _unquote(key[1])
                parts.append(PathPart(name, True, self._counted_span(open_[2], end)))
            else:
                break
        return self._make(Path(tuple(parts), self._counted_span(start, end)), start, end, 2)


def _unquote(token: str) -> str:
    """The value of a quoted string token (as `_Builder._unquote`); an unknown escape,
    which lark's path reports, gives up."""
    body = token[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]  # the token's pattern guarantees a character after a backslash
        if nxt in STRING_ESCAPES:
            out.append(STRING_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and HEX4.fullmatch(body, i + 2, i + 6):
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        else:
            raise _GiveUp
    return "".join(out)


def fast_parse(text: str, spans: SpanMap) -> Expr | None:
    """The expression of `text` when it parses cleanly and simply, else None.

    None means "parse it with lark": the text has an error, or something this reader
    leaves to lark (see the module docstring). Never raises.
    """
    try:
        reader = _Reader(_tokens(text), spans)
        if not reader.toks:
            return None
        built = reader.or_expr()
        if reader.i != len(reader.toks):
            return None
    except (_GiveUp, RecursionError):
        return None
    return built[0]

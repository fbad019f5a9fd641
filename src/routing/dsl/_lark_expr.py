"""The lark half of `routing.dsl.expr_parser`: the LALR parser, its AST builder, syntax errors.

`routing.dsl.expr_parser.parse_expression` parses well-formed text with
`routing.dsl._fast_expr` and imports this module only when that declines (a syntax error,
an escape, a limit...), so a process whose expressions are all well formed never imports
lark nor builds its parser (about 70 ms of start-up). `tests/test_startup.py` holds
``import routing`` and loading the example rules to that.

The grammar is ``grammar.lark`` next to this module, parsed with lark's LALR parser and
contextual lexer. The AST is built while parsing (lark's inline transformer), so no parse
tree is kept and nothing recurses: a 10,000-deep expression costs a stack of 10,000
entries, and is refused with ``limit/nesting-depth`` as soon as a node is deeper than
`limits.MAX_DEPTH`; an expression of more than `limits.MAX_TERMS` nodes is refused with
``limit/expression-size`` as soon as its node that crosses the limit is built.

Depth counts every AST node on the way down (a `PathPart` included) plus every pair of
parentheses; size counts every AST node, path parts included.

This is the only module that imports lark.
"""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from dataclasses import dataclass, field

from lark import (  # noqa: TID251 - the one module that uses lark
    Lark,
    Token,
    Transformer,
    UnexpectedCharacters,
    UnexpectedInput,
    UnexpectedToken,
)

from routing.diagnostics import Diagnostic, SourceFile
from routing.dsl import limits
from routing.dsl._fast_expr import HEX4, REGEX_FLAGS, STRING_ESCAPES
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
from routing.dsl.syntax_hints import (
    CHARACTER_MISTAKES,
    SYNTAX_HINTS,
    describe_expected,
    describe_found,
)

__all__ = ["parse_with_lark"]


# --------------------------------------------------------------------------- parse state


@dataclass(slots=True)
class _State:
    """What one `parse_expression` call collects while lark calls the builder."""

    text: str
    spans: SpanMap
    diagnostics: list[Diagnostic] = field(default_factory=list)
    nodes: int = 0


_STATE: ContextVar[_State] = ContextVar("routing_expr_parse_state")


class _Abort(Exception):
    """Stops the parse at once with one diagnostic (a limit was exceeded)."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(slots=True)
class _L:
    """A built node with the offsets of its text (parentheses included) and its depth."""

    node: Expr
    start: int
    end: int
    depth: int


@dataclass(slots=True)
class _P:
    """A built path part with its offsets."""

    part: PathPart
    start: int
    end: int


def _bounds(token: Token) -> tuple[int, int]:
    start = token.start_pos or 0
    end = token.end_pos if token.end_pos is not None else start + len(token)
    return start, end


def _start(item: Token | _L | _P) -> int:
    return _bounds(item)[0] if isinstance(item, Token) else item.start


def _end(item: Token | _L | _P) -> int:
    return _bounds(item)[1] if isinstance(item, Token) else item.end


class _Builder(Transformer[Token, object]):
    """Builds AST nodes as lark reduces each rule (one method per rule or alias)."""

    # ------------------------------------------------------------------- helpers

    @staticmethod
    def _count(state: _State, start: int, end: int) -> None:
        state.nodes += 1
        if state.nodes > limits.MAX_TERMS:
            raise _Abort(
                Diagnostic.make(
                    "limit/expression-size",
                    f"expression has more than {limits.MAX_TERMS} terms",
                    state.spans.span(start, end),
                    hint="split it into named conditions under 'define:'",
                )
            )

    def _make(self, make: type, start: int, end: int, depth: int, *args: object) -> _L:
        state = _STATE.get()
        self._count(state, start, end)
        if depth > limits.MAX_DEPTH:
            raise _Abort(
                Diagnostic.make(
                    "limit/nesting-depth",
                    f"expression is nested more than {limits.MAX_DEPTH} levels deep",
                    state.spans.span(start, end),
                    hint="split it into named conditions under 'define:'",
                )
            )
        node = make(*args, state.spans.span(start, end))
        return _L(node, start, end, depth)

    def _leaf(self, make: type, token: Token, *args: object) -> _L:
        start, end = _bounds(token)
        return self._make(make, start, end, 1, *args)

    def _over(self, make: type, items: list[Token | _L | _P], *args: object) -> _L:
        depth = 1 + max((c.depth for c in items if isinstance(c, _L)), default=0)
        return self._make(make, _start(items[0]), _end(items[-1]), depth, *args)

    @staticmethod
    def _diag(code: str, message: str, start: int, end: int, hint: str | None = None) -> None:
        state = _STATE.get()
        state.diagnostics.append(
            Diagnostic.make(code, message, state.spans.span(start, end), hint=hint)
        )

    # ------------------------------------------------------------------- expressions

    def or_expr(self, items: list[_L]) -> _L:
        return self._over(Or, list(items), tuple(i.node for i in items))

    def and_expr(self, items: list[_L]) -> _L:
        return self._over(And, list(items), tuple(i.node for i in items))

    def not_expr(self, items: list[Token | _L]) -> _L:
        operand = items[1]
        assert isinstance(operand, _L)
        return self._over(Not, list(items), operand.node)

    def paren(self, items: list[Token | _L]) -> _L:
        inner = items[1]
        assert isinstance(inner, _L)
        depth = inner.depth + 1
        start, end = _start(items[0]), _end(items[2])
        if depth > limits.MAX_DEPTH:
            state = _STATE.get()
            raise _Abort(
                Diagnostic.make(
                    "limit/nesting-depth",
                    f"expression is nested more than {limits.MAX_DEPTH} levels deep",
                    state.spans.span(start, end),
                    hint="split it into named conditions under 'define:'",
                )
            )
        return _L(inner.node, start, end, depth)

    # ------------------------------------------------------------------- tests

    @staticmethod
    def _values(items: list[Token | _L]) -> list[_L]:
        return [i for i in items if isinstance(i, _L)]

    @staticmethod
    def _words(items: list[Token | _L]) -> set[str]:
        return {i.type for i in items if isinstance(i, Token)}

    def compare(self, items: list[Token | _L]) -> _L:
        left, right = self._values(items)
        op = items[1]
        assert isinstance(op, Token)
        return self._over(Compare, list(items), str(op), left.node, right.node)

    def in_test(self, items: list[Token | _L]) -> _L:
        value, container = self._values(items)
        negated = "NOT" in self._words(items)
        return self._over(InTest, list(items), value.node, container.node, negated)

    def _quantifier(self, items: list[Token | _L]) -> str | None:
        words = self._words(items)
        for q in ("ANY", "ALL", "NONE"):
            if q in words:
                return q.lower()
        return None

    def contains_test(self, items: list[Token | _L]) -> _L:
        value, needle = self._values(items)
        q = self._quantifier(items)
        return self._over(ContainsTest, list(items), value.node, needle.node, q)

    def mentions_test(self, items: list[Token | _L]) -> _L:
        value, needle = self._values(items)
        q = self._quantifier(items)
        return self._over(MentionsTest, list(items), value.node, needle.node, q)

    def has_test(self, items: list[Token | _L]) -> _L:
        value, item = self._values(items)
        q = self._quantifier(items)
        return self._over(HasTest, list(items), value.node, item.node, q)

    def starts_with_test(self, items: list[Token | _L]) -> _L:
        value, prefix = self._values(items)
        return self._over(StartsWithTest, list(items), value.node, prefix.node)

    def ends_with_test(self, items: list[Token | _L]) -> _L:
        value, suffix = self._values(items)
        return self._over(EndsWithTest, list(items), value.node, suffix.node)

    def matches_test(self, items: list[Token | _L]) -> _L:
        (value,) = self._values(items)
        token = items[2]
        assert isinstance(token, Token)
        regex = self.regex([token])
        assert isinstance(regex.node, RegexLit)
        return self._over(MatchesTest, [items[0], regex], value.node, regex.node)

    def empty_test(self, items: list[Token | _L]) -> _L:
        (value,) = self._values(items)
        negated = "NOT" in self._words(items)
        return self._over(EmptyTest, list(items), value.node, negated)

    # ------------------------------------------------------------------- literals

    def string(self, items: list[Token]) -> _L:
        (token,) = items
        start, _ = _bounds(token)
        return self._leaf(StringLit, token, self._unquote(str(token), start))

    def _unquote(self, text: str, start: int) -> str:
        """The value of a quoted string token; reports unknown escapes."""
        body = text[1:-1]
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
            nxt = body[i + 1]  # the lexer guarantees a character after a backslash
            if nxt in STRING_ESCAPES:
                out.append(STRING_ESCAPES[nxt])
                i += 2
            elif nxt == "u" and HEX4.fullmatch(body, i + 2, i + 6):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            else:
                at = start + 1 + i
                width = 2 if nxt != "u" else min(6, len(body) - i)
                self._diag(
                    "syntax/unexpected-character",
                    f"unknown escape {describe_found(body[i : i + width])} in a string",
                    at,
                    at + width,
                    hint="the escapes are \\\\ \\\" \\' \\n \\t \\r and \\uXXXX (four hex digits)",
                )
                out.append(nxt)
                i += 2
        return "".join(out)

    def number(self, items: list[Token]) -> _L:
        (token,) = items
        text = str(token)
        value: int | float
        if any(c in text for c in ".eE"):
            value = float(text)
        else:
            try:
                value = int(text)
            except ValueError:  # more digits than int() converts
                start, end = _bounds(token)
                self._diag(
                    "syntax/unexpected-token",
                    f"number {describe_found(text)} has too many digits",
                    start,
                    end,
                )
                value = 0
        return self._leaf(NumberLit, token, value)

    def duration(self, items: list[Token]) -> _L:
        (token,) = items
        seconds = parse_duration(str(token))
        if seconds is None:
            start, end = _bounds(token)
            self._diag(
                "literal/bad-duration",
                f"invalid duration {describe_found(str(token))}",
                start,
                end,
                hint="write whole numbers of w, d, h, m, s, largest unit first, "
                "each at most once, as in '1h30m'",
            )
            seconds = 0
        return self._leaf(DurationLit, token, seconds)

    def regex(self, items: list[Token]) -> _L:
        (token,) = items
        text = str(token)
        close = text.rindex("/")
        body, flags = text[1:close], text[close + 1 :]
        pattern = re.sub(r"\\(.)", lambda m: "/" if m[1] == "/" else m[0], body)
        start, _ = _bounds(token)
        for i, flag in enumerate(flags):
            if flag not in REGEX_FLAGS:
                at = start + close + 1 + i
                self._diag(
                    "regex/invalid",
                    f"unknown regex flag {describe_found(flag)}",
                    at,
                    at + 1,
                    hint="the flags are i (ignore case), m (multi-line) and s (dot matches "
                    "line breaks)",
                )
        canonical = "".join(f for f in REGEX_FLAGS if f in flags)
        return self._leaf(RegexLit, token, pattern, canonical)

    def true(self, items: list[Token]) -> _L:
        return self._leaf(BoolLit, items[0], True)

    def false(self, items: list[Token]) -> _L:
        return self._leaf(BoolLit, items[0], False)

    def null(self, items: list[Token]) -> _L:
        return self._leaf(NullLit, items[0])

    # ------------------------------------------------------------------- values

    def list_ref(self, items: list[Token]) -> _L:
        (token,) = items
        return self._leaf(ListRef, token, str(token)[1:])

    def _part(self, name: str, bracketed: bool, start: int, end: int) -> _P:
        state = _STATE.get()
        self._count(state, start, end)
        return _P(PathPart(name, bracketed, state.spans.span(start, end)), start, end)

    def dot_part(self, items: list[Token]) -> _P:
        return self._part(str(items[1]), False, _start(items[0]), _end(items[1]))

    def bracket_part(self, items: list[Token]) -> _P:
        key = items[1]
        name = self._unquote(str(key), _start(key))
        return self._part(name, True, _start(items[0]), _end(items[2]))

    def path(self, items: list[Token | _P]) -> _L:
        root = items[0]
        assert isinstance(root, Token)
        start, end = _bounds(root)
        parts = [self._part(str(root), False, start, end)]
        parts.extend(p for p in items[1:] if isinstance(p, _P))
        return self._make(Path, start, parts[-1].end, 2, tuple(p.part for p in parts))

    def call(self, items: list[Token | _L]) -> _L:
        name = items[0]
        assert isinstance(name, Token)
        state = _STATE.get()
        args = tuple(i.node for i in self._values(items))
        name_span = state.spans.span(*_bounds(name))
        return self._over(Call, list(items), str(name), args, name_span)

    def list(self, items: list[Token | _L]) -> _L:
        return self._over(ListLit, list(items), tuple(i.node for i in self._values(items)))


_PARSER = Lark.open_from_package(
    "routing.dsl",
    "grammar.lark",
    parser="lalr",
    lexer="contextual",
    transformer=_Builder(),
    maybe_placeholders=False,
)


def parse_with_lark(text: str, spans: SpanMap) -> tuple[Expr | None, list[Diagnostic]]:
    """`parse_expression` without its fast path: always lark (the reference for it)."""
    state = _State(text, spans)
    token = _STATE.set(state)
    try:
        result = _PARSER.parse(text)
    except _Abort as abort:
        return None, [abort.diagnostic]
    except UnexpectedInput as error:
        return None, [*state.diagnostics, _syntax_diagnostic(error, text, spans)]
    finally:
        _STATE.reset(token)
    if state.diagnostics:
        return None, state.diagnostics
    assert isinstance(result, _L)
    return result.node, []


# --------------------------------------------------------------------------- syntax errors


def _token_shape(token: Token) -> str:
    """What an unexpected token is, for matching examples: its kind, or its text."""
    if token.type in ("COMPARE_OP",):
        return f"{token.type}:{token}"
    return str(token.type)


def _mistake_at(text: str, pos: int) -> tuple[str, int]:
    """The misplaced text at `pos` (and where it starts) for an unexpected character."""
    if text.startswith("=", pos) and text[max(0, pos - 2) : pos] == "==":
        return "===", pos - 2
    for mistake in CHARACTER_MISTAKES:
        if text.startswith(mistake, pos):
            return mistake, pos
    return text[pos : pos + 1], pos


def _error_key(error: UnexpectedInput, text: str) -> tuple[object, ...]:
    if isinstance(error, UnexpectedCharacters):
        return ("char", _mistake_at(text, (error.pos_in_stream or 0))[0])
    assert isinstance(error, UnexpectedToken)
    position = error.state.position if error.state is not None else None
    return ("token", position, _token_shape(error.token))


@functools.cache
def _hint_index() -> dict[tuple[object, ...], str]:
    """Where each example of `SYNTAX_HINTS` fails, mapped to its hint (built once)."""
    index: dict[tuple[object, ...], str] = {}
    probe = SourceFile("<example>", "")
    for hint, examples in SYNTAX_HINTS:
        for example in examples:
            token = _STATE.set(_State(example, probe))
            try:
                _PARSER.parse(example)
            except UnexpectedInput as error:
                index.setdefault(_error_key(error, example), hint)
            except _Abort:  # pragma: no cover - examples are small
                pass
            finally:
                _STATE.reset(token)
    return index


def _accepts(error: UnexpectedInput) -> set[str]:
    parser = getattr(error, "interactive_parser", None)
    if parser is None:  # pragma: no cover - lark always attaches one for LALR
        return set()
    return set(parser.accepts())


def _syntax_diagnostic(error: UnexpectedInput, text: str, spans: SpanMap) -> Diagnostic:
    hint = _hint_index().get(_error_key(error, text))
    if isinstance(error, UnexpectedCharacters):
        pos = error.pos_in_stream or 0
        char = text[pos]
        if char in "\"'":
            return _unterminated(text, pos, spans, "string", char)
        if char == "/":
            return _unterminated(text, pos, spans, "regex", char)
        mistake, start = _mistake_at(text, pos)
        expected = describe_expected(_accepts(error))
        return Diagnostic.make(
            "syntax/unexpected-character",
            f"unexpected {describe_found(mistake)}, expected {expected}",
            spans.span(start, start + len(mistake)),
            hint=hint,
        )
    assert isinstance(error, UnexpectedToken)
    expected = describe_expected(_accepts(error))
    if error.token.type == "$END":
        end = len(text.rstrip())
        if end == 0:
            message = f"empty expression, expected {expected}"
        else:
            message = f"unexpected end of the expression, expected {expected}"
        return Diagnostic.make("syntax/unexpected-end", message, spans.span(end, end), hint=hint)
    start, end = _bounds(error.token)
    return Diagnostic.make(
        "syntax/unexpected-token",
        f"unexpected {describe_found(str(error.token))}, expected {expected}",
        spans.span(start, end),
        hint=hint,
    )


def _unterminated(text: str, pos: int, spans: SpanMap, what: str, quote: str) -> Diagnostic:
    line_end = text.find("\n", pos)
    if line_end < 0:
        line_end = len(text)
    end = len(text[pos:line_end].rstrip("\r")) + pos
    if what == "string":
        closing = "'\"'" if quote == '"' else '"\'"'
        if quote in text[line_end:]:
            hint = (
                f"a string ends on its line: close it with {closing} or write \\n for a line break"
            )
        else:
            hint = f"close the string with {closing}"
    else:
        hint = "close the regex with '/' (write \\/ for a slash inside it)"
    return Diagnostic.make(
        f"syntax/unterminated-{what}",
        f"unterminated {what}",
        spans.span(pos, end),
        hint=hint,
    )

"""Parse expression text into the AST of `routing.dsl.ast`, with located diagnostics.

Most expressions never reach lark: `parse_expression` first tries
`routing.dsl._fast_expr.fast_parse`, which builds the very same tree for well-formed text
and declines everything else (errors, escapes, limits...); `parse_with_lark` is the lark
path alone, which the fast path is tested against.

The lark half (grammar, parser, AST builder, syntax error wording) lives in
`routing.dsl._lark_expr` and is imported on the first expression the fast path declines:
importing lark and building its LALR tables costs about 70 ms, which every ``routing``
command paid at start-up although well-formed rules never use them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from routing.dsl._fast_expr import fast_parse

if TYPE_CHECKING:
    from routing.diagnostics import Diagnostic
    from routing.dsl.ast import Expr, SpanMap

__all__ = ["KEYWORDS", "parse_expression"]

#: Words reserved by the language: not usable as a bare name (but fine after a ``.``).
KEYWORDS = frozenset(
    {
        "and", "or", "not", "in", "contains", "any", "all", "none", "of", "mentions",
        "starts", "ends", "with", "matches", "has", "is", "empty", "true", "false", "null",
    }
)  # fmt: skip


def parse_expression(text: str, spans: SpanMap) -> tuple[Expr | None, list[Diagnostic]]:
    """Parse one expression.

    Args:
        text: the expression, e.g. ``vip and subject matches /outage/i``.
        spans: maps offsets in `text` to spans in its file (a `SourceFile` for a
            stand-alone expression, an `EmbeddedSource` for a YAML scalar).

    Returns:
        ``(expr, [])`` when `text` is an expression, else ``(None, diagnostics)``: a syntax
        error (the first one), a malformed literal (all of them), or a limit exceeded.
        Never raises.
    """
    fast = fast_parse(text, spans)  # well-formed text without lark; None: lark decides
    if fast is not None:
        return fast, []
    return parse_with_lark(text, spans)


def parse_with_lark(text: str, spans: SpanMap) -> tuple[Expr | None, list[Diagnostic]]:
    """`parse_expression` without its fast path: always lark (the reference for it)."""
    # Imported here, not at the top: lark and its parser tables are start-up cost that
    # only a declined expression needs (the import is a dict lookup after the first).
    from routing.dsl._lark_expr import parse_with_lark as parse

    return parse(text, spans)

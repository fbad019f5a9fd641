"""The canonical text of expressions (used by ``routing fmt``).

`print_expr` writes an expression the one way the formatter writes it: keywords in lower
case, strings in double quotes with the fewest escapes, durations in canonical units,
regex flags in the order i, m, s, and only the parentheses precedence needs (``not`` binds
tighter than ``and``, ``and`` tighter than ``or``). A chain nested directly in a chain of
the same kind keeps its parentheses, so the tree survives the round trip::

    parse_expression(print_expr(expr), spans)[0] == expr
"""

from __future__ import annotations

import math
import re

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
    RegexLit,
    StartsWithTest,
    StringLit,
)
from routing.dsl.durations import format_duration
from routing.dsl.expr_parser import KEYWORDS

__all__ = ["print_expr", "print_string"]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STRING_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_COMPARE_OPS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_QUANTIFIERS = (None, "any", "all", "none")


def print_expr(expr: Expr) -> str:
    """The canonical text of an expression.

    Raises:
        ValueError: for a tree no text parses to: a test or a chain where a value must be
            (``(a and b) == c``), a root name that is a keyword or not an identifier, an
            unknown operator or quantifier, or a NaN number.
    """
    return _expr(expr)


def print_string(value: str) -> str:
    """A string literal: double-quoted, escaping only what must be escaped."""
    out = []
    for ch in value:
        escaped = _STRING_ESCAPES.get(ch)
        if escaped is not None:
            out.append(escaped)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _expr(e: Expr) -> str:
    if isinstance(e, Or):
        return " or ".join(_wrap(o, isinstance(o, Or)) for o in e.operands)
    if isinstance(e, And):
        return " and ".join(_wrap(o, isinstance(o, (And, Or))) for o in e.operands)
    if isinstance(e, Not):
        return "not " + _wrap(e.operand, isinstance(e.operand, (And, Or)))
    return _test(e)


def _wrap(e: Expr, parenthesise: bool) -> str:
    return f"({_expr(e)})" if parenthesise else _expr(e)


def _test(e: Expr) -> str:
    if isinstance(e, Compare):
        if e.op not in _COMPARE_OPS:
            raise ValueError(f"unknown comparison operator {e.op!r}")
        return f"{_value(e.left)} {e.op} {_value(e.right)}"
    if isinstance(e, InTest):
        word = "not in" if e.negated else "in"
        return f"{_value(e.value)} {word} {_value(e.container)}"
    if isinstance(e, ContainsTest):
        return f"{_value(e.value)} contains{_quantifier(e.quantifier, 3)} {_value(e.needle)}"
    if isinstance(e, MentionsTest):
        return f"{_value(e.value)} mentions{_quantifier(e.quantifier, 3)} {_value(e.needle)}"
    if isinstance(e, HasTest):
        return f"{_value(e.value)} has{_quantifier(e.quantifier, 4)} {_value(e.item)}"
    if isinstance(e, StartsWithTest):
        return f"{_value(e.value)} starts with {_value(e.prefix)}"
    if isinstance(e, EndsWithTest):
        return f"{_value(e.value)} ends with {_value(e.suffix)}"
    if isinstance(e, MatchesTest):
        return f"{_value(e.value)} matches {_value(e.regex)}"
    if isinstance(e, EmptyTest):
        return f"{_value(e.value)} is {'not empty' if e.negated else 'empty'}"
    return _value(e)


def _quantifier(quantifier: str | None, allowed: int) -> str:
    """The words after the operator; the first `allowed` of None, any, all, none apply."""
    if quantifier not in _QUANTIFIERS[:allowed]:
        raise ValueError(f"unknown quantifier {quantifier!r}")
    return "" if quantifier is None else f" {quantifier} of"


def _value(e: Expr) -> str:
    if isinstance(e, StringLit):
        return print_string(e.value)
    if isinstance(e, BoolLit):
        return "true" if e.value else "false"
    if isinstance(e, NumberLit):
        return _number(e.value)
    if isinstance(e, NullLit):
        return "null"
    if isinstance(e, DurationLit):
        return format_duration(e.seconds)
    if isinstance(e, RegexLit):
        return _regex(e)
    if isinstance(e, ListLit):
        return "[" + ", ".join(_value(i) for i in e.items) + "]"
    if isinstance(e, ListRef):
        return "$" + _root_name(e.name)
    if isinstance(e, Path):
        return _path(e)
    if isinstance(e, Call):
        return _root_name(e.name) + "(" + ", ".join(_value(a) for a in e.args) + ")"
    raise ValueError(f"{type(e).__name__} cannot stand where a value must be")


def _number(value: int | float) -> str:
    if isinstance(value, int):  # bool is an int too
        return str(int(value))
    if math.isnan(value):
        raise ValueError("NaN has no literal")
    if math.isinf(value):
        return "1e999" if value > 0 else "-1e999"
    return repr(value)


def _regex(e: RegexLit) -> str:
    flags = "".join(f for f in "ims" if f in e.flags)
    # `\/` is the only escape the lexer rewrites; every other `\x` is kept as written.
    body = re.sub(r"\\.|/", lambda m: "\\/" if m[0] == "/" else m[0], e.pattern)
    return f"/{body}/{flags}"


def _root_name(name: str) -> str:
    if not _IDENTIFIER.fullmatch(name) or name in KEYWORDS:
        raise ValueError(f"{name!r} cannot be written as a name")
    return name


def _path(e: Path) -> str:
    if not e.parts or e.parts[0].bracketed:
        raise ValueError("a path starts with a plain name")
    out = [_root_name(e.parts[0].name)]
    for part in e.parts[1:]:
        if part.bracketed or not _IDENTIFIER.fullmatch(part.name):
            out.append(f"[{print_string(part.name)}]")
        else:
            out.append(f".{part.name}")
    return "".join(out)

"""Pass 4: types. Operators get operands of the types they take; enum literals are values
of their enum; comparisons of different types are errors, never a silent false."""

from __future__ import annotations

from datetime import datetime

from routing.diagnostics import Span
from routing.dsl import ast
from routing.dsl.functions import FUNCTIONS
from routing.dsl.passes._context import CheckContext
from routing.dsl.suggest import did_you_mean
from routing.model.schema import WEEKDAY
from routing.model.types import (
    ANY,
    BOOL,
    DATETIME,
    DURATION,
    ERROR,
    NULL,
    NUMBER,
    REGEX,
    STRING,
    Kind,
    Type,
    list_of,
)

__all__ = ["check_types", "parse_datetime_literal"]

_ORDERED = (Kind.NUMBER, Kind.DURATION, Kind.DATETIME, Kind.STRING)


def parse_datetime_literal(text: str) -> datetime | None:
    """An aware datetime from an ISO 8601 string literal, or None."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


class _Typer:
    def __init__(self, ctx: CheckContext) -> None:
        self.ctx = ctx
        self.failed = False

    def error(self, code: str, message: str, span: Span, hint: str | None = None) -> Type:
        self.failed = True
        self.ctx.report(code, message, span, hint=hint)
        return ERROR

    def mismatch(self, message: str, span: Span, hint: str | None = None) -> Type:
        return self.error("type/mismatch", message, span, hint)

    # ------------------------------------------------------------------ values

    def infer(self, node: ast.Expr) -> Type:
        t = self._infer(node)
        self.ctx.types[id(node)] = t
        return t

    def _infer(self, node: ast.Expr) -> Type:
        if isinstance(node, ast.StringLit):
            return STRING
        if isinstance(node, ast.NumberLit):
            return NUMBER
        if isinstance(node, ast.BoolLit):
            return BOOL
        if isinstance(node, ast.NullLit):
            return NULL
        if isinstance(node, ast.DurationLit):
            return DURATION
        if isinstance(node, ast.RegexLit):
            return REGEX
        if isinstance(node, ast.ListRef):
            return self.ctx.list_types.get(node.name, ERROR)
        if isinstance(node, ast.ListLit):
            return self._list(node)
        if isinstance(node, ast.Path):
            return self._path(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Not):
            self.condition(node.operand, "'not'")
            return BOOL
        if isinstance(node, ast.And | ast.Or):
            word = "'and'" if isinstance(node, ast.And) else "'or'"
            for op in node.operands:
                self.condition(op, word)
            return BOOL
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.InTest):
            return self._in(node)
        if isinstance(node, ast.ContainsTest | ast.MentionsTest):
            return self._text_test(node)
        if isinstance(node, ast.StartsWithTest):
            return self._affix(node.value, node.prefix, "starts with", node.span)
        if isinstance(node, ast.EndsWithTest):
            return self._affix(node.value, node.suffix, "ends with", node.span)
        if isinstance(node, ast.MatchesTest):
            self.infer(node.regex)
            v = self.infer(node.value)
            if v.kind not in (Kind.ANY, Kind.ERROR, Kind.NULL) and not v.is_stringy:
                return self.mismatch(
                    f"'matches' tests text, found {v.describe()}", _span_of(node.value)
                )
            return BOOL
        if isinstance(node, ast.HasTest):
            return self._has(node)
        if isinstance(node, ast.EmptyTest):
            v = self.infer(node.value)
            if v.kind in (Kind.NUMBER, Kind.BOOL, Kind.DURATION, Kind.DATETIME):
                return self.mismatch(
                    f"'is empty' tests text, lists and null, found {v.describe()}",
                    _span_of(node.value),
                )
            return BOOL
        raise AssertionError(f"unknown node {node!r}")  # pragma: no cover

    def condition(self, node: ast.Expr, where: str) -> None:
        t = self.infer(node)
        if t.kind not in (Kind.BOOL, Kind.ANY, Kind.ERROR):
            self.error(
                "type/not-boolean",
                f"{where} needs a true/false test, found {t.describe()}",
                _span_of(node),
                hint=_truthy_hint(t),
            )

    def _list(self, node: ast.ListLit) -> Type:
        item: Type | None = None
        for it in node.items:
            t = self.infer(it)
            if t.kind in (Kind.ERROR, Kind.NULL):
                continue
            if item is None:
                item = t
            elif not _same_kind(item, t):
                return self.mismatch(
                    f"a list mixes {item.describe()} and {t.describe()}", _span_of(it)
                )
        return list_of(item or ANY)

    def _path(self, node: ast.Path) -> Type:
        res = self.ctx.paths.get(id(node))
        if res is None:
            return ERROR
        schema = self.ctx.schema
        if res.kind == "field":
            return schema.field_type(res.key) or ERROR
        if res.kind in ("requester", "header"):
            return STRING
        if res.kind == "custom":
            return self.ctx.field_types.get(res.key, ERROR)
        if res.kind in ("define",):
            return BOOL
        if res.kind == "now":
            return DATETIME
        if res.kind == "headers":
            return Type(Kind.MAP, item=STRING)
        return Type(Kind.MAP, name=res.kind)

    def _call(self, node: ast.Call) -> Type:
        sig = FUNCTIONS.get(node.name)
        if sig is None:  # reported by resolve_names
            for a in node.args:
                self.infer(a)
            return ERROR
        n = len(node.args)
        if n < sig.required or n > len(sig.params):
            want = (
                str(sig.required)
                if sig.required == len(sig.params)
                else f"{sig.required} or {len(sig.params)}"
            )
            for a in node.args:
                self.infer(a)
            return self.error(
                "type/arguments",
                f"'{node.name}' takes {want} argument{'s' if want != '1' else ''}, found {n}",
                node.span,
            )
        for param, arg in zip(sig.params, node.args, strict=False):
            t = self.infer(arg)
            if t.kind in (Kind.ERROR, Kind.ANY):
                continue
            ok = {
                "datetime": t.kind is Kind.DATETIME,
                "string": t.is_stringy,
                "timezone": t.is_stringy,
                "calendar": isinstance(arg, ast.StringLit),
                "sized": t.kind in (Kind.STRING, Kind.ENUM, Kind.LIST, Kind.MAP, Kind.NULL),
            }[param]
            if not ok:
                want_text = {
                    "datetime": "a datetime",
                    "string": "a string",
                    "timezone": "a time zone name",
                    "calendar": "a calendar name in quotes",
                    "sized": "a string or a list",
                }[param]
                self.error(
                    "type/arguments",
                    f"'{node.name}' expects {want_text}, found {t.describe()}",
                    _span_of(arg),
                )
        returns = sig.returns
        if returns == "weekday":
            return WEEKDAY
        return {
            "datetime": DATETIME,
            "duration": DURATION,
            "boolean": BOOL,
            "number": NUMBER,
            "string": STRING,
        }[returns]

    # ------------------------------------------------------------------ tests

    def _compare(self, node: ast.Compare) -> Type:
        lt = self.infer(node.left)
        rt = self.infer(node.right)
        if Kind.ERROR in (lt.kind, rt.kind) or Kind.ANY in (lt.kind, rt.kind):
            return BOOL
        op = node.op
        if op in ("==", "!=") and Kind.NULL in (lt.kind, rt.kind):
            return BOOL
        if Kind.NULL in (lt.kind, rt.kind):
            return self.mismatch(f"'{op}' cannot order null", node.span, "use '==' or '!='")
        # enum vs string literal: check the literal is a value of the enum
        if lt.kind is Kind.ENUM and rt.kind is Kind.STRING:
            self._enum_literal(lt, node.right)
            return self._order_ok(op, lt, node)
        if rt.kind is Kind.ENUM and lt.kind is Kind.STRING:
            self._enum_literal(rt, node.left)
            return self._order_ok(op, rt, node)
        if lt.kind is Kind.DATETIME and isinstance(node.right, ast.StringLit):
            return self._datetime_literal(node.right)
        if rt.kind is Kind.DATETIME and isinstance(node.left, ast.StringLit):
            return self._datetime_literal(node.left)
        if not _same_kind(lt, rt):
            return self.mismatch(
                f"'{op}' compares {lt.describe()} with {rt.describe()}",
                node.span,
                hint=_compare_hint(lt, rt),
            )
        if lt.kind is Kind.ENUM:
            return self._order_ok(op, lt, node)
        if op not in ("==", "!=") and lt.kind not in _ORDERED:
            return self.mismatch(f"'{op}' cannot order {lt.plural()}", node.span)
        return BOOL

    def _order_ok(self, op: str, t: Type, node: ast.Compare) -> Type:
        if op in ("==", "!=") or t.ordered:
            return BOOL
        return self.mismatch(
            f"'{op}' cannot order values of {t.name}: it has no declared order",
            node.span,
            hint="use '==', '!=' or 'in'",
        )

    def _datetime_literal(self, lit: ast.StringLit) -> Type:
        if parse_datetime_literal(lit.value) is None:
            return self.error(
                "literal/bad-datetime",
                f"expected an ISO 8601 date-time with an offset, found '{lit.value}'",
                lit.span,
                hint='for example "2026-11-23T09:00:00+01:00"',
            )
        return BOOL

    def _enum_literal(self, enum: Type, node: ast.Expr) -> None:
        if not isinstance(node, ast.StringLit):
            return
        if node.value in enum.values:
            return
        if enum.name == "queue":
            self.error(
                "name/unknown-queue",
                f"queue '{node.value}' is not declared",
                node.span,
                hint=did_you_mean(node.value, enum.values),
            )
            return
        values = ", ".join(enum.values)
        self.error(
            "type/unknown-enum-value",
            f"expected {enum.describe().split(' (')[0]} ({values}), found '{node.value}'",
            node.span,
            hint=did_you_mean(node.value, enum.values),
        )

    def _in(self, node: ast.InTest) -> Type:
        vt = self.infer(node.value)
        ct = self.infer(node.container)
        if Kind.ERROR in (vt.kind, ct.kind):
            return BOOL
        if ct.kind is not Kind.LIST:
            hint = None
            if ct.is_stringy and vt.is_stringy:
                hint = "use 'contains' to test for a substring"
            return self.mismatch(
                f"'in' needs a list on its right, found {ct.describe()}",
                _span_of(node.container),
                hint=hint,
            )
        item = ct.item or ANY
        if vt.kind is Kind.ENUM:
            self._enum_items(vt, node.container)
            return BOOL
        if vt.kind in (Kind.ANY, Kind.NULL) or item.kind in (Kind.ANY, Kind.ERROR):
            return BOOL
        if not _same_kind(vt, item):
            return self.mismatch(f"'in' looks for {vt.describe()} in {ct.describe()}", node.span)
        return BOOL

    def _enum_items(self, enum: Type, container: ast.Expr) -> None:
        if isinstance(container, ast.ListLit):
            for it in container.items:
                self._enum_literal(enum, it)
        elif isinstance(container, ast.ListRef):
            decl = self.ctx.lists.get(container.name)
            if decl is None:
                return
            bad = [str(i.value) for i in decl.items if str(i.value) not in enum.values]
            if bad:
                code = "name/unknown-queue" if enum.name == "queue" else "type/unknown-enum-value"
                self.error(
                    code,
                    f"list '${container.name}' has values that are not "
                    f"{enum.plural()}: {', '.join(repr(b) for b in bad[:5])}",
                    container.span,
                )

    def _text_test(self, node: ast.ContainsTest | ast.MentionsTest) -> Type:
        word = "contains" if isinstance(node, ast.ContainsTest) else "mentions"
        vt = self.infer(node.value)
        nt = self.infer(node.needle)
        if vt.kind is Kind.LIST and word == "contains":
            return self.mismatch(
                f"'contains' tests text, found {vt.describe()}",
                _span_of(node.value),
                hint="use 'has' to test a list for an item",
            )
        if vt.kind not in (Kind.ERROR, Kind.ANY, Kind.NULL) and not vt.is_stringy:
            return self.mismatch(
                f"'{word}' tests text, found {vt.describe()}", _span_of(node.value)
            )
        if node.quantifier is None:
            if nt.kind not in (Kind.ERROR, Kind.ANY) and not nt.is_stringy:
                hint = None
                if nt.kind is Kind.LIST:
                    hint = f"use '{word} any of' or '{word} all of' with a list"
                return self.mismatch(
                    f"'{word}' looks for a string, found {nt.describe()}",
                    _span_of(node.needle),
                    hint=hint,
                )
        elif nt.kind is not Kind.ERROR:
            item = nt.item if nt.kind is Kind.LIST else None
            if nt.kind is not Kind.LIST or (
                item is not None and item.kind not in (Kind.ANY,) and not item.is_stringy
            ):
                return self.mismatch(
                    f"'{word} {node.quantifier} of' needs a list of strings, found {nt.describe()}",
                    _span_of(node.needle),
                )
        return BOOL

    def _affix(self, value: ast.Expr, other: ast.Expr, word: str, span: Span) -> Type:
        vt = self.infer(value)
        ot = self.infer(other)
        for t, n in ((vt, value), (ot, other)):
            if t.kind not in (Kind.ERROR, Kind.ANY, Kind.NULL) and not t.is_stringy:
                return self.mismatch(f"'{word}' tests text, found {t.describe()}", _span_of(n))
        return BOOL

    def _has(self, node: ast.HasTest) -> Type:
        vt = self.infer(node.value)
        it = self.infer(node.item)
        if vt.kind is Kind.ERROR or it.kind is Kind.ERROR:
            return BOOL
        if vt.kind is not Kind.LIST:
            hint = "use 'contains' to test text" if vt.is_stringy else None
            return self.mismatch(
                f"'has' tests a list, found {vt.describe()}", _span_of(node.value), hint=hint
            )
        elem = vt.item or ANY
        if node.quantifier is None:
            if it.kind is Kind.LIST:
                return self.mismatch(
                    f"'has' looks for one item, found {it.describe()}",
                    _span_of(node.item),
                    hint="use 'has any of', 'has all of' or 'has none of' with a list",
                )
            if (
                elem.kind is not Kind.ANY
                and it.kind not in (Kind.ANY, Kind.NULL)
                and not _same_kind(elem, it)
            ):
                return self.mismatch(
                    f"'has' looks for {it.describe()} in {vt.describe()}", node.span
                )
        else:
            if it.kind is not Kind.LIST:
                return self.mismatch(
                    f"'has {node.quantifier} of' needs a list, found {it.describe()}",
                    _span_of(node.item),
                )
            inner = it.item or ANY
            if Kind.ANY not in (elem.kind, inner.kind) and not _same_kind(elem, inner):
                return self.mismatch(
                    f"'has {node.quantifier} of' looks for {inner.plural()} in {vt.describe()}",
                    node.span,
                )
        return BOOL


def _same_kind(a: Type, b: Type) -> bool:
    if a.kind is Kind.ENUM and b.kind is Kind.ENUM:
        return a.name == b.name or a.values == b.values
    if a.is_stringy and b.is_stringy:
        return True
    if a.kind is Kind.LIST and b.kind is Kind.LIST:
        if a.item is None or b.item is None:
            return True
        if Kind.ANY in (a.item.kind, b.item.kind):
            return True
        return _same_kind(a.item, b.item)
    return a.kind is b.kind


def _compare_hint(a: Type, b: Type) -> str | None:
    kinds = {a.kind, b.kind}
    if kinds == {Kind.DATETIME, Kind.DURATION}:
        return "use since(t) to compare the age of a datetime with a duration"
    if kinds == {Kind.NUMBER, Kind.STRING}:
        return "remove the quotes around the number, or compare with a string"
    if kinds == {Kind.NUMBER, Kind.DURATION}:
        return "write the duration with a unit, such as 30m or 2h"
    return None


def _truthy_hint(t: Type) -> str | None:
    if t.kind in (Kind.STRING, Kind.ENUM, Kind.LIST):
        return "use 'is not empty', or compare it with '=='"
    if t.kind is Kind.NUMBER:
        return "compare it, for example '> 0'"
    return None


def _span_of(node: ast.Expr) -> Span:
    return node.span


def check_types(ctx: CheckContext) -> None:
    """Infer and check the type of every condition; each must be a boolean test."""
    for site, expr in list(ctx.parsed(include_invalid=True)):
        typer = _Typer(ctx)
        where = {
            "rule": f"the condition of rule '{site.name}'",
            "define": f"define '{site.name}'",
            "sla_when": f"the 'when' of SLA policy '{site.name}'",
            "sla_pause": f"the 'pause_when' of SLA policy '{site.name}'",
        }[site.owner]
        typer.condition(expr, where)
        if typer.failed:
            ctx.invalid.add(id(site.condition))

"""One builder per expression node: checked AST -> Python closures over a `State`.

Everything that depends only on the rules happens here, once: literals are folded,
regexes compiled under RE2, lists frozen into sets, enum literals turned into ranks, needles
case-folded. Per ticket, each closure does only the work its node needs; case-folded and
space-collapsed texts are computed at most once per ticket (`State.cache`).

Run-time errors are `EvalFailure` exceptions: `and`/`or` absorb them where the result
does not depend on the failing operand (``false and <error>`` is false), as CEL does.
"""

from __future__ import annotations

import operator
import zoneinfo
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from routing.compiler.state import EvalFailure, State
from routing.dsl import ast
from routing.dsl.checker import CheckedRuleset
from routing.dsl.passes.check_types import parse_datetime_literal
from routing.dsl.regex import RegexProblem, compile_regex
from routing.model.schema import WEEKDAYS
from routing.model.types import Kind, Type

__all__ = ["Fn", "PredicateBuilder"]

Fn = Callable[[State], Any]

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _collapse(text: str) -> str:
    return " ".join(text.split())


class _Mapped(str):
    """A folded, space-collapsed text whose folding changed lengths ("İ" -> "i" + U+0307,
    "ß" -> "ss"): `origin[i]` is the index in `original` of the character that folded
    character i came from, so word boundaries are judged on the ticket's own text."""

    original: str
    origin: tuple[int, ...]


def words_of(text: str) -> str:
    """`text` case-folded with every run of white space made one space, for `mentions`."""
    folded = text.casefold()
    if len(folded) == len(text):  # one folded character per character: positions agree
        return _collapse(folded)
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                origin.append(i)
            continue
        for f in ch.casefold():
            chars.append(f)
            origin.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        origin.pop()
    out = _Mapped("".join(chars))
    out.original = text
    out.origin = tuple(origin)
    return out


def mentions(haystack: str, needle: str) -> bool:
    """Whole-word/phrase test on a `words_of` text and a folded, collapsed needle."""
    if not needle:
        return False
    start = haystack.find(needle)
    n = len(needle)
    mapped = haystack if isinstance(haystack, _Mapped) else None
    while start >= 0:
        end = start + n
        if mapped is None:
            before_ok = start == 0 or not _is_word(haystack[start - 1])
            after_ok = end == len(haystack) or not _is_word(haystack[end])
        else:
            origin, text = mapped.origin, mapped.original
            first, last = origin[start], origin[end - 1]
            whole = (start == 0 or origin[start - 1] != first) and (
                end == len(origin) or origin[end] != last
            )
            before_ok = whole and (first == 0 or not _is_word(text[first - 1]))
            after_ok = whole and (last + 1 == len(text) or not _is_word(text[last + 1]))
        if before_ok and after_ok:
            return True
        start = haystack.find(needle, start + 1)
    return False


def _text_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    raise EvalFailure("eval/type-error", f"expected text, found {type(v).__name__}")


def _folded(key: str, get: Fn) -> Fn:
    def fn(s: State) -> str:
        cache = s.cache
        v = cache.get(key)
        if v is None:
            v = cache[key] = _text_value(get(s)).casefold()
        return v

    return fn


def _ticket_text(s: State) -> str:
    t = s.ticket
    return f"{t.subject}\n{t.body}"


_FIXED_GETTERS: dict[str, Fn] = {
    "id": lambda s: s.ticket.id,
    "subject": lambda s: s.ticket.subject,
    "body": lambda s: s.ticket.body,
    "text": _ticket_text,
    "channel": lambda s: s.ticket.channel.value,
    "status": lambda s: s.status,
    "priority": lambda s: s.priority,
    "queue": lambda s: s.queue,
    "assignee": lambda s: s.assignee,
    "tags": lambda s: s.tags,
    "headers": lambda s: s.ticket.headers,
    "attachments": lambda s: s.ticket.attachments,
    "created_at": lambda s: s.ticket.created_at or s.now,
    "updated_at": lambda s: s.ticket.updated_at or s.ticket.created_at or s.now,
    "spam": lambda s: s.spam,
    "spam_score": lambda s: s.spam_score,
}
_STATIC_TEXT = frozenset({"subject", "body", "text", "id"})


class PredicateBuilder:
    """Compiles expressions of one checked rule set. `observe` adds explain recording."""

    def __init__(
        self,
        checked: CheckedRuleset,
        define: Callable[[str], Fn],
        *,
        observe: bool = False,
    ) -> None:
        self.checked = checked
        self.define = define
        self.observe = observe
        self.node_ids: dict[int, int] = {}

    # ------------------------------------------------------------------ entry

    def build(self, node: ast.Expr) -> Fn:
        fn = self._build(node)
        if self.observe:
            fn = self._observed(node, fn)
        return fn

    def node_id(self, node: ast.Expr) -> int:
        return self.node_ids.setdefault(id(node), len(self.node_ids))

    def _observed(self, node: ast.Expr, fn: Fn) -> Fn:
        nid = self.node_id(node)

        def watch(s: State) -> Any:
            try:
                value = fn(s)
            except EvalFailure as exc:
                if s.observed is not None:
                    s.observed[nid] = exc
                raise
            if s.observed is not None:
                s.observed[nid] = value
            return value

        return watch

    def type_of(self, node: ast.Expr) -> Type | None:
        return self.checked.types.get(id(node))

    # ------------------------------------------------------------------ nodes

    def _build(self, node: ast.Expr) -> Fn:
        if isinstance(node, ast.StringLit | ast.NumberLit | ast.BoolLit):
            value: Any = node.value
            return lambda s: value
        if isinstance(node, ast.NullLit):
            return lambda s: None
        if isinstance(node, ast.DurationLit):
            seconds = float(node.seconds)
            return lambda s: seconds
        if isinstance(node, ast.ListLit):
            return self._list(node)
        if isinstance(node, ast.ListRef):
            items = tuple(i.value for i in self.checked.lists[node.name].items)
            return lambda s: items
        if isinstance(node, ast.Path):
            return self._path(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Not):
            inner = self.build(node.operand)
            return lambda s: not inner(s)
        if isinstance(node, ast.And):
            return self._and(node)
        if isinstance(node, ast.Or):
            return self._or(node)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.InTest):
            return self._in(node)
        if isinstance(node, ast.ContainsTest):
            return self._contains(node)
        if isinstance(node, ast.MentionsTest):
            return self._mentions(node)
        if isinstance(node, ast.StartsWithTest):
            return self._affix(node.value, node.prefix, str.startswith)
        if isinstance(node, ast.EndsWithTest):
            return self._affix(node.value, node.suffix, str.endswith)
        if isinstance(node, ast.MatchesTest):
            return self._matches(node)
        if isinstance(node, ast.HasTest):
            return self._has(node)
        if isinstance(node, ast.EmptyTest):
            return self._empty(node)
        if isinstance(node, ast.RegexLit):  # pragma: no cover - only inside MatchesTest
            raise AssertionError("a regex is not a value")
        raise AssertionError(f"unknown node {node!r}")  # pragma: no cover

    def _list(self, node: ast.ListLit) -> Fn:
        if all(isinstance(i, ast.StringLit | ast.NumberLit | ast.BoolLit) for i in node.items):
            values = tuple(i.value for i in node.items)  # type: ignore[union-attr]
            return lambda s: values
        fns = [self.build(i) for i in node.items]
        return lambda s: tuple(f(s) for f in fns)

    def _path(self, node: ast.Path) -> Fn:
        res = self.checked.paths[id(node)]
        kind, key = res.kind, res.key
        if kind == "field":
            return _FIXED_GETTERS[key]
        if kind == "requester":
            return lambda s: getattr(s.ticket.requester, key)
        if kind == "header":
            return lambda s: s.ticket.headers.get(key)
        if kind == "headers":
            return lambda s: s.ticket.headers
        if kind == "now":
            return lambda s: s.now
        if kind == "define":
            return self.define(key)
        if kind == "requester_object":
            return lambda s: s.ticket.requester.model_dump()
        if kind == "fields_object":
            return lambda s: s.fields
        if kind == "custom":
            return self._custom(key)
        raise AssertionError(kind)  # pragma: no cover

    def _custom(self, name: str) -> Fn:
        t = self.checked.field_types[name]
        k = t.kind
        missing = f"the ticket has no custom field '{name}'"

        def wrong(v: Any) -> EvalFailure:
            return EvalFailure(
                "eval/type-error",
                f"custom field '{name}' should be {t.describe()}, found {show(v)}",
            )

        if k is Kind.NUMBER:

            def number(s: State) -> Any:
                try:
                    v = s.fields[name]
                except KeyError:
                    raise EvalFailure("eval/missing-field", missing) from None
                if v is None or (isinstance(v, int | float) and not isinstance(v, bool)):
                    return v
                raise wrong(v)

            return number
        if k is Kind.DATETIME:

            def when(s: State) -> Any:
                try:
                    v = s.fields[name]
                except KeyError:
                    raise EvalFailure("eval/missing-field", missing) from None
                if v is None or isinstance(v, datetime):
                    return v
                parsed = parse_datetime_literal(v) if isinstance(v, str) else None
                if parsed is None:
                    raise wrong(v)
                return parsed

            return when
        if k is Kind.BOOL:
            accept: tuple[type, ...] = (bool,)
        elif k is Kind.LIST:
            accept = (list, tuple)
        else:
            accept = (str,)
        values = frozenset(t.values) if k is Kind.ENUM else None

        def plain(s: State) -> Any:
            try:
                v = s.fields[name]
            except KeyError:
                raise EvalFailure("eval/missing-field", missing) from None
            if v is None:
                return v
            if not isinstance(v, accept) or (values is not None and v not in values):
                raise wrong(v)
            return v

        return plain

    def _text_getter(self, node: ast.Expr) -> tuple[Fn, str | None]:
        """The value getter, and a cache key when the text is fixed for the ticket."""
        if self.observe:  # explain records every node, so go through the observed builder
            return self.build(node), None
        if isinstance(node, ast.Path):
            res = self.checked.paths[id(node)]
            if res.kind == "field" and res.key in _STATIC_TEXT:
                return _FIXED_GETTERS[res.key], res.key
            if res.kind == "requester":
                return self._path(node), f"requester.{res.key}"
            if res.kind == "header":
                return self._path(node), f"header:{res.key}"
        return self.build(node), None

    def _fold_getter(self, node: ast.Expr) -> Fn:
        get, key = self._text_getter(node)
        if key is not None and not self.observe:
            return _folded(f"fold:{key}", get)
        return lambda s: _text_value(get(s)).casefold()

    def _words_getter(self, node: ast.Expr) -> Fn:
        get, key = self._text_getter(node)
        if key is not None and not self.observe:
            ckey = f"words:{key}"

            def words(s: State) -> str:
                v = s.cache.get(ckey)
                if v is None:
                    v = s.cache[ckey] = words_of(_text_value(get(s)))
                return v

            return words
        return lambda s: words_of(_text_value(get(s)))

    # ------------------------------------------------------------------ boolean

    def _and(self, node: ast.And) -> Fn:
        fns = tuple(self.build(o) for o in node.operands)

        def and_(s: State) -> bool:
            error: EvalFailure | None = None
            for f in fns:
                try:
                    if not f(s):
                        return False
                except EvalFailure as exc:
                    error = error or exc
            if error is not None:
                raise error
            return True

        return and_

    def _or(self, node: ast.Or) -> Fn:
        fns = tuple(self.build(o) for o in node.operands)

        def or_(s: State) -> bool:
            error: EvalFailure | None = None
            for f in fns:
                try:
                    if f(s):
                        return True
                except EvalFailure as exc:
                    error = error or exc
            if error is not None:
                raise error
            return False

        return or_

    # ------------------------------------------------------------------ comparisons

    def _rank_map(self, t: Type) -> dict[str, int]:
        return {v: i for i, v in enumerate(t.values)}

    def _compare(self, node: ast.Compare) -> Fn:
        op = _OPS[node.op]
        lt, rt = self.type_of(node.left), self.type_of(node.right)
        left, right = self.build(node.left), self.build(node.right)
        enum_t = next((t for t in (lt, rt) if t is not None and t.kind is Kind.ENUM), None)
        if enum_t is not None and enum_t.ordered and node.op not in ("==", "!="):
            ranks = self._rank_map(enum_t)

            def ranked(s: State) -> bool:
                a, b = left(s), right(s)
                try:
                    return op(ranks[a], ranks[b])
                except KeyError:
                    raise EvalFailure(
                        "eval/type-error", f"cannot order {show(a)} and {show(b)} as {enum_t.name}"
                    ) from None

            return ranked
        dt_lit = None
        if lt is not None and lt.kind is Kind.DATETIME and isinstance(node.right, ast.StringLit):
            dt_lit = parse_datetime_literal(node.right.value)
            right = _const(dt_lit)
        elif rt is not None and rt.kind is Kind.DATETIME and isinstance(node.left, ast.StringLit):
            dt_lit = parse_datetime_literal(node.left.value)
            left = _const(dt_lit)
        if node.op in ("==", "!=") and Kind.LIST in (
            lt.kind if lt else Kind.ANY,
            rt.kind if rt else Kind.ANY,
        ):
            return self._list_equality(node, left, right)
        if node.op in ("==", "!="):
            if isinstance(node.right, ast.StringLit | ast.NumberLit | ast.BoolLit | ast.NullLit):
                const: Any = None if isinstance(node.right, ast.NullLit) else node.right.value
                if dt_lit is not None:
                    const = dt_lit
                if node.op == "==":
                    return lambda s: left(s) == const
                return lambda s: left(s) != const
            return lambda s: op(left(s), right(s))

        def ordered(s: State) -> bool:
            a, b = left(s), right(s)
            if a is None or b is None:
                raise EvalFailure("eval/type-error", f"cannot compare null with '{node.op}'")
            try:
                return op(a, b)
            except TypeError:
                raise EvalFailure(
                    "eval/type-error",
                    f"cannot compare {type(a).__name__} with {type(b).__name__}",
                ) from None

        return ordered

    def _is_tags(self, node: ast.Expr) -> bool:
        res = self.checked.paths.get(id(node)) if isinstance(node, ast.Path) else None
        return res is not None and res.kind == "field" and res.key == "tags"

    def _list_equality(self, node: ast.Compare, left: Fn, right: Fn) -> Fn:
        """Lists compare item by item in order; tags, a set, compare as sets (lower case)."""
        as_set = self._is_tags(node.left) or self._is_tags(node.right)

        def norm(v: Any) -> Any:
            if v is None:
                return None
            if as_set:
                return frozenset(x.strip().lower() if isinstance(x, str) else x for x in v)
            return tuple(v)

        equal = node.op == "=="
        return lambda s: (norm(left(s)) == norm(right(s))) is equal

    def _in(self, node: ast.InTest) -> Fn:
        value = self.build(node.value)
        negated = node.negated
        container = node.container
        constant: frozenset[Any] | None = None
        if isinstance(container, ast.ListRef):
            constant = frozenset(i.value for i in self.checked.lists[container.name].items)
        elif isinstance(container, ast.ListLit) and all(
            isinstance(i, ast.StringLit | ast.NumberLit | ast.BoolLit | ast.NullLit)
            for i in container.items
        ):
            constant = frozenset(
                None if isinstance(i, ast.NullLit) else i.value  # type: ignore[union-attr]
                for i in container.items
            )
        if constant is not None:
            members = constant
            if negated:
                return lambda s: value(s) not in members
            return lambda s: value(s) in members
        get = self.build(container)

        def dynamic(s: State) -> bool:
            found = value(s) in get(s)
            return not found if negated else found

        return dynamic

    # ------------------------------------------------------------------ text tests

    def _needles(self, node: ast.Expr, fold: Callable[[str], str]) -> Fn:
        """A getter of the needle list, folded once when it is constant."""
        if isinstance(node, ast.ListRef):
            items = tuple(fold(str(i.value)) for i in self.checked.lists[node.name].items)
            return lambda s: items
        strings = (
            [i.value for i in node.items if isinstance(i, ast.StringLit)]
            if isinstance(node, ast.ListLit)
            else []
        )
        if isinstance(node, ast.ListLit) and len(strings) == len(node.items):
            lit = tuple(fold(v) for v in strings)
            return lambda s: lit
        get = self.build(node)
        return lambda s: tuple(fold(_text_value(x)) for x in get(s))

    def _needle(self, node: ast.Expr, fold: Callable[[str], str]) -> Fn:
        if isinstance(node, ast.StringLit):
            lit = fold(node.value)
            return lambda s: lit
        get = self.build(node)
        return lambda s: fold(_text_value(get(s)))

    def _contains(self, node: ast.ContainsTest) -> Fn:
        hay = self._fold_getter(node.value)
        fold = str.casefold
        if node.quantifier is None:
            needle = self._needle(node.needle, fold)
            return lambda s: needle(s) in hay(s)
        needles = self._needles(node.needle, fold)
        if node.quantifier == "any":
            return lambda s: _any_in(needles(s), hay(s))
        return lambda s: _all_in(needles(s), hay(s))

    def _mentions(self, node: ast.MentionsTest) -> Fn:
        hay = self._words_getter(node.value)

        def fold(x: str) -> str:
            return _collapse(x.casefold())

        if node.quantifier is None:
            needle = self._needle(node.needle, fold)
            return lambda s: mentions(hay(s), needle(s))
        needles = self._needles(node.needle, fold)
        if node.quantifier == "any":

            def any_(s: State) -> bool:
                h = hay(s)
                return any(n in h and mentions(h, n) for n in needles(s))

            return any_

        def all_(s: State) -> bool:
            h = hay(s)
            return all(mentions(h, n) for n in needles(s))

        return all_

    def _affix(self, value: ast.Expr, other: ast.Expr, test: Callable[[str, str], bool]) -> Fn:
        get = self.build(value)
        arg = self.build(other)
        return lambda s: test(_text_value(get(s)), _text_value(arg(s)))

    def _matches(self, node: ast.MatchesTest) -> Fn:
        regex = compile_regex(node.regex.pattern, node.regex.flags)
        assert not isinstance(regex, RegexProblem), "the checker refuses bad patterns"
        search = regex.search
        get, _ = self._text_getter(node.value)

        def matches(s: State) -> bool:
            return search(_text_value(get(s))) is not None

        return matches

    def _has(self, node: ast.HasTest) -> Fn:
        get = self.build(node.value)
        is_tags = (
            isinstance(node.value, ast.Path)
            and self.checked.paths.get(id(node.value)) is not None
            and self.checked.paths[id(node.value)].key == "tags"
        )
        norm: Callable[[Any], Any] = (
            (lambda x: x.strip().lower() if isinstance(x, str) else x) if is_tags else (lambda x: x)
        )
        if node.quantifier is None:
            item = self.build(node.item)
            if isinstance(node.item, ast.StringLit | ast.NumberLit):
                lit = norm(node.item.value)
                return lambda s: lit in _collection(get(s))
            return lambda s: norm(item(s)) in _collection(get(s))
        items_fn = self.build(node.item)
        if isinstance(node.item, ast.ListRef | ast.ListLit):
            const = self._list_constant(node.item)
            if const is not None:
                wanted = frozenset(norm(x) for x in const)
                q = node.quantifier
                if q == "any":
                    return lambda s: not wanted.isdisjoint(_collection(get(s)))
                if q == "all":
                    return lambda s: wanted.issubset(_collection(get(s)))
                return lambda s: wanted.isdisjoint(_collection(get(s)))
        q = node.quantifier

        def dynamic(s: State) -> bool:
            have = _collection(get(s))
            want = {norm(x) for x in items_fn(s)}
            if q == "any":
                return not want.isdisjoint(have)
            if q == "all":
                return want.issubset(have)
            return want.isdisjoint(have)

        return dynamic

    def _list_constant(self, node: ast.Expr) -> tuple[Any, ...] | None:
        if isinstance(node, ast.ListRef):
            return tuple(i.value for i in self.checked.lists[node.name].items)
        if isinstance(node, ast.ListLit) and all(
            isinstance(i, ast.StringLit | ast.NumberLit | ast.BoolLit) for i in node.items
        ):
            return tuple(i.value for i in node.items)  # type: ignore[union-attr]
        return None

    def _empty(self, node: ast.EmptyTest) -> Fn:
        get = self.build(node.value)
        negated = node.negated

        def empty(s: State) -> bool:
            v = get(s)
            is_empty = v is None or (
                not v if isinstance(v, str | Mapping | set | frozenset | list | tuple) else False
            )
            return not is_empty if negated else is_empty

        return empty

    # ------------------------------------------------------------------ functions

    def _call(self, node: ast.Call) -> Fn:
        args = [self.build(a) for a in node.args]
        name = node.name
        if name == "now":
            return lambda s: s.now
        if name == "since":
            t = args[0]
            return lambda s: (s.now - _dt(t(s))).total_seconds()
        if name == "business_since":
            cal = self._calendar(node.args[1])
            t = args[0]

            def business_since(s: State) -> float:
                start = _dt(t(s))
                return float(cal.business_time_between(start, s.now).total_seconds())

            return business_since
        if name == "is_open":
            cal = self._calendar(node.args[0])
            if len(args) == 2:
                at = args[1]
                return lambda s: bool(cal.is_open(_dt(at(s))))
            return lambda s: bool(cal.is_open(s.now))
        if name == "len":
            get = args[0]

            def length(s: State) -> int:
                v = get(s)
                return 0 if v is None else len(v)

            return length
        if name == "lower":
            get = args[0]
            return lambda s: _text_value(get(s)).lower()
        if name in ("hour", "weekday"):
            t, tz = args
            zone_lit = node.args[1]
            fixed = (
                zoneinfo.ZoneInfo(zone_lit.value) if isinstance(zone_lit, ast.StringLit) else None
            )

            def local(s: State) -> datetime:
                zone = fixed or _zone(tz(s))
                return _dt(t(s)).astimezone(zone)

            if name == "hour":
                return lambda s: local(s).hour
            return lambda s: WEEKDAYS[local(s).weekday()]
        raise AssertionError(name)  # pragma: no cover

    def _calendar(self, node: ast.Expr) -> Any:
        assert isinstance(node, ast.StringLit)
        return self.checked.calendars[node.value]


def _const(value: Any) -> Fn:
    return lambda s: value


def _any_in(needles: tuple[str, ...], hay: str) -> bool:
    return any(n in hay for n in needles)


def _all_in(needles: tuple[str, ...], hay: str) -> bool:
    return all(n in hay for n in needles)


def _collection(v: Any) -> Any:
    if v is None:
        return ()
    return v


def _dt(v: Any) -> datetime:
    if isinstance(v, datetime):
        return v
    raise EvalFailure("eval/type-error", f"expected a datetime, found {show(v)}")


def show(value: Any) -> str:
    """A value as the rule language writes it, for run-time error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, datetime):
        return value.isoformat()
    return repr(value)[:200]


def _zone(name: Any) -> zoneinfo.ZoneInfo:
    if not isinstance(name, str) or not name:
        raise EvalFailure("eval/type-error", f"expected a time zone name, found {show(name)}")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise EvalFailure("eval/type-error", f"unknown time zone '{name}'") from None

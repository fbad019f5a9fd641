"""Rule conditions compiled to Python code: `ast` nodes in, one code object per condition out.

`CodeGen` turns a checked expression into a Python function ``f(s: State)`` whose body is
straight-line code: ``channel == "phone" and not spam`` becomes
``return True if (s.ticket.channel._value_ == 'phone' and not s.spam) else False``. The code
is built as a Python `ast.Module` and compiled with `compile()`; it is never source text.
Scalar literals are `ast.Constant` values and every other constant (a frozen set, a regex
test, a needle set, a calendar, a field reader) is bound in the module's namespace under a
generated name, so what a rule file says can never become code or an identifier. Each
module has a file name such as ``<rule 'VIP outage'>`` for tracebacks.

Failures. A run-time error is an `EvalFailure`; ``and``/``or`` absorb it where the result
does not depend on the failing operand, and raise the FIRST one when it does (CEL). A
static analysis (`CodeGen.fails`) knows which nodes can raise one: where no operand can,
``and``/``or``/``not`` are Python's operators. An ``and``/``or`` with an operand that can
fail becomes a function of its own with early returns, where only those operands sit in a
``try``; at the root of a condition that function is the condition itself.

Shared work. A pure call of the ticket repeated in one condition (``(s.ticket.subject or
'').lower()``, a header read) is computed once where the first one surely ran (`_Share`).
Defines are computed once per `State.version`. Texts are folded, collapsed and
scanned once per ticket by `routing.compiler.texts.TextSource` (one Aho-Corasick pass for
all the constant ``contains``/``mentions`` needles of the rule set on that text); the local
time of a ticket's timestamps in a fixed zone is computed once per ticket and zone.

Explain (``observe=True``) is the same generator with recording calls emitted around the
nodes `observed_nodes` lists: a node that cannot fail becomes ``record(s, id, <value>)``, one
that can becomes a function that records the value or the failure.
"""

from __future__ import annotations

import ast as py
import itertools
import math
import operator
import zoneinfo
from collections.abc import Callable
from datetime import datetime
from typing import Any

from routing.compiler import predicates as rt
from routing.compiler.predicates import Fn
from routing.compiler.state import EvalFailure, State
from routing.compiler.texts import RegexTest, TextSource, required_literals, whole_span
from routing.dsl import ast
from routing.dsl.checker import CheckedRuleset
from routing.dsl.functions import no_local_time
from routing.dsl.passes._context import children
from routing.dsl.passes.check_types import parse_datetime_literal
from routing.dsl.regex import RegexProblem, compile_regex, regex_test
from routing.errors import CalendarError
from routing.model.schema import PRIORITIES, WEEKDAYS
from routing.model.ticket import Requester
from routing.model.types import Kind, Type

__all__ = ["CodeGen", "define_key", "locate", "observed_nodes"]

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_PY_OPS: dict[str, type[py.cmpop]] = {
    "==": py.Eq,
    "!=": py.NotEq,
    "<": py.Lt,
    "<=": py.LtE,
    ">": py.Gt,
    ">=": py.GtE,
}
_SCALARS = (str, int, float, bool, type(None))
_LITERALS = ast.StringLit | ast.NumberLit | ast.BoolLit
_VALUE_LITERALS = ast.StringLit | ast.NumberLit | ast.BoolLit | ast.NullLit
#: ticket texts fixed for the whole evaluation (cached per ticket by `TextSource`)
_SOURCE_FIELDS = frozenset({"subject", "body", "text", "id"})
#: builtin fields whose value is always text (or null)
_TEXT_FIELDS = frozenset(
    {"subject", "body", "text", "id", "channel", "status", "priority", "queue", "assignee"}
)
#: builtin fields always holding a date and time
_TIME_FIELDS = frozenset({"created_at", "updated_at"})
#: the `State` attributes builtin fields read directly
_STATE_FIELDS = frozenset({"status", "priority", "queue", "assignee", "tags", "spam", "spam_score"})
_REQUESTER_FIELDS = frozenset(Requester.model_fields)
#: the exact types a number field's value has in the inlined fast path (not bool)
_NUMBER_TYPES = frozenset({int, float})


def define_key(name: str) -> str:
    """The `State.cache` key of define `name`'s (version, value, failed) entry."""
    return f"define:{name}"


def observed_nodes(expr: ast.Expr) -> tuple[ast.Expr, ...]:
    """The sub-expressions whose values explain records for a condition, in trace order.

    `RuleTrace.tests` holds one (text, value) pair per node, in this order: the boolean
    structure (``and``, ``or``, ``not``) and each test, then the paths and calls a test
    reads; literals are left out. Rule coverage (`routing.testing`) pairs trace values
    with these nodes by position to reach their source spans.
    """
    out: list[ast.Expr] = []
    stack = [expr]
    while stack:
        n = stack.pop()
        if not isinstance(
            n,
            ast.StringLit
            | ast.NumberLit
            | ast.BoolLit
            | ast.NullLit
            | ast.DurationLit
            | ast.RegexLit
            | ast.ListLit
            | ast.ListRef,
        ):
            out.append(n)
        if isinstance(n, ast.And | ast.Or | ast.Not):
            stack.extend(reversed(children(n)))
        elif not isinstance(n, ast.Path | ast.Call):
            stack.extend(c for c in reversed(children(n)) if isinstance(c, ast.Path | ast.Call))
    return tuple(out)


# ---------------------------------------------------------------------------- ast helpers


def _load(name: str) -> py.expr:
    return py.Name(id=name, ctx=py.Load())


def _store(name: str) -> py.Name:
    return py.Name(id=name, ctx=py.Store())


def _attr(value: py.expr, attr: str) -> py.expr:
    return py.Attribute(value=value, attr=attr, ctx=py.Load())


def _call(func: py.expr, *args: py.expr) -> py.expr:
    return py.Call(func=func, args=list(args), keywords=[])


def _const(value: Any) -> py.expr:
    assert isinstance(value, _SCALARS)
    return py.Constant(value=value)


def _s() -> py.expr:
    return _load("s")


def _ticket(attr: str) -> py.expr:
    return _attr(_attr(_s(), "ticket"), attr)


def _as_bool(test: py.expr) -> py.expr:
    """``True if test else False``: an exact bool from a truth value."""
    return py.IfExp(test=test, body=_const(True), orelse=_const(False))


def _not(value: py.expr) -> py.expr:
    return py.UnaryOp(op=py.Not(), operand=value)


def _compare(left: py.expr, op: py.cmpop, right: py.expr) -> py.expr:
    return py.Compare(left=left, ops=[op], comparators=[right])


def locate(tree: py.AST, line: int = 1) -> None:
    """Put every node of `tree` at `line`, column 0, as `ast.fix_missing_locations` does for
    a tree built without positions, in one loop instead of its recursive generator walk
    (which was most of the compile step at 10,000 rules). Generated code has no source
    text, so line 1 is all a traceback can say; the file name names the rule (the fused
    stage code gives each rule's block a line of its own: `routing.compiler.fuse`)."""
    stack = [tree]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if node._attributes:  # expressions, statements, arguments, keywords: all four
            node.lineno = node.end_lineno = line  # type: ignore[attr-defined]
            node.col_offset = node.end_col_offset = 0  # type: ignore[attr-defined]
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, py.AST):
                        push(item)
            elif isinstance(value, py.AST):
                push(value)


def _function(name: str, body: list[py.stmt]) -> py.FunctionDef:
    args = py.arguments(
        posonlyargs=[],
        args=[py.arg(arg="s")],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=[],
    )
    return py.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None)


def _ticket_text(s: State) -> str:
    """The ``text`` field, as `_field_expr` computes it."""
    t = s.ticket
    return f"{t.subject}\n{t.body}"


def _field_expr(key: str) -> py.expr:
    """The value of builtin field `key` (names from a fixed table, never from a rule)."""
    if key in _STATE_FIELDS:
        return _attr(_s(), key)
    if key == "text":  # f"{subject}\n{body}"
        return py.JoinedStr(
            values=[
                py.FormattedValue(value=_ticket("subject"), conversion=-1, format_spec=None),
                _const("\n"),
                py.FormattedValue(value=_ticket("body"), conversion=-1, format_spec=None),
            ]
        )
    if key == "channel":
        # the enum member's value without the `value` property's Python call (`_value_`
        # is the attribute it reads)
        return _attr(_ticket("channel"), "_value_")
    if key == "created_at":
        return py.BoolOp(op=py.Or(), values=[_ticket("created_at"), _attr(_s(), "now")])
    if key == "updated_at":
        return py.BoolOp(
            op=py.Or(),
            values=[_ticket("updated_at"), _ticket("created_at"), _attr(_s(), "now")],
        )
    if key in ("id", "subject", "body", "headers", "attachments"):
        return _ticket(key)
    raise AssertionError(key)  # pragma: no cover - the checker knows every field


class _LocalTime:
    """A ticket's timestamp in a fixed zone, computed once per ticket (``hour``, ``weekday``)."""

    __slots__ = ("key", "read", "zone")

    def __init__(self, key: str, read: Fn, zone: zoneinfo.ZoneInfo) -> None:
        self.key = key
        self.read = read
        self.zone = zone

    def __call__(self, s: State) -> datetime:
        cache = s.cache
        v: datetime | None = cache.get(self.key)
        if v is None:
            t = self.read(s)
            try:  # `_as_local`, written out: this runs for every ticket
                v = cache[self.key] = t.astimezone(self.zone)
            except OverflowError:
                raise _no_local_time(t, self.zone) from None
        return v


class _OpenAt:
    """``is_open(calendar)`` at the evaluation's `now`: a whole batch is usually evaluated
    at one `now`, so the last answer is kept (one entry, replaced atomically; the key is
    the exact `now`, tzinfo and fold included, so it never changes an answer)."""

    __slots__ = ("calendar", "last")

    def __init__(self, calendar: Any) -> None:
        self.calendar = calendar
        self.last: tuple[datetime, bool] | None = None

    def __call__(self, now: datetime) -> bool:
        last = self.last
        if last is not None:
            at = last[0]
            if at is now or (at == now and at.tzinfo is now.tzinfo and at.fold == now.fold):
                return last[1]
        try:
            value = bool(self.calendar.is_open(now))
        except CalendarError as exc:
            raise _calendar_failure(exc) from None
        self.last = (now, value)
        return value


def _calendar_failure(exc: CalendarError) -> EvalFailure:
    """A calendar that cannot answer (an instant outside the years it covers) as the
    failure of the condition or action that asked: ``eval/calendar``, not an exception out
    of `evaluate`."""
    return EvalFailure("eval/calendar", str(exc))


def _open_at(calendar: Any) -> Callable[[datetime], bool]:
    """``is_open(calendar, t)``."""
    is_open = calendar.is_open

    def open_at(t: datetime) -> bool:
        try:
            return bool(is_open(t))
        except CalendarError as exc:
            raise _calendar_failure(exc) from None

    return open_at


def _business_seconds(calendar: Any) -> Callable[[datetime, datetime], float]:
    """``business_since(t, calendar)`` at `now`, in seconds."""
    between = calendar.business_time_between

    def business_seconds(t: datetime, now: datetime) -> float:
        try:
            return float(between(t, now).total_seconds())
        except CalendarError as exc:
            raise _calendar_failure(exc) from None

    return business_seconds


def _norm_tag(x: Any) -> Any:
    return x.strip().lower() if isinstance(x, str) else x


def _no_local_time(t: datetime, zone: zoneinfo.ZoneInfo) -> EvalFailure:
    """An instant whose wall-clock time in `zone` falls outside the years 1 to 9999
    (``9999-12-31T23:30:00+00:00`` in Europe/Berlin): a located failure, not Python's
    "OverflowError: date value out of range"."""
    return EvalFailure("eval/type-error", no_local_time(t, zone.key))


def _as_local(t: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """``t.astimezone(zone)``, or the located failure of `_no_local_time`."""
    try:
        return t.astimezone(zone)
    except OverflowError:
        raise _no_local_time(t, zone) from None


def _in_zone(zone: zoneinfo.ZoneInfo) -> Callable[[datetime], datetime]:
    """A value known to be a datetime, in `zone`."""
    return lambda t: _as_local(t, zone)


def _local_in(zone: zoneinfo.ZoneInfo) -> Callable[[Any], datetime]:
    return lambda t: _as_local(rt.to_datetime(t), zone)


def _local_dynamic(zone: zoneinfo.ZoneInfo, t: Any) -> datetime:
    return _as_local(rt.to_datetime(t), zone)


def _pure(node: py.expr) -> bool:
    """Whether `node` reads only the ticket (never changed during an evaluation) through
    attributes, ``x or ''``, ``.lower()``, ``._index()`` and ``.get(<constant>)``: the same
    value every time it is computed, without side effects."""
    if isinstance(node, py.Constant):
        return True
    if isinstance(node, py.Attribute):
        value = node.value
        if isinstance(value, py.Name):
            return value.id == "s" and node.attr == "ticket"
        return _pure(value)
    if isinstance(node, py.BoolOp):
        return isinstance(node.op, py.Or) and all(_pure(v) for v in node.values)
    return _shareable(node)


def _shareable(node: py.expr) -> bool:
    """A call `_Share` computes once: ``<pure>.lower()``, ``<pure>._index()`` or
    ``<pure>.get(<constant>)``."""
    if not isinstance(node, py.Call) or node.keywords or not isinstance(node.func, py.Attribute):
        return False
    method, args = node.func.attr, node.args
    if method in ("lower", "_index"):  # `_index`: a ticket's `Headers` index
        ok = not args
    elif method == "get":
        ok = len(args) == 1 and isinstance(args[0], py.Constant)
    else:
        return False
    return ok and _pure(node.func.value)


def _key(node: py.expr) -> Any:
    """A structural key of a `_pure` expression (equal keys, equal code)."""
    if isinstance(node, py.Constant):
        return (type(node.value), node.value)
    if isinstance(node, py.Name):
        return node.id
    if isinstance(node, py.Attribute):
        return (_key(node.value), node.attr)
    if isinstance(node, py.BoolOp):
        return ("or", *map(_key, node.values))
    assert isinstance(node, py.Call)
    assert isinstance(node.func, py.Attribute)
    return ("call", _key(node.func.value), node.func.attr, *map(_key, node.args))


class _Share:
    """Common calls of one condition computed once: ``(s.ticket.subject or '').lower()``
    three times in ``subject starts with "fwd" or ... "wg:" or ... "tr:"`` becomes one
    ``(_t9 := ...)`` and two reads of ``_t9``. A later occurrence reads the name only where
    the first is sure to have run before it: after an ``and``/``or``'s first operand, inside
    its later operands, after an ``if``-expression's test. Pure calls (`_shareable`) only,
    so nothing else changes (the code is the same, with fewer calls)."""

    def __init__(self, root: py.expr, temp: Callable[[], str]) -> None:
        self._temp = temp
        self._names: dict[Any, str] = {}
        # the calls that occur more than once: only they get a name
        seen: set[Any] = set()
        self._shared: set[Any] = set()
        for node in py.walk(root):
            if isinstance(node, py.Call) and _shareable(node):
                key = _key(node)
                (self._shared if key in seen else seen).add(key)

    def visit(self, node: py.AST, have: frozenset[Any]) -> frozenset[Any]:
        """Rewrite `node`'s children in place; `have`: the calls computed on every path to
        `node`. Returns those computed on every path through it."""
        if isinstance(node, py.BoolOp):
            after_first = have
            for i, operand in enumerate(node.values):
                node.values[i], have = self._child(operand, have)
                if i == 0:
                    after_first = have
            return after_first
        if isinstance(node, py.IfExp):
            node.test, have = self._child(node.test, have)
            node.body, _ = self._child(node.body, have)
            node.orelse, _ = self._child(node.orelse, have)
            return have
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, py.expr):
                        value[i], have = self._child(item, have)
            elif isinstance(value, py.expr):
                changed, have = self._child(value, have)
                setattr(node, field, changed)
        return have

    def _child(self, node: py.expr, have: frozenset[Any]) -> tuple[py.expr, frozenset[Any]]:
        if self._shared and isinstance(node, py.Call) and _shareable(node):
            key = _key(node)
            if key not in self._shared:
                return node, self.visit(node, have)
            name = self._names.get(key)
            if name is not None and key in have:
                return _load(name), have
            have = self.visit(node, have)
            if name is None:
                name = self._names[key] = self._temp()
            return py.NamedExpr(target=_store(name), value=node), have | {key}
        return node, self.visit(node, have)


# ---------------------------------------------------------------------------- the generator


class CodeGen:
    """Compiles the expressions of one checked rule set to Python functions of a `State`.

    `define(name)` gives the (lazy, cached) function of a define. `observe` emits explain's
    recording calls around the nodes of each rule condition that `observed_nodes` lists.
    Call `finish` once every expression is compiled, before evaluating anything.
    """

    def __init__(
        self,
        checked: CheckedRuleset,
        define: Callable[[str], Fn],
        *,
        observe: bool = False,
        listing: bool = False,
        inline: bool = False,
    ) -> None:
        self.checked = checked
        #: with `listing`, the Python text of each generated module by label (for reading
        #: and debugging only: the code itself is compiled from the `ast` nodes)
        self.listing: dict[str, str] | None = {} if listing else None
        self.define = define
        self.observe = observe
        self.node_ids: dict[int, int] = {}
        #: the namespace every generated module runs in: bound values under generated names
        self.ns: dict[str, Any] = {"EvalFailure": EvalFailure}
        #: with `inline`, the code of each compiled function (nothing recorded), by
        #: function: the returned expression when its body is one ``return``, else the body
        #: (an ``and``/``or`` with early returns). The fused stage code
        #: (`routing.compiler.fuse`) inlines it; its names resolve in `ns`
        self.inline: dict[Fn, py.expr | list[py.stmt]] | None = {} if inline else None
        self._bound: dict[int, str] = {}
        self._names = itertools.count()
        self._fails: dict[int, bool] = {}
        self._define_fails: dict[str, bool] = {}
        self._sources: dict[str, TextSource] = {}
        self._regexes: dict[tuple[str, str], Any] = {}
        self._source_regexes: dict[tuple[str, str, str], RegexTest] = {}
        self._readers: dict[str, Any] = {}
        self._locals: dict[str, _LocalTime] = {}
        # the module being generated: its helper functions and the nodes it records
        self._defs: list[py.stmt] = []
        self._recorded: frozenset[int] = frozenset()

    # ------------------------------------------------------------------ entry points

    def node_id(self, node: ast.Expr) -> int:
        """The id explain records node `node`'s value under."""
        return self.node_ids.setdefault(id(node), len(self.node_ids))

    def build(self, node: ast.Expr, label: str = "expression") -> Fn:
        """A function computing `node`'s value (nothing recorded)."""
        return self._compile(node, label, record=False)

    def condition(self, node: ast.Expr, label: str) -> Fn:
        """A rule's condition; with `observe`, it records the nodes explain shows."""
        return self._compile(node, label, record=self.observe)

    def text_source(self) -> TextSource:
        """The source of the ``text`` field, made when no compiled expression reads it
        (the rule index registers its guard words with it: `routing.compiler.index`)."""
        source = self._sources.get("text")
        if source is None:
            halves = (self._field_source("subject"), self._field_source("body"))
            source = self._sources["text"] = TextSource("text", _ticket_text, halves)
        return source

    def _field_source(self, key: str) -> TextSource:
        """The source of the ``subject`` or ``body`` field."""
        source = self._sources.get(key)
        if source is None:
            source = self._sources[key] = TextSource(key, operator.attrgetter(f"ticket.{key}"))
        return source

    def finish(self) -> None:
        """Build the text automata from every needle the compiled expressions use."""
        for source in self._sources.values():
            source.freeze()

    # ------------------------------------------------------------------ modules

    def _name(self, stem: str) -> str:
        return f"_{stem}{next(self._names)}"

    def bind(self, value: Any, stem: str = "k") -> py.expr:
        """A name in the namespace holding `value` (bound once per object)."""
        name = self._bound.get(id(value))
        if name is None:
            name = self._bound[id(value)] = self._name(stem)
            self.ns[name] = value
        return _load(name)

    def _value(self, value: Any) -> py.expr:
        """A scalar as a constant, anything else bound."""
        if isinstance(value, _SCALARS):
            return _const(value)
        return self.bind(value)

    def _compile(self, node: ast.Expr, label: str, *, record: bool) -> Fn:
        saved = self._defs, self._recorded  # compiling a define may start inside another
        self._defs = []
        self._recorded = frozenset(id(n) for n in observed_nodes(node)) if record else frozenset()
        try:
            name = self._name("condition")
            if isinstance(node, ast.And | ast.Or) and self._helper_worthy(node):
                body = self._bool_body(node)
            else:
                value = self.expr(node)
                if not record:
                    _Share(value, self._temp).visit(value, frozenset())
                body = [py.Return(value=value)]
            module = py.Module(body=[*self._defs, _function(name, body)], type_ignores=[])
        finally:
            self._defs, self._recorded = saved
        locate(module)
        if self.listing is not None:
            self.listing[label] = py.unparse(module)
        exec(compile(module, f"<{label}>", "exec"), self.ns)  # noqa: S102 - built from ast nodes
        fn: Fn = self.ns[name]
        if self.inline is not None and not record:
            ret = body[0]
            if len(body) == 1 and isinstance(ret, py.Return) and ret.value is not None:
                self.inline[fn] = ret.value
            else:
                self.inline[fn] = body
        return fn

    def _helper_worthy(self, node: ast.And | ast.Or) -> bool:
        return self.fails(node) and id(node) not in self._recorded

    def _helper(self, stem: str, body: list[py.stmt]) -> py.expr:
        """A call of a new function of `s` with `body`, defined in the current module."""
        name = self._name(stem)
        self._defs.append(_function(name, body))
        return _call(_load(name), _s())

    # ------------------------------------------------------------------ static analysis

    def type_of(self, node: ast.Expr) -> Type | None:
        """The checker's type of `node`."""
        return self.checked.types.get(id(node))

    def _res(self, node: ast.Expr) -> Any:
        return self.checked.paths.get(id(node)) if isinstance(node, ast.Path) else None

    def _is_field(self, node: ast.Expr, keys: frozenset[str]) -> bool:
        res = self._res(node)
        return res is not None and res.kind == "field" and res.key in keys

    def _custom_kind(self, node: ast.Expr) -> Kind | None:
        res = self._res(node)
        if res is None or res.kind != "custom":
            return None
        return self.checked.field_types[res.key].kind

    def text_safe(self, node: ast.Expr) -> bool:
        """Whether `node`'s value, when it has one, is always text or null."""
        if isinstance(node, ast.StringLit | ast.NullLit):
            return True
        if isinstance(node, ast.Call):
            return node.name == "lower"
        res = self._res(node)
        if res is None:
            return False
        if res.kind == "field":
            return res.key in _TEXT_FIELDS
        if res.kind in ("requester", "header"):
            return True
        return res.kind == "custom" and self._custom_kind(node) in (Kind.STRING, Kind.ENUM)

    def _time_safe(self, node: ast.Expr) -> bool:
        """Whether `node`'s value is always a date and time (never null)."""
        if isinstance(node, ast.Call):
            return node.name == "now"
        res = self._res(node)
        return res is not None and (
            res.kind == "now" or (res.kind == "field" and res.key in _TIME_FIELDS)
        )

    def _number(self, node: ast.Expr) -> bool:
        """Whether `node`'s value is always a number (never null, never a bool)."""
        if isinstance(node, ast.NumberLit):
            return not isinstance(node.value, bool)
        if isinstance(node, ast.DurationLit):
            return True
        if isinstance(node, ast.Call):
            return node.name in ("len", "since", "business_since", "hour")
        return self._is_field(node, frozenset({"spam_score"}))

    def _rank_safe(self, node: ast.Expr, ranks: dict[str, int]) -> bool:
        """Whether `node` is always a rank of `ranks`: a literal among them, or `priority`
        (whose working value is one of its enum's values: tickets validate it and actions
        only set checked values)."""
        if isinstance(node, ast.StringLit):
            return node.value in ranks
        return self._is_field(node, frozenset({"priority"})) and set(ranks) == set(PRIORITIES)

    def _const_list(self, node: ast.Expr) -> tuple[Any, ...] | None:
        """The values of a constant list (`$list`, or literal items but null)."""
        if isinstance(node, ast.ListRef):
            return tuple(i.value for i in self.checked.lists[node.name].items)
        if isinstance(node, ast.ListLit) and all(isinstance(i, _LITERALS) for i in node.items):
            return tuple(i.value for i in node.items)  # type: ignore[union-attr]
        return None

    def _members(self, node: ast.Expr) -> frozenset[Any] | None:
        """The members of an ``in`` list known at compile time (null included)."""
        if isinstance(node, ast.ListRef):
            return frozenset(i.value for i in self.checked.lists[node.name].items)
        if isinstance(node, ast.ListLit) and all(
            isinstance(i, _VALUE_LITERALS) for i in node.items
        ):
            return frozenset(
                None if isinstance(i, ast.NullLit) else i.value  # type: ignore[union-attr]
                for i in node.items
            )
        return None

    def _constant_needles(self, node: ast.ContainsTest | ast.MentionsTest) -> list[str] | None:
        """The needles of a text test when they are constant: its one string, or its list."""
        if node.quantifier is not None:
            return self._needle_strings(node.needle)
        if isinstance(node.needle, ast.StringLit):
            return [node.needle.value]
        return None

    def _needle_strings(self, node: ast.Expr) -> list[str] | None:
        """The needles of a constant needle list, as text."""
        if isinstance(node, ast.ListRef):
            return [str(i.value) for i in self.checked.lists[node.name].items]
        if isinstance(node, ast.ListLit) and all(isinstance(i, ast.StringLit) for i in node.items):
            return [i.value for i in node.items if isinstance(i, ast.StringLit)]
        return None

    def _ordered_enum(self, node: ast.Compare) -> Type | None:
        lt, rt_ = self.type_of(node.left), self.type_of(node.right)
        enum_t = next((t for t in (lt, rt_) if t is not None and t.kind is Kind.ENUM), None)
        if enum_t is not None and enum_t.ordered and node.op not in ("==", "!="):
            return enum_t
        return None

    def _is_list_equality(self, node: ast.Compare) -> bool:
        lt, rt_ = self.type_of(node.left), self.type_of(node.right)
        return node.op in ("==", "!=") and Kind.LIST in (
            lt.kind if lt else Kind.ANY,
            rt_.kind if rt_ else Kind.ANY,
        )

    def fails(self, node: ast.Expr) -> bool:
        """Whether evaluating `node` may raise `EvalFailure` (conservative: an unknown
        shape may). Other exceptions are not failures: ``and``/``or`` let them through."""
        known = self._fails.get(id(node))
        if known is None:
            known = self._fails[id(node)] = self._may_fail(node)
        return known

    def _may_fail(self, node: ast.Expr) -> bool:
        f = self.fails
        if isinstance(node, _VALUE_LITERALS | ast.DurationLit | ast.ListRef | ast.RegexLit):
            return False
        if isinstance(node, ast.ListLit):
            return any(f(i) for i in node.items)
        if isinstance(node, ast.Path):
            res = self.checked.paths[id(node)]
            if res.kind == "custom":
                return True
            if res.kind == "define":
                return self._define_may_fail(res.key)
            return False
        if isinstance(node, ast.Not):
            return f(node.operand)
        if isinstance(node, ast.And | ast.Or):
            return any(f(o) for o in node.operands)
        if isinstance(node, ast.Compare):
            enum_t = self._ordered_enum(node)
            if enum_t is not None:
                ranks = {v: i for i, v in enumerate(enum_t.values)}
                return not (
                    self._rank_safe(node.left, ranks) and self._rank_safe(node.right, ranks)
                )
            sides = f(node.left) or f(node.right)
            if node.op in ("==", "!="):
                return sides
            return sides or not (self._number(node.left) and self._number(node.right))
        if isinstance(node, ast.InTest):
            if self._members(node.container) is not None:
                return f(node.value)
            return f(node.value) or f(node.container)
        if isinstance(node, ast.ContainsTest | ast.MentionsTest):
            if f(node.value) or not self.text_safe(node.value):
                return True
            if node.quantifier is None:
                return f(node.needle) or not self.text_safe(node.needle)
            return self._needle_strings(node.needle) is None
        if isinstance(node, ast.StartsWithTest | ast.EndsWithTest):
            other = node.prefix if isinstance(node, ast.StartsWithTest) else node.suffix
            return (
                f(node.value)
                or f(other)
                or not (self.text_safe(node.value) and self.text_safe(other))
            )
        if isinstance(node, ast.MatchesTest):
            return f(node.value) or not self.text_safe(node.value)
        if isinstance(node, ast.HasTest):
            if node.quantifier is None and isinstance(node.item, ast.StringLit | ast.NumberLit):
                return f(node.value)
            if node.quantifier is not None and self._const_list(node.item) is not None:
                return f(node.value)
            return f(node.value) or f(node.item)
        if isinstance(node, ast.EmptyTest):
            return f(node.value)
        if isinstance(node, ast.Call):
            return self._call_may_fail(node)
        return True  # pragma: no cover - every node type is listed above

    def _call_may_fail(self, node: ast.Call) -> bool:
        f, args = self.fails, node.args
        name = node.name
        if name == "now":
            return False
        if name in ("since", "business_since"):
            return f(args[0]) or not self._time_safe(args[0])
        if name == "is_open":
            return len(args) == 2 and (f(args[1]) or not self._time_safe(args[1]))
        if name == "len":
            return f(args[0])
        if name == "lower":
            return f(args[0]) or not self.text_safe(args[0])
        if name in ("hour", "weekday"):
            fixed = isinstance(args[1], ast.StringLit)
            return not fixed or f(args[0]) or not self._time_safe(args[0])
        return True  # pragma: no cover

    def _define_may_fail(self, name: str) -> bool:
        known = self._define_fails.get(name)
        if known is None:
            self._define_fails[name] = True  # defines have no cycles; stay finite anyway
            expr = self.checked.expr(self.checked.defines[name].condition)
            known = self._define_fails[name] = self.fails(expr)
        return known

    # ------------------------------------------------------------------ expressions

    def expr(self, node: ast.Expr, *, cond: bool = False) -> py.expr:
        """Python code computing `node`'s value; with `cond` only its truth is used."""
        if id(node) in self._recorded:
            return self._recording(node)
        return self._expr(node, cond)

    def _recording(self, node: ast.Expr) -> py.expr:
        nid = _const(self.node_id(node))
        value = self._expr(node, False)
        if not self.fails(node):
            return _call(self.bind(rt.record), _s(), nid, value)
        handler = py.ExceptHandler(
            type=_load("EvalFailure"),
            name="failure",
            body=[py.Expr(value=_call(self.bind(rt.record_failure), _s(), nid, _load("failure")))],
        )
        body: list[py.stmt] = [
            py.Try(
                body=[py.Return(value=_call(self.bind(rt.record), _s(), nid, value))],
                handlers=[handler],
                orelse=[],
                finalbody=[],
            )
        ]
        return self._helper("observed", body)

    def _expr(self, node: ast.Expr, cond: bool) -> py.expr:
        if isinstance(node, _LITERALS):
            return self._value(node.value)
        if isinstance(node, ast.NullLit):
            return _const(None)
        if isinstance(node, ast.DurationLit):
            return _const(float(node.seconds))
        if isinstance(node, ast.ListLit):
            const = self._const_list(node)
            if const is not None:
                return self.bind(const)
            return py.Tuple(elts=[self.expr(i) for i in node.items], ctx=py.Load())
        if isinstance(node, ast.ListRef):
            return self.bind(tuple(i.value for i in self.checked.lists[node.name].items))
        if isinstance(node, ast.Path):
            return self._path(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Not):
            return _not(self.expr(node.operand, cond=True))
        if isinstance(node, ast.And | ast.Or):
            return self._bool(node, cond)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.InTest):
            return self._in(node)
        if isinstance(node, ast.ContainsTest):
            return self._contains(node)
        if isinstance(node, ast.MentionsTest):
            return self._mentions(node)
        if isinstance(node, ast.StartsWithTest):
            return self._affix(node.value, node.prefix, "startswith")
        if isinstance(node, ast.EndsWithTest):
            return self._affix(node.value, node.suffix, "endswith")
        if isinstance(node, ast.MatchesTest):
            return self._matches(node)
        if isinstance(node, ast.HasTest):
            return self._has(node)
        if isinstance(node, ast.EmptyTest):
            return self._empty(node)
        raise AssertionError(f"no code for {node!r}")  # pragma: no cover

    def _temp(self) -> str:
        return self._name("t")

    # ------------------------------------------------------------------ paths

    def _path(self, node: ast.Path) -> py.expr:
        res = self.checked.paths[id(node)]
        kind, key = res.kind, res.key
        if kind == "field":
            return _field_expr(key)
        if kind == "requester":
            if key not in _REQUESTER_FIELDS:  # pragma: no cover - the checker resolved it
                raise AssertionError(key)
            return _attr(_ticket("requester"), key)
        if kind == "header":
            # `Headers.get` inlined: the name is folded already, and the folded index is
            # read without a Python call once the ticket's first lookup has built it
            index = py.BoolOp(
                op=py.Or(),
                values=[
                    _attr(_ticket("headers"), "_folded"),
                    _call(_attr(_ticket("headers"), "_index")),
                ],
            )
            return _call(_attr(index, "get"), _const(key))
        if kind == "headers":
            return _ticket("headers")
        if kind == "now":
            return _attr(_s(), "now")
        if kind == "define":
            # a value cached at this `State.version` is read without a call
            call = _call(self.bind(self.define(key), "define"), _s())
            h = self._temp()
            hit = py.BoolOp(
                op=py.And(),
                values=[
                    _compare(
                        py.NamedExpr(
                            target=_store(h),
                            value=_call(
                                _attr(_attr(_s(), "cache"), "get"), _const(define_key(key))
                            ),
                        ),
                        py.IsNot(),
                        _const(None),
                    ),
                    _compare(
                        py.Subscript(value=_load(h), slice=_const(0), ctx=py.Load()),
                        py.Eq(),
                        _attr(_s(), "version"),
                    ),
                    _not(py.Subscript(value=_load(h), slice=_const(2), ctx=py.Load())),
                ],
            )
            value = py.Subscript(value=_load(h), slice=_const(1), ctx=py.Load())
            return py.IfExp(test=hit, body=value, orelse=call)
        if kind == "requester_object":
            return _call(_attr(_ticket("requester"), "model_dump"))
        if kind == "fields_object":
            return _attr(_s(), "fields")
        if kind == "custom":
            return self._custom(key)
        raise AssertionError(kind)  # pragma: no cover

    def _custom(self, name: str) -> py.expr:
        """A custom field's value. The common case, a value of the declared type, is
        tested inline; anything else (missing, null, mistyped) goes to the field's reader,
        which returns it or raises exactly as before."""
        read = _call(self.bind(self._reader(name), "field"), _attr(_s(), "fields"))
        t = self.checked.field_types[name]
        v = self._temp()
        fetched = py.NamedExpr(
            target=_store(v), value=_call(_attr(_attr(_s(), "fields"), "get"), _const(name))
        )
        kind_of = _call(_load("type"), fetched)
        if t.kind is Kind.NUMBER:
            ok: py.expr = _compare(kind_of, py.In(), self.bind(_NUMBER_TYPES))
        elif t.kind is Kind.ENUM:
            ok = py.BoolOp(
                op=py.And(),
                values=[
                    _compare(kind_of, py.Is(), _load("str")),
                    _compare(_load(v), py.In(), self.bind(frozenset(t.values))),
                ],
            )
        elif t.kind is Kind.STRING:
            ok = _compare(kind_of, py.Is(), _load("str"))
        elif t.kind is Kind.BOOL:
            ok = _compare(kind_of, py.Is(), _load("bool"))
        else:
            return read
        return py.IfExp(test=ok, body=_load(v), orelse=read)

    def _reader(self, name: str) -> Any:
        reader = self._readers.get(name)
        if reader is None:
            reader = self._readers[name] = rt.custom_reader(name, self.checked.field_types[name])
        return reader

    def _source(self, node: ast.Expr) -> TextSource | None:
        """The cached ticket text `node` reads, if it reads one."""
        res = self._res(node)
        if res is None:
            return None
        if res.kind == "field" and res.key in _SOURCE_FIELDS:
            key = res.key
        elif res.kind == "requester":
            if res.key not in _REQUESTER_FIELDS:  # pragma: no cover - the checker resolved it
                raise AssertionError(res.key)
            key = f"requester.{res.key}"
        elif res.kind == "header":
            key = f"header:{res.key}"
        else:
            return None
        if key == "text":
            return self.text_source()  # the join of the subject and the body sources
        if key in ("subject", "body"):
            return self._field_source(key)
        source = self._sources.get(key)
        if source is None:
            # a plain attribute is read in C; a header by generated code
            attribute = (
                f"ticket.requester.{res.key}"
                if res.kind == "requester"
                else f"ticket.{res.key}"
                if res.kind == "field"
                else None
            )
            read = (
                operator.attrgetter(attribute)
                if attribute is not None
                else self.build(node, f"text '{key}'")
            )
            source = self._sources[key] = TextSource(key, read)
        return source

    def _fold_of(self, source: TextSource) -> py.expr:
        """``s.cache.get('fold:<source>') or <source>.fold(s)``: the folded text, computed
        once per ticket (a cache hit costs no Python call; "" is recomputed, cheaply)."""
        cached = _call(_attr(_attr(_s(), "cache"), "get"), _const(source.fold_key))
        return py.BoolOp(op=py.Or(), values=[cached, _call(self.bind(source.fold), _s())])

    def _on_source(self, node: ast.Expr, test: py.expr) -> py.expr:
        """`test` (on a cached text), after recording the text's value when explain wants it."""
        if id(node) in self._recorded:
            return _call(self.bind(rt.last), self.expr(node), test)
        return test

    def _text(self, node: ast.Expr) -> py.expr:
        """`node`'s value read as text (null is "")."""
        if isinstance(node, ast.StringLit):
            return _const(node.value)
        value = self.expr(node)
        if isinstance(node, ast.Call) and node.name == "lower":
            return value  # always text
        if self.text_safe(node):
            return py.BoolOp(op=py.Or(), values=[value, _const("")])
        return _call(self.bind(rt.text_value), value)

    # ------------------------------------------------------------------ boolean structure

    def _bool(self, node: ast.And | ast.Or, cond: bool) -> py.expr:
        if self.fails(node):
            return self._helper("and" if isinstance(node, ast.And) else "or", self._bool_body(node))
        op: py.boolop = py.And() if isinstance(node, ast.And) else py.Or()
        test = py.BoolOp(op=op, values=[self.expr(o, cond=True) for o in node.operands])
        return test if cond else _as_bool(test)

    def _bool_body(self, node: ast.And | ast.Or) -> list[py.stmt]:
        """The statements of a function computing an ``and``/``or`` with failing operands.

        ``and``: the first false operand returns False; an operand's `EvalFailure` is kept
        (the first one) and raised at the end unless some operand was false. ``or`` is the
        same with true. Operands that cannot fail are tested without a ``try``.
        """
        is_and = isinstance(node, ast.And)
        decided = _const(not is_and)  # what a deciding operand returns

        def decides(test: py.expr) -> py.stmt:
            return py.If(
                test=_not(test) if is_and else test,
                body=[py.Return(value=decided)],
                orelse=[],
            )

        body: list[py.stmt] = []
        pending: list[py.expr] = []  # consecutive operands that cannot fail: one test
        failing_seen = False

        def flush() -> None:
            if pending:
                op: py.boolop = py.And() if is_and else py.Or()
                test = pending[0] if len(pending) == 1 else py.BoolOp(op=op, values=list(pending))
                body.append(decides(test))
                pending.clear()

        operands = node.operands
        for pos, operand in enumerate(operands):
            test = self.expr(operand, cond=True)
            if not self.fails(operand):
                pending.append(test)
                continue
            flush()
            if pos == len(operands) - 1 and not failing_seen:
                # nothing was absorbed before: its failure is the answer, as is its truth
                body.append(py.Return(value=_as_bool(test)))
                return body
            if not failing_seen:
                body.insert(0, py.Assign(targets=[_store("error")], value=_const(None)))
            keep: list[py.stmt] = [py.Assign(targets=[_store("error")], value=_load("failure"))]
            if failing_seen:
                keep = [
                    py.If(
                        test=_compare(_load("error"), py.Is(), _const(None)),
                        body=keep,
                        orelse=[],
                    )
                ]
            body.append(
                py.Try(
                    body=[decides(test)],
                    handlers=[
                        py.ExceptHandler(type=_load("EvalFailure"), name="failure", body=keep)
                    ],
                    orelse=[],
                    finalbody=[],
                )
            )
            failing_seen = True
        flush()
        body.append(
            py.If(
                test=_compare(_load("error"), py.IsNot(), _const(None)),
                body=[py.Raise(exc=_load("error"), cause=None)],
                orelse=[],
            )
        )
        body.append(py.Return(value=_const(is_and)))
        return body

    # ------------------------------------------------------------------ comparisons

    def _compare(self, node: ast.Compare) -> py.expr:
        symbol = node.op
        enum_t = self._ordered_enum(node)
        if enum_t is not None:
            ranks = {v: i for i, v in enumerate(enum_t.values)}
            if self._rank_safe(node.left, ranks) and self._rank_safe(node.right, ranks):
                table = self.bind(ranks)
                sides = [
                    _const(ranks[n.value])
                    if isinstance(n, ast.StringLit)
                    else py.Subscript(value=table, slice=self.expr(n), ctx=py.Load())
                    for n in (node.left, node.right)
                ]
                return _compare(sides[0], _PY_OPS[symbol](), sides[1])
            test = rt.ranked(_OPS[symbol], ranks, enum_t.name)
            return _call(self.bind(test), self.expr(node.left), self.expr(node.right))
        left, right = self._sides(node)
        if self._is_list_equality(node):
            test = rt.list_equality(
                self._is_tags(node.left) or self._is_tags(node.right), symbol == "=="
            )
            return _call(self.bind(test), left, right)
        if symbol in ("==", "!="):
            return _compare(left, _PY_OPS[symbol](), right)
        if self._number(node.left) and self._number(node.right):
            return _compare(left, _PY_OPS[symbol](), right)
        if (
            self._custom_kind(node.left) is Kind.NUMBER
            and self._number(node.right)
            and isinstance(node.right, ast.NumberLit | ast.DurationLit)
        ):
            # fields.mrr >= 1000: the reader gives a number or null; only null can fail
            t = self._temp()
            return py.IfExp(
                test=_compare(py.NamedExpr(target=_store(t), value=left), py.IsNot(), _const(None)),
                body=_compare(_load(t), _PY_OPS[symbol](), right),
                orelse=_call(self.bind(rt.null_order(symbol))),
            )
        return _call(self.bind(rt.ordered(_OPS[symbol], symbol)), left, right)

    def _sides(self, node: ast.Compare) -> tuple[py.expr, py.expr]:
        """The two sides of a comparison. A text literal compared with a datetime is read
        as one (the right side first); a right literal that does not read as a datetime
        stays text in ``==``/``!=`` and is null in the rest, as it always was."""
        lt, rt_ = self.type_of(node.left), self.type_of(node.right)
        if lt is not None and lt.kind is Kind.DATETIME and isinstance(node.right, ast.StringLit):
            when = parse_datetime_literal(node.right.value)
            if when is None and node.op in ("==", "!=") and not self._is_list_equality(node):
                return self.expr(node.left), _const(node.right.value)
            return self.expr(node.left), self._value(when)
        if rt_ is not None and rt_.kind is Kind.DATETIME and isinstance(node.left, ast.StringLit):
            return self._value(parse_datetime_literal(node.left.value)), self.expr(node.right)
        return self.expr(node.left), self.expr(node.right)

    def _is_tags(self, node: ast.Expr) -> bool:
        return self._is_field(node, frozenset({"tags"}))

    def _in(self, node: ast.InTest) -> py.expr:
        value = self.expr(node.value)
        members = self._members(node.container)
        op: py.cmpop = py.NotIn() if node.negated else py.In()
        if members is not None:
            return _compare(value, op, self.bind(members))
        return _compare(value, op, self._collection(node.container))

    # ------------------------------------------------------------------ text tests

    def _contains(self, node: ast.ContainsTest) -> py.expr:
        source = self._source(node.value)
        strings = self._constant_needles(node)
        if source is not None and strings is not None:
            folded = [x.casefold() for x in strings]
            if node.quantifier is None:
                test = _compare(_const(folded[0]), py.In(), self._fold_of(source))
            elif node.quantifier == "any" and "" in folded:
                test = _const(True)  # "" is in every text
            elif not [x for x in folded if x] and node.quantifier == "all":
                test = _const(True)
            else:
                needles = frozenset(x for x in folded if x)
                source.add_contains(needles)
                method = source.contains_any if node.quantifier == "any" else source.contains_all
                test = self._scanned(
                    source.contained_key,
                    _call(self.bind(method), _s(), self.bind(needles)),
                    lambda found: (
                        _not(_call(_attr(self.bind(needles), "isdisjoint"), found))
                        if node.quantifier == "any"
                        else _compare(self.bind(needles), py.LtE(), found)
                    ),
                )
            return self._on_source(node.value, test)
        hay = self._folded(node.value, source)
        casefold = self.bind(str.casefold)
        if node.quantifier is None:
            needle = (
                _const(node.needle.value.casefold())
                if isinstance(node.needle, ast.StringLit)
                else _call(casefold, _call(self.bind(rt.text_value), self.expr(node.needle)))
            )
            return _compare(needle, py.In(), hay)
        quantified = rt.any_in if node.quantifier == "any" else rt.all_in
        return _call(self.bind(quantified), self._needles(node.needle, str.casefold), hay)

    def _scanned(self, key: str, call: py.expr, on_found: Callable[[py.expr], py.expr]) -> py.expr:
        """``<on_found(found)> if the scan's result is in the cache else <call>``."""
        t = self._temp()
        cached = py.NamedExpr(
            target=_store(t), value=_call(_attr(_attr(_s(), "cache"), "get"), _const(key))
        )
        return py.IfExp(
            test=_compare(cached, py.IsNot(), _const(None)), body=on_found(_load(t)), orelse=call
        )

    def _folded(self, node: ast.Expr, source: TextSource | None) -> py.expr:
        if source is not None:
            return self._on_source(node, self._fold_of(source))
        return _call(_attr(_call(self.bind(rt.text_value), self.expr(node)), "casefold"))

    def _needles(self, node: ast.Expr, fold: Callable[[str], str]) -> py.expr:
        strings = self._needle_strings(node)
        if strings is not None:
            return self.bind(tuple(fold(x) for x in strings))
        return _call(self.bind(rt.fold_needles(fold)), self.expr(node))

    def _mentions(self, node: ast.MentionsTest) -> py.expr:
        source = self._source(node.value)
        fold = rt.fold_mention
        strings = self._constant_needles(node)
        if source is not None and strings is not None:
            folded = [fold(x) for x in strings]
            if node.quantifier is None:
                if folded[0]:
                    source.add_mentions(folded)
                    test = _call(self.bind(source.mentions_one), _s(), _const(folded[0]))
                else:
                    test = _const(False)  # an empty needle is never mentioned
            elif node.quantifier == "any":
                needles = frozenset(x for x in folded if x)
                if needles:
                    source.add_mentions(needles)
                    call = _call(self.bind(source.mentions_any), _s(), self.bind(needles))
                    # no needle present (the usual answer): false without a call
                    test = self._scanned(
                        source.mentioned_key,
                        call,
                        lambda found: py.BoolOp(
                            op=py.And(),
                            values=[
                                _not(_call(_attr(self.bind(needles), "isdisjoint"), found)),
                                call,
                            ],
                        ),
                    )
                else:
                    test = _const(False)
            elif "" in folded:
                test = _const(False)
            elif not folded:
                test = _const(True)  # mentions all of []
            else:
                needles = frozenset(folded)
                source.add_mentions(needles)
                test = _call(self.bind(source.mentions_all), _s(), self.bind(needles))
            return self._on_source(node.value, test)
        if source is not None:
            hay = self._on_source(node.value, _call(self.bind(source.exact_words), _s()))
        else:
            hay = _call(
                self.bind(rt.words_of), _call(self.bind(rt.text_value), self.expr(node.value))
            )
        if node.quantifier is None:
            needle = (
                _const(fold(node.needle.value))
                if isinstance(node.needle, ast.StringLit)
                else _call(self.bind(fold), _call(self.bind(rt.text_value), self.expr(node.needle)))
            )
            return _call(self.bind(rt.mentions), hay, needle)
        quantified = rt.mentions_any if node.quantifier == "any" else rt.mentions_all
        return _call(self.bind(quantified), hay, self._needles(node.needle, fold))

    def _affix(self, value: ast.Expr, other: ast.Expr, method: str) -> py.expr:
        return _call(_attr(self._text(value), method), self._text(other))

    def _matches(self, node: ast.MatchesTest) -> py.expr:
        pattern, flags = node.regex.pattern, node.regex.flags
        compiled = self._regexes.get((pattern, flags))
        if compiled is None:
            compiled = compile_regex(pattern, flags)
            assert not isinstance(compiled, RegexProblem), "the checker refuses bad patterns"
            self._regexes[pattern, flags] = compiled
        source = self._source(node.value)
        if source is not None:
            key = (pattern, flags, source.key)
            test = self._source_regexes.get(key)
            if test is None:
                literals = required_literals(pattern, flags)
                span = whole_span(pattern, flags)
                test = self._source_regexes[key] = RegexTest(compiled, literals, source, span)
            if test.span is not None:  # decided without RE2 on an ASCII text
                return self._on_source(node.value, self._whole(node.value, test))
            return self._on_source(node.value, self._prefiltered(test))
        return _call(self.bind(regex_test(compiled)), self._text(node.value))

    def _whole(self, value: ast.Expr, test: RegexTest) -> py.expr:
        """A `RegexTest` with a `span`, decided inline on an ASCII text: ``(<low> <= len(t)
        [<= <high>] and not t.strip(<chars>)) if (t := <text>).isascii() else <RE2>`` (the
        length is in range and `str.strip` by the class's characters leaves nothing, which
        is what the pattern matches, `texts.whole_span`)."""
        low, high, chars = test.span  # type: ignore[misc]
        t = self._temp()
        text = py.NamedExpr(target=_store(t), value=self._text(value))
        length = _call(_load("len"), _load(t))
        ops: list[py.cmpop] = [py.LtE()]
        bounds: list[py.expr] = [length]
        if high != math.inf:
            ops.append(py.LtE())
            bounds.append(_const(int(high)))
        in_range = py.Compare(left=_const(low), ops=ops, comparators=bounds)
        of_class = _not(_call(_attr(_load(t), "strip"), _const(chars)))
        return py.IfExp(
            test=_call(_attr(text, "isascii")),
            body=py.BoolOp(op=py.And(), values=[in_range, of_class]),
            orelse=_call(self.bind(test.matched), _s()),
        )

    def _prefiltered(self, test: RegexTest) -> py.expr:
        """``test.matched(s) if <a required literal is in the folded text> else <False, or
        the failure of a text RE2 cannot take>``, the prefilter inlined."""
        matched = _call(self.bind(test.matched), _s())
        if test.literals is None:
            return matched
        t = self._temp()
        folded: py.expr = py.NamedExpr(target=_store(t), value=self._fold_of(test.source))
        probes: list[py.expr] = []
        for literal in test.literals:
            probes.append(_compare(_const(literal), py.In(), folded))
            folded = _load(t)
        present = probes[0] if len(probes) == 1 else py.BoolOp(op=py.Or(), values=probes)
        ascii_ = _call(_attr(_load(t), "isascii"))
        rejected = py.IfExp(
            test=ascii_, body=_const(False), orelse=_call(self.bind(test.rejected), _s())
        )
        return py.IfExp(test=present, body=matched, orelse=rejected)

    # ------------------------------------------------------------------ other tests

    def _collection(self, node: ast.Expr) -> py.expr:
        if self._is_tags(node):
            return self.expr(node)  # `s.tags`: a set, never null (recorded for explain)
        t = self._temp()
        return py.IfExp(
            test=_compare(
                py.NamedExpr(target=_store(t), value=self.expr(node)), py.Is(), _const(None)
            ),
            body=py.Tuple(elts=[], ctx=py.Load()),
            orelse=_load(t),
        )

    def _has(self, node: ast.HasTest) -> py.expr:
        res = self._res(node.value)
        tag_like = res is not None and res.key == "tags"  # `fields.tags` too, as always
        norm: Callable[[Any], Any] = _norm_tag if tag_like else (lambda x: x)
        if node.quantifier is None:
            if isinstance(node.item, ast.StringLit | ast.NumberLit):
                item = self._value(norm(node.item.value))
            else:
                item = self.expr(node.item)
                if tag_like:
                    item = _call(self.bind(_norm_tag), item)
            return _compare(item, py.In(), self._collection(node.value))
        const = self._const_list(node.item)
        if const is not None:
            wanted = self.bind(frozenset(norm(x) for x in const))
            have = self._collection(node.value)
            if node.quantifier == "any":
                return _not(_call(_attr(wanted, "isdisjoint"), have))
            if node.quantifier == "all":
                return _call(_attr(wanted, "issubset"), have)
            return _call(_attr(wanted, "isdisjoint"), have)
        test = rt.has_dynamic(node.quantifier, norm)
        return _call(self.bind(test), self.expr(node.value), self.expr(node.item))

    def _empty(self, node: ast.EmptyTest) -> py.expr:
        value = self.expr(node.value)
        kind = self._custom_kind(node.value)
        plain = (
            self.text_safe(node.value)
            or kind is Kind.LIST
            or self._is_field(node.value, frozenset({"tags", "attachments", "headers"}))
        )
        # text, lists, sets and mappings are empty exactly when falsy (null too)
        if plain and node.negated:
            return _as_bool(value)  # not empty: a truth value made exact
        empty = _not(value) if plain else _call(self.bind(rt.is_empty), value)
        return _not(empty) if node.negated else empty

    # ------------------------------------------------------------------ functions

    def _time(self, node: ast.Expr) -> py.expr:
        value = self.expr(node)
        if self._time_safe(node):
            return value
        return _call(self.bind(rt.to_datetime), value)

    def _call(self, node: ast.Call) -> py.expr:
        name, args = node.name, node.args
        now = _attr(_s(), "now")
        if name == "now":
            return now
        if name == "since":
            elapsed = py.BinOp(left=now, op=py.Sub(), right=self._time(args[0]))
            return _call(_attr(elapsed, "total_seconds"))
        if name == "business_since":
            seconds = self.bind(_business_seconds(self._calendar(args[1])), "calendar")
            return _call(seconds, self._time(args[0]), now)
        if name == "is_open":
            calendar = self._calendar(args[0])
            if len(args) == 1:
                return _call(self.bind(_OpenAt(calendar)), now)
            return _call(self.bind(_open_at(calendar), "calendar"), self._time(args[1]))
        if name == "len":
            if self.text_safe(args[0]):
                return _call(_load("len"), self._text(args[0]))
            t = self._temp()
            return py.IfExp(
                test=_compare(
                    py.NamedExpr(target=_store(t), value=self.expr(args[0])), py.Is(), _const(None)
                ),
                body=_const(0),
                orelse=_call(_load("len"), _load(t)),
            )
        if name == "lower":
            return _call(_attr(self._text(args[0]), "lower"))
        if name in ("hour", "weekday"):
            local = self._local(args[0], args[1])
            if name == "hour":
                return _attr(local, "hour")
            weekday = _call(_attr(local, "weekday"))
            return py.Subscript(value=self.bind(WEEKDAYS), slice=weekday, ctx=py.Load())
        raise AssertionError(name)  # pragma: no cover

    def _local(self, at: ast.Expr, zone_node: ast.Expr) -> py.expr:
        """`at` in the zone `zone_node` names (the zone is read first, as always)."""
        if isinstance(zone_node, ast.StringLit):
            zone = zoneinfo.ZoneInfo(zone_node.value)
            res = self._res(at)
            if res is not None and id(at) not in self._recorded and self._time_safe(at):
                key = f"local:{res.kind}:{res.key}:{zone_node.value}"
                local = self._locals.get(key)
                if local is None:
                    local = self._locals[key] = _LocalTime(key, self.build(at, "time"), zone)
                cached = _call(_attr(_attr(_s(), "cache"), "get"), _const(key))
                return py.BoolOp(op=py.Or(), values=[cached, _call(self.bind(local), _s())])
            if self._time_safe(at):
                return _call(self.bind(_in_zone(zone)), self.expr(at))
            return _call(self.bind(_local_in(zone)), self.expr(at))
        t = self._temp()
        zone_value = py.NamedExpr(
            target=_store(t), value=_call(self.bind(rt.to_zone), self.expr(zone_node))
        )
        # a tuple evaluates left to right: the zone first, then the time
        pair = py.Tuple(
            elts=[zone_value, _call(self.bind(_local_dynamic), _load(t), self.expr(at))],
            ctx=py.Load(),
        )
        return py.Subscript(value=pair, slice=_const(1), ctx=py.Load())

    def _calendar(self, node: ast.Expr) -> Any:
        assert isinstance(node, ast.StringLit)
        return self.checked.calendars[node.value]

"""The fast loop of one event fused into one generated function (docs/decisions/0018).

For a rule set of at most `FUSE_LIMIT` rules, the engine's per-event plan
(`routing.engine.pipeline`, decision 0017) becomes one Python function ``f(s, fired,
errors)`` built from `ast` nodes, like the conditions (`routing.compiler.codegen`, decision
0013), and compiled in the same namespace. Per stage it holds, in order:

- the candidate set: the stage's unguarded rules, OR the masks of the index's lookups (each
  lookup's read inlined), OR the masks of the tags the ticket has, OR the stage's part of
  `RuleIndex.fixed` (computed once, inlined, at the first stage that needs it: its lookups
  and the masks of the guard words the ``text`` scan found), AND the rules listening to
  the event;
- one block per listening rule: ``if todo & BIT:`` (left out where the bit is always set),
  its condition inlined as an expression (or a call of its function when its body is not
  one ``return``) inside a ``try`` that turns an `EvalFailure` or a Python type error into
  the rule's `DecisionError` exactly as the loop does, then its actions inlined where they
  are simple (a closure call for ``assign``; ``s.version`` bumped only for a write some
  define reads, docs/decisions/0027-define-reads.md), ``fired.append``, and ``stop``/``first``:
  ``break`` out of the stage's ``while True:`` ends it, a ``stopped`` flag skips the later
  stages;
- the spam threshold where the loop applies it.

What never changes during an evaluation (``s.ticket``, ``s.now``, the ``s.cache``,
``s.tags`` and ``s.fields`` objects) is read once into locals; every value an action may
change (``s.queue``, ``s.spam``...) is read where it is used, as before. Constants are
bound in the namespace under generated names, names of rules are `ast.Constant` values:
nothing from a rule file becomes code. The module's file name is ``<stages on 'EVENT'>``
and each rule's block sits at line N for the Nth rule of the rule set, so a traceback
names the rule.

The general walk (`_run_general`) stays the reference: tests/engine/test_fused.py compares
the two on random rule sets and tickets for every event.
"""

from __future__ import annotations

import ast as py
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from routing.compiler.actions import Applier, Spec
from routing.compiler.codegen import (  # the code generator, and its ast helpers
    CodeGen,
    _attr,
    _load,
    _store,
    locate,
)
from routing.compiler.index import RuleIndex
from routing.compiler.predicates import Fn
from routing.compiler.state import EvalFailure, State
from routing.dsl._gc import gc_paused
from routing.model.decision import DecisionError
from routing.model.schema import PRIORITIES

__all__ = ["FUSE_LIMIT", "TYPE_ERRORS", "FusedRule", "FusedStage", "Fuser"]

#: the most rules a rule set may have for its plans to be fused (a larger one keeps the
#: loop over bit sets: one ``if`` per listening rule costs more than the bit walk). Measured
#: (evaluate, fused vs walk, 2026-11-24): the example's 53 rules 49.9 vs 56.2 µs, the rules
#: workload's 30 rules 18.9 vs 18.6, its 100 rules 19.4 vs 16.9 (docs/decisions/0018).
FUSE_LIMIT = 64

#: the Python exceptions a condition may raise that become the rule's `eval/type-error`
TYPE_ERRORS = (TypeError, ValueError, AttributeError, OverflowError)

_RANK = {p: i for i, p in enumerate(PRIORITIES)}

#: ``s.<attribute>`` that never changes during an evaluation -> the local it is read into
_FIXED_ATTRIBUTES = {
    "ticket": "f_ticket",
    "now": "f_now",
    "cache": "f_cache",
    "tags": "f_tags",
    "fields": "f_fields",
}

#: up to this many tags with masks are tested one by one (``if "vip" in tags``); beyond,
#: the ticket's tags are looked up in the table
_TAG_TESTS = 8


def _failed(errors: list[DecisionError], exc: EvalFailure, rule: str) -> bool:
    errors.append(DecisionError(exc.code, exc.message, rule))
    return False


def _type_failed(errors: list[DecisionError], exc: Exception, rule: str) -> bool:
    message = f"{type(exc).__name__}: {exc}"[:300]
    errors.append(DecisionError("eval/type-error", message, rule))
    return False


@dataclass(frozen=True, slots=True)
class FusedRule:
    """A listening rule of a stage: its bit, name, condition, actions and their specs."""

    bit: int
    line: int  # the rule's place in the rule set, from 1 (the line of its block)
    name: str
    condition: Fn
    actions: tuple[Applier, ...]
    specs: tuple[Spec | None, ...]
    stop: bool


@dataclass(frozen=True, slots=True)
class FusedStage:
    """A stage of a plan as the fused code needs it (see `routing.engine.pipeline._Stage`)."""

    base: int
    lookups: tuple[tuple[Fn, dict[Any, int], int], ...]
    tags: dict[str, int]
    fixed: bool
    offset: int
    listening: int
    first: bool
    spam: bool
    rules: tuple[FusedRule, ...]


def _s_attr(attr: str, ctx: py.expr_context | None = None) -> py.Attribute:
    return py.Attribute(value=_load("s"), attr=attr, ctx=ctx or py.Load())


def _call(func: py.expr, *args: py.expr) -> py.expr:
    return py.Call(func=func, args=list(args), keywords=[])


def _const(value: Any) -> py.expr:
    return py.Constant(value=value)


def _assign(target: py.expr, value: py.expr) -> py.stmt:
    return py.Assign(targets=[target], value=value)


def _ior(name: str, value: py.expr) -> py.stmt:
    return py.AugAssign(target=_store(name), op=py.BitOr(), value=value)


def _expr_stmt(value: py.expr) -> py.stmt:
    return py.Expr(value=value)


def _if(test: py.expr, body: list[py.stmt]) -> py.stmt:
    return py.If(test=test, body=body, orelse=[])


def _compare(left: py.expr, op: py.cmpop, right: py.expr) -> py.expr:
    return py.Compare(left=left, ops=[op], comparators=[right])


class _Localize(py.NodeTransformer):
    """``s.ticket`` -> ``f_ticket`` and the like (`_FIXED_ATTRIBUTES`), in place."""

    def visit_Attribute(self, node: py.Attribute) -> py.AST:
        value = node.value
        if (
            isinstance(value, py.Name)
            and value.id == "s"
            and isinstance(node.ctx, py.Load)
            and node.attr in _FIXED_ATTRIBUTES
        ):
            return _load(_FIXED_ATTRIBUTES[node.attr])
        self.generic_visit(node)
        return node


class Fuser:
    """Builds the fused function of a plan, in the namespace of the conditions' code."""

    def __init__(
        self,
        builder: CodeGen,
        threshold: float,
        index: RuleIndex,
        reads: frozenset[str] | None = None,
    ) -> None:
        assert builder.inline is not None, "the conditions were compiled without `inline`"
        self._builder = builder
        #: what the defines read that actions may write (`compiler.define_reads`; None:
        #: anything): only such a write bumps `State.version`
        self._reads = reads
        self._inline: dict[Fn, py.expr | list[py.stmt]] = builder.inline
        self._threshold = threshold
        self._index = index
        # the inlined expressions are rewritten in place (`_Localize`), once: threads that
        # build plans at the same time take turns
        self._localized: set[int] = set()
        self._lock = threading.Lock()

    def _bind(self, value: Any) -> py.expr:
        return self._builder.bind(value, "fz")

    def _value(self, value: Any) -> py.expr:
        if isinstance(value, str | int | float | bool | type(None)):
            return _const(value)
        return self._bind(value)

    def _inlined(self, fn: Fn) -> py.expr:
        """``fn(s)``'s value: its returned expression inlined, else a call."""
        expr = self._inline.get(fn)
        if not isinstance(expr, py.expr):
            return _call(self._bind(fn), _load("s"))
        if id(expr) not in self._localized:
            # the function's own code is compiled already: its nodes are free to rewrite
            expr = _Localize().visit(expr)
            self._inline[fn] = expr
            self._localized.add(id(expr))
        return expr

    def _condition(self, fn: Fn) -> list[py.stmt]:
        """Statements that set ``f_hit`` to ``fn(s)`` (or raise what it raises): its
        expression inlined, or its body with early returns inside ``while True:`` where
        ``return V`` is ``f_hit = V; break`` (a loop that costs no instruction to enter),
        or a call."""
        body = self._inline.get(fn)
        if not isinstance(body, list) or not isinstance(body[-1], py.Return | py.Raise):
            return [_assign(_store("f_hit"), self._inlined(fn))]
        if id(body) not in self._localized:
            localize = _Localize()
            body[:] = [localize.visit(stmt) for stmt in body]
            _breaking(body)
            self._localized.add(id(body))
        return [py.While(test=_const(True), body=body, orelse=[])]

    def function(
        self, event: str, stages: Sequence[FusedStage], spam_after: bool
    ) -> Callable[[State, list[str], list[DecisionError]], None]:
        """The fused function ``f(s, fired, errors)`` of the plan with `stages` for `event`:
        it runs every stage on `s`, appending to `fired` and `errors` as the loop does."""
        # the cyclic collector would walk the whole rule set's heap for the few thousand
        # nodes built here, several times (most of the build's time): it waits
        with self._lock, gc_paused():
            return self._function(event, stages, spam_after)

    def _function(
        self, event: str, stages: Sequence[FusedStage], spam_after: bool
    ) -> Callable[[State, list[str], list[DecisionError]], None]:
        fixed_read = False
        can_stop = any(r.stop for st in stages for r in st.rules)
        # line 1 but for the rules' blocks (`_rules` places them at their rules' lines)
        body: list[py.stmt] = [
            _assign(_store(local), _s_attr(attr)) for attr, local in _FIXED_ATTRIBUTES.items()
        ]
        if can_stop:
            body.append(_assign(_store("f_stopped"), _const(False)))
        for stmt in body:
            locate(stmt)
        for no, st in enumerate(stages):
            block: list[py.stmt] = []
            if st.listening:
                block += self._candidates(st, fixed_read)
                for stmt in block:
                    locate(stmt)
                fixed_read = fixed_read or st.fixed
                block += self._rules(st)
            if block:
                if can_stop and no:
                    test = py.UnaryOp(op=py.Not(), operand=_load("f_stopped"))
                    locate(test)
                    wrapper = py.If(test=test, body=block, orelse=[])
                    wrapper.lineno = wrapper.end_lineno = 1
                    wrapper.col_offset = wrapper.end_col_offset = 0
                    body.append(wrapper)
                else:
                    body += block
            if st.spam:
                body.append(self._spam())
                locate(body[-1])
        if spam_after:
            body.append(self._spam())
            locate(body[-1])
        name = f"_fz_{len(self._builder.ns)}"
        args = py.arguments(
            posonlyargs=[],
            args=[py.arg(arg="s"), py.arg(arg="fired"), py.arg(arg="errors")],
            vararg=None,
            kwonlyargs=[],
            kw_defaults=[],
            kwarg=None,
            defaults=[],
        )
        fn = py.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None)
        module = py.Module(body=[fn], type_ignores=[])
        locate(args)
        fn.lineno = fn.end_lineno = 1
        fn.col_offset = fn.end_col_offset = 0
        space: dict[str, Any] = self._builder.ns
        space.setdefault("EvalFailure", EvalFailure)
        space["_fz_failed"], space["_fz_type_failed"] = _failed, _type_failed
        space["_fz_type_errors"] = TYPE_ERRORS
        code = compile(module, f"<stages on {event!r}>", "exec")
        local_ns: dict[str, Any] = {}
        exec(code, space, local_ns)  # noqa: S102 - built from ast nodes
        result: Callable[[State, list[str], list[DecisionError]], None] = local_ns[name]
        return result

    # ------------------------------------------------------------------ parts

    def _spam(self) -> py.stmt:
        # s.spam = s.spam or s.spam_score >= THRESHOLD
        over = _compare(_s_attr("spam_score"), py.GtE(), self._value(self._threshold))
        return _assign(
            _s_attr("spam", py.Store()), py.BoolOp(op=py.Or(), values=[_s_attr("spam"), over])
        )

    def _candidates(self, st: FusedStage, fixed_read: bool) -> list[py.stmt]:
        out: list[py.stmt] = [_assign(_store("f_todo"), _const(st.base))]
        for get, table, every in st.lookups:
            # try: todo |= TABLE.get(<read>, 0)  except EvalFailure: todo |= EVERY
            found = _call(_attr(self._bind(table), "get"), self._inlined(get), _const(0))
            out.append(
                py.Try(
                    body=[_ior("f_todo", found)],
                    handlers=[
                        py.ExceptHandler(
                            type=_load("EvalFailure"),
                            name=None,
                            body=[_ior("f_todo", _const(every))],
                        )
                    ],
                    orelse=[],
                    finalbody=[],
                )
            )
        if st.tags:
            if len(st.tags) <= _TAG_TESTS:
                for tag, mask in st.tags.items():
                    test = _compare(_const(tag), py.In(), _load("f_tags"))
                    out.append(_if(test, [_ior("f_todo", _const(mask))]))
            else:
                lookup = _call(_attr(self._bind(st.tags), "get"), _load("f_tag"), _const(0))
                out.append(
                    py.For(
                        target=_store("f_tag"),
                        iter=_load("f_tags"),
                        body=[_ior("f_todo", lookup)],
                        orelse=[],
                    )
                )
        if st.fixed:
            if not fixed_read:  # the first stage that needs it: every later one reads it
                out += self._fixed()
            shifted = py.BinOp(left=_load("f_fixed"), op=py.RShift(), right=_const(st.offset))
            out.append(_ior("f_todo", shifted))
        out.append(
            py.AugAssign(target=_store("f_todo"), op=py.BitAnd(), value=_const(st.listening))
        )
        return out

    def _fixed(self) -> list[py.stmt]:
        """``f_fixed = RuleIndex.fixed(s)``, inlined: each lookup's read and table, then the
        masks of the guard words the ``text`` source's scan found (a call of `fixed` when
        its words have a scanner of their own)."""
        index = self._index
        if index.text is None:
            return [_assign(_store("f_fixed"), _call(self._bind(index.fixed), _load("s")))]
        out = [_assign(_store("f_fixed"), _const(0))]
        for get, table, every in index.lookups:  # as `_candidates` does for a stage's
            found = _call(_attr(self._bind(table), "get"), self._inlined(get), _const(0))
            out.append(
                py.Try(
                    body=[_ior("f_fixed", found)],
                    handlers=[
                        py.ExceptHandler(
                            type=_load("EvalFailure"),
                            name=None,
                            body=[_ior("f_fixed", _const(every))],
                        )
                    ],
                    orelse=[],
                    finalbody=[],
                )
            )
        source, masks = index.text
        # if (f_found := cache.get(KEY)) is None: f_found = SCAN(s)
        cached = py.NamedExpr(
            target=_store("f_found"),
            value=_call(_attr(_load("f_cache"), "get"), _const(source.contained_key)),
        )
        out.append(
            _if(
                _compare(cached, py.Is(), _const(None)),
                [_assign(_store("f_found"), _call(self._bind(source.scan), _load("s")))],
            )
        )
        # for f_word in f_found: f_fixed |= MASKS.get(f_word, 0)
        out.append(
            py.For(
                target=_store("f_word"),
                iter=_load("f_found"),
                body=[_ior("f_fixed", _call(self._bind(masks.get), _load("f_word"), _const(0)))],
                orelse=[],
            )
        )
        return out

    def _rules(self, st: FusedStage) -> list[py.stmt]:
        out: list[py.stmt] = []
        always = st.base & st.listening
        for rule in st.rules:
            block = self._rule(rule, st.first)
            if not always & rule.bit:
                block = [
                    _if(
                        py.BinOp(left=_load("f_todo"), op=py.BitAnd(), right=_const(rule.bit)),
                        block,
                    )
                ]
            for stmt in block:
                locate(stmt, rule.line)
            out += block
        if not (st.first or any(rule.stop for rule in st.rules)):
            return out
        # A rule that ends the stage (``mode: first``, ``stop``) leaves it by ``break``, so
        # the later rules' tests are not run: the stage's rules in ``while True:`` (which
        # costs nothing to enter), ended by a ``break`` of its own.
        end = py.Break()
        locate(end)
        loop = py.While(test=_const(True), body=[*out, end], orelse=[])
        loop.lineno = loop.end_lineno = 1
        loop.col_offset = loop.end_col_offset = 0
        locate(loop.test)
        return [loop]

    def _rule(self, rule: FusedRule, first: bool) -> list[py.stmt]:
        name = _const(rule.name)

        def handler(kind: str, helper: str) -> py.ExceptHandler:
            call = _call(_load(helper), _load("errors"), _load("f_exc"), name)
            return py.ExceptHandler(
                type=_load(kind), name="f_exc", body=[_assign(_store("f_hit"), call)]
            )

        evaluate = py.Try(
            body=self._condition(rule.condition),
            handlers=[
                handler("EvalFailure", "_fz_failed"),
                handler("_fz_type_errors", "_fz_type_failed"),
            ],
            orelse=[],
            finalbody=[],
        )
        fire = self._actions(rule)
        fire.append(_expr_stmt(_call(_attr(_load("fired"), "append"), name)))
        if rule.stop:
            fire.append(_assign(_store("f_stopped"), _const(True)))
        if rule.stop or first:
            fire.append(py.Break())  # out of the stage's loop (`_rules`)
        hit = _compare(_load("f_hit"), py.Is(), _const(True))
        return [evaluate, _if(hit, fire)]

    def _read(self, written: str) -> int:
        """1 when a define may read `written` (so the write bumps `State.version`), else 0."""
        return 1 if self._reads is None or written in self._reads else 0

    def _actions(self, rule: FusedRule) -> list[py.stmt]:
        # `State.version` only serves the defines' cache: a write no define reads leaves it
        # as it is (`compiler.define_reads`), so a define is not computed again after it
        out: list[py.stmt] = []
        bumps = 0
        for apply, spec in zip(rule.actions, rule.specs, strict=True):
            if spec is None:  # assign: its closure (which bumps the version itself)
                out.append(_expr_stmt(_call(self._bind(apply), _load("s"))))
                continue
            kind = spec[0]
            if kind in ("route", "priority"):
                target = "queue" if kind == "route" else "priority"
                out.append(_assign(_s_attr(target, py.Store()), self._value(spec[1])))
                bumps += self._read(target)
            elif kind == "raise":
                rank = py.Subscript(
                    value=self._bind(_RANK), slice=_s_attr("priority"), ctx=py.Load()
                )
                raised = [_assign(_s_attr("priority", py.Store()), self._value(spec[1]))]
                if self._read("priority"):
                    raised.append(self._bump(1))
                out.append(_if(_compare(rank, py.Lt(), _const(spec[2])), raised))
            elif kind in ("tag", "untag"):
                tags: frozenset[str] = spec[1]
                if len(tags) == 1:
                    method = "add" if kind == "tag" else "discard"
                    arg = _const(next(iter(tags)))
                else:
                    method = "update" if kind == "tag" else "difference_update"
                    arg = self._bind(tags)
                out.append(_expr_stmt(_call(_attr(_load("f_tags"), method), arg)))
                bumps += self._read("tags")
            elif kind == "set":
                for target, value in spec[1]:
                    if target.startswith("fields."):
                        key = py.Subscript(
                            value=_load("f_fields"), slice=_const(target[7:]), ctx=py.Store()
                        )
                        out.append(_assign(key, self._value(value)))
                    else:
                        out.append(_assign(_s_attr(target, py.Store()), self._value(value)))
                bumps += max((self._read(target) for target, _ in spec[1]), default=0)
            elif kind == "spam_score":
                out.append(
                    py.AugAssign(
                        target=_s_attr("spam_score", py.Store()), op=py.Add(), value=_const(spec[1])
                    )
                )
                # the spam threshold derives `spam` from the score, with no bump of its own
                bumps += self._read("spam_score") or self._read("spam")
            elif kind == "mark_spam":
                out.append(_assign(_s_attr("spam", py.Store()), _const(spec[1])))
                bumps += self._read("spam")
            elif kind == "no_reply":
                either = py.BoolOp(op=py.Or(), values=[_s_attr("no_reply"), _const(spec[1])])
                out.append(_assign(_s_attr("no_reply", py.Store()), either))
            elif kind == "sla":
                out.append(_assign(_s_attr("sla_policy", py.Store()), self._value(spec[1])))
            else:  # "effect"
                append = _attr(_s_attr("effects"), "append")
                out.append(_expr_stmt(_call(append, self._bind(spec[1]))))
        if bumps:
            # nothing reads `version` between a rule's actions: one bump for all of them
            out.append(self._bump(bumps))
        return out

    def _bump(self, n: int) -> py.stmt:
        return py.AugAssign(target=_s_attr("version", py.Store()), op=py.Add(), value=_const(n))


def _breaking(body: list[py.stmt]) -> None:
    """``return V`` -> ``f_hit = V; break``, in place, in `body` and the blocks it holds
    (an ``and``/``or`` body has ``if`` and ``try`` statements, no loop of its own)."""
    for i in range(len(body) - 1, -1, -1):
        stmt = body[i]
        if isinstance(stmt, py.Return):
            value = stmt.value if stmt.value is not None else _const(None)
            body[i : i + 1] = [_assign(_store("f_hit"), value), py.Break()]
            continue
        assert not isinstance(stmt, py.For | py.While | py.AsyncFor), "a loop's break"
        for block in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, block, None)
            if isinstance(inner, list):
                _breaking(inner)
        for handler in getattr(stmt, "handlers", ()):
            _breaking(handler.body)

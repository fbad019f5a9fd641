"""The rule index: per stage, the rules a ticket can possibly match, found by lookups.

For every enabled rule the index derives a *guard* from its condition: a set of atoms, any
of which may hold when the condition is true, such that when none holds the condition is
false **and raises nothing** (so the rule's outcome is exactly "not-matched"). Atoms are

- ``("eq", field, value)``: a lookup field (channel, status, priority, queue, assignee,
  requester.*, a header, a scalar custom field) has this value;
- ``("tag", name)``: the ticket carries the tag;
- ``("word", needle)``: the case-folded needle occurs in the case-folded ``text``.

Guards come from the tests that can be looked up: ``F == lit``, ``F in [..]``/``$list``, their
negations over enums, ``priority`` order comparisons, ``tags has ..``, and ``contains`` /
``mentions`` on subject, body or text; an ``and`` takes its most selective guardable operand
(only one whose earlier operands can raise nothing but `EvalFailure`, which ``and`` absorbs),
an ``or`` the union of its operands' guards, a define the guard of its condition.

Per ticket, `StageIndex.mask` computes at the start of a stage, from the state as the
earlier stages left it, the positions of the rules to visit, as an int used as a bit set: a
dict lookup per lookup field, one per ticket tag, and the words found by ONE scan of the
case-folded text (`RuleIndex.fixed`, shared by all stages: each word maps to one mask over
every stage's positions), plus the unguarded rules. The words are registered as needles of
the rule set's ``text`` source (`routing.compiler.texts`), so the scan that finds the
conditions' ``contains``/``mentions`` needles finds the guard words too: one scan per ticket
serves both, and `WordScanner` is left for when that source has no scan (a guard word that
is not UTF-8). A field
that a rule of a ``mode: all`` stage writes (route, priority, set, tag, assign) is not used
to guard the later rules of that stage. docs/decisions/0012-rule-index.md gives the
reasoning and the step budget's rule; docs/decisions/0017-stage-plans.md the bit sets, the
engine's plans and the shared scan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ahocorasick  # type: ignore[import-not-found, import-untyped, unused-ignore]
import re2

from routing.compiler.predicates import Fn
from routing.compiler.state import EvalFailure, State
from routing.compiler.texts import TextSource, literal_options
from routing.dsl import ast
from routing.dsl.checker import CheckedRuleset
from routing.model.schema import CHANNELS, PRIORITIES, STATUSES
from routing.model.types import Kind

__all__ = [
    "Atom",
    "Lookup",
    "RuleIndex",
    "StageIndex",
    "WordScanner",
    "build_index",
    "guard_of",
    "lookup_mask",
    "positions",
]

#: ("eq", field, value) | ("tag", name) | ("word", folded needle)
Atom = tuple[Any, ...]
Guard = frozenset[Atom]

_FIXED_KEY = "index:fixed"
_TEXT_FOLD_KEY = "fold:text"  # the key `texts.TextSource.fold` caches the folded text under
_BUILTIN_LOOKUPS = frozenset({"channel", "status", "priority", "queue", "assignee"})
_BUILTIN_DOMAINS: Mapping[str, tuple[str, ...]] = {
    "channel": CHANNELS,
    "status": STATUSES,
    "priority": PRIORITIES,
}
_TEXT_FIELDS = frozenset({"subject", "body", "text"})
_PRIORITY_RANK = {p: i for i, p in enumerate(PRIORITIES)}
_ORDER: Mapping[str, Callable[[int, int], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _collapse(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------------------- guards


@dataclass(frozen=True, slots=True)
class _Lookup:
    """A field the index looks up: its name, the set of values it can take when known to be
    finite (None otherwise), and the path node that reads it."""

    field: str
    domain: frozenset[Any] | None
    path: ast.Path


class _Guards:
    """Derives guards over the checked AST of one rule set."""

    def __init__(self, checked: CheckedRuleset) -> None:
        self.checked = checked
        self._safe_defines: dict[str, bool] = {}
        self._paths: dict[str, ast.Path] = {}

    # -- lookups

    def lookup(self, node: ast.Expr) -> _Lookup | None:
        """The lookup field `node` reads, if it is a path to one."""
        look = self._lookup(node)
        if look is not None:
            self._paths.setdefault(look.field, look.path)
        return look

    def lookup_path(self, field: str) -> ast.Path:
        """A path node that reads lookup field `field` (one `lookup` has seen)."""
        return self._paths[field]

    def _lookup(self, node: ast.Expr) -> _Lookup | None:
        if not isinstance(node, ast.Path):
            return None
        res = self.checked.paths.get(id(node))
        if res is None:
            return None
        if res.kind == "field" and res.key in _BUILTIN_LOOKUPS:
            domain = _BUILTIN_DOMAINS.get(res.key)
            return _Lookup(res.key, frozenset(domain) if domain else None, node)
        if res.kind == "requester":
            return _Lookup(f"requester.{res.key}", None, node)
        if res.kind == "header":
            return _Lookup(f"header:{res.key}", None, node)
        if res.kind == "custom":
            t = self.checked.field_types.get(res.key)
            if t is None or t.kind not in (Kind.STRING, Kind.ENUM, Kind.NUMBER, Kind.BOOL):
                return None
            values = frozenset((*t.values, None)) if t.kind is Kind.ENUM else None
            return _Lookup(f"fields.{res.key}", values, node)
        return None

    def _constants(self, node: ast.Expr) -> frozenset[Any] | None:
        """The members of a constant list, as the compiled `in` test holds them."""
        if isinstance(node, ast.ListRef):
            decl = self.checked.lists.get(node.name)
            return None if decl is None else frozenset(i.value for i in decl.items)
        if isinstance(node, ast.ListLit) and all(
            isinstance(i, ast.StringLit | ast.NumberLit | ast.BoolLit | ast.NullLit)
            for i in node.items
        ):
            return frozenset(
                None if isinstance(i, ast.NullLit) else i.value  # type: ignore[union-attr]
                for i in node.items
            )
        return None

    def key_test(self, node: ast.Expr) -> tuple[_Lookup, frozenset[Any]] | None:
        """(field, values) when `node` is true exactly when the field's value is one of
        `values`, and false without an exception otherwise (the field's own read may fail
        with `EvalFailure`: the index then visits every rule guarded on the field)."""
        if isinstance(node, ast.Not):
            inner = self.key_test(node.operand)
            if inner is None or inner[0].domain is None:
                return None
            return inner[0], inner[0].domain - inner[1]
        if isinstance(node, ast.InTest):
            look = self.lookup(node.value)
            members = self._constants(node.container)
            if look is None or members is None:
                return None
            if node.negated:
                return None if look.domain is None else (look, look.domain - members)
            return look, members
        if not isinstance(node, ast.Compare):
            return None
        look, other = self.lookup(node.left), node.right
        flipped = False
        if look is None:
            look, other, flipped = self.lookup(node.right), node.left, True
        if look is None or not isinstance(
            other, ast.StringLit | ast.NumberLit | ast.BoolLit | ast.NullLit
        ):
            return None
        const = None if isinstance(other, ast.NullLit) else other.value
        if node.op == "==":
            return look, frozenset({const})
        if node.op == "!=":
            return None if look.domain is None else (look, look.domain - {const})
        if look.field != "priority" or const not in _PRIORITY_RANK:
            return None  # an order test on a field that may be null or invalid raises
        op = _ORDER[node.op]
        c = _PRIORITY_RANK[const]
        return look, frozenset(
            p for p, r in _PRIORITY_RANK.items() if (op(c, r) if flipped else op(r, c))
        )

    # -- guards

    def guard(self, node: ast.Expr, usable: Callable[[str], bool]) -> Guard | None:
        """The guard of `node`, or None when it has none. `usable(write_key)` says whether a
        field may be looked up for this rule (no earlier rule of its stage writes it)."""
        kt = self.key_test(node)
        if kt is not None:
            look, values = kt
            if not usable(look.field):
                return None
            return frozenset(("eq", look.field, v) for v in values)
        if isinstance(node, ast.And):
            options: list[Guard] = []
            for operand in node.operands:
                g = self.guard(operand, usable)
                if g is not None:
                    options.append(g)
                if not self.raise_safe(operand):
                    break  # it may raise past `and`: later operands cannot decide alone
            return min(options, key=_score) if options else None
        if isinstance(node, ast.Or):
            union: set[Atom] = set()
            for operand in node.operands:
                g = self.guard(operand, usable)
                if g is None:
                    return None
                union.update(g)
            return frozenset(union)
        if isinstance(node, ast.Path):
            res = self.checked.paths.get(id(node))
            if res is not None and res.kind == "define":
                return self.guard(self._define(res.key), usable)
            return None
        if isinstance(node, ast.HasTest):
            return self._has(node, usable)
        if isinstance(node, ast.ContainsTest):
            return self._contains(node)
        if isinstance(node, ast.MentionsTest):
            return self._mentions(node)
        if isinstance(node, ast.MatchesTest) and self._is_text(node.value):
            return regex_guard(node.regex.pattern, node.regex.flags)
        return None

    def _define(self, name: str) -> ast.Expr:
        return self.checked.expr(self.checked.defines[name].condition)

    def _is_text(self, node: ast.Expr) -> bool:
        if not isinstance(node, ast.Path):
            return False
        res = self.checked.paths.get(id(node))
        return res is not None and res.kind == "field" and res.key in _TEXT_FIELDS

    def _has(self, node: ast.HasTest, usable: Callable[[str], bool]) -> Guard | None:
        if not isinstance(node.value, ast.Path):
            return None
        res = self.checked.paths.get(id(node.value))
        if res is None or (res.kind, res.key) != ("field", "tags"):
            return None
        if node.quantifier is None:
            if not isinstance(node.item, ast.StringLit):
                return None
            tags = [node.item.value.strip().lower()]
        else:
            const = self._constants(node.item)
            if const is None or node.quantifier == "none":
                return None
            if not all(isinstance(x, str) for x in const):
                return None
            tags = sorted(x.strip().lower() for x in const)
            if node.quantifier == "all":
                if not tags:
                    return None  # has all of [] is true
                tags = tags[:1]
        if not all(usable(f"tag:{t}") for t in tags):
            return None
        return frozenset(("tag", t) for t in tags)

    def _needle_values(self, node: ast.Expr) -> list[str] | None:
        """The needles of a constant needle list, as `str` (as the compiled test has them)."""
        if isinstance(node, ast.ListRef):
            decl = self.checked.lists.get(node.name)
            return None if decl is None else [str(i.value) for i in decl.items]
        if isinstance(node, ast.ListLit) and all(isinstance(i, ast.StringLit) for i in node.items):
            return [i.value for i in node.items if isinstance(i, ast.StringLit)]
        return None

    def _contains(self, node: ast.ContainsTest) -> Guard | None:
        if not self._is_text(node.value):
            return None
        if node.quantifier is None:
            if not isinstance(node.needle, ast.StringLit):
                return None
            needle = node.needle.value.casefold()
            return frozenset({("word", needle)}) if needle else None
        values = self._needle_values(node.needle)
        if values is None:
            return None
        folded = [v.casefold() for v in values]
        if node.quantifier == "any":
            if "" in folded:
                return None  # "" is in every text
            return frozenset(("word", n) for n in folded)
        longest = max(folded, key=len, default="")
        return frozenset({("word", longest)}) if longest else None

    def _mentions(self, node: ast.MentionsTest) -> Guard | None:
        if not self._is_text(node.value):
            return None
        if node.quantifier is None:
            if not isinstance(node.needle, ast.StringLit):
                return None
            phrases = [_collapse(node.needle.value.casefold())]
        else:
            values = self._needle_values(node.needle)
            if values is None:
                return None
            phrases = [_collapse(v.casefold()) for v in values]
        # A phrase matches across white space; its longest word is in the folded text.
        words = [max(p.split(" "), key=len) if p else "" for p in phrases]
        if node.quantifier == "all":
            if not words:
                return None  # mentions all of [] is true
            if "" in words:
                return frozenset()  # an empty phrase is never mentioned
            return frozenset({("word", max(words, key=len))})
        return frozenset(("word", w) for w in words if w)

    # -- safety

    def raise_safe(self, node: ast.Expr) -> bool:
        """Whether evaluating `node` can raise nothing but `EvalFailure` (which ``and``
        and ``or`` absorb). Conservative: an unknown shape is unsafe."""
        if isinstance(
            node,
            ast.StringLit
            | ast.NumberLit
            | ast.BoolLit
            | ast.NullLit
            | ast.DurationLit
            | ast.ListRef
            | ast.RegexLit,
        ):
            return True
        if isinstance(node, ast.ListLit):
            return all(self.raise_safe(i) for i in node.items)
        if isinstance(node, ast.Path):
            res = self.checked.paths.get(id(node))
            if res is None:
                return False
            if res.kind != "define":
                return True
            known = self._safe_defines.get(res.key)
            if known is None:
                self._safe_defines[res.key] = False  # no cycles, but stay finite anyway
                known = self._safe_defines[res.key] = self.raise_safe(self._define(res.key))
            return known
        if isinstance(node, ast.Not):
            return self.raise_safe(node.operand)
        if isinstance(node, ast.And | ast.Or):
            return all(self.raise_safe(o) for o in node.operands)
        if isinstance(node, ast.Compare):
            kinds = {self._kind(node.left), self._kind(node.right)}
            return Kind.LIST not in kinds and self._safe_all(node.left, node.right)
        if isinstance(node, ast.InTest):
            return (
                self._constants(node.container) is not None
                and self._kind(node.value) not in (Kind.LIST, Kind.MAP, Kind.ANY)
                and self.raise_safe(node.value)
            )
        if isinstance(node, ast.ContainsTest | ast.MentionsTest):
            constant = node.quantifier is None or self._needle_values(node.needle) is not None
            return constant and self._safe_all(node.value, node.needle)
        if isinstance(node, ast.StartsWithTest):
            return self._safe_all(node.value, node.prefix)
        if isinstance(node, ast.EndsWithTest):
            return self._safe_all(node.value, node.suffix)
        if isinstance(node, ast.MatchesTest | ast.EmptyTest):
            return self.raise_safe(node.value)
        if isinstance(node, ast.HasTest):
            literal = node.quantifier is None and isinstance(
                node.item, ast.StringLit | ast.NumberLit
            )
            tags = isinstance(node.value, ast.Path) and (
                self.checked.paths.get(id(node.value)) is not None
                and self.checked.paths[id(node.value)].kind == "field"
                and self.checked.paths[id(node.value)].key == "tags"
            )
            return (literal or (tags and self._constants(node.item) is not None)) and (
                self.raise_safe(node.value)
            )
        if isinstance(node, ast.Call):
            if node.name == "now":
                return True
            if node.name == "len":  # the length of a text or a list (null: 0) never fails
                return (
                    len(node.args) == 1
                    and self._kind(node.args[0]) in (Kind.STRING, Kind.LIST)
                    and self.raise_safe(node.args[0])
                )
            return node.name == "lower" and self._safe_all(*node.args)
        return False

    def _safe_all(self, *nodes: ast.Expr) -> bool:
        return all(self.raise_safe(n) for n in nodes)

    def _kind(self, node: ast.Expr) -> Kind:
        t = self.checked.types.get(id(node))
        return t.kind if t is not None else Kind.ANY


def regex_guard(pattern: str, flags: str) -> Guard | None:
    """A guard for ``matches /pattern/flags`` on a ticket text: the longest literal run, or
    an alternation of literals, that every match contains, case-folded. Under the ``i``
    flag only ASCII literals are used: RE2 folds case by Unicode simple folding, which
    agrees with `str.casefold` on ASCII letters (including K/KELVIN SIGN and s/LONG S).
    The pattern is read by `texts.literal_options`, as the conditions' regex prefilter
    (`texts.required_literals`) reads it."""
    options = literal_options(pattern)
    if options is None:
        return None
    ignore_case = "i" in flags
    guards: list[Guard] = []
    for alts in options:
        if ignore_case and not all(a.isascii() for a in alts):
            continue
        folded = {a.casefold() for a in alts}
        if "" not in folded:
            guards.append(frozenset(("word", a) for a in folded))
    return min(guards, key=_score) if guards else None


def _atom_weight(atom: Atom) -> float:
    """How often an atom holds, roughly: lower is more selective."""
    if atom[0] == "word":
        return 1.0 + 4.0 / max(len(atom[1]), 1)
    if atom[0] == "tag":
        return 2.0
    field = atom[1]
    if field in _BUILTIN_DOMAINS:
        return 60.0 / len(_BUILTIN_DOMAINS[field])
    if field == "requester.language":
        return 6.0
    if field in ("queue", "assignee"):
        return 5.0
    if field.startswith("fields."):
        return 4.0
    return 2.0


def _score(guard: Guard) -> float:
    return sum(_atom_weight(a) for a in guard)


def guard_of(checked: CheckedRuleset, expr: ast.Expr) -> Guard | None:
    """The guard of a condition with every field usable (for tests and tools)."""
    return _Guards(checked).guard(expr, lambda _key: True)


# ---------------------------------------------------------------------------- writes


def _writes(rule: ast.Rule) -> set[str]:
    """The lookup keys a rule's actions may change."""
    out: set[str] = set()
    for action in rule.then:
        if isinstance(action, ast.RouteAction):
            out.add("queue")
        elif isinstance(action, ast.PriorityAction):
            out.add("priority")
        elif isinstance(action, ast.AssignAction):
            out.add("assignee")
        elif isinstance(action, ast.TagAction):
            out.update(f"tag:{t.value.strip().lower()}" for t in action.tags)
        elif isinstance(action, ast.SetAction):
            out.update(i.target.value for i in action.items)
    return out


# ---------------------------------------------------------------------------- runtime


#: one lookup: the field's getter, value -> positions, and every position the field guards
Lookup = tuple[Fn, dict[Any, int], int]


def lookup_mask(lookups: tuple[Lookup, ...], s: State) -> int:
    """The positions the lookups' field values in `s` make candidates."""
    found = 0
    for get, table, every in lookups:
        try:
            value = get(s)
        except EvalFailure:  # the field's read fails: every rule reading it is visited
            found |= every
            continue
        found |= table.get(value, 0)
    return found


class StageIndex:
    """The index of one stage: which rule positions a ticket's state makes candidates.

    Sets of positions are ints used as bit sets (bit ``p`` is the stage's rule ``p``): a
    union is one ``|``, and the set bits come out in rule order without sorting.
    """

    __slots__ = ("fields", "fixed", "offset", "size", "tags", "unguarded")

    def __init__(
        self,
        fields: tuple[Lookup, ...],
        tags: dict[str, int],
        fixed: bool,
        unguarded: int,
        offset: int,
        size: int,
    ) -> None:
        #: the lookups of the fields some rule's action may change (read at the stage start)
        self.fields = fields
        #: tag -> positions
        self.tags = tags
        #: whether a guard of the stage reads what no action changes (`RuleIndex.fixed`)
        self.fixed = fixed
        #: the enabled rules without a guard (candidates for every ticket)
        self.unguarded = unguarded
        #: where the stage's positions start in the rule set's masks (`RuleIndex.fixed`)
        self.offset = offset
        #: how many rules the stage has
        self.size = size

    def mask(self, s: State, fixed: int) -> int:
        """The candidate positions for `s` as a bit set. `fixed` is the rule set's mask
        for the ticket (`RuleIndex.fixed`); it is only read when `self.fixed`."""
        found = self.unguarded
        if self.fields:
            found |= lookup_mask(self.fields, s)
        if self.tags:
            tags = self.tags
            for tag in s.tags:
                found |= tags.get(tag, 0)
        if self.fixed:
            found |= (fixed >> self.offset) & ((1 << self.size) - 1)
        return found


def positions(mask: int) -> list[int]:
    """The set bits of `mask`, lowest first."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


class WordScanner:
    """Which of a set of words occur in a text, each word standing for a mask of rule
    positions: `scan` gives the union of the masks of the words found.

    The words are matched as UTF-8 bytes by one RE2 set of literals (`re2.Set`: a DFA over
    the bytes, which reports every member found anywhere, overlapping or not). UTF-8 is
    self-synchronising, so a word's bytes occur in a text's bytes exactly when the word
    occurs in the text; ``surrogatepass`` keeps that true of lone surrogates (a ticket read
    from JSON may hold one). RE2 can refuse a set whose automaton does not fit its memory
    budget (it then matches nothing, silently); the set is probed at build time with a text
    holding every word, and when it fails (or `use_re2` is False) a pyahocorasick automaton
    does the scan instead (slower per character, with no memory budget).
    """

    __slots__ = ("automaton", "masks", "matcher")

    def __init__(
        self, words: Mapping[str, int], *, use_re2: bool = True, max_mem: int = 32 << 20
    ) -> None:
        #: the mask of each word, in the RE2 set's order
        self.masks = tuple(words.values())
        self.matcher: Callable[[bytes], list[int] | None] | None = None
        self.automaton: Any = None
        if use_re2:
            self.matcher = _re2_set(list(words), max_mem)
        if self.matcher is None:
            automaton = ahocorasick.Automaton()
            for word, mask in words.items():
                automaton.add_word(word, mask)
            automaton.make_automaton()
            self.automaton = automaton

    def scan(self, text: str) -> int:
        """The union of the masks of the words that occur in `text`."""
        found = 0
        matcher = self.matcher
        if matcher is not None:
            hits = matcher(text.encode("utf-8", "surrogatepass"))
            if hits:
                masks = self.masks
                for i in hits:
                    found |= masks[i]
            return found
        # every occurrence of every word is reported; OR-ing a word's mask again is a no-op
        for _end, mask in self.automaton.iter(text):
            found |= mask
        return found


def _re2_set(words: list[str], max_mem: int) -> Callable[[bytes], list[int] | None] | None:
    """The `Match` of an RE2 set of the literal words (as bytes), or None when RE2 does not
    find every word in a text made of them all (its automaton did not fit `max_mem`)."""
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # bytes in, bytes matched: no decoding
    options.literal = True
    options.case_sensitive = True  # the text and the words are both case-folded already
    options.log_errors = False
    options.max_mem = max_mem
    encoded = [w.encode("utf-8", "surrogatepass") for w in words]
    matcher = re2.Set.SearchSet(options)
    try:
        for i, word in enumerate(encoded):
            if matcher.Add(word) != i:
                return None
        matcher.Compile()
    except re2.error:
        return None
    probe = matcher.Match(b"\n".join(encoded))
    if probe is None or sorted(probe) != list(range(len(encoded))):
        return None
    match: Callable[[bytes], list[int] | None] = matcher.Match
    return match


class RuleIndex:
    """The index of a compiled rule set: one `StageIndex` per stage, the words any guard
    needs, and the lookups of the fields no action changes.

    What no rule can change during an evaluation — the ticket's text, and the lookup fields
    that no action of the rule set writes (the channel, ``requester.*``, headers, most custom
    fields) — is read once per ticket, into one mask over every stage's positions (stage
    ``k``'s rules start at bit ``stages[k].offset``): `fixed`.
    """

    __slots__ = (
        "_pending",
        "guarded",
        "lookups",
        "plans",
        "stages",
        "text",
        "total_cost",
        "words",
    )

    def __init__(
        self,
        stages: tuple[StageIndex, ...],
        words: WordScanner | None,
        lookups: tuple[Lookup, ...],
        total_cost: int,
        guarded: int,
        shared: tuple[TextSource, dict[str, int]] | None = None,
    ) -> None:
        self.stages = stages
        #: finds the guard words in a text (None when no guard has a word, or when the
        #: ``text`` source's needle scan finds them: `text`)
        self.words = words
        #: the ``text`` source whose one needle scan also finds the guard words, and the
        #: mask of each guard word; set by `finish`
        self.text: tuple[TextSource, dict[str, int]] | None = None
        #: the guard words registered with a text source, until `finish`
        self._pending = shared
        #: the lookups of the fields no action writes, with positions across stages
        self.lookups = lookups
        #: the steps of every enabled rule: under the step budget, no visit order can exceed it
        self.total_cost = total_cost
        #: how many rules have a guard (the others are visited for every ticket)
        self.guarded = guarded
        #: the engine's visit plans, per event, built on first use (`routing.engine.pipeline`);
        #: at most one per event, and racing threads build equal ones
        self.plans: dict[str, Any] = {}

    def finish(self) -> None:
        """Once the text sources are frozen (`CodeGen.finish`): find the guard words by the
        ``text`` source's needle scan, or, when that source has none (a needle that is not
        UTF-8), by a `WordScanner` of their own (RE2, or pyahocorasick, as it decides)."""
        if self._pending is None:
            return
        source, word_masks = self._pending
        self._pending = None
        if source.needle_set is None:
            self.words = WordScanner(word_masks)
            return
        self.text = (source, dict(word_masks))

    def fixed(self, s: State) -> int:
        """The positions, across stages, that the ticket's text (its guard words, found in
        one pass over the case-folded text) and its unchanging lookup fields make
        candidates. Uncached: call it once per evaluation."""
        found = 0
        for get, table, every in self.lookups:  # `lookup_mask`, inlined
            try:
                value = get(s)
            except EvalFailure:
                found |= every
                continue
            found |= table.get(value, 0)
        shared = self.text
        if shared is not None:
            # the ``contains`` needles the ``text`` source's scan found (the conditions'
            # ``contains``/``mentions`` tests read that scan too: one serves both); the
            # guard words are among its needles
            source, masks = shared
            present: frozenset[str] | None = s.cache.get(source.contained_key)
            if present is None:
                present = source.scan(s)
            mask_of = masks.get
            for word in present:
                found |= mask_of(word, 0)
            return found
        words = self.words
        if words is None:
            return found
        cache = s.cache
        text = cache.get(_TEXT_FOLD_KEY)
        if text is None:
            t = s.ticket
            text = cache[_TEXT_FOLD_KEY] = f"{t.subject}\n{t.body}".casefold()
        return found | words.scan(text)

    def candidates(self, stage: int, s: State) -> list[int]:
        """The positions of the rules of stage `stage` that `s` may match, in rule order."""
        index = self.stages[stage]
        fixed = 0
        if index.fixed:
            fixed = s.cache.get(_FIXED_KEY, -1)
            if fixed < 0:
                fixed = s.cache[_FIXED_KEY] = self.fixed(s)
        return positions(index.mask(s, fixed))


def build_index(
    checked: CheckedRuleset,
    getter: Callable[[ast.Path], Fn],
    costs: Sequence[Sequence[int]],
    text: Callable[[], TextSource] | None = None,
) -> RuleIndex:
    """The index of a checked rule set. `getter` builds the compiled reader of a path (the
    very closure conditions use); `costs` holds each rule's step cost, per stage.

    With `text` (the compiled rule set's ``text`` source, made on demand), the guard words
    are registered as ``contains`` needles of that source, so that one needle scan per
    ticket serves the conditions and the index; call `RuleIndex.finish` once the sources
    are frozen. (Words that are not UTF-8, a lone surrogate, keep a scanner of their own.)"""
    guards = _Guards(checked)
    # the lookup keys some action may change; the others read the same all along
    changing: set[str] = set()
    for stage in checked.stages:
        for rule in stage.rules:
            changing |= _writes(rule)
    word_masks: dict[str, int] = {}
    # key -> (path, value -> positions, every position), positions across stages
    fixed_tables: dict[str, tuple[ast.Path, dict[Any, int], int]] = {}
    stages: list[StageIndex] = []
    total = guarded = offset = 0
    for stage, stage_costs in zip(checked.stages, costs, strict=True):
        first = stage.mode.value == "first"
        written: set[str] = set()
        tables: dict[str, tuple[ast.Path, dict[Any, int], int]] = {}
        tags: dict[str, int] = {}
        fixed = False
        unguarded = 0
        for pos, (rule, cost) in enumerate(zip(stage.rules, stage_costs, strict=True)):
            if not rule.enabled:
                continue
            total += cost
            bit = 1 << pos
            # `written` holds the writes of the rules before this one (used right away)
            g = guards.guard(checked.expr(rule.when), _usable(written))
            if not first:
                written |= _writes(rule)
            if g is None:
                unguarded |= bit
                continue
            guarded += 1
            for atom in g:
                if atom[0] == "word":
                    fixed = True
                    word_masks[atom[1]] = word_masks.get(atom[1], 0) | (bit << offset)
                elif atom[0] == "tag":
                    tags[atom[1]] = tags.get(atom[1], 0) | bit
                elif atom[1] in changing:
                    _add(tables, guards.lookup_path(atom[1]), atom[1], atom[2], bit)
                else:
                    fixed = True
                    _add(fixed_tables, guards.lookup_path(atom[1]), atom[1], atom[2], bit << offset)
        stages.append(
            StageIndex(
                tuple((getter(path), table, every) for path, table, every in tables.values()),
                tags,
                fixed,
                unguarded,
                offset,
                len(stage.rules),
            )
        )
        offset += len(stage.rules)
    lookups = tuple((getter(path), table, every) for path, table, every in fixed_tables.values())
    if text is not None and word_masks and all(_is_utf8(w) for w in word_masks):
        source = text()
        source.add_contains(word_masks)  # an extra needle found changes no contains test
        return RuleIndex(tuple(stages), None, lookups, total, guarded, (source, word_masks))
    words = WordScanner(word_masks) if word_masks else None
    return RuleIndex(tuple(stages), words, lookups, total, guarded)


def _is_utf8(word: str) -> bool:
    """Whether `word` encodes to UTF-8 (holds no lone surrogate)."""
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _add(
    tables: dict[str, tuple[ast.Path, dict[Any, int], int]],
    path: ast.Path,
    key: str,
    value: Any,
    mask: int,
) -> None:
    """Record that `mask`'s rules are candidates when field `key` (read by `path`) has
    `value`."""
    path, table, every = tables.get(key) or (path, {}, 0)
    table[value] = table.get(value, 0) | mask
    tables[key] = (path, table, every | mask)


def _usable(blocked: set[str]) -> Callable[[str], bool]:
    return lambda key: key not in blocked

"""Rule test files: the YAML format of ``routing test``, read strictly into `Suite` objects.

A test file names a rule set, a default evaluation instant and a list of tests; each test
gives a ticket and what the decision must hold (``expect``, a subset of
``Decision.to_dict(trace=True)``). The format is documented in docs/testing.md.

Reading never raises for a user mistake. Every problem is a located `Diagnostic`:

- a problem of the file as a whole (malformed YAML, an unknown top-level key, a rule set
  that does not load) goes into `Suite.diagnostics`, and none of the file's tests runs;
- a problem of one test (an invalid ticket, a naive ``now``, a rule name in ``fired`` that
  no rule has, an undeclared queue) goes into `RuleTest.problems`: that test is reported
  as an error and the others run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from routing.compiler.actions import AgentState
from routing.diagnostics import Diagnostic, Severity, SourceFile, Span, sort_diagnostics
from routing.dsl.ast import YamlNode, YMapping, YScalar, YSequence, describe, plain
from routing.dsl.checker import check
from routing.dsl.loader import load_path, read_yaml
from routing.dsl.suggest import did_you_mean
from routing.engine.ruleset import EVENTS, Ruleset
from routing.errors import TicketError
from routing.model.decision import SLA_KEYS
from routing.model.schema import PRIORITIES, STATUSES
from routing.model.ticket import Ticket

__all__ = [
    "EXPECT_KEYS",
    "Expectation",
    "RuleTest",
    "Suite",
    "find_test_files",
    "load_ruleset",
    "load_suites",
]

#: Every key ``expect`` may hold, with how it is matched (see docs/testing.md):
#: ``value`` equality; ``set`` a set of tags; ``sequence`` an ordered list of rule names;
#: ``mapping`` a subset of a mapping; ``items`` a list of subset patterns.
EXPECT_KEYS: Final[dict[str, str]] = {
    "queue": "value",
    "priority": "value",
    "status": "value",
    "assignee": "value",
    "spam": "value",
    "spam_score": "value",
    "tags": "set",
    "fired": "sequence",
    "fields": "mapping",
    "sla": "mapping",
    "effects": "items",
    "suppressed": "items",
    "errors": "items",
}

_FILE_KEYS: Final = ("rules", "now", "defaults", "tests")
_DEFAULT_KEYS: Final = ("ticket", "event", "history", "agents")
_TEST_KEYS: Final = (
    "name",
    "description",
    "ticket",
    "now",
    "event",
    "history",
    "agents",
    "expect",
    "skip",
)
_HISTORY_KEYS: Final = ("to", "at", "template")
_AGENT_KEYS: Final = ("load", "cursors")
_PARTIAL_KEYS: Final = ("includes", "excludes")
_ITEM_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "effects": ("type", "rule", "template", "to", "subject", "body", "url", "headers"),
    "suppressed": ("rule", "template", "code", "reason"),
    "errors": ("rule", "code", "message"),
}
_EFFECT_TYPES: Final = ("reply", "notify", "webhook")
_SUFFIXES: Final = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class Expectation:
    """One key of a test's ``expect``: what the decision's value at `key` must match.

    For the exact form `value` is the expected value (a frozenset of tags for ``tags``, a
    tuple for lists). For the partial form (``{includes: [...], excludes: [...]}``,
    accepted by ``tags``, ``fired``, ``effects``, ``suppressed`` and ``errors``) `partial`
    is true and `includes` / `excludes` hold the items.
    """

    key: str
    value: Any
    span: Span = field(compare=False, repr=False)
    partial: bool = False
    includes: tuple[Any, ...] = ()
    excludes: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class RuleTest:
    """One test of a test file, ready to run (unless it has `problems`)."""

    __test__ = False  # not a pytest test class

    name: str
    file: str
    line: int
    ticket: Ticket | None
    now: datetime | None
    event: str = "created"
    history: tuple[Mapping[str, Any], ...] = ()
    agents: AgentState | None = None
    expect: tuple[Expectation, ...] = ()
    skip: str | None = None
    description: str | None = None
    problems: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True, slots=True)
class Suite:
    """One test file: its rule set, its tests, and what stops the whole file from running.

    `rules` is the rule path as resolved (relative to the current directory when the file
    gave a relative one); `ruleset` is None when the file has `diagnostics` of its own.
    """

    file: str
    rules: str | None
    ruleset: Ruleset | None
    tests: tuple[RuleTest, ...]
    diagnostics: tuple[Diagnostic, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the file loaded (its tests can run)."""
        return not self.diagnostics


# --------------------------------------------------------------------------- helpers


def _article(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _whole_file(name: str) -> Span:
    return SourceFile(name, "").span(0, 0)


class _Reporter:
    """Collects diagnostics for one scope (the file, or one test)."""

    def __init__(self) -> None:
        self.diags: list[Diagnostic] = []

    def error(self, code: str, message: str, span: Span | None, *, hint: str | None = None) -> None:
        self.diags.append(Diagnostic.make(code, message, span, hint=hint))

    def wrong(self, node: YamlNode, what: str) -> None:
        if isinstance(node, YScalar) and node.style == "*":
            return  # an alias, already reported by read_yaml
        self.error("file/wrong-type", f"expected {what}, found {describe(node)}", node.span)

    def mapping(self, node: YamlNode, what: str) -> YMapping | None:
        if isinstance(node, YMapping):
            return node
        self.wrong(node, what)
        return None

    def sequence(self, node: YamlNode, what: str) -> YSequence | None:
        if isinstance(node, YSequence):
            return node
        self.wrong(node, what)
        return None

    def string(self, node: YamlNode, what: str, *, nullable: bool = False) -> str | None:
        if isinstance(node, YScalar) and isinstance(node.value, str):
            return node.value
        if nullable and isinstance(node, YScalar) and node.value is None:
            return None
        self.wrong(node, what)
        return None

    def keys(
        self, node: YMapping, allowed: Iterable[str], required: Iterable[str], where: str
    ) -> None:
        allowed = tuple(allowed)
        for key, _ in node.items:
            if key.value not in allowed:
                text = str(key.value)
                self.error(
                    "file/unknown-key",
                    f"unknown key '{text}' in {where}",
                    key.span,
                    hint=did_you_mean(text, allowed) or f"expected one of: {', '.join(allowed)}",
                )
        for name in required:
            if node.key_node(name) is None:
                self.error("file/missing-key", f"{where} has no '{name}' key", node.span)

    def instant(self, node: YamlNode, what: str) -> datetime | None:
        text = self.string(node, f"{what} as an ISO 8601 string")
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            self.error(
                "literal/bad-datetime",
                f"expected {what} as an ISO 8601 date-time with offset, found '{text}'",
                node.span,
                hint="write it like 2026-11-23T10:00:00+01:00",
            )
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self.error(
                "literal/bad-datetime",
                f"{what} '{text}' has no UTC offset",
                node.span,
                hint=f"give one, e.g. {text}+00:00",
            )
            return None
        return value

    def name(
        self,
        node: YamlNode,
        what: str,
        known: Iterable[str],
        code: str,
        *,
        nullable: bool = False,
    ) -> str | None:
        """A string that must be one of `known`, with did-you-mean."""
        value = self.string(node, what, nullable=nullable)
        if value is None:
            return None
        pool = tuple(known)
        if value not in pool:
            if code == "test/unknown-rule":
                message = f"no rule is named '{value}'"
            elif code.startswith("name/"):
                message = f"{what} '{value}' is not declared"
            else:
                message = f"'{value}' is not {_article(what)}; expected one of: {', '.join(pool)}"
            self.error(code, message, node.span, hint=did_you_mean(value, pool))
        return value


def _merge(base: Any, over: Any) -> Any:
    """`over` on top of `base`: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    return over


def _node_at(node: YamlNode | None, loc: tuple[int | str, ...]) -> tuple[YamlNode | None, bool]:
    """The deepest node along a pydantic error location, and whether it reached the end."""
    if node is None:
        return None, False
    current: YamlNode = node
    for part in loc:
        nxt: YamlNode | None = None
        if isinstance(current, YMapping) and isinstance(part, str):
            nxt = current.get(part)
        elif isinstance(current, YSequence) and isinstance(part, int):
            nxt = current.items[part] if 0 <= part < len(current.items) else None
        if nxt is None:
            if isinstance(part, str) and part in ("dict", "list"):
                continue  # pydantic's union member names inside JSON values
            return current, False
        current = nxt
    return current, True


# --------------------------------------------------------------------------- the reader


class _FileReader:
    def __init__(
        self,
        name: str,
        root: YamlNode,
        rules_override: str | None,
        load_rules: Callable[[str], tuple[Ruleset | None, list[Diagnostic]]],
    ) -> None:
        self.name = name
        self.root = root
        self.rules_override = rules_override
        self.load_rules = load_rules
        self.file = _Reporter()
        self.ruleset: Ruleset | None = None
        self.rules_path: str | None = None

    def read(self) -> Suite:
        rep = self.file
        top = rep.mapping(self.root, "a mapping with 'rules', 'now' and 'tests'")
        if top is None:
            return self._suite(())
        required = ("tests",) if self.rules_override is not None else ("rules", "tests")
        rep.keys(top, _FILE_KEYS, required, "a test file")
        self._rules(top)
        now = None
        now_node = top.get("now")
        if now_node is not None:
            now = rep.instant(now_node, "'now'")
        defaults = self._defaults(top.get("defaults"))
        tests_node = top.get("tests")
        seq = rep.sequence(tests_node, "a list of tests") if tests_node is not None else None
        if seq is not None and not seq.items:
            rep.error("file/empty", "the test file has no tests", seq.span)
        if rep.diags or seq is None or self.ruleset is None:
            return self._suite(())
        tests: list[RuleTest] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(seq.items):
            test = self._test(index, item, now, defaults)
            first = seen.get(test.name)
            if first is not None:
                dup = Diagnostic.make(
                    "name/duplicate",
                    f"duplicate test name '{test.name}'",
                    _name_span(item),
                    notes=[f"the first test of that name is on line {first}"],
                )
                test = _with_problems(test, (dup,))
            else:
                seen[test.name] = test.line
            tests.append(test)
        return self._suite(tuple(tests))

    def _suite(self, tests: tuple[RuleTest, ...]) -> Suite:
        diags = tuple(sort_diagnostics(self.file.diags))
        return Suite(
            self.name,
            self.rules_path,
            None if diags else self.ruleset,
            () if diags else tests,
            diags,
        )

    # -- file-level keys

    def _rules(self, top: YMapping) -> None:
        rep = self.file
        if self.rules_override is not None:
            path = self.rules_override
            span: Span | None = None
        else:
            node = top.get("rules")
            if node is None:
                return
            given = rep.string(node, "the rule file or directory as a string")
            if given is None:
                return
            span = node.span
            base = os.path.dirname(self.name)
            path = os.path.normpath(os.path.join(base, given)) if base else given
        self.rules_path = path
        if not os.path.exists(path):
            rep.error(
                "file/not-found",
                f"no such rule file or directory: '{path}'",
                span or _whole_file(path),
                hint="'rules' is relative to the test file" if span is not None else None,
            )
            return
        ruleset, diags = self.load_rules(path)
        rep.diags.extend(d for d in diags if d.severity is Severity.ERROR)
        self.ruleset = ruleset

    def _defaults(self, node: YamlNode | None) -> dict[str, tuple[YamlNode, Any]]:
        """The ``defaults`` entries: key -> (node, plain value)."""
        if node is None:
            return {}
        rep = self.file
        mapping = rep.mapping(node, "a mapping of default test values")
        if mapping is None:
            return {}
        rep.keys(mapping, _DEFAULT_KEYS, (), "'defaults'")
        out: dict[str, tuple[YamlNode, Any]] = {}
        for key, value in mapping.items:
            if key.value in _DEFAULT_KEYS:
                out[str(key.value)] = (value, plain(value))
        ticket = out.get("ticket")
        if ticket is not None:
            rep.mapping(ticket[0], "a ticket mapping")
        return out

    # -- one test

    def _test(
        self,
        index: int,
        item: YamlNode,
        file_now: datetime | None,
        defaults: dict[str, tuple[YamlNode, Any]],
    ) -> RuleTest:
        rep = _Reporter()
        line = item.span.start.line
        fallback = f"tests[{index}]"
        node = rep.mapping(item, "a test (a mapping with 'name', 'ticket' and 'expect')")
        if node is None:
            return RuleTest(fallback, self.name, line, None, None, problems=tuple(rep.diags))
        required = ["name", "expect"]
        if "ticket" not in defaults:
            required.append("ticket")
        rep.keys(node, _TEST_KEYS, required, "a test")
        name_node = node.get("name")
        name = rep.string(name_node, "the test name as a string") if name_node else None
        if name is not None and not name.strip():
            rep.error("file/bad-value", "the test name is empty", _name_span(item))
            name = None
        name = name or fallback
        description = None
        description_node = node.get("description")
        if description_node is not None:
            description = rep.string(description_node, "a description string")
        skip = None
        skip_node = node.get("skip")
        if skip_node is not None:
            skip = rep.string(skip_node, "the reason to skip the test as a string")
        now = file_now
        now_node = node.get("now")
        if now_node is not None:
            now = rep.instant(now_node, "'now'")
        elif file_now is None:
            rep.error(
                "file/missing-key",
                "the test has no 'now' and the file gives no default 'now'",
                node.span,
                hint="add 'now' to the test, or at the top of the file",
            )
        event = "created"
        event_node = node.get("event") or (defaults["event"][0] if "event" in defaults else None)
        if event_node is not None:
            event = rep.name(event_node, "event", EVENTS, "file/bad-value") or event
        history = self._history(rep, node.get("history") or _default(defaults, "history"))
        agents = self._agents(rep, node.get("agents") or _default(defaults, "agents"))
        ticket = self._ticket(rep, node.get("ticket"), defaults.get("ticket"), name)
        expect_node = node.get("expect")
        expect = self._expect(rep, expect_node) if expect_node is not None else ()
        return RuleTest(
            name=name,
            file=self.name,
            line=line,
            ticket=ticket,
            now=now,
            event=event,
            history=history,
            agents=agents,
            expect=expect,
            skip=skip,
            description=description,
            problems=tuple(sort_diagnostics(rep.diags)),
        )

    def _history(self, rep: _Reporter, node: YamlNode | None) -> tuple[Mapping[str, Any], ...]:
        if node is None:
            return ()
        seq = rep.sequence(node, "a list of earlier replies")
        if seq is None:
            return ()
        out: list[Mapping[str, Any]] = []
        templates = tuple(self.ruleset.checked.templates) if self.ruleset else ()
        for item in seq.items:
            entry = rep.mapping(item, "a reply record ({to, at, template})")
            if entry is None:
                continue
            rep.keys(entry, _HISTORY_KEYS, ("to", "at"), "a reply record")
            to_node, at_node, tpl_node = entry.get("to"), entry.get("at"), entry.get("template")
            to = rep.string(to_node, "an e-mail address") if to_node is not None else None
            at = rep.instant(at_node, "'at'") if at_node is not None else None
            template = None
            if tpl_node is not None:
                template = rep.name(
                    tpl_node, "template", templates, "name/unknown-template", nullable=True
                )
            if to is not None and at is not None:
                out.append({"to": to, "at": at, "template": template})
        return tuple(out)

    def _agents(self, rep: _Reporter, node: YamlNode | None) -> AgentState | None:
        if node is None:
            return None
        mapping = rep.mapping(node, "a mapping with 'load' and 'cursors'")
        if mapping is None:
            return None
        rep.keys(mapping, _AGENT_KEYS, (), "'agents'")
        known = tuple(self.ruleset.checked.agents) if self.ruleset else ()
        queues = tuple(self.ruleset.checked.queues) if self.ruleset else ()
        load: dict[str, int] = {}
        cursors: dict[str, str] = {}
        load_node = mapping.get("load")
        if load_node is not None and (m := rep.mapping(load_node, "a mapping agent: count")):
            for key, value in m.items:
                agent = rep.name(key, "agent", known, "name/unknown-agent")
                if not (isinstance(value, YScalar) and type(value.value) is int):
                    rep.wrong(value, "a whole number of open tickets")
                elif agent is not None:
                    load[agent] = value.value
        cursor_node = mapping.get("cursors")
        if cursor_node is not None and (m := rep.mapping(cursor_node, "a mapping queue: agent")):
            for key, value in m.items:
                queue = rep.name(key, "queue", queues, "name/unknown-queue")
                agent = rep.name(value, "agent", known, "name/unknown-agent")
                if queue is not None and agent is not None:
                    cursors[queue] = agent
        return AgentState(load=load, cursors=cursors)

    def _ticket(
        self,
        rep: _Reporter,
        node: YamlNode | None,
        default: tuple[YamlNode, Any] | None,
        name: str,
    ) -> Ticket | None:
        data: Any = {}
        if default is not None and isinstance(default[1], dict):
            data = default[1]
        if node is not None:
            if rep.mapping(node, "a ticket mapping") is None:
                return None
            data = _merge(data, plain(node))
        if node is None and default is None:
            return None
        if "id" not in data:
            data = {**data, "id": name}
        try:
            return Ticket.from_dict(data)
        except TicketError as exc:
            message = str(exc)
            head, sep, rest = message.partition(": ")
            if sep and head.startswith("ticket"):
                message = rest
            rep.error(
                "test/bad-ticket",
                f"invalid ticket: {message}",
                _ticket_span(data, node, default[0] if default else None),
            )
            return None

    # -- expect

    def _expect(self, rep: _Reporter, node: YamlNode) -> tuple[Expectation, ...]:
        mapping = rep.mapping(node, "a mapping of expected decision values")
        if mapping is None:
            return ()
        rep.keys(mapping, EXPECT_KEYS, (), "'expect'")
        out: list[Expectation] = []
        for key_node, value in mapping.items:
            key = str(key_node.value)
            if key not in EXPECT_KEYS:
                continue
            expectation = self._expectation(rep, key, value)
            if expectation is not None:
                out.append(expectation)
        return tuple(out)

    def _expectation(self, rep: _Reporter, key: str, node: YamlNode) -> Expectation | None:
        kind = EXPECT_KEYS[key]
        before = len(rep.diags)
        if kind in ("set", "sequence", "items") and isinstance(node, YMapping):
            rep.keys(node, _PARTIAL_KEYS, (), f"'expect.{key}'")
            parts: dict[str, tuple[Any, ...]] = {"includes": (), "excludes": ()}
            for part in _PARTIAL_KEYS:
                sub = node.get(part)
                if sub is None:
                    continue
                seq = rep.sequence(sub, f"a list under '{key}.{part}'")
                if seq is not None:
                    parts[part] = tuple(self._item(rep, key, i) for i in seq.items)
            if len(rep.diags) > before:
                return None
            return Expectation(key, None, node.span, True, parts["includes"], parts["excludes"])
        value: Any
        if kind == "value":
            value = self._value(rep, key, node)
        elif kind == "mapping":
            mapping = rep.mapping(node, f"a mapping under '{key}'")
            if mapping is None:
                return None
            value = self._mapping(rep, key, mapping)
        else:
            what = "tag" if kind == "set" else "rule name" if kind == "sequence" else "pattern"
            seq = rep.sequence(node, f"a list of {what}s, or {{includes: [...], excludes: [...]}}")
            if seq is None:
                return None
            items = tuple(self._item(rep, key, i) for i in seq.items)
            value = frozenset(items) if kind == "set" else items
        if len(rep.diags) > before:
            return None
        return Expectation(key, value, node.span)

    def _value(self, rep: _Reporter, key: str, node: YamlNode) -> Any:
        checked = self.ruleset.checked if self.ruleset else None
        if key == "queue":
            queues = checked.queues if checked else ()
            return rep.name(node, "queue", queues, "name/unknown-queue", nullable=True)
        if key == "priority":
            return rep.name(node, "priority", PRIORITIES, "type/unknown-enum-value")
        if key == "status":
            return rep.name(node, "status", STATUSES, "type/unknown-enum-value")
        if key == "assignee":
            agents = tuple(checked.agents) if checked else ()
            return rep.name(node, "agent", agents, "name/unknown-agent", nullable=True)
        if key == "spam":
            if isinstance(node, YScalar) and isinstance(node.value, bool):
                return node.value
            rep.wrong(node, "true or false")
            return None
        # spam_score
        if (
            isinstance(node, YScalar)
            and isinstance(node.value, int | float)
            and not isinstance(node.value, bool)
        ):
            return float(node.value)
        rep.wrong(node, "a number")
        return None

    def _mapping(self, rep: _Reporter, key: str, node: YMapping) -> dict[str, Any]:
        checked = self.ruleset.checked if self.ruleset else None
        if key == "fields":
            known = tuple(checked.fields) if checked else ()
            for k, _ in node.items:
                rep.name(k, "custom field", known, "name/unknown-custom-field")
            return {str(k.value): plain(v) for k, v in node.items}
        rep.keys(node, SLA_KEYS, (), "'expect.sla'")
        policy = node.get("policy")
        if policy is not None and checked is not None:
            rep.name(policy, "SLA policy", checked.policies, "name/unknown-policy", nullable=True)
        calendar = node.get("calendar")
        if calendar is not None and checked is not None:
            rep.name(
                calendar, "calendar", checked.calendars, "name/unknown-calendar", nullable=True
            )
        return {str(k.value): plain(v) for k, v in node.items}

    def _item(self, rep: _Reporter, key: str, node: YamlNode) -> Any:
        """One item of a list-valued expectation: a tag, a rule name or a pattern."""
        names = self.ruleset.rule_names if self.ruleset else ()
        if key == "tags":
            tag = rep.string(node, "a tag")
            return tag.strip().lower() if tag is not None else None
        if key == "fired":
            return rep.name(node, "rule", names, "test/unknown-rule")
        mapping = rep.mapping(node, f"a mapping (a pattern of one of the {key})")
        if mapping is None:
            return None
        rep.keys(mapping, _ITEM_KEYS[key], (), f"a pattern of '{key}'")
        checked = self.ruleset.checked if self.ruleset else None
        rule = mapping.get("rule")
        if rule is not None:
            rep.name(rule, "rule", names, "test/unknown-rule")
        template = mapping.get("template")
        if template is not None and checked is not None:
            rep.name(template, "template", checked.templates, "name/unknown-template")
        kind = mapping.get("type")
        if key == "effects" and kind is not None:
            rep.name(kind, "effect type", _EFFECT_TYPES, "file/bad-value")
        return {str(k.value): plain(v) for k, v in mapping.items}


def _default(defaults: dict[str, tuple[YamlNode, Any]], key: str) -> YamlNode | None:
    entry = defaults.get(key)
    return entry[0] if entry is not None else None


def _name_span(item: YamlNode) -> Span:
    if isinstance(item, YMapping):
        node = item.get("name")
        if node is not None:
            return node.span
    return item.span


def _ticket_span(data: Any, node: YamlNode | None, default: YamlNode | None) -> Span:
    """Where a ticket validation error points: the failing value (or unknown key)."""
    try:
        Ticket.__pydantic_validator__.validate_python(data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        loc = tuple(errors[0]["loc"]) if errors else ()
        unknown_key = bool(errors) and errors[0]["type"] == "extra_forbidden"
        for where in (node, default):
            found, whole = _node_at(where, loc)
            if found is not None and whole:
                if unknown_key:
                    return _key_span(where, loc) or found.span
                return found.span
        for where in (node, default):
            found, _ = _node_at(where, loc)
            if found is not None:
                return found.span
    anchor = node if node is not None else default
    assert anchor is not None
    return anchor.span


def _key_span(root: YamlNode | None, loc: tuple[int | str, ...]) -> Span | None:
    """The span of the mapping key at the end of `loc` (for unknown keys)."""
    if not loc:
        return None
    parent, whole = _node_at(root, loc[:-1])
    if parent is None or not whole or not isinstance(parent, YMapping):
        return None
    key = parent.key_node(str(loc[-1]))
    return key.span if key is not None else None


def _with_problems(test: RuleTest, problems: tuple[Diagnostic, ...]) -> RuleTest:
    return RuleTest(
        name=test.name,
        file=test.file,
        line=test.line,
        ticket=test.ticket,
        now=test.now,
        event=test.event,
        history=test.history,
        agents=test.agents,
        expect=test.expect,
        skip=test.skip,
        description=test.description,
        problems=(*test.problems, *problems),
    )


# --------------------------------------------------------------------------- loading


def load_ruleset(path: str) -> tuple[Ruleset | None, list[Diagnostic]]:
    """Load, check and compile the rule set at `path`; None and the diagnostics on error."""
    files, diagnostics = load_path(path)
    if not files:
        return None, diagnostics
    checked = check(files, extra=diagnostics)
    if not checked.ok:
        return None, list(checked.diagnostics)
    return Ruleset(checked), list(checked.diagnostics)


def _read_file(path: Path, name: str) -> tuple[YamlNode | None, list[Diagnostic]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        return None, [Diagnostic.make("file/unreadable", f"cannot read '{name}': {reason}")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            Diagnostic.make(
                "file/unreadable",
                f"the file is not valid utf-8: byte 0x{data[exc.start]:02x} at byte offset "
                f"{exc.start}",
                _whole_file(name),
                hint="save the file as UTF-8",
            )
        ]
    source = SourceFile(name, text)
    tree, diags = read_yaml(text, source)
    if tree is None and not diags:
        diags = [Diagnostic.make("file/empty", "the test file is empty", _whole_file(name))]
    return tree, diags


def find_test_files(path: str | os.PathLike[str]) -> list[str]:
    """The test files at `path`: the file itself, or every ``*.yaml``/``*.yml`` below a
    directory, sorted by path."""
    root = Path(path)
    shown = os.fspath(path)
    if not root.is_dir():
        return [shown]
    found = [
        os.path.join(shown, p.relative_to(root).as_posix())
        for p in root.rglob("*")
        if p.suffix in _SUFFIXES and p.is_file()
    ]
    return sorted(found)


def load_suites(
    path: str | os.PathLike[str], *, rules: str | None = None
) -> tuple[list[Suite], list[Diagnostic]]:
    """Read the test file at `path`, or every test file below a directory.

    Args:
        path: a test file or a directory of them (``*.yaml``/``*.yml``, sorted by path).
        rules: a rule file or directory to test instead of the one each file names.

    Returns:
        The suites, one per file (each with its own diagnostics), and the problems of
        `path` itself (it does not exist, or holds no test files).
    """
    shown = os.fspath(path)
    if not os.path.exists(shown):
        return [], [
            Diagnostic.make(
                "file/not-found", f"no such file or directory: '{shown}'", _whole_file(shown)
            )
        ]
    names = find_test_files(path)
    if not names:
        return [], [
            Diagnostic.make(
                "file/empty",
                f"no test files (*.yaml, *.yml) in '{shown}'",
                _whole_file(shown),
            )
        ]
    cache: dict[str, tuple[Ruleset | None, list[Diagnostic]]] = {}

    def cached(rule_path: str) -> tuple[Ruleset | None, list[Diagnostic]]:
        key = os.path.realpath(rule_path)
        if key not in cache:
            cache[key] = load_ruleset(rule_path)
        return cache[key]

    suites: list[Suite] = []
    for name in names:
        tree, diags = _read_file(Path(name), name)
        errors = [d for d in diags if d.severity is Severity.ERROR]
        if tree is None or errors:
            suites.append(Suite(name, None, None, (), tuple(sort_diagnostics(diags))))
            continue
        suites.append(_FileReader(name, tree, rules, cached).read())
    return suites, []

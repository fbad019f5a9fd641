"""The state shared by the checker passes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from routing.diagnostics import Diagnostic, Span
from routing.dsl import ast
from routing.model.schema import TicketSchema
from routing.model.types import Type

__all__ = ["CheckContext", "ConditionSite", "Resolution", "children", "rule_events", "walk"]


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a `Path` refers to.

    `kind` is one of: "field" (a fixed ticket field, `key` its name), "requester"
    (`key` the requester attribute), "custom" (`key` the custom field), "header" (`key` the
    case-folded header name), "headers" (the whole header map), "define" (`key` its name),
    "now", "requester_object", "fields_object".
    """

    kind: str
    key: str = ""


@dataclass(frozen=True, slots=True)
class ConditionSite:
    """Where a condition was written: in a rule, a define or an SLA policy."""

    condition: ast.Condition
    owner: str  # "rule", "define", "sla_when", "sla_pause"
    name: str


@dataclass
class CheckContext:
    """Everything the passes learn about a rule set, filled in pass by pass."""

    files: list[ast.RuleFile]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fields: dict[str, ast.FieldDecl] = field(default_factory=dict)
    field_types: dict[str, Type] = field(default_factory=dict)
    lists: dict[str, ast.ListDecl] = field(default_factory=dict)
    list_types: dict[str, Type] = field(default_factory=dict)
    queues: dict[str, ast.Name] = field(default_factory=dict)
    defines: dict[str, ast.Define] = field(default_factory=dict)
    calendars: dict[str, ast.CalendarDecl] = field(default_factory=dict)
    calendar_objects: dict[str, Any] = field(default_factory=dict)
    templates: dict[str, ast.TemplateDecl] = field(default_factory=dict)
    compiled_templates: dict[str, Any] = field(default_factory=dict)
    policies: dict[str, ast.SlaPolicyDecl] = field(default_factory=dict)
    agents: dict[str, ast.AgentDecl] = field(default_factory=dict)
    stages: list[ast.Stage] = field(default_factory=list)
    spam_threshold: float = 5.0
    #: the ``replies:`` section of the rule set (at most one file has it)
    replies: ast.RepliesDecl | None = None
    schema: TicketSchema = field(default_factory=TicketSchema)
    #: id(Condition) -> parsed expression (absent when it did not parse)
    exprs: dict[int, ast.Expr] = field(default_factory=dict)
    #: id(Condition) of conditions that have an error (later passes skip them)
    invalid: set[int] = field(default_factory=set)
    #: id(Path) -> what it refers to
    paths: dict[int, Resolution] = field(default_factory=dict)
    #: id(expression node) -> its type
    types: dict[int, Type] = field(default_factory=dict)
    #: define name -> names of the defines it uses
    define_deps: dict[str, set[str]] = field(default_factory=dict)

    def report(
        self,
        code: str,
        message: str,
        span: Span | None,
        *,
        hint: str | None = None,
        notes: tuple[str, ...] = (),
    ) -> None:
        self.diagnostics.append(Diagnostic.make(code, message, span, hint=hint, notes=notes))

    def rules(self) -> Iterator[tuple[ast.Stage, ast.Rule]]:
        for stage in self.stages:
            for rule in stage.rules:
                yield stage, rule

    def conditions(self) -> Iterator[ConditionSite]:
        """Every condition of the rule set, in file order."""
        for d in self.defines.values():
            yield ConditionSite(d.condition, "define", d.name.value)
        for p in self.policies.values():
            if p.when is not None:
                yield ConditionSite(p.when, "sla_when", p.name.value)
            if p.pause_when is not None:
                yield ConditionSite(p.pause_when, "sla_pause", p.name.value)
        for _, rule in self.rules():
            yield ConditionSite(rule.when, "rule", rule.name.value)

    def parsed(self, *, include_invalid: bool = False) -> Iterator[tuple[ConditionSite, ast.Expr]]:
        """Every condition that parsed (and has no error so far, unless `include_invalid`)."""
        for site in self.conditions():
            key = id(site.condition)
            expr = self.exprs.get(key)
            if expr is not None and (include_invalid or key not in self.invalid):
                yield site, expr


def rule_events(rule: ast.Rule) -> frozenset[str]:
    """The events a rule listens to (``created`` when it names none)."""
    return frozenset(e.value for e in rule.on) or frozenset({"created"})


_CHILDREN: dict[type, Callable[[Any], tuple[ast.Expr, ...]]] = {
    ast.And: lambda n: n.operands,
    ast.Or: lambda n: n.operands,
    ast.Not: lambda n: (n.operand,),
    ast.Compare: lambda n: (n.left, n.right),
    ast.InTest: lambda n: (n.value, n.container),
    ast.ContainsTest: lambda n: (n.value, n.needle),
    ast.MentionsTest: lambda n: (n.value, n.needle),
    ast.StartsWithTest: lambda n: (n.value, n.prefix),
    ast.EndsWithTest: lambda n: (n.value, n.suffix),
    ast.MatchesTest: lambda n: (n.value, n.regex),
    ast.HasTest: lambda n: (n.value, n.item),
    ast.EmptyTest: lambda n: (n.value,),
    ast.ListLit: lambda n: n.items,
    ast.Call: lambda n: n.args,
}


def children(node: ast.Expr) -> tuple[ast.Expr, ...]:
    """The direct sub-expressions of a node (none for literals, paths and list names)."""
    get = _CHILDREN.get(type(node))
    return get(node) if get is not None else ()


def walk(node: ast.Expr, visit: Callable[[ast.Expr], None]) -> None:
    """Call `visit` on every node, parents before children, without recursion."""
    stack = [node]
    while stack:
        n = stack.pop()
        visit(n)
        stack.extend(reversed(children(n)))

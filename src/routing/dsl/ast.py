"""The abstract syntax of rule files and expressions.

Every node is a frozen, slotted dataclass whose **last** field is its `span`. Spans are
excluded from equality (`compare=False`), so two trees are equal when they mean the same
thing wherever they were written: ``parse(print(tree)) == tree`` is a structural test.

Expression nodes are named after the grammar productions in ``grammar.lark``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, TypeAlias

from routing.diagnostics import SourceFile, Span

__all__ = [
    "Action",
    "AgentDecl",
    "And",
    "AssignAction",
    "BoolLit",
    "CalendarDecl",
    "Call",
    "Compare",
    "Condition",
    "ContainsTest",
    "Define",
    "DurationLit",
    "EmptyTest",
    "EndsWithTest",
    "Expr",
    "FieldDecl",
    "HasTest",
    "InTest",
    "ListDecl",
    "ListLit",
    "ListRef",
    "MarkSpamAction",
    "MatchesTest",
    "MentionsTest",
    "Name",
    "NoReplyAction",
    "Not",
    "NotifyAction",
    "NullLit",
    "NumberLit",
    "Or",
    "Path",
    "PathPart",
    "PriorityAction",
    "RateLimit",
    "RegexLit",
    "RepliesDecl",
    "ReplyAction",
    "RouteAction",
    "Rule",
    "RuleFile",
    "Scalar",
    "SetAction",
    "SetItem",
    "SlaAction",
    "SlaPolicyDecl",
    "SlaTarget",
    "SpamScoreAction",
    "SpanMap",
    "Stage",
    "StartsWithTest",
    "StringLit",
    "TagAction",
    "TemplateDecl",
    "WebhookAction",
    "YMapping",
    "YScalar",
    "YSequence",
    "YamlNode",
]


class SpanMap(Protocol):
    """Maps offsets inside an expression or template text to spans in its file.

    `SourceFile` is one (an expression that is a whole source); `dsl.source.EmbeddedSource`
    is the other (an expression inside a YAML scalar).
    """

    def span(self, start: int, end: int) -> Span: ...


# --------------------------------------------------------------------------- literals


@dataclass(frozen=True, slots=True)
class StringLit:
    value: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class NumberLit:
    value: int | float
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class BoolLit:
    value: bool
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class NullLit:
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class DurationLit:
    """An exact amount of time, in whole seconds (``1h30m`` is 5400)."""

    seconds: int
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class RegexLit:
    """``/pattern/flags``; `flags` is a subset of "ims" in that canonical order."""

    pattern: str
    flags: str
    span: Span = field(compare=False, repr=False)


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[Expr, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListRef:
    """``$name``: a list declared under ``lists:``."""

    name: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class PathPart:
    """One step of a path: ``.name`` or ``["name"]`` (`bracketed`)."""

    name: str
    bracketed: bool
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Path:
    """A name or a dotted/bracketed path: ``spam``, ``requester.domain``, ``headers["X"]``.

    ``parts[0]`` is the root name (never bracketed). A one-part path may also name a
    define or a built-in such as ``now``: the checker resolves it.
    """

    parts: tuple[PathPart, ...]
    span: Span = field(compare=False, repr=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parts)


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple[Expr, ...]
    name_span: Span = field(compare=False, repr=False)
    span: Span = field(compare=False, repr=False)


# --------------------------------------------------------------------------- tests


@dataclass(frozen=True, slots=True)
class Not:
    operand: Expr
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class And:
    """``a and b and c``: one node per chain (at least two operands)."""

    operands: tuple[Expr, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Or:
    operands: tuple[Expr, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Compare:
    """``left OP right`` with OP one of == != < <= > >=."""

    op: str
    left: Expr
    right: Expr
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class InTest:
    value: Expr
    container: Expr
    negated: bool
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ContainsTest:
    """``v contains x`` / ``v contains any of xs`` / ``v contains all of xs``."""

    value: Expr
    needle: Expr
    quantifier: str | None  # None, "any" or "all"
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class MentionsTest:
    value: Expr
    needle: Expr
    quantifier: str | None  # None, "any" or "all"
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class StartsWithTest:
    value: Expr
    prefix: Expr
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class EndsWithTest:
    value: Expr
    suffix: Expr
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class MatchesTest:
    value: Expr
    regex: RegexLit
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class HasTest:
    """``tags has "x"`` / ``tags has any|all|none of xs``."""

    value: Expr
    item: Expr
    quantifier: str | None  # None, "any", "all" or "none"
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class EmptyTest:
    value: Expr
    negated: bool
    span: Span = field(compare=False, repr=False)


Expr: TypeAlias = (
    StringLit
    | NumberLit
    | BoolLit
    | NullLit
    | DurationLit
    | RegexLit
    | ListLit
    | ListRef
    | Path
    | Call
    | Not
    | And
    | Or
    | Compare
    | InTest
    | ContainsTest
    | MentionsTest
    | StartsWithTest
    | EndsWithTest
    | MatchesTest
    | HasTest
    | EmptyTest
)

# --------------------------------------------------------------------------- located YAML


@dataclass(frozen=True, slots=True)
class YScalar:
    """A YAML scalar after strict resolution: str, int, float, bool or None.

    `style` is the YAML scalar style: "" (plain), "'", '"', "|" or ">".
    """

    value: str | int | float | bool | None
    style: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class YMapping:
    items: tuple[tuple[YScalar, YamlNode], ...]
    span: Span = field(compare=False, repr=False)

    def get(self, key: str) -> YamlNode | None:
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def key_node(self, key: str) -> YScalar | None:
        for k, _ in self.items:
            if k.value == key:
                return k
        return None


@dataclass(frozen=True, slots=True)
class YSequence:
    items: tuple[YamlNode, ...]
    span: Span = field(compare=False, repr=False)


YamlNode: TypeAlias = YScalar | YMapping | YSequence


def describe(node: YamlNode) -> str:
    """What a located YAML node is, for "expected X, found Y" messages: "a mapping", "a
    list", "a boolean", "a number", "null", "nothing" (an empty value) or "a string"."""
    if isinstance(node, YMapping):
        return "a mapping"
    if isinstance(node, YSequence):
        return "a list"
    value = node.value
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        span = node.span
        written = span.source.text[span.start.offset : span.end.offset]
        return "nothing" if written == "" else "null"
    return "a string"


def plain(node: YamlNode) -> object:
    """The plain Python data of a located YAML node (dicts, lists, scalars)."""
    if isinstance(node, YScalar):
        return node.value
    if isinstance(node, YSequence):
        return [plain(i) for i in node.items]
    return {str(k.value): plain(v) for k, v in node.items}


# --------------------------------------------------------------------------- rule files


@dataclass(frozen=True, slots=True)
class Name:
    """A located name written in YAML: a queue, a rule name, a tag, a template name..."""

    value: str
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Scalar:
    """A located scalar value written in YAML (e.g. the value of a ``set`` item)."""

    value: str | int | float | bool | None
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Condition:
    """An expression as written: its text, and how its offsets map into the file."""

    text: str
    source: SpanMap = field(compare=False, repr=False)
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FieldDecl:
    """A custom field: ``plan: {type: enum, values: [free, pro]}``.

    `type` is one of string, number, boolean, enum, datetime, list; `values` is set for
    enums (in declared order) and `items` names the item type of a list (default string).
    """

    name: Name
    type: Name
    values: tuple[Name, ...]
    items: Name | None
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ListDecl:
    name: Name
    items: tuple[Scalar, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Define:
    name: Name
    condition: Condition
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CalendarDecl:
    """A calendar: the spec is passed as plain data to `routing.sla.Calendar.from_dict`."""

    name: Name
    spec: YMapping
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TemplateDecl:
    name: Name
    text: str
    source: SpanMap = field(compare=False, repr=False)
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class AgentDecl:
    id: Name
    queues: tuple[Name, ...]
    skills: tuple[Name, ...]
    calendar: Name | None
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """One target: ``high: {first_reply: 1h}`` gives priority high, metric first_reply."""

    priority: Name
    metric: Name
    seconds: int
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SlaPolicyDecl:
    """An SLA policy. `clock` is "business" (the calendar's open time) or "calendar"."""

    name: Name
    when: Condition | None
    calendar: Name | None
    clock: str
    targets: tuple[SlaTarget, ...]
    pause_when: Condition | None
    warn_at: float | None
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """One rate-limit tier of ``replies:``: at most `limit` replies per recipient per `per`."""

    limit: int
    per: int  # seconds
    limit_span: Span = field(compare=False, repr=False)
    per_span: Span = field(compare=False, repr=False)
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class RepliesDecl:
    """The ``replies:`` section: how auto-replies are sent and gated.

    `sender` is the address replies are sent from (``from:``); `own_addresses` are addresses
    (``a@b``) or whole domains (``*@b``) whose mail never gets an auto-reply; `rate_limits`
    are the per-recipient tiers, or None when the section does not set them (the engine's
    defaults apply; an empty tuple switches rate limits off). `span` is the ``replies`` key.
    """

    sender: Name | None
    own_addresses: tuple[Name, ...]
    rate_limits: tuple[RateLimit, ...] | None
    span: Span = field(compare=False, repr=False)


# --------------------------------------------------------------------------- actions


@dataclass(frozen=True, slots=True)
class RouteAction:
    queue: Name
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class AssignAction:
    """``assign: {agent: A}`` or ``assign: {strategy: S, skills: [..]}``."""

    agent: Name | None
    strategy: Name | None
    skills: tuple[Name, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class PriorityAction:
    """``priority: P`` (`raise_only` False) or ``raise_priority: P`` (True)."""

    priority: Name
    raise_only: bool
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TagAction:
    """``tag: T`` / ``untag: T`` (`remove`); tags are lower-cased by the loader."""

    tags: tuple[Name, ...]
    remove: bool
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SetItem:
    """``status: S`` or ``fields.NAME: V`` inside ``set:``."""

    target: Name
    value: Scalar
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SetAction:
    items: tuple[SetItem, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SpamScoreAction:
    amount: float
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class MarkSpamAction:
    value: bool
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ReplyAction:
    template: Name
    once_per: int | None  # seconds
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class NotifyAction:
    to: Scalar
    template: Name
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class WebhookAction:
    url: Scalar
    body: Name | None  # a template name
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class SlaAction:
    policy: Name
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class NoReplyAction:
    value: bool
    span: Span = field(compare=False, repr=False)


Action: TypeAlias = (
    RouteAction
    | AssignAction
    | PriorityAction
    | TagAction
    | SetAction
    | SpamScoreAction
    | MarkSpamAction
    | ReplyAction
    | NotifyAction
    | WebhookAction
    | SlaAction
    | NoReplyAction
)


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: `on` lists its events (default ``("created",)``)."""

    name: Name
    when: Condition
    then: tuple[Action, ...]
    description: str | None
    enabled: bool
    on: tuple[Name, ...]
    stop: bool
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Stage:
    """A stage; `mode` is "first" or "all"."""

    name: Name
    mode: Name
    rules: tuple[Rule, ...]
    span: Span = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One rule file as read; a rule set is one or more of them, merged by the checker."""

    source: SourceFile = field(compare=False, repr=False)
    version: int
    fields: tuple[FieldDecl, ...]
    lists: tuple[ListDecl, ...]
    queues: tuple[Name, ...]
    defines: tuple[Define, ...]
    calendars: tuple[CalendarDecl, ...]
    templates: tuple[TemplateDecl, ...]
    sla_policies: tuple[SlaPolicyDecl, ...]
    agents: tuple[AgentDecl, ...]
    stages: tuple[Stage, ...]
    spam_threshold: Scalar | None
    replies: RepliesDecl | None
    span: Span = field(compare=False, repr=False)

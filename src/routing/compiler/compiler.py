"""Checked AST -> `CompiledRuleset`: generated code for conditions, closures for actions.

Conditions (rules, defines, SLA policies) are compiled to Python functions by
`routing.compiler.codegen`; actions by `routing.compiler.actions`. No lark, no YAML.
The compiled rule set is immutable and shared by threads; all per-ticket state lives in a
`State`. The same generator makes the fast plan and the explain plan (`observe=True`), which
only adds recording calls around the nodes explain shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from routing.compiler.actions import Agent, Applier, Spec, action_spec, compile_action
from routing.compiler.codegen import CodeGen, define_key, observed_nodes
from routing.compiler.fuse import FUSE_LIMIT, Fuser
from routing.compiler.index import RuleIndex, build_index
from routing.compiler.predicates import Fn
from routing.compiler.state import EvalFailure, State
from routing.dsl import ast
from routing.dsl.checker import CheckedRuleset
from routing.dsl.passes._context import children, rule_events
from routing.dsl.printer import print_expr

__all__ = [
    "CompiledPolicy",
    "CompiledReplies",
    "CompiledRule",
    "CompiledRuleset",
    "CompiledStage",
    "compile_ruleset",
    "observed_nodes",
]


@dataclass(frozen=True, slots=True)
class CompiledRule:
    name: str
    stage: str
    condition: Fn
    actions: tuple[Applier, ...]
    enabled: bool
    events: frozenset[str]
    stop: bool
    cost: int
    text: str
    tests: tuple[tuple[int, str], ...]  # (node id, printed sub-expression) for explain
    #: what each action does, as data (`action_spec`; None for ``assign``): the fused
    #: stage code inlines them
    specs: tuple[Spec | None, ...] = ()


@dataclass(frozen=True, slots=True)
class CompiledStage:
    name: str
    mode: str
    rules: tuple[CompiledRule, ...]


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    name: str
    when: Fn | None
    pause_when: Fn | None
    pause_depends_on_status_only: bool
    calendar: str | None
    clock: str
    targets: Mapping[str, Mapping[str, int]]
    warn_at: float


@dataclass(frozen=True, slots=True)
class CompiledReplies:
    """The ``replies:`` section, ready for the auto-reply gate.

    `own_addresses` holds the case-folded addresses and ``*@domain`` patterns, the `sender`
    among them; `rate_limits` is None when the rule set sets none (the gate's defaults
    apply) and empty when it switches them off.
    """

    sender: str | None = None
    own_addresses: frozenset[str] = frozenset()
    rate_limits: tuple[tuple[int, timedelta], ...] | None = None


def _compile_replies(decl: ast.RepliesDecl | None) -> CompiledReplies:
    if decl is None:
        return CompiledReplies()
    sender = decl.sender.value.strip() if decl.sender is not None else None
    own = {a.value.strip().casefold() for a in decl.own_addresses}
    if sender:
        own.add(sender.casefold())
    limits = None
    if decl.rate_limits is not None:
        limits = tuple((t.limit, timedelta(seconds=t.per)) for t in decl.rate_limits)
    return CompiledReplies(sender, frozenset(own), limits)


def _template_calendars(checked: CheckedRuleset) -> frozenset[str]:
    """The calendars some template reads (``calendars["name"]...``); all if one is computed."""
    names: set[str] = set()
    for template in checked.templates.values():
        for var in template.variables:
            if var.path[:1] != ("calendars",):
                continue
            if len(var.path) < 2:
                return frozenset(checked.calendars)
            names.add(var.path[1])
    return frozenset(names & set(checked.calendars))


@dataclass(frozen=True, slots=True)
class CompiledRuleset:
    stages: tuple[CompiledStage, ...]
    policies: tuple[CompiledPolicy, ...]
    policy_by_name: Mapping[str, CompiledPolicy]
    templates: Mapping[str, Any]
    calendars: Mapping[str, Any]
    spam_threshold: float
    has_spam_stage: bool
    observe: bool
    #: the auto-reply gate's configuration (the rule set's ``replies:`` section)
    replies: CompiledReplies
    #: calendars whose ``next_open`` templates read, computed per rendering ticket
    template_calendars: frozenset[str]
    #: SLA clocks built on demand, per (policy, paused statuses); filled under a lock
    clocks: dict[tuple[str, Any], Any] = field(default_factory=dict)
    #: the rule index (`routing.compiler.index`); None when compiled without it, and for
    #: the explain plan, which visits every rule
    index: RuleIndex | None = None
    #: builds the fused function of a plan (`routing.compiler.fuse`); None when the rule
    #: set has no index or more than `FUSE_LIMIT` rules (the engine walks bit sets then)
    fuser: Fuser | None = None


def _cost(checked: CheckedRuleset, expr: ast.Expr) -> int:
    total = 0
    stack = [expr]
    while stack:
        n = stack.pop()
        total += 1
        if isinstance(n, ast.ListRef):
            decl = checked.lists.get(n.name)
            total += len(decl.items) if decl else 0
        stack.extend(children(n))
    return total


def _tests(builder: CodeGen, expr: ast.Expr) -> tuple[tuple[int, str], ...]:
    return tuple((builder.node_id(n), print_expr(n)) for n in observed_nodes(expr))


def _reads_status_only(checked: CheckedRuleset, expr: ast.Expr) -> bool:
    """Whether `expr` reads no ticket data but `status` (and calls no function)."""
    stack = [expr]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Call):
            return False
        if isinstance(n, ast.Path):
            res = checked.paths.get(id(n))
            if res is None or (res.kind, res.key) != ("field", "status"):
                return False
        stack.extend(children(n))
    return True


#: builtin fields an action may change (`action_spec`): what a define reading them depends on
_WRITABLE_FIELDS = frozenset(
    {"status", "priority", "queue", "assignee", "tags", "spam", "spam_score"}
)
#: builtin fields no action changes: a ticket's own data
_TICKET_FIELDS = frozenset(
    {
        "text",
        "subject",
        "body",
        "channel",
        "created_at",
        "updated_at",
        "id",
        "headers",
        "attachments",
    }
)
#: path kinds that read a ticket's own data (the requester, headers) or the instant
_TICKET_KINDS = frozenset({"requester", "header", "headers", "now", "requester_object"})


def define_reads(checked: CheckedRuleset) -> frozenset[str] | None:
    """What the defines read that an action may write: builtin field names
    (`_WRITABLE_FIELDS`) and ``fields.NAME``; None when some define reads what this does not
    know (every custom field at once, say): then every write counts.

    A define's value is cached per `State.version`; the fused stage code bumps the version
    only for the writes in this set (`routing.compiler.fuse`): a define keeps its value
    across the actions that cannot change it (docs/decisions/0027-define-reads.md).
    """
    out: set[str] = set()
    for decl in checked.defines.values():
        stack = [checked.expr(decl.condition)]
        while stack:
            n = stack.pop()
            if isinstance(n, ast.Path):
                res = checked.paths.get(id(n))
                if res is None:
                    return None
                kind, key = res.kind, res.key
                if kind == "field" and key in _WRITABLE_FIELDS:
                    out.add(key)
                elif kind == "custom":
                    out.add(f"fields.{key}")
                elif not (
                    (kind == "field" and key in _TICKET_FIELDS)
                    or kind in _TICKET_KINDS
                    or kind == "define"  # its own condition is walked as a define
                ):
                    return None
            stack.extend(children(n))
    return frozenset(out)


def compile_ruleset(
    checked: CheckedRuleset, *, observe: bool = False, index: bool = True
) -> CompiledRuleset:
    """Compile a checked rule set (which must have no errors).

    `index` builds the rule index the engine uses to visit only the rules a ticket can
    match; the explain plan (`observe`) never has one.
    """
    if not checked.ok:
        raise ValueError("cannot compile a rule set with errors")
    define_fns: dict[str, Fn] = {}

    def compile_define(name: str) -> Fn:
        existing = define_fns.get(name)
        if existing is not None:
            return existing
        # A define is computed once per `State.version` (actions may change what it reads).
        # `lazy` exists before the body is compiled: a define's body may name other defines.
        cached_key = define_key(name)  # generated code reads hits inline

        def lazy(s: State) -> Any:
            hit = s.cache.get(cached_key)
            if hit is not None and hit[0] == s.version:
                if hit[2]:
                    raise hit[1]
                return hit[1]
            try:
                value = inner(s)
            except EvalFailure as exc:
                s.cache[cached_key] = (s.version, exc, True)
                raise
            s.cache[cached_key] = (s.version, value, False)
            return value

        define_fns[name] = lazy
        inner = builder.build(checked.expr(checked.defines[name].condition), f"define '{name}'")
        return lazy

    fuse = index and not observe and sum(len(s.rules) for s in checked.stages) <= FUSE_LIMIT
    builder = CodeGen(checked, compile_define, observe=observe, inline=fuse)
    for name in checked.defines:
        compile_define(name)

    agents = tuple(
        Agent(
            a.id.value,
            frozenset(q.value for q in a.queues),
            frozenset(k.value for k in a.skills),
            checked.calendars.get(a.calendar.value) if a.calendar else None,
        )
        for a in checked.agents.values()
    )
    stages: list[CompiledStage] = []
    for stage in checked.stages:
        rules: list[CompiledRule] = []
        for rule in stage.rules:
            expr = checked.expr(rule.when)
            rules.append(
                CompiledRule(
                    name=rule.name.value,
                    stage=stage.name.value,
                    condition=builder.condition(expr, f"rule '{rule.name.value}'"),
                    actions=tuple(
                        compile_action(a, rule.name.value, agents, checked.field_types)
                        for a in rule.then
                    ),
                    enabled=rule.enabled,
                    events=rule_events(rule),
                    stop=rule.stop,
                    cost=_cost(checked, expr),
                    text=print_expr(expr),
                    tests=_tests(builder, expr) if observe else (),
                    specs=tuple(action_spec(a, rule.name.value) for a in rule.then),
                )
            )
        stages.append(CompiledStage(stage.name.value, stage.mode.value, tuple(rules)))
    policies: list[CompiledPolicy] = []
    for p in checked.policies.values():
        targets: dict[str, dict[str, int]] = {}
        for t in p.targets:
            targets.setdefault(t.priority.value, {})[t.metric.value] = t.seconds
        policies.append(
            CompiledPolicy(
                name=p.name.value,
                when=(
                    builder.build(checked.expr(p.when), f"policy '{p.name.value}' when")
                    if p.when is not None
                    else None
                ),
                pause_when=(
                    builder.build(checked.expr(p.pause_when), f"policy '{p.name.value}' pause_when")
                    if p.pause_when is not None
                    else None
                ),
                pause_depends_on_status_only=(
                    p.pause_when is not None
                    and _reads_status_only(checked, checked.expr(p.pause_when))
                ),
                calendar=p.calendar.value if p.calendar else None,
                clock=p.clock if p.calendar else "calendar",
                targets=targets,
                warn_at=p.warn_at if p.warn_at is not None else 0.8,
            )
        )
    index_plan = (
        build_index(
            checked,
            builder.build,
            [[r.cost for r in s.rules] for s in stages],
            builder.text_source,  # one needle scan per ticket for conditions and index
        )
        if index and not observe
        else None
    )
    builder.finish()
    if index_plan is not None:
        index_plan.finish()
    return CompiledRuleset(
        stages=tuple(stages),
        policies=tuple(policies),
        policy_by_name={p.name: p for p in policies},
        templates=checked.templates,
        calendars=checked.calendars,
        spam_threshold=checked.spam_threshold,
        has_spam_stage=any(s.name == "spam" for s in stages),
        observe=observe,
        replies=_compile_replies(checked.replies),
        template_calendars=_template_calendars(checked),
        index=index_plan,
        fuser=(
            Fuser(builder, checked.spam_threshold, index_plan, define_reads(checked))
            if fuse and index_plan is not None
            else None
        ),
    )

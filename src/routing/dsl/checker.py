"""The checker: an ordered table of named passes over the rule files of one rule set.

Every pass appends diagnostics and nothing stops at the first error; a pass that needs an
earlier result skips conditions already marked invalid. The result is a `CheckedRuleset`:
the merged declarations, the parsed conditions with their resolved names and types, and
every diagnostic, sorted.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from routing.diagnostics import Diagnostic, Severity, sort_diagnostics
from routing.dsl import ast
from routing.dsl._gc import gc_paused
from routing.dsl.passes._context import CheckContext, Resolution
from routing.dsl.passes.check_actions import check_actions
from routing.dsl.passes.check_conflicts import check_conflicts
from routing.dsl.passes.check_limits import check_limits
from routing.dsl.passes.check_literals import check_literals
from routing.dsl.passes.check_reachability import check_reachability
from routing.dsl.passes.check_types import check_types
from routing.dsl.passes.collect_declarations import collect_declarations
from routing.dsl.passes.parse_expressions import parse_expressions
from routing.dsl.passes.resolve_names import resolve_names
from routing.model.schema import TicketSchema
from routing.model.types import Type

__all__ = ["PASSES", "CheckedRuleset", "check"]

#: The checker passes, in order: (name, function). Names are the module names.
PASSES: tuple[tuple[str, Callable[[CheckContext], None]], ...] = (
    ("collect_declarations", collect_declarations),
    ("parse_expressions", parse_expressions),
    ("resolve_names", resolve_names),
    ("check_types", check_types),
    ("check_literals", check_literals),
    ("check_actions", check_actions),
    ("check_reachability", check_reachability),
    ("check_conflicts", check_conflicts),
    ("check_limits", check_limits),
)


@dataclass(frozen=True)
class CheckedRuleset:
    """A checked rule set: what the compiler needs, and every diagnostic."""

    files: tuple[ast.RuleFile, ...]
    stages: tuple[ast.Stage, ...]
    fields: Mapping[str, ast.FieldDecl]
    field_types: Mapping[str, Type]
    lists: Mapping[str, ast.ListDecl]
    queues: tuple[str, ...]
    defines: Mapping[str, ast.Define]
    calendars: Mapping[str, Any]  # name -> routing.sla.Calendar
    templates: Mapping[str, Any]  # name -> routing.dsl.templates.CompiledTemplate
    policies: Mapping[str, ast.SlaPolicyDecl]
    agents: Mapping[str, ast.AgentDecl]
    spam_threshold: float
    replies: ast.RepliesDecl | None
    schema: TicketSchema
    exprs: Mapping[int, ast.Expr]
    paths: Mapping[int, Resolution]
    types: Mapping[int, Type]
    diagnostics: tuple[Diagnostic, ...]
    timings: Mapping[str, float]

    @property
    def ok(self) -> bool:
        """True when no diagnostic is an error."""
        return not any(d.severity is Severity.ERROR for d in self.diagnostics)

    def expr(self, condition: ast.Condition) -> ast.Expr:
        """The parsed expression of a condition of this rule set."""
        return self.exprs[id(condition)]


def check(files: Sequence[ast.RuleFile], *, extra: Sequence[Diagnostic] = ()) -> CheckedRuleset:
    """Run every pass over the rule files of one rule set.

    Args:
        files: the files, in load order (their stages run in this order).
        extra: diagnostics found earlier (by the loader), merged into the result.
    """
    ctx = CheckContext(files=list(files))
    ctx.diagnostics.extend(extra)
    timings: dict[str, float] = {}
    with gc_paused():  # the passes allocate what they keep; see routing.dsl._gc
        for name, run in PASSES:
            started = time.perf_counter()
            run(ctx)
            timings[name] = time.perf_counter() - started
    return CheckedRuleset(
        files=tuple(files),
        stages=tuple(ctx.stages),
        fields=MappingProxyType(ctx.fields),
        field_types=MappingProxyType(ctx.field_types),
        lists=MappingProxyType(ctx.lists),
        queues=tuple(ctx.queues),
        defines=MappingProxyType(ctx.defines),
        calendars=MappingProxyType(ctx.calendar_objects),
        templates=MappingProxyType(ctx.compiled_templates),
        policies=MappingProxyType(ctx.policies),
        agents=MappingProxyType(ctx.agents),
        spam_threshold=ctx.spam_threshold,
        replies=ctx.replies,
        schema=ctx.schema,
        exprs=MappingProxyType(ctx.exprs),
        paths=MappingProxyType(ctx.paths),
        types=MappingProxyType(ctx.types),
        diagnostics=tuple(sort_diagnostics(ctx.diagnostics)),
        timings=MappingProxyType(timings),
    )

"""Pass 1: gather the declarations of every file and report duplicate names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from routing.dsl import ast
from routing.dsl.passes._context import CheckContext
from routing.model.schema import TicketSchema
from routing.model.types import NUMBER, STRING, Type, enum_type, list_of

__all__ = ["collect_declarations"]

T = TypeVar("T")

_FIELD_TYPES: dict[str, Type] = {
    "string": STRING,
    "number": NUMBER,
}


def _field_type(decl: ast.FieldDecl) -> Type:
    from routing.model.types import BOOL, DATETIME

    kind = decl.type.value
    if kind == "enum":
        return enum_type(f"fields.{decl.name.value}", tuple(v.value for v in decl.values))
    if kind == "list":
        item = decl.items.value if decl.items else "string"
        return list_of(NUMBER if item == "number" else STRING)
    return {"boolean": BOOL, "datetime": DATETIME}.get(kind, _FIELD_TYPES.get(kind, STRING))


def _add(
    ctx: CheckContext,
    table: dict[str, T],
    value: T,
    name_of: Callable[[T], ast.Name],
    what: str,
) -> bool:
    """Enter `value` under its name; a second declaration is reported (the first wins)."""
    name = name_of(value)
    first = table.get(name.value)
    if first is not None:
        ctx.report(
            "name/duplicate",
            f"{what} '{name.value}' is declared twice",
            name.span,
            notes=(f"first declared at {name_of(first).span}",),
        )
        return False
    table[name.value] = value
    return True


def _name(decl: Any) -> ast.Name:
    return decl.name  # type: ignore[no-any-return]


def collect_declarations(ctx: CheckContext) -> None:
    """Merge the declarations of all files; a name declared twice is an error."""
    seen_rules: dict[str, ast.Rule] = {}
    seen_stages: dict[str, ast.Stage] = {}
    threshold: ast.Scalar | None = None
    for f in ctx.files:
        for fd in f.fields:
            _add(ctx, ctx.fields, fd, _name, "custom field")
        for ld in f.lists:
            _add(ctx, ctx.lists, ld, _name, "list")
        for q in f.queues:
            _add(ctx, ctx.queues, q, lambda n: n, "queue")
        for d in f.defines:
            _add(ctx, ctx.defines, d, _name, "define")
        for c in f.calendars:
            _add(ctx, ctx.calendars, c, _name, "calendar")
        for t in f.templates:
            _add(ctx, ctx.templates, t, _name, "template")
        for p in f.sla_policies:
            _add(ctx, ctx.policies, p, _name, "SLA policy")
        for a in f.agents:
            _add(ctx, ctx.agents, a, lambda agent: agent.id, "agent")
        for s in f.stages:
            if _add(ctx, seen_stages, s, _name, "stage"):
                ctx.stages.append(s)
            for r in s.rules:
                _add(ctx, seen_rules, r, _name, "rule")
        if f.spam_threshold is not None:
            if threshold is not None:
                ctx.report(
                    "name/duplicate",
                    "'spam_threshold' is set in more than one file",
                    f.spam_threshold.span,
                    notes=(f"first set at {threshold.span}",),
                )
            else:
                threshold = f.spam_threshold
                if isinstance(threshold.value, int | float) and not isinstance(
                    threshold.value, bool
                ):
                    ctx.spam_threshold = float(threshold.value)
        if f.replies is not None:
            if ctx.replies is not None:
                ctx.report(
                    "name/duplicate",
                    "'replies' is declared in more than one file",
                    f.replies.span,
                    notes=(f"first declared at {ctx.replies.span}",),
                )
            else:
                ctx.replies = f.replies
    # a rule name shared by two stages was skipped above: keep only the first rule
    ctx.stages = [_dedupe_rules(s, seen_rules) for s in ctx.stages]
    for name, fd in ctx.fields.items():
        ctx.field_types[name] = _field_type(fd)
    for name, ld in ctx.lists.items():
        kinds = {type(i.value) for i in ld.items}
        is_num = bool(kinds) and kinds <= {int, float}
        ctx.list_types[name] = list_of(NUMBER if is_num else STRING)
    ctx.schema = TicketSchema(custom=dict(ctx.field_types), queues=tuple(ctx.queues))
    for name, d in ctx.defines.items():
        if name in ctx.schema.roots or name == "now":
            ctx.report(
                "name/duplicate",
                f"define '{name}' has the name of a ticket field",
                d.name.span,
                hint="rename the define",
            )


def _dedupe_rules(stage: ast.Stage, first: dict[str, ast.Rule]) -> ast.Stage:
    rules = tuple(r for r in stage.rules if first.get(r.name.value) is r)
    if len(rules) == len(stage.rules):
        return stage
    return ast.Stage(stage.name, stage.mode, rules, stage.span)

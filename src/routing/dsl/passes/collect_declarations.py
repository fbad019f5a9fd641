"""Pass 1: gather the declarations of every file and report duplicate names."""

from __future__ import annotations

from typing import TypeVar

from routing.diagnostics import Span
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
    ctx: CheckContext, table: dict[str, T], name: ast.Name, value: T, what: str, first: Span
) -> None:
    existing = table.get(name.value)
    if existing is not None:
        ctx.report(
            "name/duplicate",
            f"{what} '{name.value}' is declared twice",
            name.span,
            notes=(f"first declared at {first}",),
        )
        return
    table[name.value] = value


def collect_declarations(ctx: CheckContext) -> None:
    """Merge the declarations of all files; a name declared twice is an error."""
    seen_rules: dict[str, ast.Rule] = {}
    seen_stages: dict[str, ast.Stage] = {}
    threshold: ast.Scalar | None = None
    for f in ctx.files:
        for fd in f.fields:
            prev = ctx.fields.get(fd.name.value)
            _add(ctx, ctx.fields, fd.name, fd, "custom field", prev.name.span if prev else fd.span)
        for ld in f.lists:
            prev_l = ctx.lists.get(ld.name.value)
            _add(ctx, ctx.lists, ld.name, ld, "list", prev_l.name.span if prev_l else ld.span)
        for q in f.queues:
            prev_q = ctx.queues.get(q.value)
            _add(ctx, ctx.queues, q, q, "queue", prev_q.span if prev_q else q.span)
        for d in f.defines:
            prev_d = ctx.defines.get(d.name.value)
            _add(ctx, ctx.defines, d.name, d, "define", prev_d.name.span if prev_d else d.span)
        for c in f.calendars:
            prev_c = ctx.calendars.get(c.name.value)
            _add(ctx, ctx.calendars, c.name, c, "calendar", prev_c.name.span if prev_c else c.span)
        for t in f.templates:
            prev_t = ctx.templates.get(t.name.value)
            _add(ctx, ctx.templates, t.name, t, "template", prev_t.name.span if prev_t else t.span)
        for p in f.sla_policies:
            prev_p = ctx.policies.get(p.name.value)
            _add(ctx, ctx.policies, p.name, p, "SLA policy", prev_p.name.span if prev_p else p.span)
        for a in f.agents:
            prev_a = ctx.agents.get(a.id.value)
            _add(ctx, ctx.agents, a.id, a, "agent", prev_a.id.span if prev_a else a.span)
        for s in f.stages:
            prev_s = seen_stages.get(s.name.value)
            _add(ctx, seen_stages, s.name, s, "stage", prev_s.name.span if prev_s else s.span)
            if prev_s is None:
                ctx.stages.append(s)
            for r in s.rules:
                prev_r = seen_rules.get(r.name.value)
                _add(ctx, seen_rules, r.name, r, "rule", prev_r.name.span if prev_r else r.span)
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

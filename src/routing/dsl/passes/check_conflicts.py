"""Pass 8 (warnings): two rules of one `all` stage that set the same field."""

from __future__ import annotations

from routing.diagnostics import Span
from routing.dsl import ast
from routing.dsl.passes._context import CheckContext, rule_events

__all__ = ["check_conflicts", "fields_set"]


def fields_set(action: ast.Action) -> list[tuple[str, Span]]:
    """The ticket fields an action overwrites (last writer wins), with their spans."""
    if isinstance(action, ast.RouteAction):
        return [("queue", action.span)]
    if isinstance(action, ast.PriorityAction) and not action.raise_only:
        return [("priority", action.span)]
    if isinstance(action, ast.AssignAction):
        return [("assignee", action.span)]
    if isinstance(action, ast.SlaAction):
        return [("sla", action.span)]
    if isinstance(action, ast.SetAction):
        return [(item.target.value, item.span) for item in action.items]
    return []


def check_conflicts(ctx: CheckContext) -> None:
    """Warn where a later rule of an `all` stage overwrites what an earlier one set."""
    for stage in ctx.stages:
        if stage.mode.value != "all":
            continue
        writers: dict[str, list[ast.Rule]] = {}
        for rule in stage.rules:
            if not rule.enabled:
                continue
            events = rule_events(rule)
            mine: dict[str, Span] = {}
            for action in rule.then:
                for name, span in fields_set(action):
                    mine.setdefault(name, span)
            for name, span in mine.items():
                # rules that listen to different events never run in the same evaluation
                earlier = next((r for r in writers.get(name, ()) if events & rule_events(r)), None)
                writers.setdefault(name, []).append(rule)
                if earlier is not None:
                    ctx.report(
                        "action/conflicting-set",
                        f"rules '{earlier.name.value}' and '{rule.name.value}' both set "
                        f"'{name}' in 'all' stage '{stage.name.value}'; the later one wins",
                        span,
                        notes=(f"'{earlier.name.value}' is at {earlier.name.span}",),
                        hint="make the conditions exclusive, or use a 'first' stage",
                    )
